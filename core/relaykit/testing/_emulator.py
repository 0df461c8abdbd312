"""`Emulator`: a real local HTTP server that speaks a vendor dialect, for tests, demos and benchmarks.

An emulator listens on 127.0.0.1 on an ephemeral port, so any number run at once. It serves each
request from a routing table (``(method, path pattern) -> handler``), records every request, and
injects faults on request (see `relaykit.testing.Fault`)::

    from relaykit.testing import Emulator, Fault, Reply

    class EchoEmulator(Emulator):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.route("POST", "/echo/{name}", self.echo)

        def echo(self, request):
            return Reply.json({"name": request.path_params["name"], "body": request.json()})

    with EchoEmulator() as emu:                      # started; stopped on exit
        emu.inject(Fault.status(429, retry_after=2))   # the next request gets a 429
        ...                                          # point a client at emu.base_url
        assert emu.requests[0].path == "/echo/x"

Dialect plugins ship a subclass (``relaykit_openai.emulator.OpenAIEmulator``) that adds the routes,
the authentication check (`authorize`) and the error envelope (`error_reply`) of their dialect.

The server is stdlib only: a `ThreadingHTTPServer` with one daemon thread per connection, HTTP/1.1
keep-alive, ``TCP_NODELAY``, and streamed answers sent as chunked bodies flushed event by event.
`stop()` closes idle keep-alive connections too, so no thread outlives it.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, unquote, urlsplit

from ._exchange import EmulatedError, RecordedRequest, Reply
from ._faults import FAULT_HEADER, Fault
from ._server import Answer, EmulatorServer

__all__ = ["Emulator", "RouteHandler"]

RouteHandler = Callable[[RecordedRequest], Reply]
"""A route handler: takes the request, returns the reply (or raises `EmulatedError`)."""

_PARAM = re.compile(r"\{(\w+)(?::(path))?\}")
_STATUS_DEFAULTS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "The request is invalid."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: ("permission_error", None, "You are not allowed to do this."),
    404: ("invalid_request_error", "not_found", "Not found."),
    408: ("timeout", None, "The request timed out."),
    409: ("invalid_request_error", "conflict", "The request conflicts with the current state."),
    422: ("invalid_request_error", None, "The request could not be processed."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached. Please try again later."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", "service_unavailable", "The engine is currently overloaded, please try again later."),
    504: ("server_error", None, "Gateway timeout."),
    529: ("overloaded_error", None, "Overloaded."),
}


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: RouteHandler
    auth: bool


@dataclass(slots=True)
class _QueuedFault:
    fault: Fault
    path: str | None
    remaining: int | None


class Emulator:
    """A local HTTP server speaking one dialect; subclass it per dialect.

    Args:
        api_key: the key requests must carry (see `authorize`); None accepts any request.
        host: the address to listen on (``127.0.0.1``; ``::1`` for IPv6).
        port: the port; 0 picks a free one.
    """

    base_path: ClassVar[str] = ""
    """What `base_url` adds to the origin (``"/v1"`` for the OpenAI dialect)."""
    request_id_header: ClassVar[str] = "x-request-id"
    """The response header that carries a fresh request id on every answer."""
    demo_model: ClassVar[str | None] = None
    """A chat (or, for media-only dialects, image) model the emulator serves, for ``relaykit demo``."""

    def __init__(self, *, api_key: str | None = "test-key", host: str = "127.0.0.1", port: int = 0) -> None:
        self.api_key = api_key
        self.host = host
        self._requested_port = port
        self._lock = threading.Lock()
        self._routes: list[_Route] = []
        self._faults: list[_QueuedFault] = []
        self._requests: list[RecordedRequest] = []
        self._files: dict[str, tuple[bytes, str]] = {}
        self._ids = itertools.count(1)
        self._server: EmulatorServer | None = None
        self._stopping = threading.Event()
        self.errors: list[BaseException] = []
        """Exceptions raised by route handlers (each also answered with a 500), for debugging."""
        self.route("GET", "/files/{name}", self._serve_file, auth=False)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind the port and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = EmulatorServer((self.host, self._requested_port), self._answer, self._record_error)
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every open connection and wait for the connection threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.origin if self._server is not None else "stopped"
        return f"<{type(self).__name__} {where}>"

    @property
    def port(self) -> int:
        """The port being listened on (raises RuntimeError before `start`)."""
        return self._running_server().port

    @property
    def origin(self) -> str:
        """``http://host:port``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The URL a client is configured with: `origin` plus `base_path`."""
        return self.origin + self.base_path

    def client_settings(self, kind: str) -> dict[str, Any]:
        """The provider section (settings) of provider kind `kind` pointed at this running emulator.

        The default is `base_url` and `api_key`; emulators whose dialect needs more (a secret,
        an app id, a WebSocket URL, a short poll interval) override it.
        """
        return {"kind": kind, "base_url": self.base_url, "api_key": self.api_key or "none"}

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.origin + "/" + path.lstrip("/")

    # -- configuration ------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: RouteHandler, *, auth: bool = True) -> None:
        """Serve `method` requests to `pattern` with `handler`.

        `pattern` is a path with ``{name}`` placeholders (one segment) or ``{name:path}`` (the rest
        of the path), found in `RecordedRequest.path_params`. A later route for the same method and
        pattern replaces the earlier one, so tests can override a dialect's endpoint. With
        ``auth=False`` the route skips `authorize` (e.g. public file URLs).
        """
        regex = re.compile(_compile(pattern))
        new = _Route(method.upper(), pattern, regex, handler, auth)
        with self._lock:
            self._routes = [new, *(r for r in self._routes if (r.method, r.pattern) != (new.method, pattern))]

    def inject(self, fault: Fault, *, path: str | None = None, times: int | None = 1) -> None:
        """Queue `fault` for the next `times` requests whose path matches `path`.

        `path` is a request path (``/v1/chat/completions``) or a glob (``*/embeddings``); None
        matches every request. ``times=None`` keeps the fault until `clear_faults` or `reset`.
        Queued faults are consumed in order, one per request.
        """
        if times is not None and times < 1:
            raise ValueError("times: must be at least 1 (or None for every request)")
        with self._lock:
            self._faults.append(_QueuedFault(fault, path, times))

    def clear_faults(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()

    def publish(self, content: bytes, content_type: str, *, suffix: str = "") -> str:
        """Serve `content` at a fresh, unauthenticated ``/files/<id><suffix>`` URL and return it."""
        name = f"file-{self.next_id()}{suffix}"
        with self._lock:
            self._files[name] = (content, content_type)
        return self.url(f"/files/{name}")

    def reset(self) -> None:
        """Forget recorded requests, queued faults and handler errors (subclasses add their state)."""
        with self._lock:
            self._requests.clear()
            self._faults.clear()
            self.errors.clear()

    # -- records ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request (raises LookupError when there is none)."""
        with self._lock:
            if not self._requests:
                raise LookupError("the emulator has received no request")
            return self._requests[-1]

    def next_id(self) -> int:
        """A number unique within this emulator, for ids of generated objects."""
        with self._lock:
            return next(self._ids)

    # -- dialect hooks ------------------------------------------------------------------------

    def authorize(self, request: RecordedRequest) -> Reply | None:
        """Check the request's credentials; None lets it through, a `Reply` answers instead.

        The default accepts ``Authorization: Bearer <api_key>``. Only called when `api_key` is set.
        """
        if request.header("authorization") == f"Bearer {self.api_key}":
            return None
        return self.error_reply(401, "Incorrect API key provided.", error_code="invalid_api_key")

    def error_reply(
        self,
        status: int,
        message: str | None = None,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """The dialect's error answer. The default is OpenAI's ``{"error": {...}}`` envelope.

        Without a `message` (a bare status fault) the message and code are the status's usual
        ones; `error_type` defaults to the status's usual type either way.
        """
        default_type, default_code, default_message = _STATUS_DEFAULTS.get(
            status, ("server_error" if status >= 500 else "invalid_request_error", None, f"HTTP {status}")
        )
        if message is None:
            message, error_code = default_message, error_code or default_code
        error = {"message": message, "type": error_type or default_type, "param": param, "code": error_code}
        return Reply.json({"error": error}, status=status, headers=headers, indent=4)

    def not_found(self, request: RecordedRequest) -> Reply:
        """The answer for a path no route serves."""
        return self.error_reply(404, f"Unknown request URL: {request.method} {request.path}.", error_code="unknown_url")

    # -- serving (called on connection threads) ------------------------------------------------

    def _answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parts = urlsplit(target)
        path = parts.path or "/"
        header_fault, fault_problem = _header_fault(headers)
        route, params, allowed = self._match(method, path)
        with self._lock:
            fault = header_fault if header_fault is not None or fault_problem else self._take_fault(path)
        request = RecordedRequest(
            method=method,
            path=path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=body,
            path_params=params,
            fault=fault,
            received_at=time.monotonic(),
        )
        with self._lock:
            self._requests.append(request)
        request_id = f"req_emu_{self.next_id():06d}"
        if fault_problem:
            return self._final(self.error_reply(400, fault_problem, param=FAULT_HEADER), request_id)
        cut = None
        if fault is not None:
            if fault.kind == "drop":
                return Answer(None)
            if fault.kind == "status":
                return self._final(self._status_fault(fault), request_id)
            if fault.kind == "malformed_json":
                return self._final(Reply.binary(fault.malformed_body, content_type="application/json"), request_id)
            if fault.kind == "latency" and self._stopping.wait(fault.seconds):
                return Answer(None)
            cut = fault if fault.kind == "cut_stream" else None
        reply = self._serve(request, route, allowed)
        return Answer(_with_header(reply, self.request_id_header, request_id), cut, self._stopping)

    def _final(self, reply: Reply, request_id: str) -> Answer:
        return Answer(_with_header(reply, self.request_id_header, request_id), None, self._stopping)

    def _serve(self, request: RecordedRequest, route: _Route | None, allowed: list[str]) -> Reply:
        if route is None:
            if allowed:
                allow = {"allow": ", ".join(sorted(set(allowed)))}
                return self.error_reply(405, f"Method {request.method} not allowed for {request.path}.", headers=allow)
            return self.not_found(request)
        if route.auth and self.api_key is not None and (denied := self.authorize(request)) is not None:
            return denied
        try:
            return route.handler(request)
        except EmulatedError as exc:
            return self.error_reply(
                exc.status, exc.message, error_code=exc.error_code, error_type=exc.error_type, param=exc.param
            )
        except Exception as exc:  # noqa: BLE001 - a handler bug: answer 500, keep it for the test to see
            self._record_error(exc)
            return self.error_reply(500, f"The emulator's handler failed: {type(exc).__name__}: {exc}")

    def _status_fault(self, fault: Fault) -> Reply:
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["retry-after"] = _seconds(fault.retry_after)
        custom = fault.error_body()
        if custom is not None:
            content, content_type = custom
            return Reply.binary(content, content_type=content_type, status=fault.status_code, headers=headers)
        return self.error_reply(fault.status_code, error_code=fault.error_code, headers=headers)

    def _match(self, method: str, path: str) -> tuple[_Route | None, dict[str, str], list[str]]:
        allowed: list[str] = []
        with self._lock:
            routes = list(self._routes)
        for route in routes:
            found = route.regex.fullmatch(path)
            if found is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, {k: unquote(v) for k, v in found.groupdict().items()}, []
            allowed.append(route.method)
        return None, {}, allowed

    def _take_fault(self, path: str) -> Fault | None:
        for position, queued in enumerate(self._faults):
            if queued.path is None or fnmatchcase(path, queued.path):
                if queued.remaining is not None:
                    queued.remaining -= 1
                    if queued.remaining == 0:
                        del self._faults[position]
                return queued.fault
        return None

    def _serve_file(self, request: RecordedRequest) -> Reply:
        with self._lock:
            found = self._files.get(request.path_params["name"])
        if found is None:
            return self.not_found(request)
        content, content_type = found
        return Reply.binary(content, content_type=content_type)

    def _record_error(self, exc: BaseException) -> None:
        with self._lock:
            self.errors.append(exc)

    def _running_server(self) -> EmulatorServer:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running; call start() or use it in a with block")
        return self._server


def _compile(pattern: str) -> str:
    regex, last = [], 0
    for found in _PARAM.finditer(pattern):
        regex.append(re.escape(pattern[last : found.start()]))
        regex.append(f"(?P<{found.group(1)}>{'.+' if found.group(2) else '[^/]+'})")
        last = found.end()
    regex.append(re.escape(pattern[last:]))
    return "".join(regex) + "/?"


def _header_fault(headers: Mapping[str, str]) -> tuple[Fault | None, str | None]:
    value = headers.get(FAULT_HEADER)
    if value is None:
        return None, None
    try:
        return Fault.parse(value), None
    except ValueError as exc:
        return None, str(exc)


def _with_header(reply: Reply, name: str, value: str) -> Reply:
    if name in reply.headers:
        return reply
    return Reply(reply.status, {**reply.headers, name: value}, reply.body, reply.chunks, reply.delay, reply.session)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
