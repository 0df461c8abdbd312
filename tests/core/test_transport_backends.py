"""The two async backends side by side over real sockets: the same wire, events, errors and logs.

Every test runs the same flow on `AsyncTransport` (httpx2) and `AiohttpTransport` against one local
emulator and checks what the server received and what the flow got back.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Any

import pytest
import structlog

import relaykit
from relaykit._driver import run_async
from relaykit._observe import Observer
from relaykit._transport import AsyncTransport
from relaykit.plugin import (
    CallContext,
    Collect,
    FilePart,
    Flow,
    HttpRequest,
    StreamEvent,
    Streaming,
    WebSocketRequest,
    api_error,
)
from relaykit.testing import Emulator, Fault, RecordedRequest, Reply, WebSocketPeer
from relaykit.testing._cassette_match import parse_multipart

from ..helpers import make_context

pytest.importorskip("aiohttp")
from relaykit._transport_aiohttp import AiohttpTransport

pytestmark = pytest.mark.anyio

Transport = AsyncTransport | AiohttpTransport
SSE_BODY = [
    b": a comment, then an event split over two chunks\r\n",
    b'event: delta\r\nid: 7\r\ndata: {"text": "\xe4\xbd',
    b'\xa0\xe5\xa5\xbd"}\r\n\r\n',
    b"data: line one\ndata: line two\n\nretry: 10\n\ndata: [DONE]\n\n",
]


class EchoEmulator(Emulator):
    """Echoes requests; streams fixed SSE and NDJSON bodies; counts WebSocket frames."""

    def __init__(self) -> None:
        super().__init__(api_key=None)
        self.route("POST", "/echo", lambda request: Reply.json({"ok": True, "你好": "世界"}))
        self.route("GET", "/echo", lambda request: Reply.json({"query": request.query}))
        self.route("POST", "/sse", lambda request: Reply.stream(SSE_BODY, content_type="text/event-stream"))
        self.route("POST", "/ndjson", lambda request: Reply.ndjson([{"i": 0}, {"i": 1, "t": "你好"}]))
        self.route("GET", "/ws", self.session)
        self.route("POST", "/moved", lambda request: Reply(307, {"location": "/echo"}, b""))

    def session(self, request: RecordedRequest) -> Reply:
        def run(peer: WebSocketPeer) -> None:
            count = json.loads(peer.receive_text() or "{}")["count"]
            for index in range(count):
                peer.send_text(json.dumps({"i": index}))
            peer.send_text(json.dumps({"done": True}))

        return Reply.websocket(run)


@pytest.fixture(scope="module")
def server() -> Iterator[EchoEmulator]:
    with EchoEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: EchoEmulator) -> EchoEmulator:
    server.reset()
    return server


@pytest.fixture(params=["httpx2", "aiohttp"])
async def transport(request: pytest.FixtureRequest) -> AsyncIterator[Transport]:
    """Each backend in turn, with the default observer."""
    chosen = AsyncTransport() if request.param == "httpx2" else AiohttpTransport()
    yield chosen
    await chosen.aclose()


def _ctx(emu: Emulator, **settings: Any) -> CallContext:
    return make_context(base_url=emu.origin, **settings)


def _one(request: HttpRequest) -> Flow[Any]:
    response = yield request
    assert response is not None
    return response


def _streamed(request: HttpRequest) -> Flow[Any]:
    response = yield request
    assert response is not None
    assert response.streaming
    return Collect(_Events(), list)


class _Events:
    """Passes events through, and ends at ``[DONE]``."""

    finished = False

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        self.finished = event.data == "[DONE]"
        return [] if self.finished else [event]

    def close(self) -> list[StreamEvent]:
        if not self.finished:
            raise relaykit.StreamInterruptedError("no [DONE]")
        return []


async def test_json_body_headers_and_answer_are_the_same(transport: Transport, emu: EchoEmulator) -> None:
    """The JSON body is byte-identical on both backends; extra headers travel; the answer comes back whole."""
    ctx = _ctx(emu, headers={"X-Tenant": "acme"})
    request = HttpRequest("POST", emu.origin + "/echo", headers={"x-one": "1"}, json={"q": "你好", "n": [1, 2.5]})
    response = await run_async(_one(request), ctx, transport)
    assert response.status == 200
    assert response.json() == {"ok": True, "你好": "世界"}
    assert response.headers["content-type"] == "application/json"
    assert response.request_id is not None
    sent = emu.last_request
    assert sent.body == '{"q":"你好","n":[1,2.5]}'.encode()
    assert (sent.header("content-type"), sent.header("x-tenant"), sent.header("x-one")) == (
        "application/json",
        "acme",
        "1",
    )
    assert sent.header("user-agent", "").startswith("relaykit/")


async def test_provider_headers_can_be_left_out(transport: Transport, emu: EchoEmulator) -> None:
    """`provider_headers=False` keeps the configured extra headers off a request."""
    request = HttpRequest("POST", emu.origin + "/echo", json={}, provider_headers=False)
    await run_async(_one(request), _ctx(emu, headers={"X-Tenant": "acme"}), transport)
    assert emu.last_request.header("x-tenant") is None


async def test_params_replace_the_query_and_secrets_are_masked_in_the_log(
    transport: Transport, emu: EchoEmulator
) -> None:
    """Query parameters are encoded like a form; the log event shows secret ones masked."""
    request = HttpRequest(
        "GET",
        emu.origin + "/echo",
        params={"date": "Tue, 01 Jan 2026 00:00:00 GMT", "authorization": "c2lnbmF0dXJl+/=", "q": "你好"},
        secret_params=frozenset({"authorization"}),
    )
    with structlog.testing.capture_logs() as logs:
        response = await run_async(_one(request), _ctx(emu), transport)
    assert response.json()["query"] == {
        "date": ["Tue, 01 Jan 2026 00:00:00 GMT"],
        "authorization": ["c2lnbmF0dXJl+/="],
        "q": ["你好"],
    }
    (event,) = [log for log in logs if log["event"] == "relaykit.http.request"]
    assert (event["method"], event["status"], event["streamed"]) == ("GET", 200, False)
    assert "c2lnbmF0dXJl" not in json.dumps(event)


async def test_sse_framing_gives_the_same_events(transport: Transport, emu: EchoEmulator) -> None:
    """CRLF lines, a character split across chunks, comments, names, ids and multi-line data frame alike."""
    events = await run_async(_streamed(HttpRequest("POST", emu.origin + "/sse", stream="sse")), _ctx(emu), transport)
    assert events == [
        StreamEvent(data='{"text": "你好"}', event="delta", id="7"),
        StreamEvent(data="line one\nline two", event="message", id="7"),
        StreamEvent(data="", event="message", id="7"),
    ]


async def test_ndjson_framing_gives_one_event_per_line(transport: Transport, emu: EchoEmulator) -> None:
    """An NDJSON body becomes one event per line, until the body ends."""

    def flow() -> Flow[Any]:
        response = yield HttpRequest("POST", emu.origin + "/ndjson", stream="ndjson")
        assert response is not None
        return Streaming(_Events())

    stream = await run_async(flow(), _ctx(emu), transport)
    with pytest.raises(relaykit.StreamInterruptedError):
        _ = [event async for event in stream]


@pytest.mark.parametrize(
    ("files", "data"),
    [
        ([FilePart("image[]", 'a "b".png', b"\x89PNG\x00\xff", "image/png")], {"prompt": "你好", "n": ["1", "2"]}),
        ([], {"model": "m"}),
        (None, {"model": "m", "tags": ["a", "b"]}),
    ],
    ids=["multipart", "multipart-fields-only", "urlencoded"],
)
async def test_forms_reach_the_server_alike(
    transport: Transport, emu: EchoEmulator, files: list[FilePart] | None, data: dict[str, Any]
) -> None:
    """Multipart uploads and URL-encoded forms carry the same parts on both backends."""
    await run_async(_one(HttpRequest("POST", emu.origin + "/echo", data=data, files=files)), _ctx(emu), transport)
    sent = emu.last_request
    if files is None:
        assert sent.content_type == "application/x-www-form-urlencoded"
        assert sent.body == b"model=m&tags=a&tags=b"
        return
    parts = parse_multipart(sent.header("content-type") or "", sent.body)
    fields = [
        (name, None, None, v.encode()) for name, vs in data.items() for v in ([vs] if isinstance(vs, str) else vs)
    ]
    uploads = [(f.field, f.filename.replace('"', "%22"), f.content_type, f.content) for f in files]
    assert parts == [*fields, *uploads]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.drop(), relaykit.APIConnectionError),
        (Fault.latency(0.5), relaykit.APITimeoutError),
        (Fault.cut_stream(), relaykit.APIConnectionError),
    ],
    ids=["drop", "read-timeout", "body-cut"],
)
async def test_failures_map_to_the_same_errors(
    transport: Transport, emu: EchoEmulator, fault: Fault, error: type[Exception]
) -> None:
    """A dropped connection, a read timeout and a truncated body raise the same relaykit errors."""
    emu.inject(fault)
    with structlog.testing.capture_logs() as logs, pytest.raises(error) as caught:
        await run_async(_one(HttpRequest("POST", emu.origin + "/echo", json={}, timeout=0.2)), _ctx(emu), transport)
    assert caught.value.provider == "openai"  # type: ignore[attr-defined]
    (event,) = [log for log in logs if log["event"] == "relaykit.http.request"]
    assert event["status"] is None
    assert event["error"]


async def test_a_refused_connection_is_a_connection_error(transport: Transport) -> None:
    """Nothing listening on the port: APIConnectionError."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(relaykit.APIConnectionError) as caught:
        await run_async(_one(HttpRequest("GET", f"http://127.0.0.1:{port}/")), make_context(), transport)
    assert not isinstance(caught.value, relaykit.APITimeoutError)


