"""`client.audio`: `speech` (text to audio), `transcriptions` and `translations` (audio to text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._provider import Capability, Operation
from .._types._audio import (
    SpeechRequest,
    SpeechResponse,
    Transcription,
    TranscriptionRequest,
    Translation,
    TranslationRequest,
)
from .._types._base import validate_request

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = [
    "AsyncAudio",
    "AsyncSpeech",
    "AsyncTranscriptions",
    "AsyncTranslations",
    "Audio",
    "Speech",
    "Transcriptions",
    "Translations",
]

_SPEECH = frozenset({Capability.SPEECH})
_TRANSCRIPTION = frozenset({Capability.TRANSCRIPTION})
_TRANSLATION = frozenset({Capability.TRANSLATION})


class Speech:
    """`client.audio.speech`; the keyword arguments are the fields of `SpeechRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> SpeechResponse:
        """Speak `input` in `voice`; the answer holds the audio bytes and their MIME type.

        Raises `InvalidRequestError` (nothing sent) when a field is unknown or invalid,
        `UnsupportedCapabilityError` when the provider cannot serve the request, and an `APIError`
        subclass when the vendor fails.
        """
        request = validate_request(SpeechRequest, params)
        result: SpeechResponse = self._client._execute(Operation.SPEECH, request, _SPEECH, timeout=timeout)
        return result


class Transcriptions:
    """`client.audio.transcriptions`; the keyword arguments are the fields of `TranscriptionRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> Transcription:
        """Transcribe `file`; a `Transcription` whatever the `response_format` (text formats verbatim).

        `file` is read while the request is validated: a missing file raises `InvalidRequestError`
        naming the field, and nothing is sent.
        """
        request = validate_request(TranscriptionRequest, params)
        result: Transcription = self._client._execute(Operation.TRANSCRIPTION, request, _TRANSCRIPTION, timeout=timeout)
        return result


class Translations:
    """`client.audio.translations`; the keyword arguments are the fields of `TranslationRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> Translation:
        """Translate the speech in `file` into English text."""
        request = validate_request(TranslationRequest, params)
        result: Translation = self._client._execute(Operation.TRANSLATION, request, _TRANSLATION, timeout=timeout)
        return result


class Audio:
    """`client.audio`: `speech`, `transcriptions` and `translations`."""

    def __init__(self, client: Client) -> None:
        self.speech = Speech(client)
        self.transcriptions = Transcriptions(client)
        self.translations = Translations(client)


class AsyncSpeech:
    """`async_client.audio.speech`; the keyword arguments are the fields of `SpeechRequest`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> SpeechResponse:
        """Speak `input` in `voice`; the answer holds the audio bytes and their MIME type."""
        request = validate_request(SpeechRequest, params)
        result: SpeechResponse = await self._client._execute(Operation.SPEECH, request, _SPEECH, timeout=timeout)
        return result


class AsyncTranscriptions:
    """`async_client.audio.transcriptions`; the upload is read in a worker thread."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> Transcription:
        """Transcribe `file`; a `Transcription` whatever the `response_format` (text formats verbatim)."""
        request = await anyio.to_thread.run_sync(validate_request, TranscriptionRequest, params)
        result: Transcription = await self._client._execute(
            Operation.TRANSCRIPTION, request, _TRANSCRIPTION, timeout=timeout
        )
        return result


class AsyncTranslations:
    """`async_client.audio.translations`; the upload is read in a worker thread."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> Translation:
        """Translate the speech in `file` into English text."""
        request = await anyio.to_thread.run_sync(validate_request, TranslationRequest, params)
        result: Translation = await self._client._execute(Operation.TRANSLATION, request, _TRANSLATION, timeout=timeout)
        return result


class AsyncAudio:
    """`async_client.audio`: `speech`, `transcriptions` and `translations`, awaited."""

    def __init__(self, client: AsyncClient) -> None:
        self.speech = AsyncSpeech(client)
        self.transcriptions = AsyncTranscriptions(client)
        self.translations = AsyncTranslations(client)
