"""OpenAI audio: speech bytes, multipart transcription/translation, text formats kept verbatim, the client."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpRequest, HttpResponse, run_to_completion
from relaykit_openai._audio import parse_transcript, speech, transcription, translation

from ...helpers import make_context
from .multipart import read_multipart, text_fields

# Audio with every awkward byte: NUL, CR LF, invalid UTF-8, and the multipart dash-dash.
AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00\r\n--\r\n\x00\xfe\xff" + bytes(range(256))
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00\x01" * 16

VERBOSE = {
    "task": "transcribe",
    "language": "english",
    "duration": 8.47,
    "text": "The beach was a popular spot.",
    "segments": [
        {
            "id": 0,
            "seek": 0,
            "start": 0.0,
            "end": 3.32,
            "text": " The beach was a popular spot.",
            "tokens": [50364, 440, 7534],
            "temperature": 0.0,
            "avg_logprob": -0.286,
            "compression_ratio": 1.26,
            "no_speech_prob": 0.0023,
        }
    ],
    "words": [{"word": "The", "start": 0.0, "end": 0.24}, {"word": "beach", "start": 0.24, "end": 0.62}],
    "usage": {"type": "duration", "seconds": 9},
}
SRT = "1\n00:00:00,000 --> 00:00:03,320\nThe beach was a popular spot.\n\n"
RATE_LIMITED = {
    "error": {"message": "Rate limit reached", "type": "requests", "param": None, "code": "rate_limit_exceeded"}
}


def _ctx(model: str = "whisper-1", **kwargs: Any) -> CallContext:
    return dataclasses.replace(make_context(**kwargs), model=model)


def _json(status: int, body: Any, **headers: str) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json", **headers}, content=json.dumps(body).encode()
    )


def _text(body: str, content_type: str = "text/plain; charset=utf-8") -> HttpResponse:
    return HttpResponse(status=200, headers={"content-type": content_type}, content=body.encode())


def _first_request(flow: Any) -> HttpRequest:
    request = next(flow)
    assert isinstance(request, HttpRequest)
    return request


def _speech(**params: Any) -> relaykit.SpeechRequest:
    values = {"model": "openai/gpt-4o-mini-tts", "input": "你好，世界", "voice": "coral", **params}
    return validate_request(relaykit.SpeechRequest, values)


def _transcription(**params: Any) -> relaykit.TranscriptionRequest:
    return validate_request(relaykit.TranscriptionRequest, {"model": "openai/whisper-1", "file": AUDIO, **params})


def _translation(**params: Any) -> relaykit.TranslationRequest:
    return validate_request(relaykit.TranslationRequest, {"model": "openai/whisper-1", "file": WAV, **params})


# --- speech --------------------------------------------------------------------------------------


def test_speech_posts_json_and_asks_for_audio() -> None:
    """Speech is a JSON POST with the vendor model id; a custom voice goes as `{"id": ...}`."""
    params = {"voice": {"id": "voice_1"}, "instructions": "Cheerful", "response_format": "wav", "speed": 1.25}
    request = _first_request(speech(_speech(**params), _ctx("gpt-4o-mini-tts")))
    assert request.url == "https://api.openai.com/v1/audio/speech"
    assert request.json == {
        "model": "gpt-4o-mini-tts",
        "input": "你好，世界",
        "voice": {"id": "voice_1"},
        "instructions": "Cheerful",
        "response_format": "wav",
        "speed": 1.25,
    }
    assert request.headers["accept"] == "application/octet-stream"


def test_speech_answer_is_the_raw_audio_with_the_vendor_content_type() -> None:
    """The body is returned byte for byte, never decoded as text or JSON."""
    answer = HttpResponse(status=200, headers={"content-type": "audio/mpeg", "x-request-id": "req_s"}, content=AUDIO)
    result = run_to_completion(speech(_speech(), _ctx("tts-1")), [answer])
    assert (result.content, result.content_type, result.request_id) == (AUDIO, "audio/mpeg", "req_s")


@pytest.mark.parametrize(
    ("response_format", "expected"), [(None, "audio/mpeg"), ("wav", "audio/wav"), ("pcm", "audio/pcm")]
)
def test_generic_content_type_is_replaced_by_the_requested_format(response_format: str | None, expected: str) -> None:
    """An `application/octet-stream` answer is labelled from the format asked for (mp3 by default)."""
    answer = HttpResponse(status=200, headers={"content-type": "application/octet-stream"}, content=WAV)
    result = run_to_completion(speech(_speech(response_format=response_format), _ctx("tts-1")), [answer])
    assert result.content_type == expected


def test_speech_error_is_json_and_maps_to_the_error_tree() -> None:
    """A failed speech request answers JSON; it maps like every other endpoint."""
    body = {"error": {"message": "Input should be a valid voice", "type": "invalid_request_error", "param": "voice"}}
    with pytest.raises(relaykit.BadRequestError, match="valid voice"):
        run_to_completion(speech(_speech(), _ctx("tts-1")), [_json(400, body)])


def test_speech_json_or_empty_200_is_not_audio() -> None:
    """An error envelope in a 200 raises it; other JSON or an empty body is a ResponseFormatError."""
    with pytest.raises(relaykit.APIStatusError, match="quota"):
        run_to_completion(speech(_speech(), _ctx("tts-1")), [_json(200, {"error": {"message": "quota"}})])
    with pytest.raises(relaykit.ResponseFormatError, match="expected audio"):
        run_to_completion(speech(_speech(), _ctx("tts-1")), [_json(200, {"text": "hi"})])
    with pytest.raises(relaykit.ResponseFormatError, match="empty"):
        run_to_completion(speech(_speech(), _ctx("tts-1")), [HttpResponse(200, {"content-type": "audio/mpeg"})])


@pytest.mark.parametrize("option", ["stream_format", "response_format", "input"])
def test_speech_options_may_not_change_what_the_parser_expects(option: str) -> None:
    """Options cannot switch to SSE or another format behind the request's back."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(speech(_speech(), _ctx(options={option: "sse"})))
    assert caught.value.field == f"provider_options.{option}"


