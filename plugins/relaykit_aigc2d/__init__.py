"""AIGC2D (api.aigc2d.com): an OpenAI-compatible chat relay (seed 002, ``shared/dialects/relays.md`` §1.3).

``POST /v1/chat/completions`` with bearer auth (key from ``AIGC2D_API_KEY``; AIGC2D keys look like
``AIGC2D-...``, no prefix is checked), for every model of the seed: the gpt-4 / gpt-3.5-turbo
family, Baidu's ernie-bot family, iFlytek's spark-v1.5 / v2.0 / v3.0 and Anthropic's claude-2 /
claude-instant-1, all in the OpenAI schema, with legacy ``functions`` / ``function_call`` and
streaming. ``relaykit_openai``'s chat flow is used unchanged (relayed for one-api errors);
``max_tokens`` is the output limit (AIGC2D pre-freezes points by it: send a realistic one).

Not covered, because no source shows their wire format: the Midjourney section (AIGC2D's own
format, suspended since 2023-10-22), Stable Diffusion (its own queue API, not public) and 翻译
(translation: unknown whether an endpoint or a model alias). See ``docs/providers/aigc2d.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec
from relaykit_vocka.relay import RelaySettings, catalogue_capabilities, openai_operations

__all__ = ["AIGC2D", "MODELS", "AIGC2DSettings", "register_providers"]


class AIGC2DSettings(RelaySettings):
    """AIGC2D's settings: the OpenAI dialect's, with relay defaults (``max_tokens``, ``system``)."""


_FUNCTIONS = frozenset({Capability.CHAT, Capability.CHAT_STREAM, Capability.TOOLS})
_PLAIN = frozenset({Capability.CHAT, Capability.CHAT_STREAM})
_JSON = _FUNCTIONS | {Capability.JSON_OBJECT}

MODELS: dict[str, frozenset[Capability]] = {
    "gpt-4": _FUNCTIONS,
    "gpt-4-0314": _PLAIN,
    "gpt-4-0613": _FUNCTIONS,
    "gpt-4-32k": _FUNCTIONS,
    "gpt-4-1106-preview": _JSON,
    "gpt-3.5-turbo": _FUNCTIONS,
    "gpt-3.5-turbo-0301": _PLAIN,
    "gpt-3.5-turbo-0613": _FUNCTIONS,
    "gpt-3.5-turbo-16k": _FUNCTIONS,
    "gpt-3.5-turbo-16k-0613": _FUNCTIONS,
    "gpt-3.5-turbo-1106": _JSON,
    "ernie-bot": _FUNCTIONS,
    "ernie-bot-turbo": _PLAIN,
    "ernie-bot-4": _FUNCTIONS,
    "spark-v1.5": _PLAIN,
    "spark-v2.0": _PLAIN,
    "spark-v3.0": _FUNCTIONS,
    "claude-2": _PLAIN,
    "claude-instant-1": _PLAIN,
}
"""The seed's model enum, with what each upstream model does: functions where the upstream has
them (OpenAI 0613 and later, ERNIE-Bot and ERNIE-Bot 4, Spark 3.0), JSON mode on the 1106 models."""

AIGC2D = ProviderSpec(
    name="aigc2d",
    description="AIGC2D relay: chat with GPT, ERNIE-Bot, Spark and Claude models (OpenAI dialect)",
    capabilities=frozenset({Capability.CHAT, Capability.CHAT_STREAM, Capability.TOOLS, Capability.JSON_OBJECT}),
    operations=openai_operations(Operation.CHAT),
    settings_model=AIGC2DSettings,
    default_base_url="https://api.aigc2d.com/v1",
    default_api_key_env="AIGC2D_API_KEY",
    model_capabilities=catalogue_capabilities(MODELS),
    emulator="relaykit_aigc2d.emulator:AIGC2DEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(AIGC2D)
