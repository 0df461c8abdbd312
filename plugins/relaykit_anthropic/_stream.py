"""Claude's named SSE events as `ChatCompletionChunk`s.

Reference: ``shared/dialects/anthropic.md`` sections 4 and 7.3 and gotchas 1, 2 and 14. The events:

- ``message_start``: the first chunk (``role: assistant``); id, model and input usage remembered;
- ``content_block_start`` / ``content_block_delta`` / ``content_block_stop`` per block: text deltas
  become content; a ``tool_use`` block becomes a tool call whose index counts tool calls only (a
  text or thinking block before it does not shift it), its ``input_json_delta`` fragments the
  arguments (``"{}"`` when none came); ``thinking_delta`` becomes ``reasoning_content`` and, at the
  block's end, the block with its ``signature_delta`` becomes a `ReasoningPart`, as does a
  ``redacted_thinking`` block; the forced ``json_response`` tool of a JSON-schema request streams
  as content; server-tool blocks and ``citations_delta`` produce nothing;
- ``message_delta``: the finish reason; its usage is cumulative, so it replaces, never adds;
- ``message_stop``: the end (then the usage chunk, with empty ``choices``, when the request set
  ``stream_options.include_usage``); ``ping`` and unknown events are ignored;
- ``error``: raises the mapped error (``overloaded_error`` is `OverloadedError`...), never a clean end.

A stream that ends before ``message_stop`` raises `StreamInterruptedError`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from relaykit import ChatCompletionChunk, ReasoningPart, ResponseFormatError, StreamInterruptedError
from relaykit.plugin import CallContext, HttpResponse, StreamEvent, excerpt, parse_json

from ._common import VENDOR, now
from ._errors import error_event
from ._response import STOP_REASONS, finish_reason, map_usage

__all__ = ["MessagesStreamDecoder"]

_THINKING_SEPARATOR = "\n\n"


@dataclass
class _Block:
    """What the decoder remembers of one open content block."""

    kind: str
    tool_index: int | None = None
    arguments_sent: bool = False
    initial_input: Any = None
    text: list[str] = field(default_factory=list)
    signature: str = ""
    data: str | None = None


class MessagesStreamDecoder:
    """Turns Claude's SSE events into chunks (see the module docstring)."""

    def __init__(
        self,
        ctx: CallContext,
        *,
        include_usage: bool = False,
        json_tool: str | None = None,
        response: HttpResponse | None = None,
    ) -> None:
        self._ctx = ctx
        self._include_usage = include_usage
        self._json_tool = json_tool
        self._response = response
        self.finished = False
        self._id = ""
        self._model = ctx.model
        self._created = now()
        self._blocks: dict[int, _Block] = {}
        self._tool_calls = 0
        self._json_answer = False
        self._reasoning_sent = False
        self._usage: dict[str, Any] = {}
        self._handlers: dict[str, Callable[[dict[str, Any], str], list[ChatCompletionChunk]]] = {
            "message_start": self._message_start,
            "content_block_start": self._block_start,
            "content_block_delta": self._block_delta,
            "content_block_stop": self._block_stop,
            "message_delta": self._message_delta,
            "message_stop": self._message_stop,
        }

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if not data:
            return []
        try:
            payload = parse_json(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        kind = payload.get("type") or event.event
        if kind == "content_block_delta":
            return self._block_delta(payload, data)
        if kind == "error":
            raise error_event(payload, data, self._response, self._ctx)
        handler = self._handlers.get(str(kind))
        return handler(payload, data) if handler is not None else []

    def close(self) -> list[ChatCompletionChunk]:
        if self.finished:
            return []
        raise StreamInterruptedError(
            "the stream ended before message_stop",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self._response.request_id if self._response is not None else None,
        )

    def _message_start(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        message = payload.get("message")
        if not isinstance(message, dict):
            raise self._malformed("message_start without a message", raw)
        self._id = str(message.get("id") or "")
        self._model = str(message.get("model") or self._ctx.model)
        self._merge_usage(message.get("usage"))
        return [self._chunk({"role": "assistant"})]

    def _block_start(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        block = payload.get("content_block")
        index = payload.get("index")
        if not isinstance(block, dict) or not isinstance(index, int):
            raise self._malformed("content_block_start without an index and a block", raw)
        kind = str(block.get("type"))
        if kind == "tool_use" and self._json_tool is not None and block.get("name") == self._json_tool:
            self._json_answer = True
            self._blocks[index] = _Block("json", initial_input=block.get("input"))
            return []
        state = _Block(kind)
        self._blocks[index] = state
        if kind == "text":
            return self._content(str(block.get("text") or ""))
        if kind == "tool_use":
            state.tool_index = self._tool_calls
            state.initial_input = block.get("input")
            self._tool_calls += 1
            function = {"name": block.get("name"), "arguments": ""}
            call = {"index": state.tool_index, "id": block.get("id"), "type": "function", "function": function}
            return [self._chunk({"tool_calls": [call]})]
        if kind == "thinking":
            return self._thinking(state, str(block.get("thinking") or ""))
        if kind == "redacted_thinking":
            state.data = block.get("data")
        return []

    def _block_delta(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        state = self._block(payload)
        delta = payload.get("delta")
        if state is None or not isinstance(delta, dict):
            raise self._malformed("content_block_delta for no open block", raw)
        kind = delta.get("type")
        if kind == "text_delta" and state.kind == "text":  # most events: no detour through _content
            text = delta.get("text")
            return [self._chunk({"content": text if isinstance(text, str) else str(text or "")})] if text else []
        if kind == "input_json_delta" and state.kind in ("tool_use", "json"):
            fragment = str(delta.get("partial_json") or "")
            if not fragment:
                return []
            state.arguments_sent = True
            if state.kind == "json":
                return self._content(fragment)
            return [self._chunk({"tool_calls": [{"index": state.tool_index, "function": {"arguments": fragment}}]})]
        if kind == "thinking_delta" and state.kind == "thinking":
            return self._thinking(state, str(delta.get("thinking") or ""))
        if kind == "signature_delta" and state.kind == "thinking":
            state.signature += str(delta.get("signature") or "")
        return []

    def _block_stop(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        state = self._block(payload)
        if state is None:
            return []
        del self._blocks[payload["index"]]
        if state.kind in ("tool_use", "json") and not state.arguments_sent:
            initial = state.initial_input
            arguments = json.dumps(initial, ensure_ascii=False) if isinstance(initial, dict) and initial else "{}"
            if state.kind == "json":
                return self._content(arguments)
            return [self._chunk({"tool_calls": [{"index": state.tool_index, "function": {"arguments": arguments}}]})]
        if state.kind == "thinking":
            part = ReasoningPart(text="".join(state.text), signature=state.signature or None, provider=VENDOR)
            return [self._chunk({"reasoning": [part]})]
        if state.kind == "redacted_thinking":
            return [self._chunk({"reasoning": [ReasoningPart(redacted_data=state.data, provider=VENDOR)]})]
        return []

    def _message_delta(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        self._merge_usage(payload.get("usage"))
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            return []
        stop_reason = delta.get("stop_reason")
        if stop_reason is None:
            return []
        vendor_data = {key: value for key, value in delta.items() if value is not None}
        finish = finish_reason(stop_reason, vendor_data)
        if finish == STOP_REASONS["tool_use"] and self._json_answer and not self._tool_calls:
            finish = "stop"
        return [self._chunk({}, finish, vendor_data=vendor_data)]

    def _message_stop(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        self.finished = True
        if not self._include_usage or not self._usage:
            return []
        return [self._chunk(None, usage=map_usage(self._usage))]

    def _block(self, payload: dict[str, Any]) -> _Block | None:
        index = payload.get("index")
        return self._blocks.get(index) if isinstance(index, int) else None

    def _merge_usage(self, usage: Any) -> None:
        """Usage counts are cumulative: later values replace earlier ones (null keeps the old one)."""
        if isinstance(usage, dict):
            self._usage.update({key: value for key, value in usage.items() if value is not None})

    def _content(self, text: str) -> list[ChatCompletionChunk]:
        return [self._chunk({"content": text})] if text else []

    def _thinking(self, state: _Block, text: str) -> list[ChatCompletionChunk]:
        if not text:
            return []
        shown = text
        if not state.text and self._reasoning_sent:
            shown = _THINKING_SEPARATOR + text
        state.text.append(text)
        self._reasoning_sent = True
        return [self._chunk({"reasoning_content": shown})]

    def _chunk(
        self,
        delta: dict[str, Any] | None,
        finish: str | None = None,
        *,
        usage: dict[str, Any] | None = None,
        vendor_data: dict[str, Any] | None = None,
    ) -> ChatCompletionChunk:
        """One chunk with one choice carrying `delta`; with `delta` None, the usage-only chunk."""
        choice: dict[str, Any] = {"index": 0, "delta": delta}
        if finish is not None:
            choice["finish_reason"] = finish
        choices = [] if delta is None else [choice]
        data = {"id": self._id, "created": self._created, "model": self._model, "choices": choices}
        data["provider"] = self._ctx.provider
        if usage is not None:
            data["usage"] = usage
        if vendor_data:
            data["vendor_data"] = vendor_data
        return ChatCompletionChunk.model_validate(data)

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self._response.request_id if self._response is not None else None,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )
