"""The HTTP backend: the only module that imports the HTTP client (httpx2).

It turns a flow's `HttpRequest` into a real request, and the answer into an `HttpResponse`. A
streamed answer is left open and framed into `StreamEvent`s (SSE through httpx2's own parser, or
NDJSON lines). A `WebSocketRequest` is an upgrade handshake on the same pooled client; once it
succeeds, httpx2's WebSocket session sends the flow's messages and the server's frames become
events. Transport failures become `APIConnectionError` / `APITimeoutError`. Swapping the
HTTP client is a change to this file alone.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import httpx2
import wsproto.events
from httpx2.websockets import AsyncWebSocketSession, HTTPXWSException, WebSocketDisconnect, WebSocketSession

from . import __version__
from ._errors import APIConnectionError, APIError, APITimeoutError, StreamInterruptedError
from ._events import RequestEvent, ResponseEvent
from ._flow import HttpRequest, HttpResponse, StreamEvent, WebSocketRequest
from ._log import log_event
from ._observe import Observer
from ._provider import CallContext

__all__ = ["AsyncTransport", "SyncTransport"]

USER_AGENT = f"relaykit/{__version__}"
_FRAMING_TYPES = {"sse": ("text/event-stream",), "ndjson": ("application/x-ndjson", "application/jsonl")}


Request = HttpRequest | WebSocketRequest


def _timeout(request: Request, ctx: CallContext) -> httpx2.Timeout:
    read = request.timeout if request.timeout is not None else ctx.settings.timeout
    return httpx2.Timeout(read, connect=min(ctx.settings.connect_timeout, read))


def _build(client: httpx2.Client | httpx2.AsyncClient, request: Request, ctx: CallContext) -> httpx2.Request:
    headers = {"user-agent": USER_AGENT, **ctx.settings.headers, **request.headers}
    if isinstance(request, WebSocketRequest):
        headers.update(
            connection="upgrade",
            upgrade="websocket",
            **{"sec-websocket-version": "13", "sec-websocket-key": base64.b64encode(secrets.token_bytes(16)).decode()},
        )
        url = "http" + request.url.removeprefix("ws") if request.url.startswith(("ws:", "wss:")) else request.url
        return client.build_request("GET", url, params=request.params, headers=headers, timeout=_timeout(request, ctx))
    files: Any = None
    if request.files:
        files = [(part.field, (part.filename, part.content, part.content_type)) for part in request.files]
    return client.build_request(
        request.method,
        request.url,
        params=request.params,
        headers=headers,
        json=request.json,
        content=request.content,
        data=dict(request.data) if request.data is not None else None,
        files=files,
        timeout=_timeout(request, ctx),
    )


def _wants_stream(request: Request, response: httpx2.Response) -> bool:
    if isinstance(request, WebSocketRequest):
        return response.status_code == 101
    if request.stream is None or response.status_code >= 300:
        return False
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    return content_type in _FRAMING_TYPES[request.stream]


def _response(raw: httpx2.Response, content: bytes, streaming: bool) -> HttpResponse:
    headers = {key.lower(): value for key, value in raw.headers.items()}
    return HttpResponse(status=raw.status_code, headers=headers, content=content, streaming=streaming, url=str(raw.url))


def safe_url(request: Request) -> str:
    """The request URL with secret query parameters masked, for logs."""
    if not request.params:
        return request.url
    shown = {key: ("***" if key in request.secret_params else value) for key, value in request.params.items()}
    return f"{request.url}?{urlencode(shown)}"


class _Reporting:
    """Logs one event per request and tells the observer hooks (request sent, answer arrived)."""

    def __init__(self, observer: Observer | None) -> None:
        self._observer = observer or Observer()

    def _sending(self, request: Request, ctx: CallContext) -> float:
        self._observer.request(RequestEvent(ctx.provider, ctx.model, _method(request), safe_url(request)))
        return time.perf_counter()

    def _report(
        self, request: Request, ctx: CallContext, response: HttpResponse | None, started: float, error: str = ""
    ) -> None:
        _log(request, ctx, response, started, error)
        if response is not None:
            self._observer.response(
                ResponseEvent(
                    provider=ctx.provider,
                    model=ctx.model,
                    method=_method(request),
                    url=safe_url(request),
                    status=response.status,
                    request_id=response.request_id,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    streamed=response.streaming,
                )
            )


def _method(request: Request) -> str:
    return request.method if isinstance(request, HttpRequest) else "WEBSOCKET"


def _log(request: Request, ctx: CallContext, response: HttpResponse | None, started: float, error: str = "") -> None:
    extra: dict[str, Any] = {"error": error} if error else {}
    log_event(
        "relaykit.http.request",
        provider=ctx.provider,
        model=ctx.model,
        method=_method(request),
        url=safe_url(request),
        status=response.status if response is not None else None,
        request_id=response.request_id if response is not None else None,
        streamed=bool(response is not None and response.streaming),
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        **extra,
    )


def connection_error(exc: Exception, ctx: CallContext, *, during_stream: bool = False) -> APIError:
    """Map an httpx2 transport exception to the relaykit error tree."""
    kind = type(exc).__name__
    if during_stream:
        return StreamInterruptedError(f"the stream broke: {kind}", provider=ctx.provider, model=ctx.model)
    if isinstance(exc, httpx2.TimeoutException):
        return APITimeoutError(f"timed out ({kind})", provider=ctx.provider, model=ctx.model)
    return APIConnectionError(f"connection failed: {kind}", provider=ctx.provider, model=ctx.model)


class _SyncEvents(Iterator[StreamEvent]):
    """The events of an open body; `close()` releases the connection even if never iterated."""

    def __init__(self, raw: httpx2.Response, events: Iterator[StreamEvent]) -> None:
        self._raw = raw
        self._events = events

    def __next__(self) -> StreamEvent:
        return next(self._events)

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()
        self._raw.close()


class _AsyncEvents(AsyncIterator[StreamEvent]):
    """The events of an open body; `aclose()` releases the connection even if never iterated."""

    def __init__(self, raw: httpx2.Response, events: AsyncIterator[StreamEvent]) -> None:
        self._raw = raw
        self._events = events

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def aclose(self) -> None:
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()
        await self._raw.aclose()


_GONE = (HTTPXWSException, httpx2.TransportError, OSError, RuntimeError)


def _frame_event(event: wsproto.events.Event) -> StreamEvent | None:
    if isinstance(event, wsproto.events.TextMessage):
        return StreamEvent(data=event.data)
    if isinstance(event, wsproto.events.BytesMessage):
        return StreamEvent(data=bytes(event.data).decode("utf-8", "replace"))
    return None  # control frames


class _SyncFrames(Iterator[StreamEvent]):
    """The server's WebSocket frames as events, until it closes; `close()` ends the session."""

    def __init__(self, raw: httpx2.Response, session: WebSocketSession, timeout: float, ctx: CallContext) -> None:
        self._raw, self._session, self._timeout, self._ctx = raw, session, timeout, ctx
        self._closed = False

    def __next__(self) -> StreamEvent:
        while not self._closed:
            try:
                event = _frame_event(self._session.receive(timeout=self._timeout))
            except WebSocketDisconnect:
                self.close()
                break
            except (TimeoutError, HTTPXWSException, httpx2.TransportError) as exc:
                self.close()
                raise connection_error(exc, self._ctx, during_stream=True) from exc
            if event is not None:
                return event
        raise StopIteration

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(*_GONE):  # the peer may already be gone
                self._session.__exit__(None, None, None)
            self._raw.close()


