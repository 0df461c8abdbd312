"""Every real recorded Anthropic exchange in ../shared/real-responses/anthropic parses correctly.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent. Expected values are computed here from the raw bodies, block
by block and event by event, independently of the plugin's parser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, StreamEvent
from relaykit_anthropic._errors import error_from
from relaykit_anthropic._response import STOP_REASONS, parse_message
from relaykit_anthropic._stream import MessagesStreamDecoder

from ._helpers import make_context

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "anthropic"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_ERRORS_BY_STATUS: dict[int, type[relaykit.APIStatusError]] = {
    400: relaykit.BadRequestError,
    401: relaykit.AuthenticationError,
    404: relaykit.NotFoundError,
}


def _cases() -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    return [
        pytest.param(json.loads(path.read_text(encoding="utf-8")), id=path.stem)
        for path in sorted(CAPTURES.glob("*.json"))
    ]


def _response(case: dict[str, Any]) -> HttpResponse:
    body = case["response"].get("body_raw") or case["response"]["body"]
    content = body if isinstance(body, str) else json.dumps(body)
    headers = {key.lower(): str(value) for key, value in case["response"]["headers"].items()}
    return HttpResponse(status=case["response"]["status"], headers=headers, content=content.encode())


def _sse_events(raw: str) -> list[StreamEvent]:
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        name = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = [line[5:].lstrip() for line in lines if line.startswith("data:")]
        if data:
            events.append(StreamEvent(data="\n".join(data), event=name))
    return events


@pytest.mark.parametrize("case", _cases())
def test_real_anthropic_capture_parses(case: dict[str, Any]) -> None:
    """Each capture yields the text, tool calls, reasoning, finish reason, usage or error its raw body holds."""
    ctx = make_context()
    response = _response(case)
    body = case["response"]["body"]
    if response.status >= 400:
        _check_error(response, body, ctx)
    elif case["endpoint"] == "POST /v1/messages/count_tokens":
        # Token counting has no normalized operation: a count is never mistaken for an answer.
        with pytest.raises(relaykit.ResponseFormatError):
            parse_message(dict(body), response, ctx)
    elif isinstance(body, str):
        _check_stream(body, ctx)
    else:
        _check_message(json.loads(json.dumps(body)), response, ctx)


def _check_error(response: HttpResponse, body: dict[str, Any], ctx: relaykit.plugin.CallContext) -> None:
    error = error_from(response, ctx)
    assert type(error) is _ERRORS_BY_STATUS[response.status]
    assert error.status == response.status
    assert error.message == body["error"]["message"]
    assert error.code == body["error"]["type"]
    assert error.request_id == (response.headers.get("request-id") or body["request_id"])
    assert error.retryable is False


def _check_message(body: dict[str, Any], response: HttpResponse, ctx: relaykit.plugin.CallContext) -> None:
    expected = _Expected()
    for block in body["content"]:
        expected.block_start(block)
        if block["type"] == "tool_use":
            expected.tool_args[-1] = json.dumps(block["input"])
    completion = parse_message(json.loads(json.dumps(body)), response, ctx)
    assert completion.id == body["id"]
    assert completion.model == body["model"]
    assert completion.request_id == response.headers.get("request-id")
    assert completion.vendor_data["stop_reason"] == body["stop_reason"]
    expected.check(completion, STOP_REASONS[body["stop_reason"]], body["usage"], parsed_arguments=True)


def _check_stream(raw: str, ctx: relaykit.plugin.CallContext) -> None:
    decoder = MessagesStreamDecoder(ctx, include_usage=True)
    accumulator = relaykit.ChatStreamAccumulator()
    expected = _Expected()
    usage: dict[str, Any] = {}
    stop_reason = None
    for item in _sse_events(raw):
        payload = json.loads(item.data)
        kind = payload["type"]
        if kind == "message_start":
            usage.update(payload["message"]["usage"])
        elif kind == "content_block_start":
            expected.block_start(payload["content_block"])
        elif kind == "content_block_delta":
            expected.block_delta(payload["delta"])
        elif kind == "message_delta":
            usage.update({k: v for k, v in payload["usage"].items() if v is not None})
            stop_reason = payload["delta"]["stop_reason"]
        for chunk in decoder.feed(item):
            accumulator.add(chunk)
    assert decoder.finished
    assert list(decoder.close()) == []
    assert stop_reason is not None
    expected.check(accumulator.snapshot(), STOP_REASONS[stop_reason], usage, parsed_arguments=False)


class _Expected:
    """What the raw blocks say the normalized message must hold."""

    def __init__(self) -> None:
        self.kind = ""
        self.text: list[str] = []
        self.tool_ids: list[str] = []
        self.tool_names: list[str] = []
        self.tool_args: list[str] = []
        self.thinking: list[list[str]] = []
        self.signatures: list[str | None] = []
        self.redacted: list[str | None] = []

    def block_start(self, block: dict[str, Any]) -> None:
        self.kind = block["type"]
        if self.kind == "text":
            self.text.append(block.get("text", ""))
        elif self.kind == "tool_use":
            self.tool_ids.append(block["id"])
            self.tool_names.append(block["name"])
            self.tool_args.append("")
        elif self.kind == "thinking":
            self.thinking.append([block.get("thinking", "")])
            self.signatures.append(block.get("signature") or None)
            self.redacted.append(None)
        elif self.kind == "redacted_thinking":
            self.thinking.append([])
            self.signatures.append(None)
            self.redacted.append(block["data"])

    def block_delta(self, delta: dict[str, Any]) -> None:
        if delta["type"] == "text_delta":
            self.text.append(delta["text"])
        elif delta["type"] == "input_json_delta" and self.kind == "tool_use":
            self.tool_args[-1] += delta["partial_json"]
        elif delta["type"] == "thinking_delta":
            self.thinking[-1].append(delta["thinking"])
        elif delta["type"] == "signature_delta":
            self.signatures[-1] = (self.signatures[-1] or "") + delta["signature"]

    def check(
        self, completion: relaykit.ChatCompletion, finish: str, usage: dict[str, Any], *, parsed_arguments: bool
    ) -> None:
        (choice,) = completion.choices
        message = choice.message
        assert message.content == ("".join(self.text) or None)
        calls = message.tool_calls or []
        assert [call.id for call in calls] == self.tool_ids
        assert [call.function.name for call in calls] == self.tool_names
        arguments = [args or "{}" for args in self.tool_args]
        if parsed_arguments:
            assert [json.loads(call.function.arguments) for call in calls] == [json.loads(a) for a in arguments]
        else:
            assert [call.function.arguments for call in calls] == arguments
        texts = ["".join(parts) for parts in self.thinking]
        assert message.reasoning_content == ("\n\n".join(text for text in texts if text) or None)
        parts = message.reasoning or []
        assert [(p.signature, p.redacted_data, p.provider) for p in parts] == [
            (signature, data, "anthropic") for signature, data in zip(self.signatures, self.redacted, strict=True)
        ]
        assert choice.finish_reason == finish
        prompt = (
            usage["input_tokens"]
            + usage.get("cache_creation_input_tokens", 0)
            + usage.get("cache_read_input_tokens", 0)
        )
        assert completion.usage is not None
        assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (prompt, usage["output_tokens"])
        assert completion.usage.total_tokens == prompt + usage["output_tokens"]
        details = completion.usage.prompt_tokens_details
        assert details is not None
        assert details.cached_tokens == usage.get("cache_read_input_tokens", 0)


def test_every_capture_was_found() -> None:
    """The corpus holds the 39 Anthropic cases the index lists (none silently skipped)."""
    assert len(_cases()) == 39
