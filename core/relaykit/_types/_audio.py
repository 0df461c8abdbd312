"""The normalized audio requests and responses (`POST /v1/audio/speech|transcriptions|translations`).

Speech answers with audio bytes, so `SpeechResponse` holds `content` and `content_type` rather
than parsed fields.

Transcriptions and translations always come back typed, whatever `response_format` was asked
for: a `Transcription` (or `Translation`) whose `format` records the format. For the JSON formats
the fields are parsed (`json` gives `text` only; `verbose_json` adds `language`, `duration`,
`segments` and, on request, `words`; `diarized_json` gives segments with a `speaker`). For the
plain-text formats (`text`, `srt`, `vtt`) the body is never parsed: `text` holds it exactly as the
vendor sent it, so an SRT or WebVTT document is in `text`, cues and all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BeforeValidator, Field, model_validator

from ._base import RequestModel, ResponseModel, WithVendorData
from ._media import AudioUpload
from ._options import WithProviderOptions

__all__ = [
    "CustomVoice",
    "SpeechRequest",
    "SpeechResponse",
    "Transcription",
    "TranscriptionFormat",
    "TranscriptionRequest",
    "TranscriptionSegment",
    "TranscriptionUsage",
    "TranscriptionWord",
    "Translation",
    "TranslationRequest",
]

SpeechFormat: TypeAlias = Literal["mp3", "opus", "aac", "flac", "wav", "pcm"]
TranscriptionFormat: TypeAlias = Literal["json", "text", "srt", "verbose_json", "vtt", "diarized_json"]
TranslationFormat: TypeAlias = Literal["json", "text", "srt", "verbose_json", "vtt"]


class CustomVoice(RequestModel):
    """A custom voice, by its vendor id."""

    id: str = Field(min_length=1)


def _voice(value: Any) -> Any:
    """A voice name, or `{"id": ...}` as a `CustomVoice`; errors name the `voice` field itself."""
    if (isinstance(value, str) and value.strip()) or isinstance(value, CustomVoice):
        return value
    if isinstance(value, dict) and set(value) == {"id"} and isinstance(value["id"], str) and value["id"]:
        return CustomVoice(id=value["id"])
    raise ValueError('expected a voice name or {"id": "<custom voice id>"}')


class SpeechRequest(WithProviderOptions):
    """Text to speech. `model` is `provider/model` or a configured alias.

    `voice` is a built-in voice name (OpenAI: alloy, ash, ballad, coral, echo, fable, onyx, nova,
    sage, shimmer, verse, marin, cedar; not every model has every voice, and other vendors name
    their own) or `{"id": ...}` for a custom voice. `instructions` steer the delivery (not for
    `tts-1`/`tts-1-hd`).
    """

    model: str = Field(min_length=1)
    input: str = Field(min_length=1, max_length=4096)
    voice: Annotated[str | CustomVoice, BeforeValidator(_voice)]
    instructions: str | None = None
    response_format: SpeechFormat | None = None
    """Audio encoding; the vendor's default is `mp3`. `pcm` is raw 24 kHz 16-bit little-endian mono."""
    speed: float | None = Field(default=None, ge=0.25, le=4.0)


class SpeechResponse(ResponseModel):
    """Synthesized audio: the bytes exactly as the vendor sent them, and their MIME type."""

    content: bytes = Field(repr=False)
    content_type: str
    """From the vendor's `content-type`, or from the requested format when the vendor sent none."""
    provider: str | None = None
    request_id: str | None = None

    def write_to(self, path: str | os.PathLike[str]) -> Path:
        """Write the audio to `path` (replacing the file) and return the path written."""
        target = Path(path)
        target.write_bytes(self.content)
        return target


class _AudioFileRequest(WithProviderOptions):
    model: str = Field(min_length=1)
    """`provider/model` or a configured alias."""
    file: AudioUpload
    """flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav or webm; the filename's extension matters."""
    prompt: str | None = None
    """Text to guide the style, or to continue a previous segment (in the audio's language)."""
    temperature: float | None = Field(default=None, ge=0, le=1)


class TranscriptionRequest(_AudioFileRequest):
    """Speech to text in the audio's own language. The `gpt-4o` transcribe models accept only `json`."""

    language: str | None = Field(default=None, min_length=2)
    """ISO-639-1 code of the audio's language (improves accuracy and latency)."""
    response_format: TranscriptionFormat | None = None
    timestamp_granularities: list[Literal["word", "segment"]] | None = Field(default=None, min_length=1)
    """Only with `response_format="verbose_json"`."""

    @model_validator(mode="after")
    def _check_granularities(self) -> TranscriptionRequest:
        if self.timestamp_granularities and self.response_format != "verbose_json":
            raise ValueError("timestamp_granularities: requires response_format='verbose_json'")
        return self


class TranslationRequest(_AudioFileRequest):
    """Speech in any language to English text (`whisper-1`)."""

    response_format: TranslationFormat | None = None


class TranscriptionWord(ResponseModel):
    word: str
    start: float
    end: float


class TranscriptionSegment(ResponseModel):
    """A stretch of the transcript (`verbose_json`, or `diarized_json` with a `speaker`)."""

    id: int | str | None = None
    start: float = 0.0
    end: float = 0.0
    text: str = ""
    speaker: str | None = None
    seek: int | None = None
    tokens: list[int] | None = None
    temperature: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None


class TranscriptionUsage(ResponseModel):
    """Billing usage: tokens (`type="tokens"`, gpt-4o models) or audio seconds (`type="duration"`)."""

    type: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_token_details: dict[str, int] | None = None
    seconds: float | None = None


class _Transcript(WithVendorData):
    text: str
    """The transcript; for `text`, `srt` and `vtt` the whole body exactly as sent."""
    format: TranscriptionFormat = "json"
    """The `response_format` the text came in."""
    language: str | None = None
    duration: float | None = None
    """Seconds of audio."""
    segments: list[TranscriptionSegment] | None = None
    provider: str | None = None
    request_id: str | None = None


class Transcription(_Transcript):
    """A transcription (see the module docstring for what each format fills in)."""

    words: list[TranscriptionWord] | None = None
    usage: TranscriptionUsage | None = None


class Translation(_Transcript):
    """An English translation of speech (see the module docstring for what each format fills in)."""
