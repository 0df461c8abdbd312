"""A streamed Messages answer as Anthropic's named SSE events, and the in-stream error.

Reference: ``shared/dialects/anthropic.md`` section 4. The events, in order: ``message_start``
(empty content, ``stop_reason`` null, the input usage and ``output_tokens: 1``); per content block
``content_block_start``, its deltas and ``content_block_stop``, with a ``ping`` after the first
block starts; ``message_delta`` (stop reason and the cumulative usage, input fields repeated as
newer API versions do); ``message_stop``. No ``[DONE]``.

Deltas: text word by word (``text_delta``); thinking word by word (``thinking_delta``) then one
``signature_delta``; tool input as an empty ``input_json_delta`` then fragments of the JSON (none
but the empty one for an empty input, which a client must read as ``{}``); redacted thinking has
none. A `StreamError` replaces the rest of the stream after some events with an ``error`` event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from relaykit.testing import SSEEvent

from ._answer import Answer
from ._common import pieces

__all__ = ["StreamError", "message_events"]

_JSON_PIECE = 12


@dataclass(frozen=True, slots=True)
class StreamError:
    """An ``error`` event sent after `after_events` events of a stream, which then ends."""

    error_type: str = "overloaded_error"
    message: str = "Overloaded"
    after_events: int = 4


def message_events(
    message: Mapping[str, Any], answer: Answer, usage: Mapping[str, Any], error: StreamError | None = None
) -> Iterator[SSEEvent]:
    """The SSE events of `message` (the non-streamed object), cut by `error` when given.

    An error asked for after more events than the stream has replaces its ``message_stop``.
    """
    events = list(_events(message, answer, usage))
    if error is None:
        yield from events
        return
    yield from events[: min(error.after_events, len(events) - 1)]
    yield _event({"type": "error", "error": {"type": error.error_type, "message": error.message}})


def _events(message: Mapping[str, Any], answer: Answer, usage: Mapping[str, Any]) -> Iterator[SSEEvent]:
    start_usage = {key: 1 if key == "output_tokens" else value for key, value in usage.items()}
    opening = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": start_usage}
    yield _event({"type": "message_start", "message": opening})
    for index, block in enumerate(answer.content):
        yield _event({"type": "content_block_start", "index": index, "content_block": _empty(block)})
        if index == 0:
            yield _event({"type": "ping"})
        for delta in _deltas(block):
            yield _event({"type": "content_block_delta", "index": index, "delta": delta})
        yield _event({"type": "content_block_stop", "index": index})
    final_usage = {
        key: usage[key]
        for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens")
        if key in usage
    }
    stop = {"stop_reason": answer.stop_reason, "stop_sequence": answer.stop_sequence}
    yield _event({"type": "message_delta", "delta": stop, "usage": final_usage})
    yield _event({"type": "message_stop"})


def _empty(block: Mapping[str, Any]) -> dict[str, Any]:
    kind = block["type"]
    if kind == "text":
        return {"type": "text", "text": ""}
    if kind == "thinking":
        return {"type": "thinking", "thinking": "", "signature": ""}
    if kind == "tool_use":
        return {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
    return dict(block)


def _deltas(block: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    kind = block["type"]
    if kind == "text":
        for piece in pieces(block["text"]):
            yield {"type": "text_delta", "text": piece}
    elif kind == "thinking":
        for piece in pieces(block["thinking"]):
            yield {"type": "thinking_delta", "thinking": piece}
        yield {"type": "signature_delta", "signature": block["signature"]}
    elif kind == "tool_use":
        yield {"type": "input_json_delta", "partial_json": ""}
        arguments = json.dumps(block["input"], ensure_ascii=False) if block["input"] else ""
        for start in range(0, len(arguments), _JSON_PIECE):
            yield {"type": "input_json_delta", "partial_json": arguments[start : start + _JSON_PIECE]}


def _event(payload: dict[str, Any]) -> SSEEvent:
    return SSEEvent(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), event=payload["type"])