async def test_a_stream_cut_mid_event_is_interrupted(transport: Transport, emu: EchoEmulator) -> None:
    """The server dropping the connection mid-stream raises StreamInterruptedError after the events before it."""
    emu.inject(Fault.cut_stream(after_events=1))
    stream = await run_async(
        _flow_streaming(HttpRequest("POST", emu.origin + "/sse", stream="sse")), _ctx(emu), transport
    )
    received: list[StreamEvent] = []
    with pytest.raises(relaykit.StreamInterruptedError):
        await _drain(stream, received)
    assert received == []  # the first chunk (a comment) arrived whole; the event was cut


async def _drain(stream: AsyncIterator[Any], into: list[Any]) -> None:
    """Iterate `stream` to its end, keeping what arrives (also when it raises)."""
    async for item in stream:
        into.append(item)  # noqa: PERF401 - what arrived before the error is the point


def _flow_streaming(request: HttpRequest) -> Flow[Any]:
    response = yield request
    assert response is not None
    return Streaming(_Events())


def _session(emu: Emulator, count: int, whole: bool = False) -> Flow[Any]:
    ctx = _ctx(emu)
    response = yield WebSocketRequest(
        emu.origin.replace("http", "ws", 1) + "/ws",
        params={"authorization": "c2lnbmF0dXJl"},
        messages=[json.dumps({"count": count})],
        secret_params=frozenset({"authorization"}),
    )
    assert response is not None
    if response.status != 101:
        raise api_error(response, ctx, f"upgrade refused: {response.text}")
    return Collect(_Frames(), list) if whole else Streaming(_Frames())


