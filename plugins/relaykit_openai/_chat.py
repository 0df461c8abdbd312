"""Chat: ``POST /chat/completions``, JSON or SSE.

Reference: ``shared/dialects/openai.md`` sections 2-4 and 8 (OpenAI's OpenAPI spec, 2026). The
normalized form *is* this dialect, so translation is mostly identity, plus the defences the
gotchas call for: ``""`` finish reasons, synonyms from compatible servers, sparse or repeated
tool-call indexes, object-valued arguments, errors inside a 200 stream, a missing ``[DONE]``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from relaykit import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    InvalidRequestError,
    ResponseFormatError,
    StreamInterruptedError,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, excerpt

from ._common import check, error_from, headers, json_body, malformed, parse_model

__all__ = ["ChatChunkDecoder", "build_chat_body", "chat", "parse_chat_completion"]

_FINISH_REASONS: dict[str, str | None] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "content_filter": "content_filter",
    "function_call": "function_call",
    # Synonyms seen from compatible servers and relays.
    "": None,
    "null": None,
    "eos": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_length": "length",
    "tool_use": "tool_calls",
    "sensitive": "content_filter",
    "safety": "content_filter",
}
_STREAM_NOISE = frozenset({"obfuscation"})
_RESERVED_OPTIONS = {"model", "messages", "stream", "stream_options"}
_NOT_SENT = {"model", "provider_options", "stream", "stream_options", "max_tokens", "max_completion_tokens"}


def chat(request: ChatRequest, ctx: CallContext) -> Flow[ChatCompletion | Streaming[ChatCompletionChunk]]:
    """The chat flow: one request, then a parsed answer or a stream decoder."""
    if getattr(ctx.settings, "chat_api", "chat_completions") == "responses":
        from ._responses import responses_chat

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
        if not response.streaming:
            payload = json_body(response, ctx)
            raise malformed(response, ctx, f"asked for a stream, got a JSON {payload.get('object', 'object')}")
        return Streaming(ChatChunkDecoder(ctx))
    return parse_chat_completion(json_body(response, ctx), response, ctx)


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
    clash = sorted(_RESERVED_OPTIONS & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    body.update(ctx.options)
    return body


def _map_message(message: dict[str, Any], ctx: CallContext) -> dict[str, Any]:
    # Reasoning is never sent back to OpenAI-style servers (DeepSeek rejects reasoning_content).
    message.pop("reasoning", None)
    message.pop("reasoning_content", None)
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
        "vendor_data": _extras(payload, ChatCompletion.model_fields),
    }
    return parse_model(ChatCompletion, data, response, ctx)


class ChatChunkDecoder:
    """Turns SSE events into `ChatCompletionChunk`s (see the module docstring for the defences)."""

    def __init__(self, ctx: CallContext) -> None:
        self._ctx = ctx
        self.finished = False
        self._finish_seen: dict[int, bool] = {}
        self._tools_seen: dict[int, bool] = {}
        # Per choice: (raw index, id) of each tool call in order, to make indexes dense and 0-based.
        self._tool_slots: dict[int, list[tuple[int, str | None]]] = {}
        self._last: dict[str, Any] = {}

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if not data:
            return []
        if data == "[DONE]":
            self.finished = True
            return self._synthesized_finish()
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        if payload.get("error"):
            fake = HttpResponse(status=200, headers={}, content=data.encode())
            raise error_from(fake, self._ctx, payload)
        return [self._chunk(payload, data)]

    def close(self) -> list[ChatCompletionChunk]:
        if self.finished:
            return []
        if self._finish_seen and all(self._finish_seen.values()):
            self.finished = True  # some servers omit [DONE] after a proper finish
            return []
        raise StreamInterruptedError(
            "the stream ended before it was complete (no finish reason, no [DONE])",
            provider=self._ctx.provider,
            model=self._ctx.model,
        )

    def _chunk(self, payload: dict[str, Any], raw: str) -> ChatCompletionChunk:
        choices = payload.get("choices") or []
        if not isinstance(choices, list):
            raise self._malformed("choices is not a list", raw)
        for choice in choices:
            index = choice.get("index", 0)
            delta = choice.get("delta") or {}
            choice["delta"] = delta
            _map_reasoning(delta)
            if delta.get("tool_calls"):
                delta["tool_calls"] = [self._dense(index, call) for call in delta["tool_calls"]]
                self._tools_seen[index] = True
            choice["finish_reason"] = _map_finish_reason(choice.get("finish_reason"), payload)
            self._finish_seen.setdefault(index, False)
            if choice["finish_reason"] is not None:
                self._finish_seen[index] = True
        self._last = {"id": payload.get("id") or self._last.get("id", ""), "created": payload.get("created")}
        data = {
            **payload,
            "id": payload.get("id") or "",
            "created": payload.get("created") or 0,
            "model": payload.get("model") or self._ctx.model,
            "provider": self._ctx.provider,
            "vendor_data": _extras(payload, ChatCompletionChunk.model_fields, skip=_STREAM_NOISE),
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

    def _synthesized_finish(self) -> list[ChatCompletionChunk]:
        missing = [index for index, seen in self._finish_seen.items() if not seen]
        if not missing:
            return []
        for index in missing:
            self._finish_seen[index] = True
        return [
            ChatCompletionChunk.model_validate(
                {
                    "id": self._last.get("id", ""),
                    "created": self._last.get("created") or 0,
                    "model": self._ctx.model,
                    "provider": self._ctx.provider,
                    "choices": [
                        {"index": i, "delta": {}, "finish_reason": "tool_calls" if self._tools_seen.get(i) else "stop"}
                        for i in missing
                    ],
                }
            )
        ]

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )


def _map_finish_reason(value: Any, payload: dict[str, Any]) -> str | None:
    if value is None:
        return None
    text = str(value)
    if text in _FINISH_REASONS:
        return _FINISH_REASONS[text]
    payload.setdefault("finish_reason_raw", text)
    return None


def _map_reasoning(message: dict[str, Any]) -> None:
    """`reasoning` as a plain string (OpenRouter, some relays) is reasoning text."""
    reasoning = message.get("reasoning")
    if isinstance(reasoning, str):
        message.pop("reasoning")
        message.setdefault("reasoning_content", reasoning)


def _stringify_arguments(function: Any) -> None:
    if isinstance(function, dict) and isinstance(function.get("arguments"), dict | list):
        function["arguments"] = json.dumps(function["arguments"], ensure_ascii=False)


def _extras(payload: dict[str, Any], fields: dict[str, Any], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in fields and k not in skip}
