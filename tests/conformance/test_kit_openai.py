"""The conformance kit over the OpenAI plugin: the `openai` and `openai-compatible` kinds on the emulator."""

from __future__ import annotations

from relaykit.plugin import Capability
from relaykit.testing.kit import Conformance, Target
from relaykit_openai import OPENAI, OPENAI_COMPATIBLE
from relaykit_openai.emulator import OpenAIEmulator

# OpenAI serves each endpoint with its own model family (see OPENAI.model_capabilities).
# (edits and variations use the generation model, translations the transcription model).
MODELS = {
    Capability.COMPLETIONS: "gpt-3.5-turbo-instruct",
    Capability.EMBEDDINGS: "text-embedding-3-small",
    Capability.IMAGE_GENERATE: "dall-e-2",
    Capability.SPEECH: "tts-1",
    Capability.TRANSCRIPTION: "whisper-1",
    Capability.MODERATION: "omni-moderation-latest",
}


class TestOpenAIConformance(Conformance):
    """The `openai` kind (api.openai.com's dialect), every capability."""

    target = Target(provider=OPENAI, model="gpt-4o-mini", emulator=OpenAIEmulator, models=MODELS)


class TestOpenAICompatibleConformance(Conformance):
    """The `openai-compatible` kind (relays, vLLM...): `max_tokens` and `system` instead of OpenAI's newer names."""

    target = Target(provider=OPENAI_COMPATIBLE, model="gpt-4o-mini", emulator=OpenAIEmulator, models=MODELS)