class _AsyncFrames(AsyncIterator[StreamEvent]):
    """The async twin of `_SyncFrames`."""

    def __init__(self, raw: httpx2.Response, session: AsyncWebSocketSession, timeout: float, ctx: CallContext) -> None:
        self._raw, self._session, self._timeout, self._ctx = raw, session, timeout, ctx
        self._closed = False

    async def __anext__(self) -> StreamEvent:
        while not self._closed:
            try:
                event = _frame_event(await self._session.receive(timeout=self._timeout))
            except WebSocketDisconnect:
                await self.aclose()
                break
            except (TimeoutError, HTTPXWSException, httpx2.TransportError) as exc:
                await self.aclose()
                raise connection_error(exc, self._ctx, during_stream=True) from exc
            if event is not None:
                return event
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(*_GONE):  # the peer may already be gone
                await self._session.__aexit__(None, None, None)
            await self._raw.aclose()


def _read_timeout(request: Request, ctx: CallContext) -> float:
    return request.timeout if request.timeout is not None else ctx.settings.timeout


class SyncTransport(_Reporting):
    """Sends `HttpRequest`s on one pooled `httpx2.Client` (connections are reused)."""

    def __init__(self, client: httpx2.Client | None = None, observer: Observer | None = None) -> None:
        super().__init__(observer)
        self._client = client if client is not None else httpx2.Client(http2=False, follow_redirects=True)

    def send(self, request: Request, ctx: CallContext) -> tuple[HttpResponse, Iterator[StreamEvent] | None]:
        started = self._sending(request, ctx)
        try:
            raw = self._client.send(_build(self._client, request, ctx), stream=True)
        except httpx2.TransportError as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        try:
            if _wants_stream(request, raw):
                response = _response(raw, b"", streaming=True)
                self._report(request, ctx, response, started)
                if isinstance(request, WebSocketRequest):
                    return response, self._open(raw, request, ctx)
                return response, _SyncEvents(raw, self._events(raw, request, ctx))
            content = raw.read()
        except httpx2.TransportError as exc:
            raw.close()
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        raw.close()
        response = _response(raw, content, streaming=False)
        self._report(request, ctx, response, started)
        return response, None

    def _open(self, raw: httpx2.Response, request: WebSocketRequest, ctx: CallContext) -> _SyncFrames:
        session = WebSocketSession(raw.extensions["network_stream"], response=raw)
        session.__enter__()
        frames = _SyncFrames(raw, session, _read_timeout(request, ctx), ctx)
        try:
            for message in request.messages:
                session.send_text(message)
        except (HTTPXWSException, httpx2.TransportError, OSError) as exc:
            frames.close()
            raise connection_error(exc, ctx) from exc
        return frames

    def _events(self, raw: httpx2.Response, request: HttpRequest, ctx: CallContext) -> Iterator[StreamEvent]:
        try:
            if request.stream == "sse":
                for sse in httpx2.EventSource(raw, max_event_size=None):
                    yield StreamEvent(data=sse.data, event=sse.event, id=sse.id)
            else:
                for line in raw.iter_lines():
                    if line.strip():
                        yield StreamEvent(data=line)
        except httpx2.TransportError as exc:
            raise connection_error(exc, ctx, during_stream=True) from exc
        finally:
            raw.close()

    def close(self) -> None:
        self._client.close()


