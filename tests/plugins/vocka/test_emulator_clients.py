"""Every endpoint of Vocka's seed (000) with a call, through the sync and async clients on its emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import relaykit
from relaykit_vocka.emulator import VockaEmulator

from .relay_clients import MP3, both, both_raise, stream_text

_HI = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def emu() -> Iterator[VockaEmulator]:
    with VockaEmulator() as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clean(emu: VockaEmulator) -> None:
    emu.reset()


def test_chat_completion_answers_from_both_clients(emu: VockaEmulator) -> None:
    """POST /v1/chat/completions returns a chat.completion with the max_tokens field relays read."""
    results = both(
        "vocka",
        emu,
        lambda c: c.chat.completions.create(
            model="vocka/gpt-3.5-turbo-0613", messages=[{"role": "user", "content": "hi"}], max_tokens=20
        ),
    )
    assert [r.text for r in results] == ["You said: hi"] * 2
    assert emu.last_request.json()["max_tokens"] == 20


def test_chat_stream_reads_chunk_objects(emu: VockaEmulator) -> None:
    """The chat.completion.chunk stream of seed 000 assembles into the text."""
    assert stream_text("vocka", emu, "gpt-3.5-turbo-0613") == ["You said: hello there"] * 2


def test_completions_embeddings_and_images(emu: VockaEmulator) -> None:
    """POST /v1/completions, /v1/embeddings and /v1/images/generations answer typed objects."""
    completions = both(
        "vocka", emu, lambda c: c.completions.create(model="vocka/gpt-3.5-turbo-instruct", prompt="Say hi")
    )
    assert all(r.choices[0].text for r in completions)
    embeddings = both(
        "vocka", emu, lambda c: c.embeddings.create(model="vocka/text-embedding-3-small", input=["a", "b"])
    )
    assert all(len(r.data) == 2 for r in embeddings)
    images = both("vocka", emu, lambda c: c.images.generate(model="vocka/dall-e-2", prompt="a cat", n=1))
    assert all(len(r.data) == 1 for r in images)


def test_audio_speech_transcription_and_translation(emu: VockaEmulator) -> None:
    """POST /v1/audio/speech, /transcriptions and /translations answer from both clients."""
    speech = both("vocka", emu, lambda c: c.audio.speech.create(model="vocka/tts-1", input="hello", voice="alloy"))
    assert all(r.content for r in speech)
    transcripts = both(
        "vocka", emu, lambda c: c.audio.transcriptions.create(model="vocka/whisper-1", file=("a.mp3", MP3))
    )
    translations = both(
        "vocka", emu, lambda c: c.audio.translations.create(model="vocka/whisper-1", file=("a.mp3", MP3))
    )
    assert all(isinstance(r.text, str) for r in [*transcripts, *translations])


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda e: e.exhaust_quota(), relaykit.QuotaExceededError),
        (lambda e: e.no_channel("gpt-4o"), relaykit.OverloadedError),
    ],
)
def test_relay_envelopes_raise_their_kind(emu: VockaEmulator, setup: Any, expected: type[Exception]) -> None:
    """Quota and channel envelopes from the emulator raise the mapped kinds on both clients."""
    setup(emu)
    both_raise("vocka", emu, lambda c: c.chat.completions.create(model="vocka/gpt-4o", messages=_HI), expected)


def test_unknown_model_is_not_found() -> None:
    """A strict emulator answers model_not_found, raised as NotFoundError."""
    with VockaEmulator(strict_models=True) as emulator:
        call = lambda c: c.chat.completions.create(model="vocka/gpt-9", messages=_HI)  # noqa: E731
        both_raise("vocka", emulator, call, relaykit.NotFoundError)


def test_wrong_key_is_an_authentication_error(emu: VockaEmulator) -> None:
    """A wrong bearer key answers 无效的令牌, an AuthenticationError."""
    settings = {"vocka": {"api_key": "wrong", "base_url": emu.base_url}}
    with relaykit.Client(providers=settings) as client, pytest.raises(relaykit.AuthenticationError):
        client.chat.completions.create(model="vocka/gpt-4o", messages=[{"role": "user", "content": "hi"}])
