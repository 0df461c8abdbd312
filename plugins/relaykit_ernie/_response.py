"""An ERNIE v1 chat answer as a normalized `ChatCompletion`.

Reference: ``shared/dialects/ernie.md`` sections A3 and C2, gotcha 6. The answer is flat:
``result`` is the text, ``function_call`` the one call a turn may make (``{name, arguments,
thoughts}``; ``result`` is then ``""``), ``usage`` is already OpenAI-named. Mapped:

- ``result`` -> ``choices[0].message.content`` (None when the turn is a function call);
- ``function_call`` -> one ``tool_calls`` entry with a generated id (v1 has none), or the legacy
  ``function_call`` when the request used ``functions``; ``thoughts`` (the model's reasoning) ->
  ``message.reasoning_content``, sent back as ``thoughts`` on the next turn;
- ``finish_reason`` through `FINISH_REASONS`; a function call is always ``tool_calls`` (relays
  report ``stop`` and lose the call), ``is_truncated`` means ``length``, and ``need_clear_history``
  or a ``flag`` mean the input was judged unsafe: ``content_filter``. An unknown value is kept in
  ``vendor_data["finish_reason_raw"]`` and the finish reason left None;
- ``model`` echoes the requested name (the answer has none); ``request_id`` is the
  ``X-Baidu-Request-Id`` header.

Everything else (``is_truncated``, ``need_clear_history``, ``ban_round``, ``flag``,
``search_info``, unknown keys) is kept in ``vendor_data``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from relaykit import ChatCompletion
from relaykit.plugin import CallContext, HttpResponse

from ._errors import malformed, request_id

__all__ = ["FINISH_REASONS", "MAPPED_KEYS", "call_id", "finish_reason", "flagged", "message_parts", "parse_chat"]

FINISH_REASONS: dict[str, str] = {
    "normal": "stop",
    "stop": "stop",
    "length": "length",
    "content_filter": "content_filter",
    "function_call": "tool_calls",
    "tool_calls": "tool_calls",
}
"""ERNIE's finish reasons (captured: normal, function_call; documented: stop, length, content_filter)."""

MAPPED_KEYS = frozenset({"id", "object", "created", "result", "function_call", "finish_reason", "usage"})
"""Answer keys that become normalized fields; the rest go to ``vendor_data``."""


def parse_chat(payload: dict[str, Any], response: HttpResponse, ctx: CallContext, *, legacy: bool) -> ChatCompletion:
    """A `ChatCompletion` from a v1 answer; `legacy` when the request used ``functions``."""
    result = payload.get("result", "")
    if result is not None and not isinstance(result, str):
        raise malformed(response, ctx, "result is not a string")
    message = message_parts(payload, legacy=legacy)
    if "content" not in message:
        message["content"] = result or ""
    raw = payload.get("finish_reason")
    vendor_data = {key: value for key, value in payload.items() if key not in MAPPED_KEYS}
    finish = finish_reason(payload, raw, legacy=legacy, flagged_before=False, default="stop")
    if finish is None and raw is not None:
        vendor_data["finish_reason_raw"] = str(raw)
    data = {
        "id": str(payload.get("id") or ""),
        "created": payload.get("created") or int(time.time()),
        "model": ctx.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": payload.get("usage"),
        "provider": ctx.provider,
        "request_id": request_id(response),
        "vendor_data": vendor_data,
    }
    try:
        return ChatCompletion.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise malformed(response, ctx, f"{where}: {first['msg']}") from exc


def message_parts(payload: Mapping[str, Any], *, legacy: bool) -> dict[str, Any]:
    """The function call of an answer (or stream event) as message fields: ``tool_calls`` (or the
    legacy ``function_call``), ``reasoning_content`` and a None ``content``; {} without a call."""
    call = payload.get("function_call")
    if not isinstance(call, Mapping) or not call.get("name"):
        return {}
    arguments = call.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)
    function = {"name": str(call["name"]), "arguments": arguments or "{}"}
    parts: dict[str, Any] = {"content": None}
    if legacy:
        parts["function_call"] = function
    else:
        parts["tool_calls"] = [{"id": call_id(payload), "type": "function", "function": function}]
    if isinstance(call.get("thoughts"), str) and call["thoughts"]:
        parts["reasoning_content"] = call["thoughts"]
    return parts


def call_id(payload: Mapping[str, Any]) -> str:
    """A tool-call id for the one call of an answer: derived from the answer id, so it is stable."""
    answer_id = payload.get("id")
    return f"call_{answer_id}" if isinstance(answer_id, str) and answer_id else f"call_{time.time_ns():x}"


def flagged(payload: Mapping[str, Any]) -> bool:
    """Whether ERNIE judged the input unsafe (``need_clear_history``, or a ``flag`` other than 0)."""
    return bool(payload.get("need_clear_history")) or payload.get("flag") not in (None, 0)


def finish_reason(
    payload: Mapping[str, Any], raw: Any, *, legacy: bool, flagged_before: bool, default: str | None
) -> str | None:
    """The normalized finish reason of a final answer or last stream event (see the module docstring).

    `default` is used when the answer has no ``finish_reason`` (older models omit it).
    """
    if isinstance(payload.get("function_call"), Mapping):
        return "function_call" if legacy else "tool_calls"
    if flagged_before or flagged(payload) or raw == "content_filter":
        return "content_filter"
    if payload.get("is_truncated") or raw == "length":
        return "length"
    if raw is None or raw == "":
        return default
    mapped = FINISH_REASONS.get(str(raw))
    if mapped == "tool_calls" and legacy:
        return "function_call"
    return mapped
