"""The normalized audio types: speech limits and voices, audio uploads, transcripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit._types._media import sniff

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 8


def _invalid(request_type: type[Any], /, **params: Any) -> relaykit.InvalidRequestError:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(request_type, params)
    return caught.value


def _speech(**params: Any) -> relaykit.SpeechRequest:
    return validate_request(
        relaykit.SpeechRequest, {"model": "openai/tts-1", "input": "Hi", "voice": "alloy", **params}
    )


def test_speech_input_may_be_4096_characters_not_more() -> None:
    """`input` is limited to 4096 characters (Chinese counts per character)."""
    assert len(_speech(input="语" * 4096).input) == 4096
    assert _invalid(relaykit.SpeechRequest, model="openai/tts-1", input="语" * 4097, voice="alloy").field == "input"


def test_voice_is_a_name_or_a_custom_voice_id() -> None:
    """A built-in voice name or `{"id": ...}`; anything else names `voice`."""
    assert _speech(voice="coral").voice == "coral"
    assert _speech(voice={"id": "voice_123"}).voice == relaykit.CustomVoice(id="voice_123")
    for bad in ("", {"name": "x"}, 7):
        assert _invalid(relaykit.SpeechRequest, model="openai/tts-1", input="Hi", voice=bad).field == "voice"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"speed": 0.2}, "speed"),
        ({"speed": 4.5}, "speed"),
        ({"response_format": "ogg"}, "response_format"),
        ({"stream": True}, "stream"),
    ],
)
def test_speech_limits_and_unknown_fields_are_named(params: dict[str, Any], field: str) -> None:
    """Speed range, format enum and unknown fields each name the field."""
    values = {"model": "openai/tts-1", "input": "Hi", "voice": "alloy", **params}
    assert _invalid(relaykit.SpeechRequest, **values).field == field


def test_speech_response_writes_its_bytes_and_hides_them_in_repr(tmp_path: Path) -> None:
    """`write_to` writes the audio exactly; the repr does not dump it."""
    audio = relaykit.SpeechResponse(content=MP3, content_type="audio/mpeg")
    written = audio.write_to(tmp_path / "out.mp3")
    assert written.read_bytes() == MP3
    assert "\\xff" not in repr(audio)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (MP3, ("audio/mpeg", "mp3")),
        (b"\xff\xfb\x90\x00", ("audio/mpeg", "mp3")),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", ("audio/wav", "wav")),
        (b"fLaC\x00\x00\x00\x22", ("audio/flac", "flac")),
        (b"OggS\x00\x02", ("audio/ogg", "ogg")),
        (b"\x00\x00\x00\x20ftypM4A \x00", ("audio/mp4", "m4a")),
        (b"\x00\x00\x00\x20ftypisom\x00", ("video/mp4", "mp4")),
        (b"\x1aE\xdf\xa3\x01", ("audio/webm", "webm")),
        (b"hello", None),
    ],
)
def test_sniffing_recognizes_the_accepted_audio_containers(content: bytes, expected: tuple[str, str] | None) -> None:
    """Magic bytes give the MIME type and the extension the upload's filename needs."""
    assert sniff(content) == expected


def test_transcription_file_from_bytes_gets_an_extension() -> None:
    """Bare audio bytes are named `audio.<ext>`, since the vendor reads the extension."""
    request = validate_request(relaykit.TranscriptionRequest, {"model": "openai/whisper-1", "file": MP3})
    assert (request.file.filename, request.file.content_type) == ("audio.mp3", "audio/mpeg")


def test_transcription_missing_file_names_the_field(tmp_path: Path) -> None:
    """A path that does not exist is an error on `file`."""
    error = _invalid(relaykit.TranscriptionRequest, model="openai/whisper-1", file=tmp_path / "gone.wav")
    assert error.field == "file"
    assert "gone.wav" in str(error)


def test_timestamp_granularities_need_verbose_json() -> None:
    """Word or segment timestamps exist only in `verbose_json`."""
    params = {"model": "openai/whisper-1", "file": MP3, "timestamp_granularities": ["word"]}
    assert _invalid(relaykit.TranscriptionRequest, **params).field == "timestamp_granularities"
    request = validate_request(relaykit.TranscriptionRequest, {**params, "response_format": "verbose_json"})
    assert request.timestamp_granularities == ["word"]


@pytest.mark.parametrize(
    ("request_type", "params", "field"),
    [
        (relaykit.TranscriptionRequest, {"temperature": 1.5}, "temperature"),
        (relaykit.TranscriptionRequest, {"response_format": "xml"}, "response_format"),
        (relaykit.TranscriptionRequest, {"timestamp_granularities": ["char"]}, "timestamp_granularities.0"),
        (relaykit.TranslationRequest, {"response_format": "diarized_json"}, "response_format"),
        (relaykit.TranslationRequest, {"language": "fr"}, "language"),
    ],
)
def test_transcript_request_limits_are_named(request_type: type[Any], params: dict[str, Any], field: str) -> None:
    """Temperature range, format enums (no diarization for translations) and unknown fields."""
    assert _invalid(request_type, model="openai/whisper-1", file=MP3, **params).field == field


def test_transcription_keeps_verbose_fields() -> None:
    """Segments, words and usage of a verbose transcript are typed."""
    transcript = relaykit.Transcription.model_validate(
        {
            "text": "Hello there.",
            "format": "verbose_json",
            "language": "english",
            "duration": 1.5,
            "segments": [{"id": 0, "start": 0.0, "end": 1.5, "text": "Hello there.", "avg_logprob": -0.2}],
            "words": [{"word": "Hello", "start": 0.0, "end": 0.5}],
            "usage": {"type": "duration", "seconds": 2},
        }
    )
    assert transcript.segments is not None
    assert transcript.segments[0].avg_logprob == -0.2
    assert transcript.words == [relaykit.TranscriptionWord(word="Hello", start=0.0, end=0.5)]
    assert transcript.usage == relaykit.TranscriptionUsage(type="duration", seconds=2)