class _Frames:
    finished = False

    def feed(self, event: StreamEvent) -> list[int]:
        frame = json.loads(event.data)
        self.finished = bool(frame.get("done"))
        return [] if self.finished else [frame["i"]]

    def close(self) -> list[int]:
        if not self.finished:
            raise relaykit.StreamInterruptedError("closed early")
        return []


async def test_websocket_frames_stream_and_collect_alike(transport: Transport, emu: EchoEmulator) -> None:
    """A WebSocket session's frames stream to the decoder, or are collected whole, on both backends."""
    with structlog.testing.capture_logs() as logs:
        stream = await run_async(_session(emu, 3), _ctx(emu), transport)
        assert [item async for item in stream] == [0, 1, 2]
    assert await run_async(_session(emu, 2, whole=True), _ctx(emu), transport) == [0, 1]
    assert emu.last_request.header("upgrade") == "websocket"
    event = next(log for log in logs if log["event"] == "relaykit.http.request")
    assert (event["method"], event["status"], event["streamed"]) == ("WEBSOCKET", 101, True)
    assert "c2lnbmF0dXJl" not in json.dumps(event)


async def test_a_refused_upgrade_hands_status_headers_and_body_to_the_flow(
    transport: Transport, emu: EchoEmulator
) -> None:
    """A 401 instead of 101 reaches the flow with its body, which it maps like any error answer."""
    emu.inject(Fault.status(401, body=b'{"message": "HMAC signature does not match"}', headers={"x-why": "sig"}))
    seen: list[Any] = []

    def flow() -> Flow[Any]:
        response = yield WebSocketRequest(emu.origin + "/ws", messages=["{}"])
        seen.append(response)
        return None

    await run_async(flow(), _ctx(emu), transport)
    (response,) = seen
    assert (response.status, response.streaming, response.headers["x-why"]) == (401, False, "sig")
    assert response.json() == {"message": "HMAC signature does not match"}


