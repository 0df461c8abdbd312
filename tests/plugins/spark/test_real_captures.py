"""Every real recorded Spark exchange in ../shared/real-responses/spark parses to the right result.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent. Expected values are computed here from the raw frames and
bodies, independently of the plugin's parsers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, StreamEvent
from relaykit_spark._errors import http_error
from relaykit_spark._frames import SparkFrameDecoder
from relaykit_spark._http import SparkHTTPChunkDecoder, parse_completion

from ._helpers import http_context, ws_context

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "spark"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_ERROR_KINDS = {"10005": relaykit.NotFoundError, "11200": relaykit.PermissionDeniedError}


def _cases(prefix: str) -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    cases = [
        json.loads(path.read_text(encoding="utf-8")) | {"_name": path.stem} for path in sorted(CAPTURES.glob("*.json"))
    ]
    return [pytest.param(case, id=case["_name"]) for case in cases if case["endpoint"].startswith(prefix)]


def _frames(case: dict[str, Any]) -> list[str]:
    response = case["response"]
    if response.get("body_raw"):
        return list(response["body_raw"])
    body = response["body"]
    return [json.dumps(item, ensure_ascii=False) for item in (body if isinstance(body, list) else [body])]


def _sse_data(raw: str) -> list[str]:
    """The data of each SSE event, read the standard way (an optional single space after the colon)."""
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append("\n".join(data))
    return events


def test_the_captures_are_there() -> None:
    """All ten Spark captures are found (WebSocket and HTTP)."""
    assert len(list(CAPTURES.glob("*.json"))) == 10


@pytest.mark.parametrize("case", _cases("WS"))
def test_websocket_sessions_assemble_to_the_joined_text_and_last_usage(case: dict[str, Any]) -> None:
    """Frames (string or int index, any key order) assemble to their joined text, sid and final usage."""
    raw_frames = _frames(case)
    parsed = [json.loads(raw) for raw in raw_frames]
    decoder = SparkFrameDecoder(ws_context(), model="generalv3.5", created=0)
    chunks = []
    for raw in raw_frames:
        chunks.extend(decoder.feed(StreamEvent(data=raw)))
    chunks.extend(decoder.close())
    completion = decoder.assemble(chunks)
    expected_text = "".join(item["content"] for frame in parsed for item in frame["payload"]["choices"]["text"])
    expected_usage = parsed[-1]["payload"]["usage"]["text"]
    assert decoder.finished
    assert completion.text == expected_text
    assert completion.id == parsed[0]["header"]["sid"]
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == expected_usage["prompt_tokens"]
    assert completion.usage.completion_tokens == expected_usage["completion_tokens"]
    assert completion.usage.total_tokens == expected_usage["total_tokens"]
    assert [c.text for c in chunks if c.choices and c.text] == [
        item["content"] for frame in parsed for item in frame["payload"]["choices"]["text"] if item["content"]
    ]


@pytest.mark.parametrize("case", [c for c in _cases("POST") if c.values[0]["kind"] == "chat"])
def test_http_answers_parse_with_sid_as_id_and_a_stop_finish(case: dict[str, Any]) -> None:
    """code/message/sid answers without id, model or finish_reason become complete completions."""
    body = case["response"]["body"]
    content = (case["response"].get("body_raw") or json.dumps(body, ensure_ascii=False)).encode("utf-8")
    response = HttpResponse(status=case["response"]["status"] or 200, headers={}, content=content)
    completion = parse_completion(json.loads(content), response, http_context(), model="lite")
    assert completion.id == body["sid"]
    assert completion.text == body["choices"][0]["message"]["content"]
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.total_tokens == body["usage"]["total_tokens"]


@pytest.mark.parametrize("case", [c for c in _cases("POST") if c.values[0]["kind"] == "chat-stream"])
def test_http_streams_without_a_space_after_data_decode_fully(case: dict[str, Any]) -> None:
    """data:{...} lines decode; [DONE] synthesizes stop; the usage rides on the last content chunk."""
    raw = case["response"]["body"]
    events = _sse_data(raw)
    payloads = [json.loads(data) for data in events if data != "[DONE]"]
    decoder = SparkHTTPChunkDecoder(http_context(), model="generalv3.5")
    chunks = []
    for data in events:
        chunks.extend(decoder.feed(StreamEvent(data=data)))
    chunks.extend(decoder.close())
    assert decoder.finished
    assert "".join(c.text for c in chunks) == "".join(p["choices"][0]["delta"]["content"] for p in payloads)
    assert chunks[-1].choices[0].finish_reason == "stop"
    usage = next(c.usage for c in chunks if c.usage is not None)
    assert usage.total_tokens == payloads[-1]["usage"]["total_tokens"]
    assert {c.id for c in chunks} == {payloads[0]["sid"]}


@pytest.mark.parametrize("case", [c for c in _cases("POST") if c.values[0]["kind"] == "error"])
@pytest.mark.parametrize("status", [200, 400, 500])
def test_http_errors_map_by_code_whatever_the_status(case: dict[str, Any], status: int) -> None:
    """The recorded status (500, or unrecorded) does not matter: the code decides the kind."""
    body = case["response"]["body"]
    status = case["response"]["status"] or status
    response = HttpResponse(status=status, headers={}, content=json.dumps(body).encode())
    error = http_error(response, http_context())
    assert type(error) is _ERROR_KINDS[body["error"]["code"]]
    assert error.code == body["error"]["code"]
    assert error.request_id is not None
    assert error.request_id in body["error"]["message"]
