"""The sync and async drivers: effects performed, errors mapped, streams framed, logs emitted."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
import structlog

import relaykit
from relaykit._driver import run_async, run_sync
from relaykit._transport import AsyncTransport, SyncTransport
from relaykit.plugin import Flow, HttpRequest, StreamEvent, Streaming, Wait

from ..helpers import make_context

Handler = Callable[[httpx2.Request], httpx2.Response]


def _sync(handler: Handler) -> SyncTransport:
    return SyncTransport(httpx2.Client(transport=httpx2.MockTransport(handler)))


def _async(handler: Handler) -> AsyncTransport:
    return AsyncTransport(httpx2.AsyncClient(transport=httpx2.MockTransport(handler)))


def _echo_flow(stream: bool = False) -> Flow[Any]:
    response = yield HttpRequest(
        "POST", "https://vendor.test/v1/echo", json={"q": "你好"}, stream="sse" if stream else None
    )
    assert response is not None
    if stream:
        return Streaming(_Collector())
    return response.json()


class _Collector:
    """A decoder that yields each event's data and ends at END."""

    def __init__(self) -> None:
        self.finished = False

    def feed(self, event: StreamEvent) -> list[str]:
        if event.data == "END":
            self.finished = True
            return []
        if event.data == "BAD":
            raise KeyError("choices")
        return [event.data]

    def close(self) -> list[str]:
        if not self.finished:
            raise relaykit.StreamInterruptedError("no END")
        return []


def test_json_round_trip_keeps_chinese_text() -> None:
    """A flow's JSON body reaches the server and the answer comes back, Chinese intact."""
    seen: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.content))
        return httpx2.Response(200, json={"a": "世界"})

    assert run_sync(_echo_flow(), make_context(), _sync(handler)) == {"a": "世界"}
    assert seen == [{"q": "你好"}]


def test_extra_headers_from_settings_are_sent() -> None:
    """Provider `headers` settings travel with every request."""
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.headers["x-tenant"])
        return httpx2.Response(200, json={})

    run_sync(_echo_flow(), make_context(headers={"X-Tenant": "acme"}), _sync(handler))
    assert seen == ["acme"]


def test_wait_effects_sleep_then_resume(monkeypatch: pytest.MonkeyPatch) -> None:
    """A yielded Wait sleeps in the driver and the flow receives None."""
    slept: list[float] = []
    monkeypatch.setattr("relaykit._driver.time.sleep", slept.append)

    def flow() -> Flow[str]:
        reply = yield Wait(0.25)
        assert reply is None
        return "done"

    assert run_sync(flow(), make_context(), _sync(lambda r: httpx2.Response(500))) == "done"
    assert slept == [0.25]


def test_connection_failure_becomes_api_connection_error() -> None:
    """A transport error is mapped, with provider and model set."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    with pytest.raises(relaykit.APIConnectionError) as caught:
        run_sync(_echo_flow(), make_context(), _sync(handler))
    assert caught.value.provider == "openai"


def test_timeout_becomes_api_timeout_error() -> None:
    """A read timeout is an APITimeoutError (a kind of connection error)."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow", request=request)

    with pytest.raises(relaykit.APITimeoutError):
        run_sync(_echo_flow(), make_context(), _sync(handler))


def test_a_plugin_tripping_on_vendor_output_becomes_response_format_error() -> None:
    """Non-relaykit exceptions inside a flow surface as ResponseFormatError with a redacted excerpt."""
    ctx = make_context()

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=f"not json, key {ctx.api_key}".encode())

    with pytest.raises(relaykit.ResponseFormatError) as caught:
        run_sync(_echo_flow(), ctx, _sync(handler))
    assert caught.value.body_excerpt is not None
    assert "not json" in caught.value.body_excerpt
    assert str(ctx.api_key) not in caught.value.body_excerpt


def _sse(*events: str) -> httpx2.Response:
    body = "".join(f"data: {event}\n\n" for event in events)
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def test_stream_events_reach_the_decoder_in_order() -> None:
    """SSE framing by httpx2 feeds each event's data to the decoder until it finishes."""
    stream = run_sync(_echo_flow(stream=True), make_context(), _sync(lambda r: _sse("a", "b", "END", "ignored")))
    assert list(stream) == ["a", "b"]


def test_stream_without_end_marker_is_interrupted() -> None:
    """A body that ends before the decoder's end marker raises StreamInterruptedError."""
    stream = run_sync(_echo_flow(stream=True), make_context(), _sync(lambda r: _sse("a")))
    with pytest.raises(relaykit.StreamInterruptedError):
        list(stream)


def test_malformed_stream_event_becomes_response_format_error() -> None:
    """A decoder exception on an event is reported with the event as excerpt."""
    stream = run_sync(_echo_flow(stream=True), make_context(), _sync(lambda r: _sse("a", "BAD")))
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        list(stream)
    assert caught.value.body_excerpt == "BAD"


def test_stream_answered_with_json_error_is_not_framed() -> None:
    """An error status on a stream request is read whole and handed to the flow."""

    def flow() -> Flow[Any]:
        response = yield HttpRequest("POST", "https://vendor.test/v1/x", stream="sse")
        assert response is not None
        assert not response.streaming
        return response.status, response.json()

    result = run_sync(flow(), make_context(), _sync(lambda r: httpx2.Response(401, json={"error": {}})))
    assert result == (401, {"error": {}})


def test_secret_query_parameters_are_masked_in_logs() -> None:
    """The request log event carries the URL with secret parameters masked, and no headers."""
    ctx = make_context()

    def flow() -> Flow[Any]:
        yield HttpRequest(
            "GET",
            "https://vendor.test/v1/x",
            params={"access_token": "tok-very-secret", "a": "1"},
            headers={"authorization": f"Bearer {ctx.api_key}"},
            secret_params=frozenset({"access_token"}),
        )
        return None

    with structlog.testing.capture_logs() as logs:
        run_sync(flow(), ctx, _sync(lambda r: httpx2.Response(200, json={})))
    (event,) = logs
    assert event["event"] == "relaykit.http.request"
    assert event["status"] == 200
    assert "tok-very-secret" not in json.dumps(event)
    assert str(ctx.api_key) not in json.dumps(event)
    assert event["url"].endswith("access_token=%2A%2A%2A&a=1")


def test_logs_stay_silent_until_the_application_configures_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Without structlog configuration, events go to the stdlib 'relaykit' logger only."""
    with caplog.at_level(logging.INFO, logger="relaykit"):
        run_sync(_echo_flow(), make_context(), _sync(lambda r: httpx2.Response(200, json={})))
    assert any("relaykit.http.request" in record.getMessage() for record in caplog.records)
    assert logging.getLogger("relaykit").handlers  # a NullHandler: nothing printed by default


@pytest.mark.anyio
async def test_async_driver_runs_the_same_flow() -> None:
    """The async driver runs the identical flow and returns the identical result."""
    result = await run_async(_echo_flow(), make_context(), _async(lambda r: httpx2.Response(200, json={"a": 1})))
    assert result == {"a": 1}


@pytest.mark.anyio
async def test_async_stream_yields_the_same_chunks() -> None:
    """Async streams frame and decode exactly like sync ones."""
    stream = await run_async(_echo_flow(stream=True), make_context(), _async(lambda r: _sse("x", "y", "END")))
    assert [item async for item in stream] == ["x", "y"]


@pytest.mark.anyio
async def test_async_connection_failure_is_mapped() -> None:
    """Async transport errors map like sync ones."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    with pytest.raises(relaykit.APIConnectionError):
        await run_async(_echo_flow(), make_context(), _async(handler))
