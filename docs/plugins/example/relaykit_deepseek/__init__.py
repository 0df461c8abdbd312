"""relaykit plugin for DeepSeek (api.deepseek.com): chat with ``reasoning_content``, tools, JSON output.

One provider kind, ``deepseek``. DeepSeek speaks the OpenAI dialect, so this plugin builds on the
public parts of ``relaykit_openai`` (its settings and the flows its ``openai-compatible`` spec
names) and adds what is DeepSeek's own: the base URL and key variable, ``max_tokens`` and
``system`` on the wire, which models take tools and JSON output, 402 "Insufficient Balance" as a
quota error, and the parameters ``deepseek-reasoner`` refuses. References are in ``README.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec
from relaykit_openai import OPENAI_COMPATIBLE, OpenAISettings

__all__ = ["DEEPSEEK", "REASONER", "DeepSeekSettings", "register_providers"]

REASONER = "deepseek-reasoner"
"""The reasoning model: answers carry ``reasoning_content``; no tools, no JSON output."""

_CAPABILITIES = frozenset(
    {Capability.CHAT, Capability.CHAT_STREAM, Capability.TOOLS, Capability.JSON_OBJECT, Capability.MODELS}
)
_REASONER_CAPABILITIES = frozenset({Capability.CHAT, Capability.CHAT_STREAM, Capability.MODELS})


class DeepSeekSettings(OpenAISettings):
    """DeepSeek's settings: the OpenAI dialect's, with DeepSeek's wire names as defaults."""

    max_tokens_field: str = Field(default="max_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    """DeepSeek documents ``max_tokens``."""
    developer_role: str = Field(default="system", pattern="^(developer|system)$")
    """DeepSeek knows no ``developer`` role: such messages go as ``system``."""
    chat_api: str = Field(default="chat_completions", pattern="^chat_completions$")
    """DeepSeek serves Chat Completions only."""


def _model_capabilities(model: str) -> frozenset[Capability] | None:
    """``deepseek-reasoner`` takes neither tools nor JSON output; other models take everything."""
    return _REASONER_CAPABILITIES if model == REASONER else None


DEEPSEEK = ProviderSpec(
    name="deepseek",
    description="DeepSeek (api.deepseek.com): chat with reasoning_content, tools, JSON output, models",
    capabilities=_CAPABILITIES,
    operations={
        Operation.CHAT: "relaykit_deepseek._chat:chat",
        Operation.MODEL_LIST: OPENAI_COMPATIBLE.operations[Operation.MODEL_LIST],
        Operation.MODEL_RETRIEVE: OPENAI_COMPATIBLE.operations[Operation.MODEL_RETRIEVE],
    },
    settings_model=DeepSeekSettings,
    default_base_url="https://api.deepseek.com",
    default_api_key_env="DEEPSEEK_API_KEY",
    model_capabilities=_model_capabilities,
    emulator="relaykit_deepseek.emulator:DeepSeekEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(DEEPSEEK)
