"""The OpenAI dialect: OpenAI itself, and any OpenAI-compatible endpoint declared in configuration.

Two provider kinds share one translation:

- ``openai``: api.openai.com, key from ``OPENAI_API_KEY``, every endpoint.
- ``openai-compatible``: any server that speaks the dialect (relays, vLLM, Ollama, ...). It has no
  default base URL, so a configuration section names one; the key is optional.

Other plugins (the Chinese relays, Qianfan v2) build on this dialect through its public modules.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field, SecretStr

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

__all__ = ["OPENAI", "OPENAI_COMPATIBLE", "OpenAISettings", "register_providers"]

_OPS = {
    Operation.CHAT: "relaykit_openai._chat:chat",
    Operation.COMPLETION: "relaykit_openai._completions:completion",
    Operation.EMBEDDING: "relaykit_openai._embeddings:embedding",
    Operation.IMAGE_GENERATE: "relaykit_openai._images:generate",
    Operation.IMAGE_EDIT: "relaykit_openai._images:edit",
    Operation.IMAGE_VARIATION: "relaykit_openai._images:variation",
    Operation.SPEECH: "relaykit_openai._audio:speech",
    Operation.TRANSCRIPTION: "relaykit_openai._audio:transcription",
    Operation.TRANSLATION: "relaykit_openai._audio:translation",
    Operation.MODERATION: "relaykit_openai._moderations:moderation",
    Operation.MODEL_LIST: "relaykit_openai._models:model_list",
    Operation.MODEL_RETRIEVE: "relaykit_openai._models:model_retrieve",
}

# Everything but the normalized media operations and tasks, which the OpenAI dialect has no API for.
_ALL = frozenset(c for c in Capability if not c.value.startswith(("media.", "video.")))


class OpenAISettings(ProviderSettings):
    """Settings of the OpenAI dialect, on top of the common ones."""

    organization: SecretStr | None = None
    """Sent as ``OpenAI-Organization``."""
    project: SecretStr | None = None
    """Sent as ``OpenAI-Project``."""
    max_tokens_field: str = Field(default="max_completion_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    """Which name carries the output-token limit. OpenAI wants ``max_completion_tokens`` (reasoning
    models reject ``max_tokens``); most compatible servers understand only ``max_tokens``."""
    developer_role: str = Field(default="developer", pattern="^(developer|system)$")
    """How ``developer`` messages are sent: as is (OpenAI), or as ``system`` (most compatible servers)."""
    chat_api: str = Field(default="chat_completions", pattern="^(chat_completions|responses)$")
    """Which OpenAI API serves chat: ``chat_completions`` (``/chat/completions``, every compatible
    server) or ``responses`` (``/responses``, OpenAI's newer API; some models are served only there)."""


class CompatibleSettings(OpenAISettings):
    max_tokens_field: str = Field(default="max_tokens", pattern="^(max_tokens|max_completion_tokens)$")
    developer_role: str = Field(default="system", pattern="^(developer|system)$")


def _openai_model_capabilities(model: str) -> frozenset[Capability] | None:
    """Narrow OpenAI's capabilities for model families that serve one endpoint only."""
    name = model.lower()
    if name.startswith("text-embedding"):
        if name.startswith("text-embedding-ada"):  # only text-embedding-3 and later take `dimensions`
            return frozenset({Capability.EMBEDDINGS, Capability.MODELS})
        return frozenset({Capability.EMBEDDINGS, Capability.EMBEDDING_DIMENSIONS, Capability.MODELS})
    if name.startswith(("dall-e", "gpt-image")):
        return frozenset(
            {Capability.IMAGE_GENERATE, Capability.IMAGE_EDIT, Capability.IMAGE_VARIATION, Capability.MODELS}
        )
    if name.startswith(("tts-", "gpt-4o-mini-tts")):
        return frozenset({Capability.SPEECH, Capability.MODELS})
    if name.startswith(("whisper", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")):
        return frozenset({Capability.TRANSCRIPTION, Capability.TRANSLATION, Capability.MODELS})
    if "moderation" in name:
        return frozenset({Capability.MODERATION, Capability.MODELS})
    return None


OPENAI = ProviderSpec(
    name="openai",
    description="OpenAI (api.openai.com): chat, completions, embeddings, images, audio, moderation, models",
    capabilities=_ALL,
    operations=_OPS,
    settings_model=OpenAISettings,
    default_base_url="https://api.openai.com/v1",
    default_api_key_env="OPENAI_API_KEY",
    model_capabilities=_openai_model_capabilities,
    emulator="relaykit_openai.emulator:OpenAIEmulator",
)

OPENAI_COMPATIBLE = ProviderSpec(
    name="openai-compatible",
    description="Any OpenAI-compatible endpoint (relays, vLLM, Ollama...): set base_url in configuration",
    capabilities=_ALL,
    operations=_OPS,
    settings_model=CompatibleSettings,
    requires_api_key=False,
    emulator="relaykit_openai.emulator:OpenAIEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(OPENAI)
    register(OPENAI_COMPATIBLE)
