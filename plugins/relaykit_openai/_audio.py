"""Audio: ``POST /audio/speech`` (JSON in, audio bytes out), ``/audio/transcriptions`` and
``/audio/translations`` (multipart in; JSON or plain text out).

Reference: ``shared/dialects/openai.md`` sections 7.4, 5 and gotcha 12 (OpenAI's OpenAPI spec,
2026: ``CreateSpeechRequest``, ``CreateTranscriptionRequest``, ``CreateTranslationRequest``,
``AudioResponseFormat``). A successful speech body is raw audio, never JSON; errors are the usual
JSON envelope. Transcripts in ``text``/``srt``/``vtt`` are plain-text bodies and are kept verbatim,
never JSON-parsed; the JSON formats (``json``, ``verbose_json``, ``diarized_json``) are parsed.
"""

from __future__ import annotations

from typing import Any, TypeVar

from relaykit import (
    ResponseFormatError,
    SpeechRequest,
    SpeechResponse,
    Transcription,
    TranscriptionRequest,
    Translation,
    TranslationRequest,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._bodies import file_part, form_fields
from ._common import apply_options, check, error_from, headers, json_body, malformed, parse_model

__all__ = ["parse_transcript", "speech", "transcription", "translation"]

T = TypeVar("T", Transcription, Translation)

_AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream"}
_TEXT_FORMATS = {"text", "srt", "vtt"}
_NOT_SENT = {"model", "provider_options", "file"}
# The parser depends on these, and streamed answers (SSE) are not decoded here.
_RESERVED_SPEECH = ("model", "input", "response_format", "stream_format")
_RESERVED_TRANSCRIPTION = ("model", "file", "response_format", "stream")
_RESERVED_TRANSLATION = ("model", "file", "response_format")


def speech(request: SpeechRequest, ctx: CallContext) -> Flow[SpeechResponse]:
    """Synthesize speech; the answer is the audio exactly as sent."""
    body = apply_options(_fields(request, ctx), ctx, _RESERVED_SPEECH)
    response = yield HttpRequest(
        "POST",
        ctx.url("/audio/speech"),
        headers={**headers(ctx), "accept": "application/octet-stream"},
        json=body,
    )
    response = check(response, ctx)
    if response.content_type == "application/json":
        json_body(response, ctx)  # raises for an error envelope inside a 200
        raise malformed(response, ctx, "expected audio, got a JSON object")
    if not response.content:
        raise malformed(response, ctx, "the audio body is empty")
    content_type = response.content_type
    if content_type in _GENERIC_TYPES:
        content_type = _AUDIO_TYPES[request.response_format or "mp3"]
    return SpeechResponse(
        content=response.content, content_type=content_type, provider=ctx.provider, request_id=response.request_id
    )


def transcription(request: TranscriptionRequest, ctx: CallContext) -> Flow[Transcription]:
    """Transcribe an uploaded audio file in its own language."""
    fields = apply_options(_fields(request, ctx), ctx, _RESERVED_TRANSCRIPTION)
    response = yield _upload("/audio/transcriptions", fields, request, ctx)
    return parse_transcript(Transcription, request.response_format or "json", check(response, ctx), ctx)


def translation(request: TranslationRequest, ctx: CallContext) -> Flow[Translation]:
    """Translate an uploaded audio file into English text."""
    fields = apply_options(_fields(request, ctx), ctx, _RESERVED_TRANSLATION)
    response = yield _upload("/audio/translations", fields, request, ctx)
    return parse_transcript(Translation, request.response_format or "json", check(response, ctx), ctx)


def parse_transcript(model: type[T], response_format: str, response: HttpResponse, ctx: CallContext) -> T:
    """A `Transcription` or `Translation` from a successful answer in `response_format`."""
    common = {"format": response_format, "provider": ctx.provider, "request_id": response.request_id}
    if response_format in _TEXT_FORMATS:
        _raise_json_error(response, ctx)
        return model.model_validate({"text": response.text, **common})
    payload = json_body(response, ctx)
    if not isinstance(payload.get("text"), str):
        raise malformed(response, ctx, "no text in the transcript")
    return parse_model(model, {**payload, **common}, response, ctx)


def _fields(request: SpeechRequest | TranscriptionRequest | TranslationRequest, ctx: CallContext) -> dict[str, Any]:
    return {"model": ctx.model, **request.model_dump(exclude_none=True, exclude=_NOT_SENT)}


def _upload(
    path: str, fields: dict[str, Any], request: TranscriptionRequest | TranslationRequest, ctx: CallContext
) -> HttpRequest:
    return HttpRequest(
        "POST",
        ctx.url(path),
        headers=headers(ctx, json_body=False),
        data=form_fields(fields),
        files=[file_part("file", request.file)],
    )


def _raise_json_error(response: HttpResponse, ctx: CallContext) -> None:
    """A plain-text answer is only looked into when it says it is JSON: an error inside a 200."""
    if response.content_type != "application/json":
        return
    try:
        payload = response.json()
    except ResponseFormatError:
        return
    if isinstance(payload, dict) and payload.get("error"):
        raise error_from(response, ctx, payload)
