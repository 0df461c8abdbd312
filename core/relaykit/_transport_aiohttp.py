"""The aiohttp backend of `AsyncClient`: the only module that imports aiohttp.

Chosen with ``AsyncClient(http_backend="aiohttp")`` or the ``async_http_backend`` configuration
key (the ``aiohttp`` extra installs it); imported only then. It is `AsyncTransport`'s twin: the
same `send(request, ctx)`, the same bodies on the wire (JSON encoded like httpx2's, forms and
multipart uploads byte-for-byte in httpx2's layout, so emulators and cassettes see one request),
the same framing of streams (`SSEDecoder`, `LineDecoder`), the same errors (`APITimeoutError` for
a connect or read timeout, `APIConnectionError` for a failed connection, `StreamInterruptedError`
for a stream or WebSocket session that breaks), the same refusal semantics for a WebSocket
upgrade (its status, headers and body go back to the flow), and the same log event and observer
calls. One `aiohttp.ClientSession` is created on the first request (inside the event loop, as
aiohttp wants) and pools the connections; aiohttp runs on asyncio only.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from contextvars import ContextVar
from urllib.parse import urlencode

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from multidict import CIMultiDictProxy
from yarl import URL

from ._backend import (
    USER_AGENT,
    Reporting,
    Request,
    encode_json,
    read_and_connect_timeouts,
    read_timeout,
    wants_stream,
)
from ._errors import APIConnectionError, APIError, APITimeoutError, StreamInterruptedError
from ._flow import FilePart, HttpRequest, HttpResponse, StreamEvent, WebSocketRequest
from ._framing import LineDecoder, SSEDecoder
from ._observe import Observer
from ._provider import CallContext

__all__ = ["AiohttpTransport"]

_FAILURES = (TimeoutError, aiohttp.ClientError)
_HANDSHAKE: ContextVar[list[tuple[aiohttp.ClientResponse, bytes]] | None] = ContextVar(
    "relaykit_ws_handshake", default=None
)


class _Response(aiohttp.ClientResponse):
    """aiohttp's response, keeping hold of a WebSocket handshake's answer (and a refusal's body,
    which `ws_connect` would otherwise throw away)."""

    async def start(self, connection: aiohttp.connector.Connection) -> _Response:
        await super().start(connection)
        handshake = _HANDSHAKE.get()
        if handshake is not None:
            handshake.append((self, b"" if self.status == 101 else await self.read()))
        return self


def connection_error(exc: BaseException, ctx: CallContext, *, during_stream: bool = False) -> APIError:
    """Map an aiohttp (or timeout) exception to the relaykit error tree."""
    kind = type(exc).__name__
    if during_stream:
        return StreamInterruptedError(f"the stream broke: {kind}", provider=ctx.provider, model=ctx.model)
    if isinstance(exc, TimeoutError):
        return APITimeoutError(f"timed out ({kind})", provider=ctx.provider, model=ctx.model)
    return APIConnectionError(f"connection failed: {kind}", provider=ctx.provider, model=ctx.model)


class AiohttpTransport(Reporting):
    """Sends `HttpRequest`s and `WebSocketRequest`s on one pooled `aiohttp.ClientSession`."""

    def __init__(self, observer: Observer | None = None) -> None:
        super().__init__(observer)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._timeouts: dict[tuple[float, float], aiohttp.ClientTimeout] = {}
        self._proxies = bool(urllib.request.getproxies())

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            if self._closed:
                raise RuntimeError("the client has been closed")
            self._session = aiohttp.ClientSession(
                response_class=_Response,
                timeout=aiohttp.ClientTimeout(total=None),
                skip_auto_headers=("content-type",),  # as with httpx2: only the bodies that have one
            )
        return self._session

    def _timeout(self, request: Request, ctx: CallContext) -> aiohttp.ClientTimeout:
        read, connect = read_and_connect_timeouts(request, ctx)
        timeout = self._timeouts.get((read, connect))
        if timeout is None:
            # `connect` bounds the wait for a pooled connection too (httpx2's pool timeout is `read`).
            timeout = aiohttp.ClientTimeout(total=None, connect=read, sock_connect=connect, sock_read=read)
            if len(self._timeouts) >= 64:  # per-call timeouts may vary without end: keep the cache small
                self._timeouts.clear()
            self._timeouts[read, connect] = timeout
        return timeout

    def _proxy(self, url: URL) -> URL | None:
        if not self._proxies:
            return None
        with contextlib.suppress(LookupError):
            return get_env_proxy_for_url(url)[0]
        return None

    async def send(self, request: Request, ctx: CallContext) -> tuple[HttpResponse, AsyncIterator[StreamEvent] | None]:
        started = self._sending(request, ctx)
        if isinstance(request, WebSocketRequest):
            return await self._websocket(request, ctx, started)
        session = self._client()
        url = _url(request.url, request.params)
        headers, body = _body(request, ctx)
        try:
            raw = await session.request(
                request.method,
                url,
                headers=headers,
                data=body,
                timeout=self._timeout(request, ctx),
                proxy=self._proxy(url),
            )
        except _FAILURES as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        try:
            if wants_stream(request, raw.status, raw.headers.get("content-type", "")):
                response = _response(raw, b"", streaming=True)
                self._report(request, ctx, response, started)
                return response, _Events(raw, request, ctx)
            content = await raw.read()
        except _FAILURES as exc:
            raw.close()
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        except BaseException:
            raw.close()
            raise
        raw.release()
        response = _response(raw, content, streaming=False)
        self._report(request, ctx, response, started)
        return response, None

    async def _websocket(
        self, request: WebSocketRequest, ctx: CallContext, started: float
    ) -> tuple[HttpResponse, AsyncIterator[StreamEvent] | None]:
        session = self._client()
        url = _url(request.url, request.params)
        read = read_timeout(request, ctx)
        handshake: list[tuple[aiohttp.ClientResponse, bytes]] = []
        token = _HANDSHAKE.set(handshake)
        try:
            async with asyncio.timeout(read):
                ws = await session.ws_connect(
                    url,
                    headers={"user-agent": USER_AGENT, **ctx.settings.headers, **request.headers},
                    timeout=aiohttp.ClientWSTimeout(ws_receive=read, ws_close=read),
                    proxy=self._proxy(url),
                    max_msg_size=0,
                )
        except aiohttp.WSServerHandshakeError as exc:
            if not handshake or handshake[-1][0].status == 101:  # a 101 whose headers are wrong
                self._report(request, ctx, None, started, error=type(exc).__name__)
                raise connection_error(exc, ctx) from exc
            response = _response(*handshake[-1], streaming=False)
            self._report(request, ctx, response, started)
            return response, None
        except _FAILURES as exc:
            self._report(request, ctx, None, started, error=type(exc).__name__)
            raise connection_error(exc, ctx) from exc
        finally:
            _HANDSHAKE.reset(token)
        response = _response(handshake[-1][0], b"", streaming=True)
        self._report(request, ctx, response, started)
        frames = _Frames(ws, read, ctx)
        try:
            for message in request.messages:
                await ws.send_str(message)
        except (*_FAILURES, OSError) as exc:
            await frames.aclose()
            raise connection_error(exc, ctx) from exc
        return response, frames

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()


def _url(url: str, params: Mapping[str, str] | None) -> URL:
    """The URL httpx2 would send: `params` replace the query, encoded like a form."""
    if url.startswith(("ws:", "wss:")):
        url = "http" + url.removeprefix("ws")
    if not params:
        return _parsed(url)
    base = _parsed(url).with_query(None).with_fragment(None)
    return URL(f"{base}?{urlencode(params)}", encoded=True)


@functools.lru_cache(maxsize=256)
def _parsed(url: str) -> URL:
    """A parsed URL (yarl URLs are immutable; an application calls the same few endpoints)."""
    return URL(url)


def _body(request: HttpRequest, ctx: CallContext) -> tuple[dict[str, str], bytes | None]:
    extra = ctx.settings.headers if request.provider_headers else {}
    headers = {"user-agent": USER_AGENT, **extra, **request.headers}
    if request.files is not None:  # even without a file part (text fields only)
        boundary = os.urandom(16).hex()
        headers.setdefault("content-type", f"multipart/form-data; boundary={boundary}")
        return headers, _multipart(boundary, request.data or {}, request.files)
    if request.data is not None:
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return headers, urlencode(list(_fields(request.data))).encode("utf-8")
    if request.json is not None:
        headers.setdefault("content-type", "application/json")
        return headers, encode_json(request.json)
    return headers, request.content


def _fields(data: Mapping[str, str | Sequence[str]]) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    for name, value in data.items():
        if isinstance(value, list | tuple):
            fields.extend((name, str(item)) for item in value)
        else:
            fields.append((name, str(value)))
    return fields


_FORM_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B}}
_FORM_ESCAPE = re.compile("|".join(re.escape(c) for c in _FORM_ESCAPES))


def _param(name: str, value: str) -> str:
    return f'{name}="{_FORM_ESCAPE.sub(lambda match: _FORM_ESCAPES[match.group(0)], value)}"'


def _multipart(boundary: str, data: Mapping[str, str | Sequence[str]], files: Sequence[FilePart]) -> bytes:
    """A ``multipart/form-data`` body in httpx2's layout: the form fields, then the files."""
    out: list[bytes] = []
    delimiter = f"--{boundary}\r\n".encode()
    for name, value in _fields(data):
        out += [delimiter, f"Content-Disposition: form-data; {_param('name', name)}\r\n\r\n".encode(), value.encode()]
        out.append(b"\r\n")
    for part in files:
        disposition = (
            f"Content-Disposition: form-data; {_param('name', part.field)}; {_param('filename', part.filename)}"
        )
        out += [
            delimiter,
            f"{disposition}\r\nContent-Type: {part.content_type}\r\n\r\n".encode(),
            part.content,
            b"\r\n",
        ]
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


