"""Sans-IO flows: what a plugin yields, and what it gets back.

A plugin operation is a *flow*: a generator that yields effects (`HttpRequest`, `WebSocketRequest`,
`Wait`) and is sent back the outcome of each (an `HttpResponse`, or None after a wait), then
returns the normalized result. A streaming operation returns `Streaming(decoder)`: the driver then
frames the open body (SSE, NDJSON or WebSocket frames) and feeds each event to the decoder, which
turns events into typed chunks; `Collect(decoder, reduce)` reads such a body whole instead::

    def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[Chunk]]:
        response = yield HttpRequest("POST", ctx.url("/chat/completions"), json=body, stream="sse")
        if response.status >= 400:
            raise map_error(response, ctx)
        return Streaming(ChunkDecoder(ctx)) if request.stream else parse(response, ctx)

Core runs the same flow from the sync and the async driver, so a plugin has no I/O, no client and
no `async`, and every translation is testable by sending literal responses into the generator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any, Generic, Literal, Protocol, TypeAlias, TypeVar

from pydantic_core import from_json

from ._errors import ResponseFormatError, excerpt

__all__ = [
    "Collect",
    "Effect",
    "FilePart",
    "Flow",
    "HttpRequest",
    "HttpResponse",
    "Notify",
    "StreamDecoder",
    "StreamEvent",
    "Streaming",
    "Wait",
    "WebSocketRequest",
    "parse_json",
    "run_to_completion",
]

T = TypeVar("T")
R = TypeVar("R")
T_co = TypeVar("T_co", covariant=True)
StreamFraming: TypeAlias = Literal["sse", "ndjson"]


@dataclass(frozen=True, slots=True)
class FilePart:
    """One file of a multipart upload."""

    field: str
    filename: str
    content: bytes = _field(repr=False)
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """An HTTP request for the driver to send.

    Exactly one of `json`, `content`, or `data`/`files` (multipart form) carries the body. `files`
    given, even empty, makes the body ``multipart/form-data``; `data` alone is URL-encoded.
    `stream` asks the driver to leave a successful body open and frame it as events.
    `secret_params` names query parameters the driver must redact wherever the URL is logged (in
    `params` and in the URL's own query string). `provider_headers=False` leaves out the provider's
    configured extra headers, for requests to third-party hosts (downloading a result URL).
    """

    method: str
    url: str
    headers: Mapping[str, str] = _field(default_factory=dict, repr=False)
    params: Mapping[str, str] | None = None
    json: Any = None
    content: bytes | None = _field(default=None, repr=False)
    data: Mapping[str, str | Sequence[str]] | None = None
    files: Sequence[FilePart] | None = None
    stream: StreamFraming | None = None
    timeout: float | None = None
    secret_params: frozenset[str] = frozenset()
    provider_headers: bool = True


@dataclass(frozen=True, slots=True)
class Wait:
    """Ask the driver to wait before the flow goes on (polling); the flow is sent None back."""

    seconds: float


@dataclass(frozen=True, slots=True)
class WebSocketRequest:
    """Open a WebSocket, send `messages` as text frames, and read the server's text frames.

    The flow is sent back an `HttpResponse`: status 101 with ``streaming=True`` when the upgrade
    succeeded (the server's frames then go, as `StreamEvent`s, to the decoder of the `Streaming` or
    `Collect` the flow returns), or the refusal's status, headers and body when it did not. The
    frames end when the server closes the socket or the decoder says it is finished.
    """

    url: str
    headers: Mapping[str, str] = _field(default_factory=dict, repr=False)
    params: Mapping[str, str] | None = _field(default=None, repr=False)
    messages: Sequence[str] = _field(default=(), repr=False)
    timeout: float | None = None
    secret_params: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Notify:
    """Ask the driver to call ``callback(value)``, awaiting the result on the async driver; the flow
    is sent None back. Core's own flows report progress this way (`client.tasks.wait`)."""

    callback: Callable[[Any], Any]
    value: Any


Effect: TypeAlias = HttpRequest | WebSocketRequest | Wait | Notify


def parse_json(data: str | bytes) -> Any:
    """`json.loads`, faster: pydantic-core's parser first, the standard library's when it refuses.

    Both accept the same documents (the fallback keeps the standard library's odd cases, such as a
    UTF-16 body, and raises its `ValueError` for text that is not JSON). Decoders and flows on the
    hot path use it for every answer and stream event.
    """
    try:
        return from_json(data)
    except ValueError:
        return json.loads(data)


_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-requestid",
    "x-baidu-request-id",
    "x-ms-request-id",
    "x-trace-id",
)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back. `streaming` is True when the body was left open for the flow's decoder."""

    status: int
    headers: Mapping[str, str]
    content: bytes = _field(default=b"", repr=False)
    streaming: bool = False
    url: str = ""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").partition(";")[0].strip().lower()

    @property
    def request_id(self) -> str | None:
        for name in _REQUEST_ID_HEADERS:
            if value := self.headers.get(name):
                return value
        return None

    def json(self) -> Any:
        """Parse the body as JSON, raising `ResponseFormatError` (with an excerpt) when it is not."""
        try:
            return parse_json(self.content)
        except ValueError as exc:
            raise ResponseFormatError(
                f"the body is not valid JSON (content type {self.content_type or 'none'})",
                status=self.status,
                request_id=self.request_id,
                body_excerpt=excerpt(self.content),
            ) from exc


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One framed event of a streamed body: an SSE event, or one NDJSON line (`event="message"`)."""

    data: str
    event: str = "message"
    id: str = ""


class StreamDecoder(Protocol[T_co]):
    """Turns framed events into typed chunks. Pure: no I/O, no clock.

    `feed` is called for every event in order and returns the chunks it completes (often one, may be
    none). `finished` turns True when the stream's own end marker was seen (e.g. `[DONE]`); the
    driver then stops reading. `close` is called once when the body ends, and returns any last chunks
    or raises `StreamInterruptedError` when the stream ended before it was complete.
    """

    @property
    def finished(self) -> bool: ...

    def feed(self, event: StreamEvent) -> Iterable[T_co]: ...

    def close(self) -> Iterable[T_co]: ...


@dataclass(frozen=True, slots=True)
class Streaming(Generic[T]):
    """A flow's result when the answer is a stream: the decoder for the open body."""

    decoder: StreamDecoder[T]
    framing: StreamFraming = "sse"


@dataclass(frozen=True, slots=True)
class Collect(Generic[T, R]):
    """A flow's result when a streamed body must be read whole: the driver feeds every event to
    `decoder`, then returns ``reduce(chunks)`` (e.g. a WebSocket answer asked for unstreamed)."""

    decoder: StreamDecoder[T]
    reduce: Callable[[list[T]], R]


Flow: TypeAlias = Generator[Effect, HttpResponse | None, T]


def run_to_completion(flow: Flow[T], responses: Iterable[HttpResponse | None]) -> T:
    """Drive a flow with canned responses, for tests: each yielded effect gets the next one.

    A `Notify` effect is performed (its callback called) without taking a response.
    """
    replies = iter(responses)
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Notify):
                effect.callback(effect.value)
                effect = flow.send(None)
                continue
            reply = next(replies, _MISSING)
            if reply is _MISSING:
                raise AssertionError("the flow asked for more responses than were given")
            effect = flow.send(reply)
    except StopIteration as stop:
        result: T = stop.value
        return result


_MISSING: Any = object()
