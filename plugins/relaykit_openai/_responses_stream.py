"""The stream of OpenAI's Responses API: typed SSE events, as `ChatCompletionChunk`s.

Reference: https://platform.openai.com/docs/api-reference/responses-streaming and the event
types of ``openai/openai-python`` (``src/openai/types/responses/response_*_event.py``). Each event
names its ``type`` (also the SSE ``event:`` field) and carries a ``sequence_number``; the stream
ends with ``response.completed``, ``response.incomplete`` or ``response.failed`` and has no
``[DONE]``. The events used:

- ``response.created``: the response id, model and time; a first chunk with the assistant role;
- ``response.output_text.delta`` / ``response.refusal.delta``: text and refusal fragments;
- ``response.output_item.added`` (a ``function_call``): a tool call opens, with its ``call_id``
  and name; ``response.function_call_arguments.delta`` adds argument fragments. Tool-call indexes
  are dense: the position of the call among the function calls, not the ``output_index``;
- ``response.reasoning_summary_text.delta`` / ``response.reasoning_text.delta``: reasoning text,
  parts separated by a blank line; a finished ``reasoning`` item gives its `ReasoningPart`;
- the ``*.done`` events and the final response: whatever their deltas left out is sent then, so
  the assembled stream equals the final response;
- ``response.completed`` / ``response.incomplete``: the finish chunk, then (when the request asked
  for ``stream_options.include_usage``) the usage chunk, whose ``choices`` is empty;
- ``response.failed`` and ``error``: the mapped `APIStatusError`.

Every other event (content parts, annotations, built-in tool progress) adds nothing to a chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from relaykit import ChatCompletionChunk, ResponseFormatError, StreamInterruptedError
from relaykit.plugin import CallContext, HttpResponse, StreamEvent, excerpt

from ._responses_output import REASONING_SEPARATOR, failure_error, finish_reason, map_usage, reasoning_part

__all__ = ["ResponsesChunkDecoder"]

_Handler = Callable[["ResponsesChunkDecoder", dict[str, Any], str], list[ChatCompletionChunk]]


class ResponsesChunkDecoder:
    """Turns Responses API events into `ChatCompletionChunk`s (see the module docstring)."""

    def __init__(
        self, ctx: CallContext, *, include_usage: bool = False, headers: Mapping[str, str] | None = None
    ) -> None:
        self._ctx = ctx
        self._include_usage = include_usage
        self._headers = dict(headers or {})
        self.finished = False
        self._id = ""
        self._model = ctx.model
        self._created = 0
        self._started = False
        # Function calls by item id and by output index -> dense tool-call index.
        self._calls_by_id: dict[str, int] = {}
        self._calls_by_position: dict[int, int] = {}
        self._announced: set[int] = set()
        # What was sent so far of each text, refusal and arguments string.
        self._sent: dict[tuple[Any, ...], str] = {}
        # Reasoning parts that sent text, as (output item, ...) keys; reasoning items finished.
        self._reasoning_keys: set[tuple[Any, ...]] = set()
        self._reasoning_done: set[Any] = set()
        self._request_id = HttpResponse(status=200, headers=self._headers).request_id

    def feed(self, event: StreamEvent) -> list[ChatCompletionChunk]:
        data = event.data.strip()
        if not data or data == "[DONE]":
            return []
        try:
            payload = json.loads(data)
        except ValueError as exc:
            raise self._malformed("an event is not JSON", data) from exc
        if not isinstance(payload, dict):
            raise self._malformed("an event is not a JSON object", data)
        handler = _HANDLERS.get(str(payload.get("type") or event.event))
        return handler(self, payload, data) if handler is not None else []

    def close(self) -> list[ChatCompletionChunk]:
        if self.finished:
            return []
        raise StreamInterruptedError(
            "the stream ended before the response completed (no response.completed event)",
            provider=self._ctx.provider,
            model=self._ctx.model,
        )

    def _on_created(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        self._remember(payload.get("response"))
        if self._started:
            return []
        self._started = True
        return [self._chunk({"role": "assistant"})]

    def _on_item_added(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        item = payload.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call":
            return []
        return self._tool_chunks(item, payload.get("output_index"), item.get("arguments") or "")

    def _on_text_delta(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        field = "refusal" if payload.get("type") == "response.refusal.delta" else "content"
        key = (field, _item_key(payload), payload.get("content_index", 0))
        return self._fragment(key, field, payload.get("delta"))

    def _on_text_done(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        field = "refusal" if payload.get("type") == "response.refusal.done" else "content"
        key = (field, _item_key(payload), payload.get("content_index", 0))
        return self._remainder(key, field, payload.get("refusal" if field == "refusal" else "text"))

    def _on_arguments(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        item = {"id": payload.get("item_id"), "type": "function_call"}
        if payload.get("type") == "response.function_call_arguments.done":
            return self._tool_chunks(item, payload.get("output_index"), payload.get("arguments") or "")
        fragment = payload.get("delta")
        if not isinstance(fragment, str) or not fragment:
            return []
        index = self._slot(item, payload.get("output_index"))
        self._sent["arguments", index] = self._sent.get(("arguments", index), "") + fragment
        return [self._chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})]

    def _on_reasoning_delta(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        part = payload.get("summary_index", payload.get("content_index", 0))
        return self._reasoning_text((_item_key(payload), payload.get("type"), part), payload.get("delta"))

    def _on_item_done(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        item = payload.get("item")
        return self._item_done(item, payload.get("output_index")) if isinstance(item, dict) else []

    def _on_finished(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        response = payload.get("response")
        if not isinstance(response, dict):
            response = {}
        self._remember(response)
        self.finished = True
        chunks: list[ChatCompletionChunk] = []
        output = response.get("output")
        for position, item in enumerate(output if isinstance(output, list) else ()):
            if isinstance(item, dict):
                chunks.extend(self._item_done(item, position))
        extras = {key: response[key] for key in ("status", "incomplete_details") if response.get(key) is not None}
        has_calls = bool(self._calls_by_id or self._calls_by_position)
        chunks.append(self._chunk({}, finish_reason=finish_reason(response, has_calls), vendor_data=extras))
        usage = map_usage(response.get("usage"))
        if self._include_usage and usage is not None:
            chunks.append(self._chunk(None, usage=usage))
        return chunks

    def _on_failed(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        self.finished = True
        response = payload.get("response")
        error = response.get("error") if isinstance(response, dict) else None
        raise failure_error(error, self._event_response(raw), self._ctx)

    def _on_error(self, payload: dict[str, Any], raw: str) -> list[ChatCompletionChunk]:
        self.finished = True
        error = payload.get("error") if isinstance(payload.get("error"), dict) else payload
        raise failure_error(error, self._event_response(raw), self._ctx)

    def _item_done(self, item: dict[str, Any], position: Any) -> list[ChatCompletionChunk]:
        """Send what a finished output item holds that its deltas did not (usually nothing)."""
        kind = item.get("type")
        key = position if isinstance(position, int) else item.get("id")
        if kind == "function_call":
            return self._tool_chunks(item, position, item.get("arguments") or "")
        chunks: list[ChatCompletionChunk] = []
        if kind == "message":
            for index, part in enumerate(item.get("content") or ()):
                if isinstance(part, dict) and part.get("type") in ("output_text", "refusal"):
                    field = "content" if part["type"] == "output_text" else "refusal"
                    full = part.get("text" if field == "content" else "refusal")
                    chunks.extend(self._remainder((field, key, index), field, full))
        elif kind == "reasoning" and key not in self._reasoning_done:
            self._reasoning_done.add(key)
            block = reasoning_part(item)
            if block.text and not any(k[0] == key for k in self._reasoning_keys):
                chunks.extend(self._reasoning_text((key, "item"), block.text))
            chunks.append(self._chunk({"reasoning": [block]}))
        return chunks

    def _tool_chunks(self, item: dict[str, Any], position: Any, arguments: str) -> list[ChatCompletionChunk]:
        """Open a function call (once) and send the part of `arguments` not sent yet."""
        index = self._slot(item, position)
        call: dict[str, Any] = {"index": index}
        if index not in self._announced and item.get("name"):
            self._announced.add(index)
            call.update(id=item.get("call_id") or item.get("id"), type="function", function={"name": item["name"]})
        sent = self._sent.get(("arguments", index), "")
        if arguments.startswith(sent) and len(arguments) > len(sent):
            call.setdefault("function", {})["arguments"] = arguments[len(sent) :]
            self._sent["arguments", index] = arguments
        if len(call) == 1:
            return []
        return [self._chunk({"tool_calls": [call]})]

    def _slot(self, item: dict[str, Any], position: Any) -> int:
        """The dense tool-call index of a function call item, assigned on first sight."""
        item_id = item.get("id")
        index = self._calls_by_id.get(item_id) if item_id else None
        if index is None and isinstance(position, int):
            index = self._calls_by_position.get(position)
        if index is None:
            index = len(set(self._calls_by_id.values()) | set(self._calls_by_position.values()))
        if item_id:
            self._calls_by_id[item_id] = index
        if isinstance(position, int):
            self._calls_by_position[position] = index
        return index

    def _fragment(self, key: tuple[Any, ...], field: str, fragment: Any) -> list[ChatCompletionChunk]:
        if not isinstance(fragment, str) or not fragment:
            return []
        self._sent[key] = self._sent.get(key, "") + fragment
        return [self._chunk({field: fragment})]

    def _remainder(self, key: tuple[Any, ...], field: str, full: Any) -> list[ChatCompletionChunk]:
        sent = self._sent.get(key, "")
        if not isinstance(full, str) or not full.startswith(sent) or len(full) == len(sent):
            return []
        return self._fragment(key, field, full[len(sent) :])

    def _reasoning_text(self, key: tuple[Any, ...], fragment: Any) -> list[ChatCompletionChunk]:
        """A reasoning fragment; the first of a new part follows a blank line after earlier parts."""
        if not isinstance(fragment, str) or not fragment:
            return []
        if key not in self._reasoning_keys and self._reasoning_keys:
            fragment = REASONING_SEPARATOR + fragment
        self._reasoning_keys.add(key)
        return [self._chunk({"reasoning_content": fragment})]

    def _remember(self, response: Any) -> None:
        if isinstance(response, dict):
            self._id = str(response.get("id") or self._id)
            self._model = str(response.get("model") or self._model)
            self._created = int(response.get("created_at") or self._created)

    def _chunk(
        self,
        delta: dict[str, Any] | None,
        *,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        vendor_data: dict[str, Any] | None = None,
    ) -> ChatCompletionChunk:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
        return ChatCompletionChunk.model_validate(
            {
                "id": self._id,
                "created": self._created,
                "model": self._model,
                "choices": choices,
                "usage": usage,
                "provider": self._ctx.provider,
                "vendor_data": vendor_data or {},
            }
        )

    def _event_response(self, raw: str) -> HttpResponse:
        """The stream's HTTP response, with one event as its body, for the error helpers."""
        return HttpResponse(status=200, headers=self._headers, content=raw.encode())

    def _malformed(self, why: str, raw: str) -> ResponseFormatError:
        return ResponseFormatError(
            f"{self._ctx.provider} sent a malformed stream event: {why}",
            provider=self._ctx.provider,
            model=self._ctx.model,
            request_id=self._request_id,
            body_excerpt=excerpt(raw, self._ctx.secrets()),
        )


