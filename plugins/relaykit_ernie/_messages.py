"""Normalized chat messages to ERNIE v1's ``system`` text and strictly alternating ``messages``.

Reference: ``shared/dialects/ernie.md`` sections A2 (message rules) and C1, gotchas 1, 2 and 12.
ERNIE v1 has three roles and rejects, with a 336003/336006 error, what OpenAI-shaped histories
often hold. The rules are enforced here, before anything is sent:

- system and developer messages are lifted, in order, into ``system`` (joined by a newline); their
  position in the conversation is lost;
- user and assistant text parts are joined by newlines; images, audio and files are refused
  (the text endpoints read text only);
- an assistant message's tool calls become ``function_call`` turns (``{name, arguments,
  thoughts}``; the message's ``reasoning_content`` travels back as ``thoughts``); v1 has no call
  ids and one call per turn, so each call is followed by its own result: several calls in one
  message become several call/result pairs (logged);
- a tool message becomes ``{"role": "function", "name": <the called function>, "content"}``; a
  result that is not a JSON object is wrapped as ``{"result": <text>}``, as Baidu's own OpenAI
  adapter does, because the model reads JSON results best;
- consecutive user messages, or consecutive assistant texts, are merged (joined by a newline);
- a conversation that opens with the assistant gets a ``"/"`` user turn in front (logged), and an
  empty assistant text becomes ``"/"`` (Baidu's placeholder; logged); message ``name`` is left out
  (logged): v1 names only function results.

What cannot be fixed without inventing or dropping the caller's words is refused with
`InvalidRequestError` naming the message: empty user text, a conversation that ends with the
assistant (v1 has no prefill), a user message right after a tool result (v1 needs the assistant's
answer in between), and a legacy function call or result out of turn. The result always has an odd
number of turns, user (or function) first, alternating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from relaykit import (
    AssistantMessage,
    ChatRequest,
    FunctionMessage,
    InvalidRequestError,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from relaykit.plugin import CallContext, log_event

from ._errors import adjusted

__all__ = ["PLACEHOLDER", "function_result", "map_messages"]

PLACEHOLDER = "/"
"""What stands in for text ERNIE requires but the conversation does not have (Baidu's choice)."""


@dataclass
class _Turn:
    role: str  # user | assistant | function
    source: int  # the index of the message it came from (for errors)
    texts: list[str] = field(default_factory=list)
    name: str | None = None
    function_call: dict[str, str] | None = None

    def wire(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self.role}
        text = "\n".join(self.texts)
        if text or self.function_call is None:
            message["content"] = text
        if self.name is not None:
            message["name"] = self.name
        if self.function_call is not None:
            message["function_call"] = self.function_call
        return message


def map_messages(request: ChatRequest, ctx: CallContext) -> tuple[str | None, list[dict[str, Any]]]:
    """The ``system`` text (None when there is none) and the alternating ``messages`` for `request`."""
    system: list[str] = []
    turns: list[_Turn] = []
    messages = request.messages
    position = 0
    while position < len(messages):
        message = messages[position]
        if isinstance(message, SystemMessage) or message.role == "developer":
            system.append(_text(message.content, position, ctx))
            _drop_name(message, position, ctx)
        elif isinstance(message, UserMessage):
            _drop_name(message, position, ctx)
            turns.append(_Turn("user", position, [_text(message.content, position, ctx)]))
        elif isinstance(message, AssistantMessage):
            _drop_name(message, position, ctx)
            position = _assistant(message, position, messages, turns, ctx)
        elif isinstance(message, FunctionMessage):
            turns.append(_Turn("function", position, [function_result(message.content or "")], name=message.name))
        elif isinstance(message, ToolMessage):  # pragma: no cover - consumed with its assistant message
            raise InvalidRequestError(f"messages.{position}: a tool result out of turn", field=f"messages.{position}")
        position += 1
    return ("\n".join(system) or None), [turn.wire() for turn in _alternating(turns, ctx)]


def function_result(content: str) -> str:
    """A function result as ERNIE reads it best: a JSON object, else wrapped as ``{"result": ...}``."""
    try:
        parsed = json.loads(content)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return content
    return json.dumps({"result": content}, ensure_ascii=False)


def _assistant(
    message: AssistantMessage, position: int, messages: list[Any], turns: list[_Turn], ctx: CallContext
) -> int:
    """Append the turns of one assistant message (and of the tool results answering it); returns
    the index of the last message consumed."""
    if message.audio is not None:
        raise InvalidRequestError(
            f"messages.{position}.audio: ERNIE cannot take assistant audio", field=f"messages.{position}.audio"
        )
    if message.reasoning:
        log_event(
            "relaykit.reasoning.dropped",
            provider=ctx.provider,
            model=ctx.model,
            blocks=len(message.reasoning),
            from_providers=sorted({str(part.provider) for part in message.reasoning}),
        )
    text = _text(message.content, position, ctx) if message.content is not None else ""
    text = text or (message.refusal or "")
    thoughts = message.reasoning_content
    if message.function_call is not None:
        call = {"name": message.function_call.name, "arguments": message.function_call.arguments}
        turns.append(_Turn("assistant", position, [text] if text else [], function_call=_with(call, thoughts)))
        return position
    if not message.tool_calls:
        turns.append(_Turn("assistant", position, [text]))
        return position
    results: dict[str, tuple[int, ToolMessage]] = {}
    last = position
    while last + 1 < len(messages) and isinstance(messages[last + 1], ToolMessage):
        last += 1
        results[messages[last].tool_call_id] = (last, messages[last])
    if len(message.tool_calls) > 1:
        adjusted(
            ctx,
            f"messages.{position}.tool_calls",
            "split",
            "ERNIE v1 makes one function call per turn: each call is sent followed by its result",
            calls=len(message.tool_calls),
        )
    for number, tool_call in enumerate(message.tool_calls):
        call = {"name": tool_call.function.name, "arguments": tool_call.function.arguments}
        said = [text] if text and number == 0 else []
        turns.append(_Turn("assistant", position, said, function_call=_with(call, thoughts if number == 0 else None)))
        if tool_call.id in results:
            index, result = results[tool_call.id]
            content = _text(result.content, index, ctx)
            turns.append(_Turn("function", index, [function_result(content)], name=tool_call.function.name))
    return last


def _with(call: dict[str, str], thoughts: str | None) -> dict[str, str]:
    return {**call, "thoughts": thoughts} if thoughts else call


def _alternating(turns: list[_Turn], ctx: CallContext) -> list[_Turn]:
    """Merge neighbours, put a user turn first, and check what cannot be fixed."""
    merged: list[_Turn] = []
    for turn in turns:
        previous = merged[-1] if merged else None
        if previous is None or _side(previous) != _side(turn):
            merged.append(turn)
        elif previous.role == turn.role == "user":
            previous.texts.extend(turn.texts)
        elif previous.role == turn.role == "assistant" and previous.function_call is None:
            turn.texts[:0] = previous.texts
            merged[-1] = turn
        else:
            raise _out_of_turn(previous, turn)
    if merged and merged[0].role == "assistant":
        adjusted(ctx, "messages.0", "prepended", "ERNIE v1 needs a user turn first", content=PLACEHOLDER)
        merged.insert(0, _Turn("user", 0, [PLACEHOLDER]))
    if not merged:
        raise InvalidRequestError(
            "messages: ERNIE v1 needs at least one user message besides the system messages", field="messages"
        )
    if merged[0].role == "function":
        raise _refused(merged[0].source, "a function result must follow the assistant's function call")
    for turn in merged:
        text = "\n".join(turn.texts)
        if turn.role == "user" and not text.strip():
            raise _refused(turn.source, "ERNIE v1 rejects empty message content", "content")
        if turn.role == "assistant" and turn.function_call is None and not text.strip():
            adjusted(ctx, f"messages.{turn.source}.content", "replaced", "ERNIE v1 rejects empty content")
            turn.texts = [PLACEHOLDER]
    if merged[-1].role == "assistant":
        raise _refused(
            merged[-1].source,
            "ERNIE v1 has no assistant prefill: the conversation must end with a user message or a tool result",
        )
    return merged


def _side(turn: _Turn) -> str:
    return "assistant" if turn.role == "assistant" else "user"


def _out_of_turn(previous: _Turn, turn: _Turn) -> InvalidRequestError:
    if previous.role == "function" and turn.role == "user":
        why = "ERNIE v1 needs the assistant's answer between a tool result and the next user message"
    elif turn.role == "function":
        why = "a function result must follow the assistant's function call (one result per call)"
    else:
        why = "an assistant function call must be answered by its result before the next assistant turn"
    return _refused(turn.source, why)


def _refused(position: int, why: str, sub: str | None = None) -> InvalidRequestError:
    where = f"messages.{position}" + (f".{sub}" if sub else "")
    return InvalidRequestError(f"{where}: {why}", field=where)


def _text(content: Any, position: int, ctx: CallContext) -> str:
    """The text of a message's content; non-text parts are refused, naming the part."""
    if isinstance(content, str):
        return content
    texts: list[str] = []
    for number, part in enumerate(content or ()):
        if part.type == "text":
            texts.append(part.text)
        elif part.type == "refusal":
            texts.append(part.refusal)
        else:
            where = f"messages.{position}.content.{number}"
            raise InvalidRequestError(
                f"{where}: ERNIE v1 chat endpoints read text only, not {part.type} parts", field=where
            )
    return "\n".join(texts)


def _drop_name(message: Any, position: int, ctx: CallContext) -> None:
    if getattr(message, "name", None):
        adjusted(ctx, f"messages.{position}.name", "dropped", "ERNIE v1 names only function results")
