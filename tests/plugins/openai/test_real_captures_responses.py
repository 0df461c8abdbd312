"""Every real recorded Responses API exchange in ../shared/real-responses/openai parses correctly.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_openai._responses import responses_chat
from relaykit_openai._responses_output import parse_response

from ...helpers import make_context

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "openai"
ENDPOINT = "POST /v1/responses"
ERROR_CLASSES: dict[int, type[relaykit.APIStatusError]] = {
    400: relaykit.BadRequestError,
    401: relaykit.AuthenticationError,
    403: relaykit.PermissionDeniedError,
    404: relaykit.NotFoundError,
    429: relaykit.RateLimitError,
    500: relaykit.ServerError,
}


def _cases() -> list[Any]:
    if not CAPTURES.is_dir():
        return [pytest.param(None, id="no-captures")]
    cases = []
    for path in sorted(CAPTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["endpoint"] == ENDPOINT:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _sse_events(raw: str) -> list[StreamEvent]:
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        lines = block.split("\n")
        data = [line[5:].removeprefix(" ") for line in lines if line.startswith("data:")]
        names = [line[6:].strip() for line in lines if line.startswith("event:")]
        if data:
            events.append(StreamEvent(data="\n".join(data), event=names[0] if names else "message"))
    return events


def _response(case: dict[str, Any], *, streaming: bool) -> HttpResponse:
    body = case["response"].get("body_raw") or case["response"]["body"]
    content = body if isinstance(body, str) else json.dumps(body)
    headers = {k.lower(): str(v) for k, v in case["response"]["headers"].items()}
    status = case["response"]["status"]
    return HttpResponse(
        status=status, headers=headers, content=b"" if streaming else content.encode(), streaming=streaming
    )


def _request(*, stream: bool) -> relaykit.ChatRequest:
    params: dict[str, Any] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    if stream:
        params.update(stream=True, stream_options={"include_usage": True})
    return validate_request(relaykit.ChatRequest, params)


def _expected(response: dict[str, Any]) -> dict[str, Any]:
    """Text, refusal and tool calls read straight from a raw ``response`` object."""
    parts = [part for item in response["output"] if item["type"] == "message" for part in item["content"]]
    texts = [part["text"] for part in parts if part["type"] == "output_text"]
    calls = [item for item in response["output"] if item["type"] == "function_call"]
    return {
        "content": "".join(texts) if texts else None,
        "refusal": "".join(part["refusal"] for part in parts if part["type"] == "refusal") or None,
        "tool_calls": [(c["call_id"], c["name"], c["arguments"]) for c in calls],
        "finish_reason": "tool_calls" if calls else "stop",
        "total_tokens": response["usage"]["total_tokens"],
    }


def _observed(completion: relaykit.ChatCompletion) -> dict[str, Any]:
    choice = completion.choices[0]
    assert completion.usage is not None
    return {
        "content": choice.message.content,
        "refusal": choice.message.refusal,
        "tool_calls": [(c.id, c.function.name, c.function.arguments) for c in choice.message.tool_calls or []],
        "finish_reason": choice.finish_reason,
        "total_tokens": completion.usage.total_tokens,
    }


@pytest.mark.parametrize("case", _cases())
def test_real_responses_capture_parses(case: dict[str, Any] | None) -> None:
    """Each capture yields the text, tool calls or error its raw body holds."""
    if case is None:
        pytest.skip(f"real captures not found at {CAPTURES}")
    ctx = make_context(chat_api="responses")
    body = case["response"]["body"]
    status = case["response"]["status"]
    streamed = isinstance(body, str) and case["response"]["body_format"] == "sse-raw-text"
    if status >= 400:
        with pytest.raises(relaykit.APIStatusError) as caught:
            run_to_completion(responses_chat(_request(stream=streamed), ctx), [_response(case, streaming=False)])
        expected = relaykit.NotFoundError if body["error"]["code"] == "model_not_found" else ERROR_CLASSES[status]
        assert type(caught.value) is expected
        assert caught.value.status == status
        assert caught.value.message == body["error"]["message"]
        assert caught.value.code == body["error"]["code"]
        return
    if streamed:
        _check_stream(case, body, ctx)
        return
    completion = run_to_completion(responses_chat(_request(stream=False), ctx), [_response(case, streaming=False)])
    assert isinstance(completion, relaykit.ChatCompletion)
    assert _observed(completion) == _expected(body)
    assert completion.id == body["id"]
    assert completion.model == body["model"]
    assert completion.request_id == case["response"]["headers"].get("x-request-id")
    reasoning = [item for item in body["output"] if item["type"] == "reasoning"]
    assert [part.signature for part in completion.choices[0].message.reasoning or []] == [r["id"] for r in reasoning]


def _check_stream(case: dict[str, Any], raw: str, ctx: relaykit.plugin.CallContext) -> None:
    """The decoded stream assembles to what its final response.completed event holds."""
    streaming = run_to_completion(responses_chat(_request(stream=True), ctx), [_response(case, streaming=True)])
    assert isinstance(streaming, Streaming)
    decoder = streaming.decoder
    accumulator = relaykit.ChatStreamAccumulator()
    events = _sse_events(raw)
    final: dict[str, Any] | None = None
    for event in events:
        payload = json.loads(event.data)
        assert payload["type"] == event.event
        if payload["type"] == "response.completed":
            final = payload["response"]
            # The deltas alone already carry everything; the final event adds only finish and usage.
            streamed = accumulator.snapshot().choices[0].message
            expected = _expected(final)
            assert streamed.content == expected["content"]
            assert [(c.id, c.function.name, c.function.arguments) for c in streamed.tool_calls or []] == expected[
                "tool_calls"
            ]
        for chunk in decoder.feed(event):
            accumulator.add(chunk)
    assert final is not None
    assert decoder.finished
    assert list(decoder.close()) == []
    assembled = accumulator.snapshot()
    assert _observed(assembled) == _expected(final)
    final_response = HttpResponse(status=200, headers={}, content=json.dumps(final).encode())
    parsed = parse_response(final, final_response, ctx)
    assert assembled.choices[0].message == parsed.choices[0].message
    assert (assembled.id, assembled.model) == (final["id"], final["model"])
    for call in assembled.choices[0].message.tool_calls or []:
        json.loads(call.function.arguments)
