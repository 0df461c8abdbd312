"""Emulated audio: ``POST /v1/audio/speech``, ``/transcriptions`` and ``/translations``.

Reference: ``shared/dialects/openai.md`` section 7.4. Speech is real audio: a tone per word of the
input (0.25 s each, divided by ``speed``), 24 kHz 16-bit mono. ``wav`` is a WAV file (the `wave`
module) that also carries the input text in a private ``rktx`` RIFF chunk; ``pcm`` is the raw
samples; ``mp3`` is silent MPEG-1 Layer III frames of the same length. The emulator encodes no
``opus``, ``aac`` or ``flac``: those answer the WAV bytes under the format's content type.
``stream_format: "sse"`` streams ``speech.audio.delta`` / ``speech.audio.done`` events.

Transcriptions and translations read ``multipart/form-data``. The text is the one carried in an
``rktx`` chunk (so speech then transcription round-trips), else a sentence naming the file. Every
``response_format`` is served: ``json``, ``text``, ``srt``, ``vtt`` and ``verbose_json`` (with
``segment`` and ``word`` timestamps).
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import wave
import zlib
from array import array
from typing import Any

from relaykit.testing import RecordedRequest, Reply, SSEEvent

from ._common import bad_request, json_object, required_string, word_count

__all__ = ["speech_reply", "transcript_reply"]

AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
VOICES = frozenset(
    {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar"}
)
_RATE = 24_000
_WORD_SECONDS = 0.25
_MAX_INPUT = 4096
_TEXT_CHUNK = b"rktx"
_MP3_FRAME = b"\xff\xfb\x90\xc4" + bytes(413)  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: silence
_MP3_FRAME_SECONDS = 1152 / 44_100
_EXTENSIONS = {"flac", "mp3", "mp4", "mpeg", "mpga", "m4a", "ogg", "wav", "webm"}
_TEXT_FORMATS = {"json", "text", "srt", "verbose_json", "vtt"}
_JSON_ONLY_MODELS = ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")


def speech_reply(request: RecordedRequest) -> Reply:
    """``POST /v1/audio/speech``: audio bytes, or SSE with ``stream_format: "sse"``."""
    body = json_object(request)
    required_string(body, "model")
    text = required_string(body, "input")
    if len(text) > _MAX_INPUT:
        raise bad_request(f"'input' is longer than {_MAX_INPUT} characters.", "input", "string_above_max_length")
    voice = body.get("voice")
    if voice is None:
        raise bad_request("Missing required parameter: 'voice'.", "voice", "missing_required_parameter")
    if not (
        (isinstance(voice, dict) and isinstance(voice.get("id"), str)) or (isinstance(voice, str) and voice in VOICES)
    ):
        raise bad_request(f"Invalid 'voice': expected one of {sorted(VOICES)}.", "voice", "invalid_value")
    speed = body.get("speed", 1.0)
    if not isinstance(speed, int | float) or not 0.25 <= speed <= 4.0:
        raise bad_request("Invalid 'speed': expected a number from 0.25 to 4.0.", "speed", "invalid_value")
    audio_format = body.get("response_format", "mp3")
    if audio_format not in AUDIO_TYPES:
        raise bad_request(f"Invalid 'response_format': expected one of {sorted(AUDIO_TYPES)}.", "response_format")
    samples = _tones(text, float(speed))
    if audio_format == "pcm":
        audio = samples.tobytes()
    elif audio_format == "mp3":
        audio = _MP3_FRAME * max(1, math.ceil(len(samples) / _RATE / _MP3_FRAME_SECONDS))
    else:
        audio = wav(samples, text)
    if body.get("stream_format") == "sse":
        return Reply.sse(_speech_events(audio, word_count([text]), len(samples)))
    return Reply.binary(audio, content_type=AUDIO_TYPES[audio_format])


def wav(samples: array[int], text: str | None = None) -> bytes:
    """A 24 kHz 16-bit mono WAV of `samples`, with `text` in an ``rktx`` chunk when given."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(_RATE)
        writer.writeframes(samples.tobytes())
    data = buffer.getvalue()
    if text is None:
        return data
    payload = text.encode()
    chunk = _TEXT_CHUNK + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")
    riff = data + chunk
    return riff[:4] + struct.pack("<I", len(riff) - 8) + riff[8:]