def _headers(raw: CIMultiDictProxy[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in raw.items():
        name = key.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _response(raw: aiohttp.ClientResponse, content: bytes, streaming: bool) -> HttpResponse:
    return HttpResponse(
        status=raw.status, headers=_headers(raw.headers), content=content, streaming=streaming, url=str(raw.url)
    )


class _Events(AsyncIterator[StreamEvent]):
    """The framed events of an open body; `aclose()` releases the connection even if never iterated.

    A class rather than an async generator: each network read yields many events, handed out from
    a queue without another generator frame per event (streams are the hot path).
    """

    def __init__(self, raw: aiohttp.ClientResponse, request: HttpRequest, ctx: CallContext) -> None:
        self._raw, self._ctx = raw, ctx
        self._decoder = SSEDecoder() if request.stream == "sse" else LineDecoder()
        self._pending: deque[StreamEvent] = deque()
        self._done = False

    async def __anext__(self) -> StreamEvent:
        while not self._pending:
            if self._done:
                raise StopAsyncIteration
            try:
                chunk = await self._raw.content.readany()
            except _FAILURES as exc:
                await self.aclose()
                raise connection_error(exc, self._ctx, during_stream=True) from exc
            except BaseException:
                await self.aclose()
                raise
            if chunk:
                self._pending.extend(self._decoder.feed(chunk))
            else:
                self._pending.extend(self._decoder.flush())
                await self.aclose()
        return self._pending.popleft()

    async def aclose(self) -> None:
        self._done = True
        self._raw.release()


class _Frames(AsyncIterator[StreamEvent]):
    """The server's WebSocket frames as events, until it closes; `aclose()` ends the session.

    A close frame ends the frames; a connection lost without one (or any failure) is an
    interrupted stream, as with httpx2's sessions.
    """

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, timeout: float, ctx: CallContext) -> None:
        self._ws, self._timeout, self._ctx = ws, timeout, ctx
        self._closed = False

    async def __anext__(self) -> StreamEvent:
        while not self._closed:
            try:
                message = await self._ws.receive(timeout=self._timeout)
            except _FAILURES as exc:
                await self.aclose()
                raise connection_error(exc, self._ctx, during_stream=True) from exc
            kind = message.type
            if kind is aiohttp.WSMsgType.TEXT:
                return StreamEvent(data=message.data)
            if kind is aiohttp.WSMsgType.BINARY:
                return StreamEvent(data=bytes(message.data).decode("utf-8", "replace"))
            if kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING):
                await self.aclose()
                break
            if kind in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                await self.aclose()
                cause = message.data if isinstance(message.data, BaseException) else ConnectionResetError()
                raise connection_error(cause, self._ctx, during_stream=True) from cause
        raise StopAsyncIteration

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(*_FAILURES, OSError, RuntimeError):  # the peer may already be gone
                await self._ws.close()
