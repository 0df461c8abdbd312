"""Emulated ``POST /v1/chat/completions``: generated or scripted answers, as JSON or SSE.

Generated answers are deterministic. With tools offered (and ``tool_choice`` not ``"none"``) and a
user message last, the answer calls the named tool (or the first one) with arguments built from its
JSON schema's required properties. Otherwise it answers the last message in text: ``"You said:
<the last user text>"``, or ``"The tool returned: <content>"`` after a tool result. A
``json_schema`` response format gets a JSON object built from the schema. ``max_tokens`` /
``max_completion_tokens`` (in words) and ``stop`` cut the text, as a model would. Scripted answers
(`ScriptedChat`) are sent exactly as given and take precedence.

Streams follow ``shared/dialects/openai.md`` section 4: a role chunk, content deltas word by word
(tool calls as an ``index``/``id``/``name`` fragment then argument pieces), a finish chunk per
choice, the usage-only chunk (``choices: []``) with ``stream_options.include_usage``, ``[DONE]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from relaykit.testing import RecordedRequest, Reply

from ._common import bad_request, choice_count, json_object, pieces, required_string, text_of, unix_now, word_count

__all__ = ["ScriptedChat", "chat_body", "chat_reply", "sample_schema", "tool_call"]

_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
_FINGERPRINT = "fp_emulator"
_ARGUMENT_PIECE = 8


@dataclass(frozen=True, slots=True)
class ScriptedChat:
    """One exact chat answer, queued with `OpenAIEmulator.script_chat`."""

    text: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish_reason: str = "stop"
    reasoning: str | None = None
    refusal: str | None = None


@dataclass(slots=True)
class _Answer:
    content: str | None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    reasoning: str | None = None
    refusal: str | None = None


def chat_reply(body: dict[str, Any], seq: int, script: ScriptedChat | None) -> Reply:
    """The answer to one chat request (its body checked by `chat_body`); `seq` numbers its ids."""
    model = body["model"]
    answer = _scripted(script) if script is not None else _generate(body, f"call_emu{seq:06d}")
    n = choice_count(body)
    completion_id = f"chatcmpl-emu{seq:06d}"
    prompt_tokens = word_count(text_of(m.get("content")) for m in body["messages"])
    completion_tokens = word_count([answer.content or "", answer.refusal or "", answer.reasoning or ""])
    completion_tokens += sum(len(call["function"]["arguments"].split()) + 1 for call in answer.tool_calls)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens * n,
        "total_tokens": prompt_tokens + completion_tokens * n,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": word_count([answer.reasoning or ""]) * n,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    head = {"id": completion_id, "object": "chat.completion", "created": unix_now(), "model": model}
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return Reply.sse(_stream(head, answer, n, usage if include_usage else None))
    message: dict[str, Any] = {"role": "assistant", "content": answer.content, "refusal": answer.refusal}
    if answer.tool_calls:
        message["tool_calls"] = answer.tool_calls
    if answer.reasoning is not None:
        message["reasoning_content"] = answer.reasoning
    message["annotations"] = []
    choices = [
        {"index": i, "message": message, "logprobs": None, "finish_reason": answer.finish_reason} for i in range(n)
    ]
    payload = {**head, "choices": choices, "usage": usage}
    return Reply.json({**payload, "service_tier": "default", "system_fingerprint": _FINGERPRINT}, indent=2)


def chat_body(request: RecordedRequest) -> dict[str, Any]:
    """The chat body, checked like OpenAI does (the checks that matter), or a 400 `EmulatedError`."""
    body = json_object(request)
    required_string(body, "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise bad_request("Invalid 'messages': expected a non-empty array of messages.", "messages", "invalid_value")
    for position, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise bad_request(
                f"Invalid value for 'messages[{position}].role'.", f"messages[{position}].role", "invalid_value"
            )
    if body.get("stream_options") is not None and not body.get("stream"):
        raise bad_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options",
            "invalid_value",
        )
    tools = body.get("tools")
    if tools is not None and not (isinstance(tools, list) and all(_function_name(t) for t in tools)):
        raise bad_request("Invalid 'tools': expected an array of function tools with names.", "tools", "invalid_value")
    choice_count(body)
    return body


def tool_call(call: Mapping[str, Any], default_id: str) -> dict[str, Any]:
    """A scripted tool call as the wire's ``{"id", "type", "function": {"name", "arguments"}}``.

    Accepts that shape, or ``{"name": ..., "arguments": {...} or "json", "id"?: ...}``.
    """
    function = call.get("function", call)
    name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(name, str) or not name:
        raise ValueError("tool_calls: each call needs a function name")
    arguments = function.get("arguments", {})
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    return {"id": call.get("id") or default_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def sample_schema(schema: Any) -> Any:
    """A deterministic value that satisfies the simple JSON schema `schema` (required properties only)."""
    if not isinstance(schema, Mapping):
        return {}
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return sample_schema(schema[key][0])
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        return {name: sample_schema(properties.get(name, {})) for name in required}
    if kind == "array":
        return [sample_schema(schema.get("items", {}))] * int(schema.get("minItems", 0))
    simple: dict[str, Any] = {"string": "example", "integer": 1, "number": 1.0, "boolean": True, "null": None}
    if kind in {"integer", "number"} and "minimum" in schema:
        return schema["minimum"]
    return simple.get(str(kind), "example")


def _scripted(script: ScriptedChat) -> _Answer:
    content = script.text
    if content is None and not script.tool_calls and script.refusal is None:
        content = ""
    return _Answer(content, list(script.tool_calls), script.finish_reason, script.reasoning, script.refusal)


def _generate(body: dict[str, Any], call_id: str) -> _Answer:
    messages: list[dict[str, Any]] = body["messages"]
    last = messages[-1]
    tools = [t for t in body.get("tools") or [] if _function_name(t)]
    choice = body.get("tool_choice", "auto" if tools else "none")
    if tools and choice != "none" and last.get("role") == "user":
        tool = _chosen_tool(tools, choice)
        arguments = json.dumps(sample_schema(tool["function"].get("parameters")), ensure_ascii=False)
        call = {
            "id": call_id,
            "type": "function",
            "function": {"name": tool["function"]["name"], "arguments": arguments},
        }
        return _Answer(None, [call], "tool_calls")
    if last.get("role") == "tool":
        text = f"The tool returned: {text_of(last.get('content'))}"
    else:
        said = next((text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        text = f"You said: {said}" if said else "Hello! How can I help you today?"
    text = _formatted(text, body.get("response_format"))
    return _limited(text, body)


def _formatted(text: str, response_format: Any) -> str:
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_schema":
        return json.dumps(sample_schema((response_format.get("json_schema") or {}).get("schema")), ensure_ascii=False)
    if kind == "json_object":
        return json.dumps({"answer": text}, ensure_ascii=False)
    return text


def _limited(text: str, body: dict[str, Any]) -> _Answer:
    stops = body.get("stop") or []
    for stop in [stops] if isinstance(stops, str) else stops:
        if isinstance(stop, str) and stop and stop in text:
            text = text[: text.index(stop)]
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    words = pieces(text)
    if isinstance(limit, int) and limit < len([w for w in words if w.strip()]):
        return _Answer("".join(words[:limit]), finish_reason="length")
    return _Answer(text)


def _chosen_tool(tools: list[dict[str, Any]], choice: Any) -> dict[str, Any]:
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        for tool in tools:
            if tool["function"]["name"] == name:
                return tool
    return tools[0]


def _function_name(tool: Any) -> str | None:
    function = tool.get("function") if isinstance(tool, dict) else None
    name = function.get("name") if isinstance(function, dict) else None
    return name if isinstance(name, str) and name else None


def _stream(head: dict[str, Any], answer: _Answer, n: int, usage: dict[str, Any] | None) -> Iterator[str]:
    head = {**head, "object": "chat.completion.chunk"}
    extra = {"usage": None} if usage is not None else {}
    per_choice = [_choice_deltas(answer, index) for index in range(n)]
    for choices in _interleaved(per_choice):
        chunk = {**head, "system_fingerprint": _FINGERPRINT, "choices": choices}
        yield json.dumps({**chunk, **extra}, ensure_ascii=False, separators=(",", ":"))
    if usage is not None:
        chunk = {**head, "system_fingerprint": _FINGERPRINT, "choices": []}
        yield json.dumps({**chunk, "usage": usage}, ensure_ascii=False, separators=(",", ":"))
    yield "[DONE]"


def _choice_deltas(answer: _Answer, index: int) -> list[list[dict[str, Any]]]:
    def choice(delta: dict[str, Any], finish_reason: str | None = None) -> list[dict[str, Any]]:
        return [{"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

    first: dict[str, Any] = {"role": "assistant", "content": None if answer.tool_calls else "", "refusal": None}
    deltas = [choice(first)]
    deltas.extend(choice({"reasoning_content": piece}) for piece in pieces(answer.reasoning or ""))
    deltas.extend(choice({"content": piece}) for piece in pieces(answer.content or ""))
    deltas.extend(choice({"refusal": piece}) for piece in pieces(answer.refusal or ""))
    for position, call in enumerate(answer.tool_calls):
        function = call["function"]
        opening = {"index": position, "id": call["id"], "type": "function"}
        deltas.append(choice({"tool_calls": [{**opening, "function": {"name": function["name"], "arguments": ""}}]}))
        arguments: str = function["arguments"]
        for start in range(0, len(arguments), _ARGUMENT_PIECE):
            piece = arguments[start : start + _ARGUMENT_PIECE]
            deltas.append(choice({"tool_calls": [{"index": position, "function": {"arguments": piece}}]}))
    deltas.append(choice({}, answer.finish_reason))
    return deltas


def _interleaved(per_choice: Sequence[list[list[dict[str, Any]]]]) -> Iterator[list[dict[str, Any]]]:
    """Chunks of all choices in turn, as OpenAI interleaves them when ``n > 1``."""
    longest = max(len(deltas) for deltas in per_choice)
    for step in range(longest):
        for deltas in per_choice:
            if step < len(deltas):
                yield deltas[step]
