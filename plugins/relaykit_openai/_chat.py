"""Chat: ``POST /chat/completions``, JSON or SSE.

Reference: ``shared/dialects/openai.md`` sections 2-4 and 8 (OpenAI's OpenAPI spec, 2026). The
normalized form *is* this dialect, so translation is mostly identity, plus the defences the
gotchas call for: ``""`` finish reasons, synonyms from compatible servers, sparse or repeated
tool-call indexes, object-valued arguments, errors inside a 200 stream, a missing ``[DONE]``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from relaykit import ChatCompletion, ChatCompletionChunk, ChatRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, log_event

from ._common import (
    FINISH_SYNONYMS,
    apply_options,
    check,
    headers,
    json_body,
    malformed,
    map_finish_reason,
    parse_model,
)
from ._responses import responses_chat
from ._stream import JSONChunkDecoder, expect_stream

__all__ = ["ChatChunkDecoder", "build_chat_body", "chat", "parse_chat_completion"]

_FINISH_REASONS: dict[str, str | None] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "content_filter": "content_filter",
    "function_call": "function_call",
    "tool_use": "tool_calls",
    **FINISH_SYNONYMS,
}
_STREAM_NOISE = frozenset({"obfuscation"})
_NEEDS_REPAIR = re.compile(r'"(?:error|tool_calls|reasoning|provider|vendor_data|route)"\s*:')
"""Keys that send an event down the general path (repairs, or fields a vendor must not set)."""
_ANSWER_NEEDS_REPAIR = re.compile(rb'"(?:error|reasoning|provider|vendor_data|route|request_id)"\s*:')
"""The same for a whole answer (tool-call arguments that are not strings fail validation instead)."""
_RESERVED_OPTIONS = {"model", "messages", "stream", "stream_options"}
_NOT_SENT = {"model", "provider_options", "stream", "stream_options", "max_tokens", "max_completion_tokens"}


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The chat flow: one request, then a parsed answer or a stream decoder."""
    if getattr(ctx.settings, "chat_api", "chat_completions") == "responses":
        return (yield from responses_chat(request, ctx))
    body = build_chat_body(request, ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url("/chat/completions"),
        headers=headers(ctx),
        json=body,
        stream="sse" if request.stream else None,
    )
    response = check(response, ctx)
    if request.stream:
        expect_stream(response, ctx)
        return Streaming(ChatChunkDecoder(ctx))
    return _plain_completion(response, ctx) or parse_chat_completion(json_body(response, ctx), response, ctx)


def _plain_completion(response: HttpResponse, ctx: CallContext) -> ChatCompletion | None:
    """The fast path of `parse_chat_completion`, for answers that need none of its repairs.

    The answer is validated straight from the body's JSON text (no intermediate dicts). It is taken
    only when that gives what the general path would: every field present and of its type, finish
    reasons already normalized, a real timestamp, no reasoning to map, no error envelope, no key a
    vendor must not set. Anything else returns None and goes the general way.
    """
    content = response.content
    if content[:1] != b"{" or _ANSWER_NEEDS_REPAIR.search(content):
        return None
    try:
        completion = ChatCompletion.model_validate_json(content)
    except ValueError:
        return None
    if not completion.created:
        return None
    if not completion.model:
        completion.model = ctx.model
    completion.provider = ctx.provider
    completion.request_id = response.request_id
    return completion


def build_chat_body(request: ChatRequest, ctx: CallContext) -> dict[str, Any]:
    """The wire body for `request`, in the dialect variant `ctx.settings` describes."""
    body: dict[str, Any] = {"model": ctx.model}
    body.update(request.model_dump(exclude_none=True, by_alias=True, exclude=_NOT_SENT))
    body["messages"] = [_map_message(m, ctx) for m in body["messages"]]
    if isinstance(request.stop, str):
        body["stop"] = [request.stop]
    if (limit := request.max_output_tokens) is not None:
        body[getattr(ctx.settings, "max_tokens_field", "max_tokens")] = limit
    if request.stream:
        body["stream"] = True
        if request.include_usage:
            body["stream_options"] = {"include_usage": True}
    return apply_options(body, ctx, _RESERVED_OPTIONS)


def _map_message(message: dict[str, Any], ctx: CallContext) -> dict[str, Any]:
    # Reasoning is never sent back to OpenAI-style servers (DeepSeek rejects reasoning_content);
    # signed blocks from another vendor (Claude thinking) cannot be, so say that they were dropped.
    parts = message.pop("reasoning", None)
    message.pop("reasoning_content", None)
    if parts:
        log_event(
            "relaykit.reasoning.dropped",
            provider=ctx.provider,
            model=ctx.model,
            blocks=len(parts),
            from_providers=sorted({str(part.get("provider")) for part in parts}),
        )
    if message["role"] == "developer" and getattr(ctx.settings, "developer_role", "developer") == "system":
        message["role"] = "system"
    return message


def parse_chat_completion(payload: dict[str, Any], response: HttpResponse, ctx: CallContext) -> ChatCompletion:
    """A `ChatCompletion` from the vendor's JSON, keeping unknown top-level keys in `vendor_data`."""
    choices = payload.get("choices")
    if not isinstance(choices, list):
        raise malformed(response, ctx, "no choices list")
    for choice in choices:
        if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
            raise malformed(response, ctx, "a choice without a message")
        choice["finish_reason"] = _map_finish_reason(choice.get("finish_reason"), payload)
        _map_reasoning(choice["message"])
        for call in choice["message"].get("tool_calls") or ():
            _stringify_arguments(call.get("function"))
    data = {
        **payload,
        "id": payload.get("id") or "",
        "created": payload.get("created") or int(time.time()),
        "model": payload.get("model") or ctx.model,
        "provider": ctx.provider,
        "request_id": response.request_id,
    }
    return parse_model(ChatCompletion, data, response, ctx)