# --- transcription and translation requests -----------------------------------------------------


def test_transcription_is_multipart_with_the_file_and_text_fields() -> None:
    """The file is a `file` part; granularities go as repeated `timestamp_granularities[]` fields."""
    params = {
        "language": "en",
        "prompt": "Beach talk",
        "response_format": "verbose_json",
        "temperature": 0.2,
        "timestamp_granularities": ["word", "segment"],
    }
    request = _first_request(transcription(_transcription(**params), _ctx(options={"include": ["logprobs"]})))
    assert request.url == "https://api.openai.com/v1/audio/transcriptions"
    assert "content-type" not in request.headers
    assert request.data == {
        "model": "whisper-1",
        "language": "en",
        "prompt": "Beach talk",
        "response_format": "verbose_json",
        "temperature": "0.2",
        "timestamp_granularities[]": ["word", "segment"],
        "include[]": ["logprobs"],
    }
    assert request.files is not None
    [part] = request.files
    assert (part.field, part.filename, part.content_type, part.content) == ("file", "audio.mp3", "audio/mpeg", AUDIO)


def test_nested_options_flatten_like_the_official_sdk() -> None:
    """Dict options become `key[sub]` fields and booleans `true`/`false`."""
    options = {"chunking_strategy": {"type": "server_vad", "threshold": 0.5}, "known": True}
    request = _first_request(transcription(_transcription(), _ctx(options=options)))
    assert request.data is not None
    assert request.data["chunking_strategy[type]"] == "server_vad"
    assert request.data["chunking_strategy[threshold]"] == "0.5"
    assert request.data["known"] == "true"


def test_translation_posts_to_its_own_route() -> None:
    """Translation has the same multipart shape on `/audio/translations`."""
    request = _first_request(translation(_translation(prompt="Bonjour", response_format="srt"), _ctx()))
    assert request.url == "https://api.openai.com/v1/audio/translations"
    assert request.data == {"model": "whisper-1", "prompt": "Bonjour", "response_format": "srt"}
    assert request.files is not None
    assert (request.files[0].filename, request.files[0].content_type) == ("audio.wav", "audio/wav")


# --- transcript parsing --------------------------------------------------------------------------


def test_json_transcript_parses_text_and_usage() -> None:
    """The default `json` format gives the text (and token usage from gpt-4o models)."""
    body = {
        "text": "你好，世界",
        "usage": {"type": "tokens", "input_tokens": 14, "output_tokens": 4, "total_tokens": 18},
    }
    result = run_to_completion(transcription(_transcription(), _ctx()), [_json(200, body)])
    assert (result.text, result.format) == ("你好，世界", "json")
    assert result.usage is not None
    assert result.usage.total_tokens == 18