def transcript_reply(request: RecordedRequest, *, translate: bool) -> Reply:
    """``POST /v1/audio/transcriptions`` or ``/translations`` (multipart)."""
    try:
        form = request.form()
    except ValueError as exc:
        raise bad_request(f"Expected a multipart/form-data body: {exc}.") from None
    upload = form.file("file")
    if upload is None:
        raise bad_request("Missing required parameter: 'file'.", "file", "missing_required_parameter")
    model = form.get("model")
    if not model:
        raise bad_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    extension = upload.filename.rpartition(".")[2].lower() if "." in upload.filename else ""
    if extension not in _EXTENSIONS:
        raise bad_request(f"Invalid file format. Supported formats: {sorted(_EXTENSIONS)}", "file", "invalid_value")
    response_format = form.get("response_format") or "json"
    if response_format not in _TEXT_FORMATS:
        raise bad_request(f"Invalid 'response_format': expected one of {sorted(_TEXT_FORMATS)}.", "response_format")
    if model.startswith(_JSON_ONLY_MODELS) and response_format not in {"json", "text"}:
        message = f"response_format '{response_format}' is not compatible with model '{model}'. Use 'json' or 'text'."
        raise bad_request(message, "response_format", "unsupported_value")
    text = _carried_text(upload.content) or f"This is an emulated transcript of {upload.filename}."
    duration = _duration(upload.content) or word_count([text]) * _WORD_SECONDS
    if response_format == "text":
        return Reply.text(text + "\n")
    if response_format == "srt":
        return Reply.text(f"1\n{_stamp(0, ',')} --> {_stamp(duration, ',')}\n{text}\n\n")
    if response_format == "vtt":
        return Reply.text(
            f"WEBVTT\n\n{_stamp(0, '.')} --> {_stamp(duration, '.')}\n{text}\n\n", content_type="text/vtt"
        )
    if response_format == "json":
        usage = None if translate else {"type": "duration", "seconds": math.ceil(duration)}
        return Reply.json({"text": text, **({"usage": usage} if usage else {})})
    granularities = form.fields.get("timestamp_granularities[]") or form.fields.get("timestamp_granularities") or []
    return Reply.json(_verbose(text, duration, form.get("language"), translate, granularities))


def _tones(text: str, speed: float) -> array[int]:
    """One short tone per word, its pitch derived from the word."""
    samples = array("h")
    per_word = int(_RATE * _WORD_SECONDS / speed)
    for word in text.split() or [""]:
        pitch = 300 + zlib.crc32(word.encode()) % 500
        step = 2 * math.pi * pitch / _RATE
        samples.extend(int(3000 * math.sin(step * i)) for i in range(per_word))
    return samples


def _speech_events(audio: bytes, input_tokens: int, samples: int) -> list[SSEEvent | str]:
    size = max(1, math.ceil(len(audio) / 4))
    events: list[SSEEvent | str] = []
    for start in range(0, len(audio), size):
        delta = {"type": "speech.audio.delta", "audio": base64.b64encode(audio[start : start + size]).decode()}
        events.append(json.dumps(delta))
    output_tokens = max(1, samples // 2400)
    usage = {"input_tokens": input_tokens, "output_tokens": output_tokens, "total_tokens": input_tokens + output_tokens}
    events.append(json.dumps({"type": "speech.audio.done", "usage": usage}))
    return events


def _riff_chunks(data: bytes) -> dict[bytes, bytes]:
    chunks: dict[bytes, bytes] = {}
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return chunks
    position = 12
    while position + 8 <= len(data):
        kind, size = data[position : position + 4], struct.unpack("<I", data[position + 4 : position + 8])[0]
        chunks.setdefault(kind, data[position + 8 : position + 8 + size])
        position += 8 + size + size % 2
    return chunks


def _carried_text(data: bytes) -> str | None:
    text = _riff_chunks(data).get(_TEXT_CHUNK)
    return text.decode("utf-8", "replace") if text else None


def _duration(data: bytes) -> float | None:
    chunks = _riff_chunks(data)
    header, samples = chunks.get(b"fmt "), chunks.get(b"data")
    if header is None or samples is None or len(header) < 16:
        return None
    channels, rate = struct.unpack("<HI", header[2:8])
    width = struct.unpack("<H", header[14:16])[0] // 8
    return len(samples) / (rate * channels * width) if rate and channels and width else None


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def _verbose(
    text: str, duration: float, language: str | None, translate: bool, granularities: list[str]
) -> dict[str, Any]:
    words = text.split()
    payload: dict[str, Any] = {
        "task": "translate" if translate else "transcribe",
        "language": "english" if translate else (language or "english"),
        "duration": round(duration, 2),
        "text": text,
    }
    if "segment" in granularities or not granularities:
        payload["segments"] = [
            {
                "id": 0,
                "seek": 0,
                "start": 0.0,
                "end": round(duration, 2),
                "text": text,
                "tokens": list(range(1, len(words) + 1)),
                "temperature": 0.0,
                "avg_logprob": -0.1,
                "compression_ratio": 1.0,
                "no_speech_prob": 0.0,
            }
        ]
    if "word" in granularities:
        step = duration / max(1, len(words))
        payload["words"] = [
            {"word": word, "start": round(i * step, 2), "end": round((i + 1) * step, 2)} for i, word in enumerate(words)
        ]
    return payload
