"""Every real recorded Chat Completions exchange in ../shared/real-responses/openai parses correctly.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, StreamEvent
from relaykit_openai._chat import ChatChunkDecoder, parse_chat_completion
from relaykit_openai._common import error_from

from ...helpers import make_context

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "openai"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")


def _cases(endpoint: str) -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    cases = []
    for path in sorted(CAPTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["endpoint"] == endpoint:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _sse_events(raw: str) -> list[StreamEvent]:
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip() for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(StreamEvent(data="\n".join(data)))
    return events


def _response(case: dict[str, Any]) -> HttpResponse:
    body = case["response"].get("body_raw") or case["response"]["body"]
    content = body if isinstance(body, str) else json.dumps(body)
    headers = {k.lower(): str(v) for k, v in case["response"]["headers"].items()}
    return HttpResponse(status=case["response"]["status"], headers=headers, content=content.encode())


CHAT_CASES = _cases("POST /v1/chat/completions")


@pytest.mark.parametrize("case", CHAT_CASES)
def test_real_chat_capture_parses(case: dict[str, Any]) -> None:
    """Each capture yields the text, tool calls, errors or chunks its raw body holds."""
    ctx = make_context()
    response = _response(case)
    body = case["response"]["body"]
    if response.status >= 400:
        error = error_from(response, ctx)
        expected = relaykit.NotFoundError if response.status == 404 else relaykit.APIStatusError
        assert isinstance(error, expected)
        assert error.status == response.status
        assert error.message == body["error"]["message"]
        return
    if isinstance(body, str):
        _check_stream(body, ctx)
        return
    completion = parse_chat_completion(json.loads(json.dumps(body)), response, ctx)
    for choice, raw in zip(completion.choices, body["choices"], strict=True):
        assert choice.message.content == raw["message"].get("content")
        assert choice.message.refusal == raw["message"].get("refusal")
        assert choice.finish_reason == raw["finish_reason"]
        raw_calls = raw["message"].get("tool_calls") or []
        assert [c.function.arguments for c in choice.message.tool_calls or []] == [
            c["function"]["arguments"] for c in raw_calls
        ]
    if body.get("usage"):
        assert completion.usage is not None
        assert completion.usage.total_tokens == body["usage"]["total_tokens"]


def _check_stream(raw: str, ctx: relaykit.plugin.CallContext) -> None:
    decoder = ChatChunkDecoder(ctx)
    accumulator = relaykit.ChatStreamAccumulator()
    expected_text: dict[int, str] = {}
    expected_args: dict[tuple[int, int], str] = {}
    for event in _sse_events(raw):
        if event.data != "[DONE]":
            payload = json.loads(event.data)
            for choice in payload.get("choices", []):
                delta = choice.get("delta", {})
                expected_text[choice["index"]] = expected_text.get(choice["index"], "") + (delta.get("content") or "")
                for call in delta.get("tool_calls") or []:
                    key = (choice["index"], call["index"])
                    expected_args[key] = expected_args.get(key, "") + call.get("function", {}).get("arguments", "")
        for chunk in decoder.feed(event):
            accumulator.add(chunk)
    assert decoder.finished
    assert list(decoder.close()) == []
    completion = accumulator.snapshot()
    for choice in completion.choices:
        assert (choice.message.content or "") == expected_text.get(choice.index, "")
        for position, call in enumerate(choice.message.tool_calls or []):
            assert call.function.arguments == expected_args[(choice.index, position)]
            json.loads(call.function.arguments)
        assert choice.finish_reason is not None
