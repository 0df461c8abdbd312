"""Recorded audio exchanges replayed through the public sync and async clients (one cassette each).

Transcriptions and translations upload multipart bodies; they are replayed with
relaykit's cassette matcher, which compares uploads part by part because every client draws a random
multipart boundary.
"""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path
from typing import Any

import pytest

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette


def tiny_wav(rate: int, frames: int) -> bytes:
    """A mono 16-bit PCM WAV of `frames` sawtooth samples, built byte by byte (the same everywhere)."""
    data = b"".join(struct.pack("<h", (i % 16) * 500 - 4000) for i in range(frames))
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + fmt
    return header + b"data" + struct.pack("<I", len(data)) + data


SPOKEN_WAV = tiny_wav(16000, 160)
"""The audio every transcription and translation cassette uploads."""
SPEECH: dict[str, Any] = {
    "model": "openai/tts-1",
    "input": "Hello from relaykit.",
    "voice": "alloy",
    "response_format": "wav",
    "speed": 1.25,
}


def test_speech_replays_binary_wav_sync_and_async(tmp_path: Path) -> None:
    """The WAV bytes come back exactly, with their content type and request id, and write to a file."""

    async def run(c: relaykit.AsyncClient) -> relaykit.SpeechResponse:
        return await c.audio.speech.create(**SPEECH)

    for position, result in enumerate(
        (
            replay_sync("openai/audio/speech_wav.yaml", lambda c: c.audio.speech.create(**SPEECH)),
            replay_async("openai/audio/speech_wav.yaml", run),
        )
    ):
        assert result.content == tiny_wav(24000, 120)
        assert (result.content_type, result.provider) == ("audio/wav", "openai")
        assert result.request_id == "req_3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e"
        with wave.open(io.BytesIO(result.content)) as audio:
            assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate(), audio.getnframes()) == (
                1,
                2,
                24000,
                120,
            )
        written = result.write_to(tmp_path / f"hello-{position}.wav")
        assert written.read_bytes() == result.content


def test_json_transcription_of_bytes_replays_sync_and_async() -> None:
    """Bare WAV bytes upload as audio.wav; the json answer gives the text and the duration usage."""
    params: dict[str, Any] = {"model": "openai/whisper-1", "file": SPOKEN_WAV, "language": "en"}

    async def run(c: relaykit.AsyncClient) -> relaykit.Transcription:
        return await c.audio.transcriptions.create(**params)

    for result in (
        replay_sync("openai/audio/transcription_json.yaml", lambda c: c.audio.transcriptions.create(**params)),
        replay_async("openai/audio/transcription_json.yaml", run),
    ):
        assert (result.text, result.format, result.provider) == ("Hello from relaykit.", "json", "openai")
        assert result.request_id == "req_4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b"
        assert result.usage is not None
        assert (result.usage.type, result.usage.seconds) == ("duration", 1)
        assert (result.language, result.duration, result.segments, result.words) == (None, None, None, None)
        assert result.vendor_data == {}


def test_srt_transcription_of_a_file_keeps_the_plain_text_body(tmp_path: Path) -> None:
    """An upload from meeting.wav answered in srt keeps the whole SRT document in text, unparsed."""
    recording = tmp_path / "meeting.wav"
    recording.write_bytes(SPOKEN_WAV)
    params: dict[str, Any] = {"model": "openai/whisper-1", "file": recording, "response_format": "srt"}

    async def run(c: relaykit.AsyncClient) -> relaykit.Transcription:
        return await c.audio.transcriptions.create(**params)

    for result in (
        replay_sync("openai/audio/transcription_srt.yaml", lambda c: c.audio.transcriptions.create(**params)),
        replay_async("openai/audio/transcription_srt.yaml", run),
    ):
        assert result.text == (
            "1\n00:00:00,000 --> 00:00:01,200\nHello from relaykit.\n\n"
            "2\n00:00:01,200 --> 00:00:02,400\n今天天气很好。\n\n"
        )
        assert (result.format, result.usage, result.segments) == ("srt", None, None)
        assert result.request_id == "req_5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a"


def test_text_translation_of_a_named_tuple_replays_sync_and_async() -> None:
    """A (filename, bytes) upload translated with response_format text keeps the body verbatim."""
    params: dict[str, Any] = {
        "model": "openai/whisper-1",
        "file": ("bonjour.wav", SPOKEN_WAV),
        "prompt": "A greeting.",
        "temperature": 0.2,
        "response_format": "text",
    }

    async def run(c: relaykit.AsyncClient) -> relaykit.Translation:
        return await c.audio.translations.create(**params)

    for result in (
        replay_sync("openai/audio/translation_text.yaml", lambda c: c.audio.translations.create(**params)),
        replay_async("openai/audio/translation_text.yaml", run),
    ):
        assert isinstance(result, relaykit.Translation)
        assert (result.text, result.format) == ("Hello, how are you today?\n", "text")
        assert (result.provider, result.request_id) == ("openai", "req_6c8e0a2b4d6f8a0c2e4b6d8f0a2c4e6b")
