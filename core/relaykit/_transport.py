"""The httpx2 backend: the only module that imports httpx2 (`_transport_aiohttp` is aiohttp's twin).

It turns a flow's `HttpRequest` into a real request, and the answer into an `HttpResponse`. A
streamed answer is left open and framed into `StreamEvent`s (SSE or NDJSON lines, by `_framing`,
which both backends share). A `WebSocketRequest` is an upgrade handshake on the same pooled client;
once it succeeds, httpx2's WebSocket session sends the flow's messages and the server's frames
become events. Transport failures become `APIConnectionError` / `APITimeoutError`. What every
backend shares (logging, observer calls, masked URLs) is in `_backend`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import secrets
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import httpx2
import wsproto.events
from httpx2.websockets import AsyncWebSocketSession, HTTPXWSException, WebSocketDisconnect, WebSocketSession

from ._backend import USER_AGENT, Reporting, Request, read_and_connect_timeouts, read_timeout, wants_stream
from ._errors import APIConnectionError, APIError, APITimeoutError, StreamInterruptedError
from ._flow import HttpRequest, HttpResponse, StreamEvent, WebSocketRequest
from ._framing import LineDecoder, SSEDecoder
from ._observe import Observer
from ._provider import CallContext

__all__ = ["AsyncTransport", "SyncTransport"]


def _timeout(request: Request, ctx: CallContext) -> httpx2.Timeout:
    return _timeouts(*read_and_connect_timeouts(request, ctx))


@functools.lru_cache(maxsize=64)
def _timeouts(read: float, connect: float) -> httpx2.Timeout:
    return httpx2.Timeout(read, connect=connect)


def _build(client: httpx2.Client | httpx2.AsyncClient, request: Request, ctx: CallContext) -> httpx2.Request:
    """The request through the client's own machinery (its headers, cookies, hooks, auth, base URL)."""
    headers = {"user-agent": USER_AGENT}
    if isinstance(request, WebSocketRequest):
        headers.update(ctx.settings.headers, **request.headers)
        headers.update(
            connection="upgrade",
            upgrade="websocket",
            **{"sec-websocket-version": "13", "sec-websocket-key": base64.b64encode(secrets.token_bytes(16)).decode()},
        )
        url = "http" + request.url.removeprefix("ws") if request.url.startswith(("ws:", "wss:")) else request.url
        return client.build_request("GET", url, params=request.params, headers=headers, timeout=_timeout(request, ctx))
    body = _body(request, ctx, headers)
    return client.build_request(
        request.method, request.url, params=request.params, headers=headers, timeout=_timeout(request, ctx), **body
    )


def _body(request: HttpRequest, ctx: CallContext, headers: dict[str, str]) -> dict[str, Any]:
    """Add the request's headers to `headers`; the body arguments of an `httpx2.Request`."""
    if request.provider_headers:
        headers.update(ctx.settings.headers)
    headers.update(request.headers)
    if request.json is not None:  # the usual case first; HttpRequest carries one kind of body
        return {"json": request.json}
    if request.files:
        files = [(part.field, (part.filename, part.content, part.content_type)) for part in request.files]
        return {"files": files, "data": dict(request.data) if request.data is not None else None}
    if request.files is not None:  # multipart without a file part: httpx2 would URL-encode `data`
        boundary = secrets.token_hex(16)
        headers["content-type"] = f"multipart/form-data; boundary={boundary}"
        return {"content": _fields_only_multipart(dict(request.data or {}), boundary)}
    if request.data is not None:
        return {"data": dict(request.data)}
    return {"content": request.content}