async def test_a_websocket_cut_mid_frame_is_interrupted(transport: Transport, emu: EchoEmulator) -> None:
    """The server dropping the session mid-frame raises StreamInterruptedError after the whole frames."""
    emu.inject(Fault.cut_stream(after_events=2))
    stream = await run_async(_session(emu, 5), _ctx(emu), transport)
    received: list[int] = []
    with pytest.raises(relaykit.StreamInterruptedError):
        await _drain(stream, received)
    assert received == [0, 1]


async def test_observers_hear_the_same_events(emu: EchoEmulator) -> None:
    """Both backends tell the observer hooks the same request and response events."""
    heard: dict[str, list[tuple[str, Any]]] = {}
    for name, make in (("httpx2", AsyncTransport), ("aiohttp", AiohttpTransport)):
        observer = _Recording(heard.setdefault(name, []))
        chosen = make(observer=observer)
        await run_async(_one(HttpRequest("POST", emu.origin + "/echo", json={})), _ctx(emu), chosen)
        await chosen.aclose()
    assert [kind for kind, _ in heard["httpx2"]] == ["request", "response"]
    assert _stable(heard["httpx2"]) == _stable(heard["aiohttp"])


def _stable(heard: list[tuple[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """The events without what differs from one request to the next (timing, request id)."""
    return [
        (kind, {k: v for k, v in asdict(event).items() if k not in ("duration_ms", "request_id")})
        for kind, event in heard
    ]


class _Recording(Observer):
    def __init__(self, heard: list[tuple[str, Any]]) -> None:
        super().__init__()
        self._heard = heard

    def listens(self, name: str) -> bool:
        return True

    def request(self, event: Any) -> None:
        self._heard.append(("request", event))

    def response(self, event: Any) -> None:
        self._heard.append(("response", event))


async def test_a_redirect_is_followed_with_the_same_body(transport: Transport, emu: EchoEmulator) -> None:
    """A 307 reaches the new location with the same method and body, on both backends."""
    request = HttpRequest("POST", emu.origin + "/moved", json={"q": 1})
    response = await run_async(_one(request), _ctx(emu), transport)
    assert (response.status, response.json()["ok"]) == (200, True)
    assert [(sent.path, sent.body) for sent in emu.requests[-2:]] == [("/moved", b'{"q":1}'), ("/echo", b'{"q":1}')]


async def test_the_http_clients_default_headers_are_sent(transport: Transport, emu: EchoEmulator) -> None:
    """Compression is asked for and connections kept alive, as the HTTP client itself would."""
    await run_async(_one(HttpRequest("POST", emu.origin + "/echo", json={})), _ctx(emu), transport)
    assert "gzip" in emu.last_request.header("accept-encoding", "")
