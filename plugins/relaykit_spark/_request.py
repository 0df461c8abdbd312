"""The WebSocket API's request frame: ``{header, parameter: {chat}, payload: {message, functions}}``.

Reference: ``shared/dialects/spark.md`` sections A3 (the frame) and C1 (the mapping). What does
not map one to one:

- ``system`` / ``developer`` messages become one ``system`` entry, first (Spark wants it first).
  Versions that do not honour it (`SparkEndpoint.system` False: Lite, Pro, Pro-128K) get its text
  folded into the first user turn instead, followed by a blank line.
- The protocol has no role for tool results and no wire form for an assistant's function call, so
  both are written as text: a call as ``调用函数 <name>: <arguments>`` in the assistant turn, a
  result as ``函数 <name> 返回: <content>`` in a user turn (`TOOL_CALL_TEXT`, `TOOL_RESULT_TEXT`).
  Consecutive turns of one role are then joined (blank line between), so user and assistant
  alternate as Spark requires.
- ``temperature`` is clamped into Spark's (0, 1] (0 becomes 0.01); ``max_tokens`` is clamped to the
  version's limit.
- ``top_p``, penalties, ``seed``, ``logit_bias``, ``parallel_tool_calls`` and ``reasoning_effort``
  have no equivalent and are left out. ``stop`` is not sent either: relaykit applies it to the
  answer (``_stop``). ``response_format`` can only be ``text`` here (the kind declares no JSON mode).
  ``n`` above 1 and ``logprobs`` cannot be honoured and are refused.
- ``tool_choice`` ``none`` sends no functions, a named choice sends only that function, and
  ``required`` cannot be enforced (all functions are sent).

Every clamp, drop and ignored choice is logged as ``relaykit.request.adjusted`` (``field``,
``action``, ``reason``), one event per field.
- ``user`` becomes ``header.uid`` (cut to 32 characters). ``provider_options`` go into
  ``parameter.chat`` (``top_k``, ``auditing``, ``chat_id``, ``tools`` for web search...), except
  ``uid`` and ``patch_id``, which go into the header.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from relaykit import ChatRequest, InvalidRequestError, NamedToolChoice, UnsupportedCapabilityError
from relaykit.plugin import CallContext, log_event

from ._domains import SparkEndpoint

__all__ = [
    "MIN_TEMPERATURE",
    "TOOL_CALL_TEXT",
    "TOOL_RESULT_TEXT",
    "adjusted",
    "build_frame",
    "functions_of",
    "map_messages",
]

TOOL_CALL_TEXT = "调用函数 {name}: {arguments}"
"""How an assistant's function call is written into its turn."""
TOOL_RESULT_TEXT = "函数 {name} 返回: {content}"
"""How a tool (or legacy function) result is written into a user turn."""
MIN_TEMPERATURE = 0.01
"""What a temperature of 0 becomes (Spark's range excludes 0)."""

_HEADER_OPTIONS = frozenset({"uid", "patch_id"})
# Core request fields and the frame's own keys; "tools" stays open: it is Spark's web search switch.
_RESERVED_OPTIONS = frozenset(
    {"model", "messages", "stream", "stream_options", "app_id", "domain", "temperature", "max_tokens", "functions"}
)
_UID_LIMIT = 32
_DROPPED = (
    "top_p",
    "presence_penalty",
    "frequency_penalty",
    "seed",
    "logit_bias",
    "parallel_tool_calls",
    "reasoning_effort",
)
_EMPTY_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}}


def build_frame(request: ChatRequest, ctx: CallContext, endpoint: SparkEndpoint, app_id: str) -> dict[str, Any]:
    """The request frame for `request` on `endpoint`, with `app_id` in its header."""
    _refuse_unmappable(request)
    chat: dict[str, Any] = {"domain": endpoint.domain}
    if request.temperature is not None:
        chat["temperature"] = _temperature(request.temperature, ctx)
    if (limit := request.max_output_tokens) is not None:
        chat["max_tokens"] = _max_tokens(limit, endpoint, ctx)
    header: dict[str, Any] = {"app_id": app_id}
    if request.user:
        header["uid"] = request.user[:_UID_LIMIT]
    clash = sorted(_RESERVED_OPTIONS & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field or the models setting",
            field=f"provider_options.{clash[0]}",
        )
    for key, value in ctx.options.items():
        (header if key in _HEADER_OPTIONS else chat)[key] = value
    if isinstance(header.get("uid"), str):
        header["uid"] = header["uid"][:_UID_LIMIT]
    payload: dict[str, Any] = {"message": {"text": map_messages(request.messages, system=endpoint.system)}}
    functions = functions_of(request, ctx)
    if functions:
        if not endpoint.functions:
            raise UnsupportedCapabilityError(
                f"{ctx.provider}/{ctx.model} ({endpoint.domain}) does no function calling",
                provider=ctx.provider,
                capability="chat.tools",
            )
        payload["functions"] = {"text": functions}
    for name in _DROPPED:
        if getattr(request, name) is not None:
            adjusted(ctx, name, "dropped", "the Spark WebSocket API has no such parameter")
    return {"header": header, "parameter": {"chat": chat}, "payload": payload}