class _Pool:
    """relaykit's own connection pool, used without the `httpx2.Client` layer around it.

    When relaykit builds the HTTP client itself (no `http_client` given) and no proxy is configured
    in the environment, a request is built as an `httpx2.Request` and handed straight to the
    client's transport: none of the client's per-request work (merging a base URL, default
    headers, cookies and query parameters; auth and event-hook plumbing) is needed, since relaykit
    builds complete URLs and headers itself. That saves about 30 µs per call. The client's default
    headers are still sent (``accept-encoding`` among them), and an answer that redirects is
    sent again through the full client, which follows it. relaykit's own client keeps no cookies.
    """

    def __init__(self, defaults: httpx2.Headers) -> None:
        self._defaults = dict(defaults)

    @staticmethod
    def usable() -> bool:
        """Whether the fast path applies: no proxy (or no-proxy list) in the environment."""
        return not urllib.request.getproxies()

    def build(self, request: HttpRequest, ctx: CallContext) -> httpx2.Request:
        headers = {**self._defaults, "user-agent": USER_AGENT}
        body = _body(request, ctx, headers)
        return httpx2.Request(
            request.method,
            _url(request.url),
            params=request.params,
            headers=headers,
            extensions={"timeout": _timeout_dict(*read_and_connect_timeouts(request, ctx))},
            **body,
        )


@functools.lru_cache(maxsize=256)
def _url(url: str) -> httpx2.URL:
    return httpx2.URL(url)


@functools.lru_cache(maxsize=64)
def _timeout_dict(read: float, connect: float) -> dict[str, float | None]:
    return _timeouts(read, connect).as_dict()


def _fields_only_multipart(data: dict[str, Any], boundary: str) -> bytes:
    """A ``multipart/form-data`` body of text fields only (lists repeat their field)."""
    body = bytearray()
    for name, value in data.items():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        for item in value if isinstance(value, list | tuple) else [value]:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{quoted}"\r\n\r\n'.encode()
            body += str(item).encode() + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body)


def _response(raw: httpx2.Response, content: bytes, streaming: bool) -> HttpResponse:
    headers: dict[str, str] = {}
    pairs = raw.headers.raw  # decoded here in one pass: httpx2's items() decodes field by field
    try:
        decoded = [(key.decode("utf-8").lower(), value.decode("utf-8")) for key, value in pairs]
    except UnicodeDecodeError:
        decoded = [(key.decode("latin-1").lower(), value.decode("latin-1")) for key, value in pairs]
    for key, value in decoded:  # repeated fields are joined with ", ", as httpx2 does
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return HttpResponse(status=raw.status_code, headers=headers, content=content, streaming=streaming, url=str(raw.url))


def _identity(raw: httpx2.Response) -> bool:
    """Whether the body is still unread and sent as is: then its raw bytes are its content, read
    without httpx2's decoding layer (a stream's hot path)."""
    encoding = raw.headers.get("content-encoding", "identity")
    return not raw.is_stream_consumed and encoding.strip().lower() in ("", "identity")


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

    def __iter__(self) -> Iterator[StreamEvent]:
        return self._events  # a `for` loop reads the generator itself: no extra call per event

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

    def __anext__(self) -> Awaitable[StreamEvent]:
        return self._events.__anext__()  # the generator's own awaitable: no coroutine frame per event

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self._events  # an `async for` loop reads the generator itself: no extra call per event

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