class AsyncTransport(_Reporting):
    """Sends `HttpRequest`s on one pooled `httpx2.AsyncClient`."""

    def __init__(self, client: httpx2.AsyncClient | None = None, observer: Observer | None = None) -> None:
        super().__init__(observer)
        self._client = client if client is not None else httpx2.AsyncClient(http2=False, follow_redirects=True)

    async def send(self, request: Request, ctx: CallContext) -> tuple[HttpResponse, AsyncIterator[StreamEvent] | None]:
        started = self._sending(request, ctx)
        try:
            raw = await self._client.send(_build(self._client, request, ctx), stream=True)
        except httpx2.TransportError as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        try:
            if _wants_stream(request, raw):
                response = _response(raw, b"", streaming=True)
                self._report(request, ctx, response, started)
                if isinstance(request, WebSocketRequest):
                    return response, await self._open(raw, request, ctx)
                return response, _AsyncEvents(raw, self._events(raw, request, ctx))
            content = await raw.aread()
        except httpx2.TransportError as exc:
            await raw.aclose()
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        await raw.aclose()
        response = _response(raw, content, streaming=False)
        self._report(request, ctx, response, started)
        return response, None

    async def _open(self, raw: httpx2.Response, request: WebSocketRequest, ctx: CallContext) -> _AsyncFrames:
        session = AsyncWebSocketSession(raw.extensions["network_stream"], response=raw)
        await session.__aenter__()
        frames = _AsyncFrames(raw, session, _read_timeout(request, ctx), ctx)
        try:
            for message in request.messages:
                await session.send_text(message)
        except (HTTPXWSException, httpx2.TransportError, OSError) as exc:
            await frames.aclose()
            raise connection_error(exc, ctx) from exc
        return frames

    async def _events(self, raw: httpx2.Response, request: HttpRequest, ctx: CallContext) -> AsyncIterator[StreamEvent]:
        try:
            if request.stream == "sse":
                async for sse in httpx2.EventSource(raw, max_event_size=None):
                    yield StreamEvent(data=sse.data, event=sse.event, id=sse.id)
            else:
                async for line in raw.aiter_lines():
                    if line.strip():
                        yield StreamEvent(data=line)
        except httpx2.TransportError as exc:
            raise connection_error(exc, ctx, during_stream=True) from exc
        finally:
            await raw.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
