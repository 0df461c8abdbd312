"""The conformance kit over the EZLink relay plugin, on its emulator (one-api envelopes)."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_ezlink import EZLINK
from relaykit_ezlink.emulator import EZLinkEmulator

MODELS = {
    Capability.COMPLETIONS: "gpt-3.5-turbo-instruct",
    Capability.EMBEDDINGS: "text-embedding-3-small",
    Capability.IMAGE_GENERATE: "dall-e-2",
    Capability.SPEECH: "tts-1",
    Capability.TRANSCRIPTION: "whisper-1",
    Capability.MODERATION: "omni-moderation-latest",
}


def _emulator(**kwargs: object) -> EZLinkEmulator:
    """EZLink's emulator serving variations too (the real relay answers 501, see tests/plugins/ezlink)."""
    return EZLinkEmulator(unimplemented=(), **kwargs)  # type: ignore[arg-type]


class TestEZLinkConformance(Conformance):
    """The `ezlink` kind: every OpenAI endpoint of seed 001."""

    target = Target(
        provider=EZLINK,
        model="gpt-4o-mini",
        emulator=_emulator,
        models=MODELS,
        settings=lambda emulator: {"poll_interval": 0.02},
        kit_version="1.1",
        task=lambda client, provider: client.midjourney.imagine(model=f"{provider}/midjourney", prompt="a paper boat"),
    )
