"""Emulated ``POST /v1/chat/completions`` of the HTTP API, with its quirks.

As ``shared/dialects/spark.md`` part B and the real captures show it: answers carry top-level
``code``/``message``/``sid`` and no ``id``/``object``/``model``/``finish_reason``; stream lines are
``data:{...}`` with no space, every chunk repeats ``code``/``message``/``sid``/``id``/``created``
and ``delta.role``, the last chunk has empty content and the usage, then ``data:[DONE]``; tool
calls come back as an array only with ``tool_calls_switch: true`` (else as one object) and have no
id. An unknown model is a 400 ``invalid param model:<name> (sid: ...)`` with the string code
``"10005"``. Scripted errors: moderation codes as a flat ``{"code", "message", "sid"}`` in a 200 (or
a stream chunk after the scripted text), others in the OpenAI envelope with the code as a string,
as an HTTP 500 (400 for parameter codes), as iFlytek sends ``AppIdNoAuthError``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from relaykit.testing import RecordedRequest, Reply
from relaykit_spark._domains import HTTP_MODELS

from ._answers import Answer, ScriptedError, generate, pieces, usage

__all__ = ["http_reply"]

_MODERATION = frozenset({10013, 10014, 10019, 10021, 10022})
_PARAMETER_CODES = frozenset({10003, 10004, 10005, 10163})
_ROLES = {"system", "user", "assistant", "tool"}


def http_reply(request: RecordedRequest, sid: str, script: Answer | ScriptedError | None) -> Reply:
    """The answer to one HTTP API chat request."""
    try:
        body = request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _envelope(400, 10004, f"invalid request body: not a JSON object (sid: {sid})", "invalid_request_error")
    problem = _check(body)
    if problem is not None:
        return _envelope(400, 10005, f"{problem} (sid: {sid})", "invalid_request_error")
    messages: list[dict[str, Any]] = body["messages"]
    stream = bool(body.get("stream"))
    if isinstance(script, ScriptedError):
        return _error(script, sid, stream)
    functions = []
    if body.get("tool_choice") != "none":
        functions = [t["function"] for t in body.get("tools") or () if isinstance(t, dict) and t.get("function")]
    answer = script if script is not None else generate(messages, functions)
    counts = usage(messages, answer)
    counts.pop("question_tokens")
    as_array = bool(body.get("tool_calls_switch"))
    if stream:
        return _sse(_chunks(answer, sid, counts, as_array))
    message: dict[str, Any] = {"role": "assistant", "content": answer.text}
    if answer.function_call is not None:
        message["tool_calls"] = _calls(answer, as_array, streamed=False)
    head = {"code": 0, "message": "Success", "sid": sid}
    return Reply.json({**head, "choices": [{"message": message, "index": 0}], "usage": counts})


def _check(body: dict[str, Any]) -> str | None:
    model = body.get("model")
    if model not in HTTP_MODELS:
        return f"invalid param model:{model}"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "invalid param messages"
    if any(not isinstance(m, dict) or m.get("role") not in _ROLES for m in messages):
        return "invalid param messages.role"
    temperature = body.get("temperature")
    if temperature is not None and not (isinstance(temperature, int | float) and 0 <= temperature <= 2):
        return f"invalid param temperature:{temperature}"
    return None


def _chunks(answer: Answer, sid: str, counts: dict[str, int], as_array: bool) -> Iterator[dict[str, Any]]:
    head = {"code": 0, "message": "Success", "sid": sid, "id": sid, "created": int(time.time())}
    if answer.function_call is not None:
        delta = {"role": "assistant", "content": "", "tool_calls": _calls(answer, as_array, streamed=True)}
        yield {**head, "choices": [{"delta": delta, "index": 0}]}
    else:
        for piece in pieces(answer.text):
            yield {**head, "choices": [{"delta": {"role": "assistant", "content": piece}, "index": 0}]}
    yield {**head, "choices": [{"delta": {"role": "assistant", "content": ""}, "index": 0}], "usage": counts}


def _calls(answer: Answer, as_array: bool, *, streamed: bool) -> Any:
    assert answer.function_call is not None
    name, arguments = answer.function_call
    call: dict[str, Any] = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if streamed:
        call = {"index": 0, **call}
    return [call] if as_array else call


def _error(script: ScriptedError, sid: str, stream: bool) -> Reply:
    if script.code not in _MODERATION and not script.in_band:
        status = 400 if script.code in _PARAMETER_CODES else 500
        error_type = "invalid_request_error" if status == 400 else "api_error"
        return _envelope(status, script.code, f"{script.message} (sid: {sid})", error_type)
    flat = {"code": script.code, "message": script.message, "sid": sid}
    if not stream:
        return Reply.json(flat)
    head = {"code": 0, "message": "Success", "sid": sid, "id": sid, "created": int(time.time())}
    before = [
        {**head, "choices": [{"delta": {"role": "assistant", "content": piece}, "index": 0}]}
        for piece in (pieces(script.before) if script.before else [])
    ]
    return _sse(iter([*before, flat]))


def _envelope(status: int, code: int, message: str, error_type: str) -> Reply:
    error = {"message": message, "type": error_type, "param": None, "code": str(code)}
    return Reply.json({"error": error}, status=status)


def _sse(chunks: Iterator[dict[str, Any]]) -> Reply:
    lines = [f"data:{json.dumps(chunk, ensure_ascii=False, separators=(',', ':'))}\n\n".encode() for chunk in chunks]
    lines.append(b"data:[DONE]\n\n")
    return Reply.stream(lines, content_type="text/event-stream")