def map_messages(messages: Sequence[Any], *, system: bool = True) -> list[dict[str, str]]:
    """The ``payload.message.text`` list: system first (or folded), tool traffic as text, alternating."""
    system_texts: list[str] = []
    turns: list[tuple[str, str]] = []
    call_names: dict[str, str] = {}
    for position, message in enumerate(messages):
        role = message.role
        if role in {"system", "developer"}:
            system_texts.append(_text(message.content, position))
        elif role == "user":
            turns.append(("user", _text(message.content, position)))
        elif role == "assistant":
            text = _assistant_text(message, call_names)
            if text:
                turns.append(("assistant", text))
        elif role == "tool":
            name = call_names.get(message.tool_call_id, message.tool_call_id)
            turns.append(("user", TOOL_RESULT_TEXT.format(name=name, content=_text(message.content, position))))
        elif role == "function":
            turns.append(("user", TOOL_RESULT_TEXT.format(name=message.name, content=message.content or "")))
    merged = _alternating(turns)
    if not system_texts:
        return merged
    system_text = "\n\n".join(system_texts)
    if system:
        return [{"role": "system", "content": system_text}, *merged]
    first_user = next((i for i, turn in enumerate(merged) if turn["role"] == "user"), None)
    if first_user is None:
        return [{"role": "user", "content": system_text}, *merged]
    merged[first_user] = {"role": "user", "content": f"{system_text}\n\n{merged[first_user]['content']}"}
    return merged


def functions_of(request: ChatRequest, ctx: CallContext) -> list[dict[str, Any]]:
    """``payload.functions.text`` for the request's tools (or legacy functions), as its choice allows."""
    if request.tools:
        definitions = [tool.function for tool in request.tools]
        choice = request.tool_choice
        if choice == "none":
            return []
        if isinstance(choice, NamedToolChoice):
            definitions = [d for d in definitions if d.name == choice.function.name]
        elif choice == "required":
            adjusted(ctx, "tool_choice", "ignored", "Spark cannot force a function call; all functions are offered")
    elif request.functions:
        definitions = list(request.functions)
        call = request.function_call
        if call == "none":
            return []
        if call is not None and not isinstance(call, str):
            definitions = [d for d in definitions if d.name == call.name]
    else:
        return []
    return [
        {
            "name": d.name,
            "description": d.description or "",
            "parameters": d.parameters if d.parameters is not None else dict(_EMPTY_PARAMETERS),
        }
        for d in definitions
    ]


def _refuse_unmappable(request: ChatRequest) -> None:
    if request.n is not None and request.n > 1:
        raise InvalidRequestError("Spark answers one choice per request; n must be 1", field="n")
    if request.logprobs:
        raise InvalidRequestError("Spark does not return log probabilities", field="logprobs")


def _temperature(value: float, ctx: CallContext) -> float:
    sent = min(max(value, MIN_TEMPERATURE), 1.0)
    if sent != value:
        adjusted(ctx, "temperature", "clamped", "the Spark WebSocket API takes (0, 1]", sent=sent)
    return sent


def _max_tokens(value: int, endpoint: SparkEndpoint, ctx: CallContext) -> int:
    if endpoint.max_tokens is None or value <= endpoint.max_tokens:
        return value
    adjusted(
        ctx, "max_tokens", "clamped", f"{endpoint.domain} takes at most {endpoint.max_tokens}", sent=endpoint.max_tokens
    )
    return endpoint.max_tokens


def adjusted(ctx: CallContext, field: str, action: str, reason: str, **values: Any) -> None:
    """Log that a request field was changed or left out to suit Spark (never silently)."""
    log_event(
        "relaykit.request.adjusted",
        provider=ctx.provider,
        model=ctx.model,
        field=field,
        action=action,
        reason=reason,
        **values,
    )


def _text(content: Any, position: int) -> str:
    """A message's text: the string, or its text parts joined by newlines (other parts refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for index, part in enumerate(content):
        if part.type == "text":
            texts.append(part.text)
        elif part.type == "refusal":
            texts.append(part.refusal)
        else:
            raise InvalidRequestError(
                f"Spark chat takes text only, not {part.type} parts", field=f"messages.{position}.content.{index}"
            )
    return "\n".join(texts)


def _assistant_text(message: Any, call_names: dict[str, str]) -> str:
    lines = [_text(message.content, 0)] if message.content else []
    if message.content is None and message.refusal:
        lines.append(message.refusal)
    for call in message.tool_calls or ():
        call_names[call.id] = call.function.name
        lines.append(TOOL_CALL_TEXT.format(name=call.function.name, arguments=call.function.arguments))
    if message.function_call is not None:
        lines.append(TOOL_CALL_TEXT.format(name=message.function_call.name, arguments=message.function_call.arguments))
    return "\n".join(line for line in lines if line)


def _alternating(turns: list[tuple[str, str]]) -> list[dict[str, str]]:
    merged: list[dict[str, str]] = []
    for role, text in turns:
        if merged and merged[-1]["role"] == role:
            merged[-1] = {"role": role, "content": f"{merged[-1]['content']}\n\n{text}"}
        else:
            merged.append({"role": role, "content": text})
    return merged
