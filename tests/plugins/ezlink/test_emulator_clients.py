"""Every OpenAI endpoint of EZLink's seed (001), through the sync and async clients on its emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit_ezlink import EZLINK
from relaykit_ezlink.emulator import EZLinkEmulator

from ..vocka.relay_clients import MP3, PNG, both, both_raise, stream_text


@pytest.fixture(scope="module")
def emu() -> Iterator[EZLinkEmulator]:
    with EZLinkEmulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clean(emu: EZLinkEmulator) -> None:
    emu.reset()


def test_chat_and_stream(emu: EZLinkEmulator) -> None:
    """POST /v1/chat/completions, JSON and streamed."""
    results = both(
        "ezlink",
        emu,
        lambda c: c.chat.completions.create(model="ezlink/gpt-4o", messages=[{"role": "user", "content": "hi"}]),
    )
    assert [r.text for r in results] == ["You said: hi"] * 2
    assert stream_text("ezlink", emu, "gpt-4o") == ["You said: hello there"] * 2


def test_completions_embeddings_moderations(emu: EZLinkEmulator) -> None:
    """POST /v1/completions, /v1/embeddings and /v1/moderations."""
    assert all(
        r.choices
        for r in both("ezlink", emu, lambda c: c.completions.create(model="ezlink/gpt-3.5-turbo-instruct", prompt="x"))
    )
    assert all(
        r.data
        for r in both("ezlink", emu, lambda c: c.embeddings.create(model="ezlink/text-embedding-3-small", input="x"))
    )
    assert all(
        r.results
        for r in both("ezlink", emu, lambda c: c.moderations.create(model="ezlink/omni-moderation-latest", input="x"))
    )


def test_images_generate_and_edit(emu: EZLinkEmulator) -> None:
    """POST /v1/images/generations and /v1/images/edits."""
    assert all(
        r.data for r in both("ezlink", emu, lambda c: c.images.generate(model="ezlink/dall-e-2", prompt="a cat"))
    )
    edits = both("ezlink", emu, lambda c: c.images.edit(model="ezlink/dall-e-2", image=PNG, prompt="add a hat"))
    assert all(r.data for r in edits)


def test_image_variations_answering_501_are_unsupported(emu: EZLinkEmulator) -> None:
    """EZLink answers /v1/images/variations 501; relaykit raises UnsupportedCapabilityError."""
    call = lambda c: c.images.create_variation(model="ezlink/dall-e-2", image=PNG)  # noqa: E731
    both_raise("ezlink", emu, call, relaykit.UnsupportedCapabilityError)


def test_audio_endpoints(emu: EZLinkEmulator) -> None:
    """POST /v1/audio/speech, /transcriptions, /translations."""
    assert all(
        r.content
        for r in both("ezlink", emu, lambda c: c.audio.speech.create(model="ezlink/tts-1", input="hi", voice="alloy"))
    )
    for resource in ("transcriptions", "translations"):
        results = both(
            "ezlink",
            emu,
            lambda c, resource=resource: getattr(c.audio, resource).create(
                model="ezlink/whisper-1", file=("a.mp3", MP3)
            ),
        )
        assert all(isinstance(r.text, str) for r in results)


def test_models_list_and_retrieve(emu: EZLinkEmulator) -> None:
    """GET /v1/models and /v1/models/{model}."""
    listed = both("ezlink", emu, lambda c: c.models.list("ezlink"))
    assert all("gpt-4o" in {m.id for m in r.data} for r in listed)
    retrieved = both("ezlink", emu, lambda c: c.models.retrieve("ezlink/gpt-4o"))
    assert [r.address for r in retrieved] == ["ezlink/gpt-4o"] * 2


def test_spec_defaults() -> None:
    """EZLink's base URL and key variable come from the reference."""
    assert EZLINK.default_base_url == "https://api.ezlinkai.com/v1"
    assert EZLINK.default_api_key_env == "EZLINK_API_KEY"
