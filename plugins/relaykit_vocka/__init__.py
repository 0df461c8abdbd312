"""Vocka (沃卡, wokaai.com): an OpenAI-compatible relay (seed 000, ``shared/dialects/relays.md`` §1.1).

Chat (JSON and the ``chat.completion.chunk`` stream of seed 000), completions, embeddings, image
generation, and audio speech / transcription / translation, on the OpenAI dialect
(``relaykit_openai``'s flows, relayed through `relaykit_vocka.relay` for one-api error envelopes).
Every Midjourney entry of the seed (imagine, blend, describe, shorten, action, change,
simple-change, modal, swap_face, fetch, list-by-condition, image-seed) goes through
``relaykit_midjourney``'s flows under the relay's ``/mj`` root (``relaykit_vocka._midjourney``).
Bearer key from ``VOCKA_API_KEY``. The base URL is not in Vocka's documents: the default,
``https://4.0.wokaai.com/v1``, is the one public client code uses; set ``base_url`` to change it.

This package also holds the relay layer the EZLink and AIGC2D plugins share (`relaykit_vocka.relay`,
``relaykit_vocka._flows``, `relaykit_vocka.emulator.RelayEmulator`).
"""

from __future__ import annotations

from collections.abc import Callable

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSpec

from .relay import (
    CHAT_CAPABILITIES,
    MIDJOURNEY_OPERATIONS,
    RelaySettings,
    catalogue_capabilities,
    openai_operations,
)

__all__ = ["VOCKA", "VockaSettings", "register_providers"]


class VockaSettings(RelaySettings):
    """Vocka's settings: the OpenAI dialect's, with relay defaults (``max_tokens``, ``system``)."""


_CATALOGUE = {
    "gpt-3.5-turbo": CHAT_CAPABILITIES,
    "gpt-3.5-turbo-0613": CHAT_CAPABILITIES - {Capability.VISION, Capability.JSON_SCHEMA},
}
"""Seed 000 names one model (``gpt-3.5-turbo-0613``, in its chunk example); the others follow
the OpenAI families (see `relaykit_vocka.relay.catalogue_capabilities`)."""

VOCKA = ProviderSpec(
    name="vocka",
    description="Vocka (沃卡) relay: chat, completions, embeddings, images, audio (OpenAI dialect), Midjourney (/mj)",
    capabilities=frozenset(
        {
            *CHAT_CAPABILITIES,
            Capability.COMPLETIONS,
            Capability.EMBEDDINGS,
            Capability.EMBEDDING_DIMENSIONS,
            Capability.IMAGE_GENERATE,
            Capability.SPEECH,
            Capability.TRANSCRIPTION,
            Capability.TRANSLATION,
            Capability.MIDJOURNEY,
        }
    )
    - {Capability.MODELS},
    operations={
        **openai_operations(
            Operation.CHAT,
            Operation.COMPLETION,
            Operation.EMBEDDING,
            Operation.IMAGE_GENERATE,
            Operation.SPEECH,
            Operation.TRANSCRIPTION,
            Operation.TRANSLATION,
        ),
        **MIDJOURNEY_OPERATIONS,
    },
    settings_model=VockaSettings,
    default_base_url="https://4.0.wokaai.com/v1",
    default_api_key_env="VOCKA_API_KEY",
    model_capabilities=catalogue_capabilities(_CATALOGUE),
    emulator="relaykit_vocka.emulator:VockaEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(VOCKA)
