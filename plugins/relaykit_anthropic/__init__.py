"""The Anthropic dialect: Claude's Messages API, and the legacy Text Completions API.

One provider kind, ``anthropic``: api.anthropic.com (or any gateway that speaks the dialect), key
from ``ANTHROPIC_API_KEY``. Chat goes to ``POST /v1/messages``; models named by the
``legacy_models`` setting (``claude-2*``, ``claude-instant*``) go to ``POST /v1/complete`` instead,
as does ``client.completions``. Reference: ``shared/dialects/anthropic.md``; the translation
decisions are listed in ``docs/providers/anthropic.md``.

Modules, one per concern: ``_messages`` (normalized messages to Claude turns), ``_request`` (the
Messages body), ``_chat`` (the chat flow), ``_response`` (the Messages answer), ``_stream`` (its
named SSE events), ``_errors`` (the error envelope), ``_complete`` (legacy Text Completions),
``_models`` (the model listing), ``_common`` (headers, URLs, JSON).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import Field

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

__all__ = ["ANTHROPIC", "AnthropicSettings", "register_providers"]

_OPS = {
    Operation.CHAT: "relaykit_anthropic._chat:chat",
    Operation.COMPLETION: "relaykit_anthropic._complete:completion",
    Operation.MODEL_LIST: "relaykit_anthropic._models:model_list",
    Operation.MODEL_RETRIEVE: "relaykit_anthropic._models:model_retrieve",
}

_CAPABILITIES = frozenset(
    {
        Capability.CHAT,
        Capability.CHAT_STREAM,
        Capability.TOOLS,
        Capability.VISION,
        Capability.JSON_OBJECT,
        Capability.JSON_SCHEMA,
        Capability.COMPLETIONS,
        Capability.MODELS,
    }
)
_LEGACY_CAPABILITIES = frozenset({Capability.CHAT, Capability.CHAT_STREAM, Capability.COMPLETIONS, Capability.MODELS})
_LEGACY_PREFIXES = ("claude-2", "claude-instant")
_MESSAGES_ONLY = re.compile(r"^claude-(?:3|4|5|opus|sonnet|haiku)")


class AnthropicSettings(ProviderSettings):
    """Settings of the Anthropic dialect, on top of the common ones."""

    anthropic_version: str = Field(default="2023-06-01", pattern=r"^\d{4}-\d{2}-\d{2}$")
    """Sent as ``anthropic-version``. Pinned to ``2023-06-01``: the ``2026-10-21`` version rejects
    ``temperature``, ``top_p`` and ``top_k`` (relaykit then leaves them out and logs it)."""
    anthropic_beta: list[str] = Field(default_factory=list)
    """Beta feature flags sent as ``anthropic-beta`` with every request (only flags you know)."""
    default_max_tokens: int = Field(default=4096, ge=1)
    """The output-token limit sent when a request sets none (Claude requires one). With extended
    thinking on, the thinking budget is added to it."""
    thinking_budget: int | None = Field(default=None, ge=1024)
    """Turns extended thinking on for every chat with this budget (tokens, at least 1024). A
    request's ``reasoning_effort`` overrides it; ``reasoning_effort="none"`` turns it off."""
    json_schema_mode: Literal["auto", "native", "tool"] = "auto"
    """How ``response_format`` json_schema is done: ``native`` (``output_config.format``, newest
    models), ``tool`` (a forced tool whose input is the answer, every model), or ``auto`` (native
    for Claude 4.5 models and Opus 4.1 onwards, a tool otherwise)."""
    legacy_models: list[str] = Field(default_factory=lambda: list(_LEGACY_PREFIXES))
    """Model-name prefixes served by the legacy ``/v1/complete`` endpoint (Human/Assistant prompt)."""
    auth_scheme: Literal["x-api-key", "bearer"] = "x-api-key"
    """How the key is sent: ``x-api-key`` (API keys) or ``Authorization: Bearer`` (OAuth tokens,
    some gateways)."""


def _model_capabilities(model: str) -> frozenset[Capability] | None:
    """Legacy models have no tools, images or JSON modes; Messages-only models no ``/v1/complete``."""
    name = model.lower()
    if name.startswith(_LEGACY_PREFIXES):
        return _LEGACY_CAPABILITIES
    if _MESSAGES_ONLY.match(name):
        return _CAPABILITIES - {Capability.COMPLETIONS}
    return None


ANTHROPIC = ProviderSpec(
    name="anthropic",
    description="Anthropic Claude (api.anthropic.com): Messages chat, legacy text completions, models",
    capabilities=_CAPABILITIES,
    operations=_OPS,
    settings_model=AnthropicSettings,
    default_base_url="https://api.anthropic.com",
    default_api_key_env="ANTHROPIC_API_KEY",
    model_capabilities=_model_capabilities,
    emulator="relaykit_anthropic.emulator:AnthropicEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(ANTHROPIC)
