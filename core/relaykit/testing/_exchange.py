"""What an emulator receives (`RecordedRequest`) and what its handlers answer (`Reply`).

A route handler takes the `RecordedRequest` and returns a `Reply`, built with one of its
constructors::

    Reply.json({"ok": True})                                  # JSON, 200
    Reply.json(envelope, status=404)                          # any status
    Reply.binary(wav_bytes, content_type="audio/wav")         # raw bytes
    Reply.text("1\\n00:00:00,000 --> ...", content_type="text/plain")
    Reply.sse(['{"n": 1}', '{"n": 2}', "[DONE]"], delay=0.01)  # server-sent events
    Reply.sse([SSEEvent('{"type": "ping"}', event="ping")])    # with event names
    Reply.ndjson([{"n": 1}, {"n": 2}])                        # newline-delimited JSON stream

or raises `EmulatedError(status, message)` to answer with the dialect's error envelope.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from ._faults import Fault
from ._websocket import WebSocketHandler

__all__ = ["EmulatedError", "Form", "RecordedRequest", "Reply", "SSEEvent", "UploadedFile"]


class EmulatedError(Exception):
    """Raised by a route handler to answer with the emulator's error envelope.

    Args:
        status: the HTTP status.
        message: the error message.
        error_code: the vendor error code (``model_not_found``), if any.
        error_type: the vendor error type; the dialect picks a default for the status.
        param: the offending request field, if any.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.error_type = error_type
        self.param = param


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Form:
    """A parsed ``multipart/form-data`` body: text fields and files, each by name, in order."""

    fields: Mapping[str, list[str]] = field(default_factory=dict)
    files: Mapping[str, list[UploadedFile]] = field(default_factory=dict)

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first value of text field `name`."""
        values = self.fields.get(name)
        return values[0] if values else default

    def file(self, *names: str) -> UploadedFile | None:
        """The first file sent under any of `names` (e.g. ``"image"``, ``"image[]"``)."""
        for name in names:
            if files := self.files.get(name):
                return files[0]
        return None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request as the emulator received it.

    `headers` has lower-cased names; `query` maps each parameter to its values; `path_params` holds
    the ``{name}`` parts of the matched route; `fault` is the fault applied to it, if any.
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    path_params: Mapping[str, str] = field(default_factory=dict)
    fault: Fault | None = None
    received_at: float = 0.0
    """`time.monotonic()` when the request had been read."""

    def header(self, name: str, default: str | None = None) -> str | None:
        """The value of header `name` (case-insensitive)."""
        return self.headers.get(name.lower(), default)

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased, without parameters."""
        return (self.headers.get("content-type") or "").partition(";")[0].strip().lower()

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body)

    def form(self) -> Form:
        """The body parsed as ``multipart/form-data`` (raises ValueError when it is not)."""
        content_type = self.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise ValueError(f"expected a multipart/form-data body, got {self.content_type or 'none'}")
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        if not isinstance(message, EmailMessage) or not message.is_multipart():
            raise ValueError("the multipart body could not be parsed")
        fields: dict[str, list[str]] = {}
        files: dict[str, list[UploadedFile]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is None:
                fields.setdefault(name, []).append(data.decode(part.get_content_charset() or "utf-8", "replace"))
            else:
                upload = UploadedFile(filename, data, part.get_content_type())
                files.setdefault(name, []).append(upload)
        return Form(fields, files)


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One server-sent event with an event name or id (plain strings are data-only events)."""

    data: str
    event: str | None = None
    id: str | None = None

    def encode(self) -> bytes:
        lines = []
        if self.event is not None:
            lines.append(f"event: {self.event}")
        if self.id is not None:
            lines.append(f"id: {self.id}")
        lines.extend(f"data: {line}" for line in self.data.split("\n"))
        return ("\n".join(lines) + "\n\n").encode()


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer of a route handler. Use the constructors; see the module docstring.

    A reply is *streamed* when `chunks` is set: each chunk (one SSE event, one NDJSON line) is sent
    and flushed on its own, `delay` seconds apart, in a chunked body.
    """

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = field(default=b"", repr=False)
    chunks: Iterable[bytes] | None = field(default=None, repr=False)
    delay: float = 0.0
    session: WebSocketHandler | None = field(default=None, repr=False)
    """Set by `Reply.websocket`: the handler that runs the session after the upgrade."""

    @property
    def streamed(self) -> bool:
        return self.chunks is not None

    @classmethod
    def json(
        cls, obj: Any, *, status: int = 200, headers: Mapping[str, str] | None = None, indent: int | None = None
    ) -> Reply:
        """`obj` as a JSON body (UTF-8, non-ASCII kept as is)."""
        text = json.dumps(obj, ensure_ascii=False, indent=indent) + ("\n" if indent is not None else "")
        return cls.binary(text.encode(), content_type="application/json", status=status, headers=headers)

    @classmethod
    def binary(
        cls,
        content: bytes,
        *,
        content_type: str = "application/octet-stream",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Raw bytes with a content type."""
        return cls(status, _headers({"content-type": content_type}, headers), content)

    @classmethod
    def text(
        cls,
        text: str,
        *,
        content_type: str = "text/plain; charset=utf-8",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Text, UTF-8 encoded."""
        return cls.binary(text.encode(), content_type=content_type, status=status, headers=headers)

    @classmethod
    def sse(
        cls,
        events: Iterable[str | SSEEvent],
        *,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A ``text/event-stream`` of `events` (strings are the ``data`` of unnamed events)."""
        encoded = (event.encode() if isinstance(event, SSEEvent) else SSEEvent(event).encode() for event in events)
        chunks = tuple(encoded) if isinstance(events, list | tuple) else encoded
        return cls.stream(
            chunks, content_type="text/event-stream; charset=utf-8", delay=delay, status=status, headers=headers
        )

    @classmethod
    def websocket(cls, handler: WebSocketHandler, *, headers: Mapping[str, str] | None = None) -> Reply:
        """Accept a WebSocket upgrade and run `handler` with the session's `WebSocketPeer`."""
        return cls(101, _headers({}, headers), session=handler)

    @classmethod
    def ndjson(cls, objects: Iterable[Any], *, delay: float = 0.0, headers: Mapping[str, str] | None = None) -> Reply:
        """An ``application/x-ndjson`` stream, one JSON object per line."""
        encoded = ((json.dumps(obj, ensure_ascii=False) + "\n").encode() for obj in objects)
        chunks = tuple(encoded) if isinstance(objects, list | tuple) else encoded
        return cls.stream(chunks, content_type="application/x-ndjson", delay=delay, headers=headers)

    @classmethod
    def stream(
        cls,
        chunks: Iterable[bytes],
        *,
        content_type: str,
        delay: float = 0.0,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Any streamed body: each of `chunks` is flushed on its own, `delay` seconds apart."""
        base = {"content-type": content_type, "cache-control": "no-cache"}
        return cls(status, _headers(base, headers), chunks=chunks, delay=delay)


def _headers(base: Mapping[str, str], extra: Mapping[str, str] | None) -> dict[str, str]:
    merged = dict(base)
    for name, value in (extra or {}).items():
        merged[name.lower()] = value
    return merged
