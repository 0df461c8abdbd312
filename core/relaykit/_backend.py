"""What every HTTP backend shares, without importing any HTTP client.

relaykit has two async backends (httpx2 in `_transport`, aiohttp in `_transport_aiohttp`) and one
sync backend (httpx2). Each is the only module importing its client; what they must do alike
lives here: the request log event and the observer calls (`Reporting`), the masked URL, the JSON
encoding of a body, when an answer is framed as a stream, and which async backend a client uses.
The framing itself (SSE, NDJSON lines) is in `_framing`.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal, TypeAlias
from urllib.parse import urlencode

from . import __version__
from ._errors import ConfigurationError
from ._events import RequestEvent, ResponseEvent
from ._flow import HttpRequest, HttpResponse, WebSocketRequest
from ._log import log_enabled, log_event
from ._observe import Observer
from ._provider import CallContext

__all__ = [
    "ASYNC_BACKENDS",
    "FRAMING_TYPES",
    "USER_AGENT",
    "AsyncBackend",
    "Reporting",
    "Request",
    "choose_async_backend",
    "encode_json",
    "read_and_connect_timeouts",
    "read_timeout",
    "safe_url",
    "wants_stream",
]

USER_AGENT = f"relaykit/{__version__}"
FRAMING_TYPES = {"sse": ("text/event-stream",), "ndjson": ("application/x-ndjson", "application/jsonl")}

Request: TypeAlias = HttpRequest | WebSocketRequest
AsyncBackend: TypeAlias = Literal["httpx2", "aiohttp"]
ASYNC_BACKENDS: tuple[AsyncBackend, ...] = ("httpx2", "aiohttp")

default_async_backend: AsyncBackend = "httpx2"
"""The backend of an `AsyncClient` given neither `http_backend=` nor the `async_http_backend` key.

Process-wide; the test suite sets it to run every async client test on both backends."""


def choose_async_backend(keyword: str | None, configured: str | None, http_client: Any, path: str | None) -> str:
    """The async backend to use: an `http_client` decides, then the keyword, the file, the default.

    Raises `ConfigurationError` naming the key when the name is unknown, when it contradicts the
    `http_client` given, or when aiohttp is chosen but not installed.
    """
    key, name, where = "http_backend", keyword, None
    if name is None and configured is not None:
        key, name, where = "async_http_backend", configured, path
    if name is not None and name not in ASYNC_BACKENDS:
        raise ConfigurationError(f"unknown HTTP backend {name!r} (expected one of {list(ASYNC_BACKENDS)})", key=key)
    if http_client is not None:
        if keyword not in (None, "httpx2"):
            raise ConfigurationError("http_client is an httpx2.AsyncClient, so the backend is httpx2", key=key)
        return "httpx2"
    name = name or default_async_backend
    if name == "aiohttp":
        try:
            import aiohttp  # noqa: F401 - only to say clearly that it is missing
        except ImportError:
            raise ConfigurationError(
                "the aiohttp backend needs aiohttp: install relaykit[aiohttp]", key=key, path=where
            ) from None
    return name


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""`json.dumps` with these options builds an encoder per call; one, made once, encodes the same."""


def encode_json(value: Any) -> bytes:
    """A JSON body, encoded exactly as httpx2 encodes ``json=`` (compact, UTF-8, no NaN)."""
    return _JSON.encode(value).encode("utf-8")


def read_timeout(request: Request, ctx: CallContext) -> float:
    """Seconds allowed for each read (and write, and wait for a pooled connection)."""
    return request.timeout if request.timeout is not None else ctx.settings.timeout


def read_and_connect_timeouts(request: Request, ctx: CallContext) -> tuple[float, float]:
    """The read timeout, and the connect timeout (never longer than the read one)."""
    read = read_timeout(request, ctx)
    return read, min(ctx.settings.connect_timeout, read)


def wants_stream(request: Request, status: int, content_type: str) -> bool:
    """Whether to leave the answer open and frame it: a WebSocket upgrade that succeeded, or a
    successful streamed request answered in the framing's content type."""
    if isinstance(request, WebSocketRequest):
        return status == 101
    if request.stream is None or status >= 300:
        return False
    return content_type.partition(";")[0].strip().lower() in FRAMING_TYPES[request.stream]


def safe_url(request: Request) -> str:
    """The request URL with secret query parameters masked, for logs."""
    url = request.url
    if request.secret_params and "?" in url:  # secrets in the URL's own query (a signed download URL)
        base, _, query = url.partition("?")
        pairs = (pair.partition("=") for pair in query.split("&"))
        url = base + "?" + "&".join(k + s + ("***" if k in request.secret_params else v) for k, s, v in pairs)
    if not request.params:
        return url
    shown = {key: ("***" if key in request.secret_params else value) for key, value in request.params.items()}
    return f"{url}?{urlencode(shown)}"


def _method(request: Request) -> str:
    return request.method if isinstance(request, HttpRequest) else "WEBSOCKET"


class Reporting:
    """Logs one event per request and tells the observer hooks (request sent, answer arrived)."""

    def __init__(self, observer: Observer | None) -> None:
        self._observer = observer or Observer()

    def _sending(self, request: Request, ctx: CallContext) -> float:
        if self._observer.listens("on_request"):
            self._observer.request(RequestEvent(ctx.provider, ctx.model, _method(request), safe_url(request)))
        return time.perf_counter()

    def _report(
        self, request: Request, ctx: CallContext, response: HttpResponse | None, started: float, error: str = ""
    ) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        if log_enabled():
            _log(request, ctx, response, duration_ms, error)
        if response is not None and self._observer.listens("on_response"):
            self._observer.response(
                ResponseEvent(
                    provider=ctx.provider,
                    model=ctx.model,
                    method=_method(request),
                    url=safe_url(request),
                    status=response.status,
                    request_id=response.request_id,
                    duration_ms=duration_ms,
                    streamed=response.streaming,
                )
            )


def _log(request: Request, ctx: CallContext, response: HttpResponse | None, duration_ms: float, error: str) -> None:
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
        duration_ms=duration_ms,
        **extra,
    )