def test_verbose_transcript_keeps_segments_words_and_unknown_keys() -> None:
    """`verbose_json` fills language, duration, segments and words; `task` goes to vendor_data."""
    result = parse_transcript(relaykit.Transcription, "verbose_json", _json(200, VERBOSE), _ctx())
    assert (result.language, result.duration, result.format) == ("english", 8.47, "verbose_json")
    assert result.segments is not None
    assert result.segments[0].tokens == [50364, 440, 7534]
    assert result.words is not None
    assert [w.word for w in result.words] == ["The", "beach"]
    assert result.vendor_data == {"task": "transcribe"}


def test_diarized_transcript_keeps_speakers() -> None:
    """`diarized_json` segments carry their speaker label."""
    body = {
        "task": "transcribe",
        "duration": 4.0,
        "text": "Hi. Hello.",
        "segments": [
            {"type": "transcript.text.segment", "id": "seg_0", "start": 0.0, "end": 1.0, "text": "Hi.", "speaker": "A"},
            {
                "type": "transcript.text.segment",
                "id": "seg_1",
                "start": 1.2,
                "end": 2.0,
                "text": "Hello.",
                "speaker": "B",
            },
        ],
    }
    result = parse_transcript(relaykit.Transcription, "diarized_json", _json(200, body), _ctx())
    assert result.segments is not None
    assert [(s.id, s.speaker) for s in result.segments] == [("seg_0", "A"), ("seg_1", "B")]


@pytest.mark.parametrize("response_format", ["text", "srt", "vtt"])
def test_text_formats_are_kept_verbatim_and_never_json_parsed(response_format: str) -> None:
    """Plain-text bodies (even ones that look like JSON) are the transcript, byte for byte."""
    for body in (SRT, '{"text": "not parsed"}\n', "纯文本转写。\n"):
        result = run_to_completion(
            transcription(_transcription(response_format=response_format), _ctx()), [_text(body)]
        )
        assert (result.text, result.format) == (body, response_format)


def test_text_format_error_envelope_labelled_json_is_raised() -> None:
    """A JSON error envelope in a 200 is raised even when plain text was asked for."""
    with pytest.raises(relaykit.APIStatusError, match="bad audio"):
        parse_transcript(relaykit.Transcription, "text", _json(200, {"error": {"message": "bad audio"}}), _ctx())


def test_translation_parses_json_and_text() -> None:
    """Translations parse like transcriptions and come back as `Translation`."""
    parsed = run_to_completion(translation(_translation(), _ctx()), [_json(200, {"text": "Hello, world"})])
    plain = run_to_completion(translation(_translation(response_format="srt"), _ctx()), [_text(SRT)])
    assert isinstance(parsed, relaykit.Translation)
    assert (parsed.text, plain.text, plain.format) == ("Hello, world", SRT, "srt")


def test_json_transcript_without_text_is_a_format_error() -> None:
    """A JSON answer without `text` is a ResponseFormatError, not an empty transcript."""
    with pytest.raises(relaykit.ResponseFormatError, match="no text"):
        parse_transcript(relaykit.Transcription, "json", _json(200, {"segments": []}), _ctx())


def test_transcription_rate_limit_carries_retry_after() -> None:
    """A 429 with Retry-After maps to RateLimitError with the delay."""
    answer = _json(429, RATE_LIMITED, **{"retry-after": "12"})
    with pytest.raises(relaykit.RateLimitError) as caught:
        run_to_completion(transcription(_transcription(), _ctx()), [answer])
    assert caught.value.retry_after == 12.0


# --- the public client ---------------------------------------------------------------------------

Handler = Callable[[httpx2.Request], httpx2.Response]


def _client(handler: Handler) -> relaykit.Client:
    return relaykit.Client(
        providers={"openai": {"api_key": "sk-test"}}, http_client=httpx2.Client(transport=httpx2.MockTransport(handler))
    )


def _async_client(handler: Handler) -> relaykit.AsyncClient:
    return relaykit.AsyncClient(
        providers={"openai": {"api_key": "sk-test"}},
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )


class AudioServer:
    """A fake OpenAI audio API that records requests: audio for speech, SRT or JSON for transcripts."""

    def __init__(self) -> None:
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        if request.url.path == "/v1/audio/speech":
            return httpx2.Response(200, content=AUDIO, headers={"content-type": "audio/mpeg"})
        fields = text_fields(read_multipart(request))
        if fields.get("response_format") == "srt":
            return httpx2.Response(200, text=SRT, headers={"content-type": "text/plain; charset=utf-8"})
        return httpx2.Response(200, json=VERBOSE)

    def check_transcription(self) -> None:
        [request] = [r for r in self.seen if r.url.path == "/v1/audio/transcriptions"]
        parts = read_multipart(request)
        assert text_fields(parts) == {
            "model": "whisper-1",
            "language": "en",
            "response_format": "verbose_json",
            "timestamp_granularities[]": "word",
        }
        [upload] = [p for p in parts if p.filename]
        assert (upload.name, upload.filename, upload.content_type, upload.content) == (
            "file",
            "beach.mp3",
            "audio/mpeg",
            AUDIO,
        )