def _item_key(payload: dict[str, Any]) -> Any:
    """Which output item an event belongs to: its ``output_index`` (the item id when absent)."""
    position = payload.get("output_index")
    return position if isinstance(position, int) else payload.get("item_id")


_HANDLERS: dict[str, _Handler] = {
    "response.created": ResponsesChunkDecoder._on_created,
    "response.in_progress": ResponsesChunkDecoder._on_created,
    "response.queued": ResponsesChunkDecoder._on_created,
    "response.output_item.added": ResponsesChunkDecoder._on_item_added,
    "response.output_text.delta": ResponsesChunkDecoder._on_text_delta,
    "response.refusal.delta": ResponsesChunkDecoder._on_text_delta,
    "response.output_text.done": ResponsesChunkDecoder._on_text_done,
    "response.refusal.done": ResponsesChunkDecoder._on_text_done,
    "response.function_call_arguments.delta": ResponsesChunkDecoder._on_arguments,
    "response.function_call_arguments.done": ResponsesChunkDecoder._on_arguments,
    "response.reasoning_summary_text.delta": ResponsesChunkDecoder._on_reasoning_delta,
    "response.reasoning_text.delta": ResponsesChunkDecoder._on_reasoning_delta,
    "response.output_item.done": ResponsesChunkDecoder._on_item_done,
    "response.completed": ResponsesChunkDecoder._on_finished,
    "response.incomplete": ResponsesChunkDecoder._on_finished,
    "response.failed": ResponsesChunkDecoder._on_failed,
    "error": ResponsesChunkDecoder._on_error,
}
