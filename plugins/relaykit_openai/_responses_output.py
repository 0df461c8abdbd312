"""The answer of OpenAI's Responses API: a ``response`` object, as a `ChatCompletion`.

Reference: https://platform.openai.com/docs/api-reference/responses/object and
``openai/openai-python`` ``src/openai/types/responses/response.py``. The object holds ``status``
(``completed``, ``incomplete``, ``failed``...), an ``output`` list of typed items and ``usage``:

- ``message`` items carry ``output_text`` parts (joined, in order, into the message content, as
  the official SDK's ``output_text`` does) and ``refusal`` parts;
- ``function_call`` items become tool calls whose id is the ``call_id``;
- ``reasoning`` items give their summary text (``reasoning_content``, parts joined by a blank line)
  and one `ReasoningPart` each (``signature`` = item id, ``redacted_data`` = encrypted content);
- any other item (built-in tools enabled through ``provider_options``) is kept in
  ``vendor_data["unmapped_output"]``.

The stream decoder shares the tables and helpers below, so both paths give the same answer.
"""

from __future__ import annotations

import time
from typing import Any

from relaykit import APIStatusError, ChatCompletion, ReasoningPart
from relaykit.plugin import CallContext, HttpResponse, api_error

from ._common import malformed, parse_model

__all__ = ["failure_error", "finish_reason", "map_usage", "parse_response", "reasoning_part"]

_INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}
# Failure codes that say more than their (absent) status: passed to `api_error` as the error type.
_FAILURE_HINTS = {
    "image_content_policy_violation": "content_policy_violation",
    "vector_store_timeout": "server_error",
}
_MAPPED_KEYS = frozenset({"id", "object", "created_at", "model", "output", "usage", "service_tier", "error"})
REASONING_SEPARATOR = "\n\n"


def parse_response(payload: dict[str, Any], response: HttpResponse, ctx: CallContext) -> ChatCompletion:
    """A `ChatCompletion` from a ``response`` object; a failed response raises its mapped error."""
    if payload.get("error") or payload.get("status") == "failed":
        raise failure_error(payload.get("error"), response, ctx)
    output = payload.get("output")
    if not isinstance(output, list) or not all(isinstance(item, dict) for item in output):
        raise malformed(response, ctx, "no output list")
    message, unmapped = _map_output(output)
    vendor_data = {key: value for key, value in payload.items() if key not in _MAPPED_KEYS}
    if unmapped:
        vendor_data["unmapped_output"] = unmapped
    data = {
        "id": payload.get("id") or "",
        "created": payload.get("created_at") or int(time.time()),
        "model": payload.get("model") or ctx.model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason(payload, bool(message["tool_calls"]))}
        ],
        "usage": map_usage(payload.get("usage")),
        "service_tier": payload.get("service_tier"),
        "provider": ctx.provider,
        "request_id": response.request_id,
        "vendor_data": vendor_data,
    }
    return parse_model(ChatCompletion, data, response, ctx)


def finish_reason(payload: dict[str, Any], has_tool_calls: bool) -> str | None:
    """The chat finish reason for a response's ``status`` and ``incomplete_details``."""
    status = payload.get("status")
    if status in (None, "completed"):
        return "tool_calls" if has_tool_calls else "stop"
    if status == "incomplete":
        details = payload.get("incomplete_details")
        reason = details.get("reason") if isinstance(details, dict) else None
        return _INCOMPLETE_REASONS.get(str(reason))
    return None


def map_usage(usage: Any) -> dict[str, Any] | None:
    """Chat-shaped usage from the Responses API's ``input_tokens`` / ``output_tokens`` counts."""
    if not isinstance(usage, dict):
        return None
    prompt = int(usage.get("input_tokens") or 0)
    completion = int(usage.get("output_tokens") or 0)
    result: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }
    if isinstance(details := usage.get("input_tokens_details"), dict):
        result["prompt_tokens_details"] = details
    if isinstance(details := usage.get("output_tokens_details"), dict):
        result["completion_tokens_details"] = details
    return result


def failure_error(error: Any, response: HttpResponse, ctx: CallContext) -> APIStatusError:
    """The relaykit error for a failed response's ``error`` object or an ``error`` stream event."""
    if not isinstance(error, dict):
        return api_error(response, ctx, f"the response failed without an error from {ctx.provider}")
    code = error.get("code")
    code_text = None if code in (None, "") else str(code)
    message = str(error.get("message") or code_text or "the response failed")
    kind = _FAILURE_HINTS.get(code_text or "") or error.get("type")
    return api_error(response, ctx, message, code=code_text, type_=None if kind is None else str(kind))


def reasoning_part(item: dict[str, Any]) -> ReasoningPart:
    """The `ReasoningPart` of a ``reasoning`` output item, to send back on the next turn."""
    return ReasoningPart(
        text=REASONING_SEPARATOR.join(reasoning_texts(item)) or None,
        signature=item.get("id") or None,
        redacted_data=item.get("encrypted_content") or None,
        provider="openai",
    )


def reasoning_texts(item: dict[str, Any]) -> list[str]:
    """The non-empty summary (then reasoning-text) parts of a ``reasoning`` item, in order."""
    parts = [*(item.get("summary") or ()), *(item.get("content") or ())]
    return [
        part["text"] for part in parts if isinstance(part, dict) and isinstance(part.get("text"), str) and part["text"]
    ]


def _map_output(output: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    texts: list[str] = []
    refusals: list[str] = []
    annotations: list[dict[str, Any]] = []
    reasoning: list[ReasoningPart] = []
    tool_calls: list[dict[str, Any]] = []
    unmapped: list[dict[str, Any]] = []
    saw_text = False
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or ():
                if part.get("type") == "output_text":
                    offset = sum(len(text) for text in texts)
                    annotations.extend(_map_annotation(a, offset) for a in part.get("annotations") or ())
                    texts.append(part.get("text") or "")
                    saw_text = True
                elif part.get("type") == "refusal":
                    refusals.append(part.get("refusal") or "")
        elif kind == "function_call":
            function = {"name": item.get("name") or "", "arguments": item.get("arguments") or "{}"}
            tool_calls.append(
                {"id": item.get("call_id") or item.get("id") or "", "type": "function", "function": function}
            )
        elif kind == "reasoning":
            reasoning.append(reasoning_part(item))
        else:
            unmapped.append(item)
    message = {
        "role": "assistant",
        "content": "".join(texts) if saw_text else None,
        "refusal": "".join(refusals) or None,
        "tool_calls": tool_calls or None,
        "reasoning_content": REASONING_SEPARATOR.join(filter(None, (part.text for part in reasoning))) or None,
        "reasoning": reasoning or None,
        "annotations": annotations or None,
    }
    return message, unmapped


def _map_annotation(annotation: Any, offset: int) -> Any:
    """A ``url_citation`` in the Chat Completions shape, its indexes made relative to the whole text."""
    if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
        return annotation
    citation = {key: value for key, value in annotation.items() if key != "type"}
    for key in ("start_index", "end_index"):
        if isinstance(citation.get(key), int):
            citation[key] += offset
    return {"type": "url_citation", "url_citation": citation}