def _audio_file(tmp_path: Path) -> Path:
    path = tmp_path / "beach.mp3"
    path.write_bytes(AUDIO)
    return path


TRANSCRIBE: dict[str, Any] = {"model": "openai/whisper-1", "language": "en", "response_format": "verbose_json"}


def test_client_speech_returns_the_audio_bytes_intact(tmp_path: Path) -> None:
    """`client.audio.speech.create` returns the exact bytes; `write_to` stores them."""
    server = AudioServer()
    with _client(server) as client:
        audio = client.audio.speech.create(model="openai/tts-1", input="Hello", voice="alloy")
    assert json.loads(server.seen[0].read()) == {"model": "tts-1", "input": "Hello", "voice": "alloy"}
    assert (audio.content, audio.content_type) == (AUDIO, "audio/mpeg")
    assert audio.write_to(tmp_path / "hello.mp3").read_bytes() == AUDIO


def test_client_transcription_uploads_the_file_and_parses_verbose_json(tmp_path: Path) -> None:
    """`client.audio.transcriptions.create` sends real multipart parts and returns a typed transcript."""
    server = AudioServer()
    with _client(server) as client:
        result = client.audio.transcriptions.create(
            file=_audio_file(tmp_path), timestamp_granularities=["word"], **TRANSCRIBE
        )
    server.check_transcription()
    assert result.words is not None
    assert result.words[1].word == "beach"


def test_client_translation_text_format_is_not_parsed() -> None:
    """`client.audio.translations.create` with `srt` returns the subtitle body verbatim."""
    server = AudioServer()
    with _client(server) as client:
        result = client.audio.translations.create(
            model="openai/whisper-1", file=("talk.wav", WAV), response_format="srt"
        )
    assert server.seen[0].url.path == "/v1/audio/translations"
    assert (result.text, result.format) == (SRT, "srt")


def test_client_errors_and_invalid_requests(tmp_path: Path) -> None:
    """A 429 carries Retry-After; a missing file or a TTS model for transcription sends nothing."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(429, json=RATE_LIMITED, headers={"retry-after-ms": "1500"})

    with _client(handler) as client:
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            client.audio.transcriptions.create(model="openai/whisper-1", file=tmp_path / "none.mp3")
        assert caught.value.field == "file"
        with pytest.raises(relaykit.UnsupportedCapabilityError):
            client.audio.transcriptions.create(model="openai/tts-1", file=AUDIO)
        with pytest.raises(relaykit.InvalidRequestError):
            client.audio.speech.create(model="openai/tts-1", input="", voice="alloy")
        assert calls == []
        with pytest.raises(relaykit.RateLimitError) as limited:
            client.audio.speech.create(model="openai/tts-1", input="Hi", voice="alloy")
    assert limited.value.retry_after == 1.5


@pytest.mark.anyio
async def test_async_client_speech_and_transcription_match_sync(tmp_path: Path) -> None:
    """AsyncClient returns the same audio bytes and sends the same multipart upload."""
    server = AudioServer()
    async with _async_client(server) as client:
        audio = await client.audio.speech.create(model="openai/tts-1", input="Hello", voice="alloy")
        result = await client.audio.transcriptions.create(
            file=_audio_file(tmp_path), timestamp_granularities=["word"], **TRANSCRIBE
        )
        translated = await client.audio.translations.create(model="openai/whisper-1", file=WAV, response_format="srt")
    assert audio.content == AUDIO
    server.check_transcription()
    assert result.text == VERBOSE["text"]
    assert translated.text == SRT


@pytest.mark.anyio
async def test_async_client_errors_and_invalid_requests(tmp_path: Path) -> None:
    """AsyncClient maps a 429 with Retry-After and sends nothing for a missing file."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(429, json=RATE_LIMITED, headers={"retry-after": "2"})

    async with _async_client(handler) as client:
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            await client.audio.translations.create(model="openai/whisper-1", file=str(tmp_path / "x.wav"))
        assert caught.value.field == "file"
        assert calls == []
        with pytest.raises(relaykit.RateLimitError) as limited:
            await client.audio.transcriptions.create(model="openai/whisper-1", file=AUDIO)
    assert limited.value.retry_after == 2.0
