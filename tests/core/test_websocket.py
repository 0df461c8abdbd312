"""WebSocket effects: flows open a session, send frames, and read the answer streamed or whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import structlog

import relaykit
from relaykit._driver import run_async, run_sync
from relaykit._transport import AsyncTransport, SyncTransport
from relaykit.plugin import Collect, Flow, StreamEvent, Streaming, WebSocketRequest, api_error
from relaykit.testing import Emulator, Fault, RecordedRequest, Reply, WebSocketPeer

from ..helpers import make_context


class CountingEmulator(Emulator):
    """Answers {"count": n} with n frames {"i": k}, then {"done": true}, then closes."""

    def __init__(self) -> None:
        super().__init__(api_key=None)
        self.route("GET", "/ws", self.session)

    def session(self, request: RecordedRequest) -> Reply:
        def run(peer: WebSocketPeer) -> None:
            message = peer.receive_text()
            count = json.loads(message or "{}").get("count", 0)
            for index in range(count):
                peer.send_text(json.dumps({"i": index, "text": "你好"}))
            peer.send_text(json.dumps({"done": True}))

        return Reply.websocket(run)


class Frames:
    """Decodes {"i": k} frames into k and stops at {"done": true}."""

    def __init__(self) -> None:
        self.finished = False

    def feed(self, event: StreamEvent) -> list[int]:
        frame = json.loads(event.data)
        if frame.get("done"):
            self.finished = True
            return []
        assert frame["text"] == "你好"
        return [frame["i"]]

    def close(self) -> list[int]:
        if not self.finished:
            raise relaykit.StreamInterruptedError("the session closed early")
        return []


def _flow(count: int, *, whole: bool = False) -> Flow[Any]:
    ctx = make_context()
    response = yield WebSocketRequest(
        "ws" + ctx.settings.base_url.removeprefix("http") + "/ws",
        params={"authorization": "c2lnbmF0dXJl", "host": "x"},
        messages=[json.dumps({"count": count})],
        secret_params=frozenset({"authorization"}),
    )
    assert response is not None
    if response.status != 101:
        raise api_error(response, ctx, f"upgrade refused: {response.text}")
    if whole:
        return Collect(Frames(), sum)
    return Streaming(Frames())


@pytest.fixture(scope="module")
def emulator() -> Iterator[CountingEmulator]:
    with CountingEmulator() as emu:
        yield emu


def _ctx(emu: Emulator) -> relaykit.plugin.CallContext:
    return make_context(base_url=emu.origin)


_TRANSPORT: list[SyncTransport] = []


@pytest.fixture(scope="module", autouse=True)
def _transport() -> Iterator[None]:
    _TRANSPORT.append(SyncTransport(httpx2.Client()))
    yield
    _TRANSPORT.pop().close()


def _drive(emu: Emulator, count: int, *, whole: bool = False) -> Any:
    return run_sync(_with_base(_flow(count, whole=whole), emu), _ctx(emu), _TRANSPORT[0])


def _with_base(flow: Flow[Any], emu: Emulator) -> Flow[Any]:
    """Rewrite the flow's request URL to point at `emu` (the flow itself stays as written)."""
    effect = next(flow)
    assert isinstance(effect, WebSocketRequest)
    effect = WebSocketRequest(
        emu.origin.replace("http", "ws", 1) + "/ws",
        params=effect.params,
        messages=effect.messages,
        secret_params=effect.secret_params,
    )
    while True:
        reply = yield effect
        try:
            effect = flow.send(reply)
        except StopIteration as stop:
            return stop.value


def test_frames_stream_to_the_decoder_in_order(emulator: CountingEmulator) -> None:
    """The session's frames become events, decoded as they arrive; Chinese text intact."""
    stream = _drive(emulator, 3)
    assert list(stream) == [0, 1, 2]


def test_collect_reads_the_whole_session_and_reduces_it(emulator: CountingEmulator) -> None:
    """A Collect result drains every frame and returns what reduce makes of the chunks."""
    assert _drive(emulator, 4, whole=True) == 0 + 1 + 2 + 3


def test_the_first_message_is_sent_after_the_upgrade(emulator: CountingEmulator) -> None:
    """The flow's messages reach the server as text frames; its query parameters ride the upgrade."""
    _drive(emulator, 1, whole=True)
    request = emulator.last_request
    assert request.method == "GET"
    assert request.query["host"] == ["x"]
    assert request.headers["upgrade"] == "websocket"


def test_a_refused_upgrade_reaches_the_flow_with_status_and_body(emulator: CountingEmulator) -> None:
    """A 401 instead of 101 is handed to the flow, which maps it like any error answer."""
    emulator.inject(Fault.status(401, body=b'{"message": "HMAC signature does not match"}'))
    with pytest.raises(relaykit.AuthenticationError, match="HMAC signature"):
        _drive(emulator, 1)


def test_a_session_cut_mid_frame_is_an_interrupted_stream(emulator: CountingEmulator) -> None:
    """The server dropping the connection mid-frame raises StreamInterruptedError."""
    emulator.inject(Fault.cut_stream(after_events=2))
    stream = _drive(emulator, 5)
    received: list[int] = []
    with pytest.raises(relaykit.StreamInterruptedError):
        received.extend(stream)
    assert received == [0, 1]


def test_the_log_event_masks_secret_query_parameters(emulator: CountingEmulator) -> None:
    """The signed query string never reaches the logs."""
    with structlog.testing.capture_logs() as logs:
        _drive(emulator, 1, whole=True)
    (event,) = [log for log in logs if log["event"] == "relaykit.http.request"]
    assert event["method"] == "WEBSOCKET"
    assert event["status"] == 101
    assert "c2lnbmF0dXJl" not in json.dumps(event)


@pytest.mark.anyio
async def test_async_driver_streams_and_collects_the_same(emulator: CountingEmulator) -> None:
    """The async driver runs the identical flows over httpx2's async WebSocket session."""
    transport = AsyncTransport(httpx2.AsyncClient())
    stream = await run_async(_with_base(_flow(3), emulator), _ctx(emulator), transport)
    assert [item async for item in stream] == [0, 1, 2]
    total = await run_async(_with_base(_flow(3, whole=True), emulator), _ctx(emulator), transport)
    assert total == 3
    await transport.aclose()
