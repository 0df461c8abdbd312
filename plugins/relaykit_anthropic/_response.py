"""A Claude Messages answer as a normalized `ChatCompletion`.

Reference: ``shared/dialects/anthropic.md`` sections 3 and 7.2 and gotcha 3. Every content block
is read, in order, whatever comes first:

- ``text`` blocks are joined into ``message.content`` (None when there is no text); web-search
  citations become ``url_citation`` annotations, other citations are kept as they came;
- ``tool_use`` blocks become ``tool_calls`` (``arguments`` = the JSON-encoded ``input``), counted
  among tool calls only; the forced ``json_response`` tool of a JSON-schema request is the answer
  itself, so its input becomes the content instead;
- ``thinking`` blocks become ``reasoning_content`` (joined by a blank line) and, with their
  signatures, `ReasoningPart`\\s (``provider="anthropic"``) to send back on the next turn;
  ``redacted_thinking`` blocks become parts carrying ``redacted_data``;
- server-tool blocks and any block type added later go to ``vendor_data["unmapped_content"]``.

``stop_reason`` maps by `STOP_REASONS` (the raw value, ``stop_sequence`` and ``stop_details`` stay
in ``vendor_data``); an unknown reason gives no finish reason and ``vendor_data["finish_reason_raw"]``.
Usage: ``prompt_tokens`` = input + cache writes + cache reads, with ``cached_tokens`` (reads) and
``cache_write_tokens`` (writes) in ``prompt_tokens_details``; usage fields without a normalized
home stay in ``vendor_data["usage"]``.
"""

from __future__ import annotations

import json
from typing import Any

from relaykit import ChatCompletion, ReasoningPart
from relaykit.plugin import CallContext, HttpResponse

from ._common import VENDOR, extras, malformed, now, parse_model

__all__ = ["STOP_REASONS", "finish_reason", "map_usage", "parse_message", "usage_leftovers"]

STOP_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "pause_turn": "stop",
    "refusal": "content_filter",
    "model_context_window_exceeded": "length",
}
"""Claude's ``stop_reason`` values and the normalized finish reasons they mean."""

_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
_USED = frozenset({"id", "type", "role", "model", "content", "usage"})


def parse_message(
    payload: dict[str, Any], response: HttpResponse, ctx: CallContext, *, json_tool: str | None = None
) -> ChatCompletion:
    """A `ChatCompletion` from a Messages answer (``{"type": "message", "content": [...]}``)."""
    blocks = payload.get("content")
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        raise malformed(response, ctx, "no list of content blocks")
    texts: list[str] = []
    annotations: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    thinking: list[str] = []
    reasoning: list[ReasoningPart] = []
    unmapped: list[dict[str, Any]] = []
    answered_by_json_tool = False
    for block in blocks:
        kind = block.get("type")
        if kind == "text":
            start = sum(len(text) for text in texts)
            text = str(block.get("text") or "")
            texts.append(text)
            annotations.extend(_annotation(c, start, start + len(text)) for c in block.get("citations") or ())
        elif kind == "tool_use" and json_tool is not None and block.get("name") == json_tool:
            texts.append(json.dumps(block.get("input") or {}, ensure_ascii=False))
            answered_by_json_tool = True
        elif kind == "tool_use":
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            function = {"name": block.get("name"), "arguments": arguments}
            tool_calls.append({"id": block.get("id"), "type": "function", "function": function})
        elif kind == "thinking":
            if block.get("thinking"):
                thinking.append(str(block["thinking"]))
            reasoning.append(
                ReasoningPart(
                    text=block.get("thinking") or "", signature=block.get("signature") or None, provider=VENDOR
                )
            )
        elif kind == "redacted_thinking":
            reasoning.append(ReasoningPart(redacted_data=block.get("data"), provider=VENDOR))
        else:
            unmapped.append(block)
    vendor_data = extras(payload, _USED)
    raw_usage = payload.get("usage")
    if leftovers := usage_leftovers(raw_usage):
        vendor_data["usage"] = leftovers
    if unmapped:
        vendor_data["unmapped_content"] = unmapped
    finish = finish_reason(payload.get("stop_reason"), vendor_data)
    if answered_by_json_tool and finish == "tool_calls" and not tool_calls:
        finish = "stop"
    message = {
        "role": "assistant",
        "content": "".join(texts) or None,
        "tool_calls": tool_calls or None,
        "reasoning_content": "\n\n".join(thinking) or None,
        "reasoning": reasoning or None,
        "annotations": annotations or None,
    }
    data = {
        "id": payload.get("id") or "",
        "created": now(),
        "model": payload.get("model") or ctx.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": map_usage(raw_usage),
        "service_tier": raw_usage.get("service_tier") if isinstance(raw_usage, dict) else None,
        "provider": ctx.provider,
        "request_id": response.request_id,
        "vendor_data": vendor_data,
    }
    return parse_model(ChatCompletion, data, response, ctx)


def finish_reason(value: Any, vendor_data: dict[str, Any]) -> str | None:
    """The normalized finish reason for a ``stop_reason``; an unknown one is kept raw, not guessed."""
    if value is None:
        return None
    text = str(value)
    if text in STOP_REASONS:
        return STOP_REASONS[text]
    vendor_data.setdefault("finish_reason_raw", text)
    return None


def map_usage(raw: Any) -> dict[str, Any] | None:
    """Claude's usage as normalized usage; prompt tokens include cache reads and writes."""
    if not isinstance(raw, dict):
        return None
    counts = {name: _count(raw.get(name)) for name in _USAGE_FIELDS}
    written, read = counts["cache_creation_input_tokens"], counts["cache_read_input_tokens"]
    prompt = counts["input_tokens"] + written + read
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": counts["output_tokens"],
        "total_tokens": prompt + counts["output_tokens"],
    }
    if "cache_creation_input_tokens" in raw or "cache_read_input_tokens" in raw:
        usage["prompt_tokens_details"] = {"cached_tokens": read, "cache_write_tokens": written}
    return usage


def usage_leftovers(raw: Any) -> dict[str, Any]:
    """The usage fields with no normalized home (service tier, cache breakdown, server tools...)."""
    if not isinstance(raw, dict):
        return {}
    return {key: value for key, value in raw.items() if key not in _USAGE_FIELDS}


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _annotation(citation: Any, start: int, end: int) -> dict[str, Any]:
    if isinstance(citation, dict) and citation.get("type") == "web_search_result_location":
        found = {"url": citation.get("url"), "title": citation.get("title"), "start_index": start, "end_index": end}
        return {"type": "url_citation", "url_citation": found}
    return {"type": "citation", "citation": citation, "start_index": start, "end_index": end}