class ChatChunkDecoder(JSONChunkDecoder[ChatCompletionChunk]):
    """Turns SSE events into `ChatCompletionChunk`s (see the module docstring for the defences)."""

    def __init__(self, ctx: CallContext) -> None:
        super().__init__(ctx)
        self._tools_seen: dict[int, bool] = {}
        # Per choice: (raw index, id) of each tool call in order, to make indexes dense and 0-based.
        self._tool_slots: dict[int, list[tuple[int, str | None]]] = {}
        self._last_id = ""
        self._last_created: Any = None
        # A subclass that adapts `_chunk` (a relay's extra flags) sees every event there.
        self._fast = type(self)._chunk is ChatChunkDecoder._chunk

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data
        if self._fast and data[:1] == "{" and not _NEEDS_REPAIR.search(data):
            chunk = self._plain_chunk(data)
            if chunk is not None:
                return [chunk]
        return super().feed(event)

    def _plain_chunk(self, data: str) -> ChatCompletionChunk | None:
        """The fast path, for the chunks that need none of the dialect's repairs (most of them).

        The chunk is validated straight from the event's JSON text. It is taken only when that
        gives what the general path would: every field present and of its type, finish reasons
        already normalized, no tool calls to re-index, no reasoning to map, no error envelope.
        Anything else returns None and goes the general way.
        """
        try:
            chunk = ChatCompletionChunk.model_validate_json(data)
        except ValueError:
            return None
        finish_seen = self._finish_seen
        for choice in chunk.choices:
            if choice.finish_reason is not None:
                finish_seen[choice.index] = True
            elif choice.index not in finish_seen:
                finish_seen[choice.index] = False
        self._last_id = chunk.id or self._last_id
        self._last_created = chunk.created
        if not chunk.model:
            chunk.model = self._ctx.model
        chunk.provider = self._ctx.provider
        vendor_data = chunk.vendor_data
        if vendor_data:
            for key in _STREAM_NOISE.intersection(vendor_data):
                del vendor_data[key]
        return chunk

    def _chunk(self, payload: dict[str, Any], raw: str) -> ChatCompletionChunk:
        choices = payload.get("choices") or []
        if not isinstance(choices, list):
            raise self._malformed("choices is not a list", raw)
        finish_seen = self._finish_seen
        for choice in choices:
            index = choice.get("index", 0)
            delta = choice.get("delta") or {}
            choice["delta"] = delta
            if "reasoning" in delta:
                _map_reasoning(delta)
            if delta.get("tool_calls"):
                delta["tool_calls"] = [self._dense(index, call) for call in delta["tool_calls"]]
                self._tools_seen[index] = True
            if (finish := choice.get("finish_reason")) is not None:
                finish = choice["finish_reason"] = _map_finish_reason(finish, payload)
            if finish is not None:  # what `_note_choice` records, inlined: chunks are the hot path
                finish_seen[index] = True
            elif index not in finish_seen:
                finish_seen[index] = False
        chunk_id = payload.get("id")
        self._last_id = chunk_id or self._last_id
        self._last_created = payload.get("created")
        for noise in _STREAM_NOISE.intersection(payload):  # unknown keys would land in vendor_data
            del payload[noise]
        data = {
            **payload,
            "id": chunk_id or "",
            "created": self._last_created or 0,
            "model": payload.get("model") or self._ctx.model,
            "provider": self._ctx.provider,
        }
        try:
            return ChatCompletionChunk.model_validate(data)
        except ValueError as exc:
            raise self._malformed(f"a chunk does not fit: {exc.__class__.__name__}", raw) from exc

    def _dense(self, choice: int, call: dict[str, Any]) -> dict[str, Any]:
        slots = self._tool_slots.setdefault(choice, [])
        raw_index = call.get("index", len(slots))
        call_id = call.get("id") or None
        position = next(
            (
                i
                for i, (idx, known_id) in reversed(list(enumerate(slots)))
                if idx == raw_index and (call_id is None or known_id in (None, call_id))
            ),
            None,
        )
        if position is None:
            slots.append((raw_index, call_id))
            position = len(slots) - 1
        elif call_id is not None and slots[position][1] is None:
            slots[position] = (raw_index, call_id)
        _stringify_arguments(call.get("function"))
        return {**call, "index": position}

    def _finish_chunks(self, missing: list[int]) -> list[ChatCompletionChunk]:
        return [
            ChatCompletionChunk.model_validate(
                {
                    "id": self._last_id,
                    "created": self._last_created or 0,
                    "model": self._ctx.model,
                    "provider": self._ctx.provider,
                    "choices": [
                        {"index": i, "delta": {}, "finish_reason": "tool_calls" if self._tools_seen.get(i) else "stop"}
                        for i in missing
                    ],
                }
            )
        ]


def _map_finish_reason(value: Any, payload: dict[str, Any]) -> str | None:
    return map_finish_reason(value, _FINISH_REASONS, payload)


def _map_reasoning(message: dict[str, Any]) -> None:
    """`reasoning` as a plain string (OpenRouter, some relays) is reasoning text."""
    reasoning = message.get("reasoning")
    if isinstance(reasoning, str):
        message.pop("reasoning")
        message.setdefault("reasoning_content", reasoning)


def _stringify_arguments(function: Any) -> None:
    if isinstance(function, dict) and isinstance(function.get("arguments"), dict | list):
        function["arguments"] = json.dumps(function["arguments"], ensure_ascii=False)
