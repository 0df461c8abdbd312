"""The conformance kit over the Vocka relay plugin, on its emulator (one-api envelopes)."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_vocka import VOCKA
from relaykit_vocka.emulator import VockaEmulator

MODELS = {
    Capability.COMPLETIONS: "gpt-3.5-turbo-instruct",
    Capability.EMBEDDINGS: "text-embedding-3-small",
    Capability.IMAGE_GENERATE: "dall-e-2",
    Capability.SPEECH: "tts-1",
    Capability.TRANSCRIPTION: "whisper-1",
}


class TestVockaConformance(Conformance):
    """The `vocka` kind: chat, completions, embeddings, image generation, audio."""

    target = Target(
        provider=VOCKA,
        model="gpt-4o-mini",
        emulator=VockaEmulator,
        models=MODELS,
        settings=lambda emulator: {"poll_interval": 0.02},
        kit_version="1.1",
        task=lambda client, provider: client.midjourney.imagine(model=f"{provider}/midjourney", prompt="a paper boat"),
    )