class SyncTransport(Reporting):
    """Sends `HttpRequest`s on one pooled `httpx2.Client` (connections are reused)."""

    def __init__(self, client: httpx2.Client | None = None, observer: Observer | None = None) -> None:
        super().__init__(observer)
        self._pool: tuple[_Pool, httpx2.HTTPTransport] | None = None
        if client is None and _Pool.usable():
            transport = httpx2.HTTPTransport(http2=False)
            client = httpx2.Client(http2=False, follow_redirects=True, transport=transport)
            self._pool = (_Pool(client.headers), transport)
        self._client = client if client is not None else httpx2.Client(http2=False, follow_redirects=True)

    def _send(self, request: Request, ctx: CallContext) -> httpx2.Response:
        if self._pool is None or isinstance(request, WebSocketRequest):
            return self._client.send(_build(self._client, request, ctx), stream=True)
        pool, transport = self._pool
        built = pool.build(request, ctx)
        raw = transport.handle_request(built)
        raw.request = built
        if raw.has_redirect_location:  # the client follows redirects; the pool alone does not
            raw.close()
            return self._client.send(_build(self._client, request, ctx), stream=True)
        return raw

    def send(self, request: Request, ctx: CallContext) -> tuple[HttpResponse, Iterator[StreamEvent] | None]:
        started = self._sending(request, ctx)
        try:
            raw = self._send(request, ctx)
        except httpx2.TransportError as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        try:
            if wants_stream(request, raw.status_code, raw.headers.get("content-type", "")):
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
        frames = _SyncFrames(raw, session, read_timeout(request, ctx), ctx)
        try:
            for message in request.messages:
                session.send_text(message)
        except (HTTPXWSException, httpx2.TransportError, OSError) as exc:
            frames.close()
            raise connection_error(exc, ctx) from exc
        return frames

    def _events(self, raw: httpx2.Response, request: HttpRequest, ctx: CallContext) -> Iterator[StreamEvent]:
        try:
            decoder = SSEDecoder() if request.stream == "sse" else LineDecoder()
            for chunk in raw.iter_raw() if _identity(raw) else raw.iter_bytes():
                yield from decoder.feed(chunk)
            yield from decoder.flush()
        except httpx2.TransportError as exc:
            raise connection_error(exc, ctx, during_stream=True) from exc
        finally:
            raw.close()

    def close(self) -> None:
        self._client.close()


class AsyncTransport(Reporting):
    """Sends `HttpRequest`s on one pooled `httpx2.AsyncClient`."""

    def __init__(self, client: httpx2.AsyncClient | None = None, observer: Observer | None = None) -> None:
        super().__init__(observer)
        self._pool: tuple[_Pool, httpx2.AsyncHTTPTransport] | None = None
        if client is None and _Pool.usable():
            transport = httpx2.AsyncHTTPTransport(http2=False)
            client = httpx2.AsyncClient(http2=False, follow_redirects=True, transport=transport)
            self._pool = (_Pool(client.headers), transport)
        self._client = client if client is not None else httpx2.AsyncClient(http2=False, follow_redirects=True)

    async def _send(self, request: Request, ctx: CallContext) -> httpx2.Response:
        if self._pool is None or isinstance(request, WebSocketRequest):
            return await self._client.send(_build(self._client, request, ctx), stream=True)
        pool, transport = self._pool
        built = pool.build(request, ctx)
        raw = await transport.handle_async_request(built)
        raw.request = built
        if raw.has_redirect_location:  # the client follows redirects; the pool alone does not
            await raw.aclose()
            return await self._client.send(_build(self._client, request, ctx), stream=True)
        return raw

    async def send(self, request: Request, ctx: CallContext) -> tuple[HttpResponse, AsyncIterator[StreamEvent] | None]:
        started = self._sending(request, ctx)
        try:
            raw = await self._send(request, ctx)
        except httpx2.TransportError as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        try:
            if wants_stream(request, raw.status_code, raw.headers.get("content-type", "")):
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
        frames = _AsyncFrames(raw, session, read_timeout(request, ctx), ctx)
        try:
            for message in request.messages:
                await session.send_text(message)
        except (HTTPXWSException, httpx2.TransportError, OSError) as exc:
            await frames.aclose()
            raise connection_error(exc, ctx) from exc
        return frames

    async def _events(self, raw: httpx2.Response, request: HttpRequest, ctx: CallContext) -> AsyncIterator[StreamEvent]:
        try:
            decoder = SSEDecoder() if request.stream == "sse" else LineDecoder()
            async for chunk in raw.aiter_raw() if _identity(raw) else raw.aiter_bytes():
                for event in decoder.feed(chunk):
                    yield event
            for event in decoder.flush():
                yield event
        except httpx2.TransportError as exc:
            raise connection_error(exc, ctx, during_stream=True) from exc
        finally:
            await raw.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
