"""Emulated v1 chat: ``POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}``, JSON or SSE.

The body is checked the way ERNIE checks it, so that a translation bug shows up as the vendor's own
error: ``messages`` odd in number, user (or function) first, strictly alternating, no ``system``
role, no empty content; ``temperature`` in (0, 1]; ``penalty_score`` in [1, 2];
``max_output_tokens`` at least 2; function calls with a name. Violations answer HTTP 200 with
``error_code`` 336003 or 336006 and the messages seen in real traffic.

Answers are deterministic. With ``functions`` offered and a user message last, the answer calls the
function ``tool_choice`` names (or the first) with arguments built from its schema, ``result: ""``
and ``finish_reason: "function_call"``. After a function result it answers ``"工具返回：<content>"``,
otherwise ``"你说：<the last user text>"``. A user text containing one of `UNSAFE_WORDS` gets
ERNIE's content-safety answer: a canned refusal with ``need_clear_history: true``, ``ban_round:
-1`` and ``flag: 1``. ``stop`` cuts the text before the first stop sequence (``finish_reason: "stop"``), and
``max_output_tokens`` (in characters here) cuts it and sets ``is_truncated``. Scripted answers
(`ScriptedChat`) are sent exactly as given and take precedence; a scripted error is answered as
``{"error_code", "error_msg"}`` in an HTTP 200.

Streams follow ``shared/dialects/ernie.md`` section A4: one event per sentence (per word for text
with spaces) with ``sentence_id`` counting up and ``is_end: false`` (usage ``completion_tokens: 0``,
as 2024 traffic shows), then an event with ``result: ""``, ``is_end: true`` and the real usage; no
``[DONE]``. A function call is one event with ``is_end: true``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from relaykit.testing import Reply
from relaykit_openai.emulator import sample_schema

__all__ = ["UNSAFE_WORDS", "ChatError", "ScriptedChat", "chat_reply", "check_chat_body"]

UNSAFE_WORDS = ("敏感词", "unsafe-content")
"""User text containing one of these gets the content-safety answer."""
REFUSAL = "抱歉，我无法回答这个问题。"

_SENTENCE = re.compile(r"[^。！？；!?;\n]*[。！？；!?;\n]+|[^。！？；!?;\n]+$")
_WORD = re.compile(r"\s*\S+\s*|\s+")


class ChatError(Exception):
    """A v1 error answer (HTTP 200, ``error_code`` and ``error_msg``)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ScriptedChat:
    """One exact v1 answer, queued with `ErnieEmulator.script_chat`."""

    text: str = ""
    function_call: dict[str, str] | None = None
    finish_reason: str | None = None
    need_clear_history: bool = False
    error: tuple[int, str] | None = None


def check_chat_body(body: Any) -> dict[str, Any]:
    """The chat body, checked as ERNIE checks it; raises `ChatError` for what it rejects."""
    if not isinstance(body, dict):
        raise ChatError(336002, "Invalid JSON")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ChatError(336003, "messages can not be empty")
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if index % 2 == 0 and role not in {"user", "function"}:
            raise ChatError(336006, "the role of message with even index in the messages must be user or function")
        if index % 2 == 1 and role != "assistant":
            raise ChatError(336006, "the role of message with odd index in the messages must be assistant")
        call = message.get("function_call")
        if call is not None and not (isinstance(call, dict) and call.get("name")):
            raise ChatError(336003, "function_call's name can't be blank")
        content = message.get("content")
        if call is None and (not isinstance(content, str) or not content.strip()):
            raise ChatError(336003, "message content can not be empty")
    if messages[0].get("role") == "function":
        raise ChatError(336006, "the first message must be from the user")
    if len(messages) % 2 == 0:
        raise ChatError(336006, "the length of messages must be an odd number")
    _check_range(body, "temperature", lambda v: 0 < v <= 1, "temperature must be in (0, 1]")
    _check_range(body, "top_p", lambda v: 0 <= v <= 1, "top_p must be in [0, 1]")
    _check_range(body, "penalty_score", lambda v: 1 <= v <= 2, "penalty_score must be in [1, 2]")
    _check_range(body, "max_output_tokens", lambda v: v >= 2, "max_output_tokens must be at least 2")
    if "system" in body and not isinstance(body["system"], str):
        raise ChatError(336104, "invalid argument system")
    for function in body.get("functions") or ():
        if not isinstance(function, dict) or not function.get("name"):
            raise ChatError(336003, "function name can't be blank")
    return body


def chat_reply(body: dict[str, Any], answer_id: str, script: ScriptedChat | None) -> Reply:
    """The answer to one checked chat body, as JSON or as an SSE stream."""
    answer = script if script is not None else _generate(body)
    text = answer.text
    truncated = False
    stopped = None if script is not None else _stopped(body.get("stop"), text)
    if stopped is not None:
        text = stopped
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and answer.function_call is None and len(text) > limit:
        text, truncated = text[:limit], True
    prompt_tokens = sum(len(str(m.get("content") or "")) for m in body["messages"]) + len(body.get("system") or "")
    completion_tokens = len(text) + len(json.dumps(answer.function_call or "", ensure_ascii=False)) // 4
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    finish = answer.finish_reason or _finish(answer.function_call is not None, truncated, stopped is not None)
    head = {"id": answer_id, "object": "chat.completion", "created": int(time.time())}
    tail: dict[str, Any] = {"is_truncated": truncated, "need_clear_history": answer.need_clear_history}
    if answer.need_clear_history:
        tail.update(ban_round=-1, flag=1)
    if body.get("stream"):
        return Reply.sse(list(_events(head, tail, text, call=answer.function_call, finish=finish, usage=usage)))
    payload: dict[str, Any] = {**head, "result": text, **tail}
    if answer.function_call is not None:
        payload["function_call"] = answer.function_call
    payload.update(finish_reason=finish, usage=usage)
    return Reply.json(payload)


def _events(
    head: dict[str, Any],
    tail: dict[str, Any],
    text: str,
    *,
    call: dict[str, str] | None,
    finish: str,
    usage: dict[str, int],
) -> Iterator[str]:
    def event(sentence: int, result: str, is_end: bool, **extra: Any) -> str:
        running = usage if is_end else {**usage, "completion_tokens": 0, "total_tokens": usage["prompt_tokens"]}
        payload = {**head, "sentence_id": sentence, "is_end": is_end, **tail, "result": result, **extra}
        payload.update(finish_reason=finish if is_end else "normal", usage=running)
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    if call is not None:
        yield event(0, "", True, function_call=call)
        return
    sentences = [word for sentence in _SENTENCE.findall(text) for word in _WORD.findall(sentence)]
    for number, sentence in enumerate(sentences):
        yield event(number, sentence, False)
    yield event(len(sentences), "", True)


def _generate(body: dict[str, Any]) -> ScriptedChat:
    messages: list[dict[str, Any]] = body["messages"]
    last = messages[-1]
    functions = [f for f in body.get("functions") or () if isinstance(f, dict) and f.get("name")]
    if functions and last.get("role") == "user":
        function = _chosen(functions, body.get("tool_choice"))
        arguments = json.dumps(sample_schema(function.get("parameters")), ensure_ascii=False)
        thoughts = f"用户的问题需要调用{function['name']}工具。"
        call = {"name": function["name"], "thoughts": thoughts, "arguments": arguments}
        return ScriptedChat(function_call=call)
    if last.get("role") == "function":
        return ScriptedChat(f"工具返回：{last.get('content')}")
    said = str(last.get("content") or "")
    if any(word in said for word in UNSAFE_WORDS):
        return ScriptedChat(REFUSAL, need_clear_history=True)
    return ScriptedChat(f"你说：{said}")


def _stopped(stop: Any, text: str) -> str | None:
    """`text` cut before the first stop sequence it holds (None when it holds none)."""
    found = [text.index(s) for s in stop or () if isinstance(s, str) and s and s in text]
    return text[: min(found)] if found else None


def _finish(called: bool, truncated: bool, stopped: bool) -> str:
    if called:
        return "function_call"
    if truncated:
        return "length"
    return "stop" if stopped else "normal"


def _chosen(functions: list[dict[str, Any]], choice: Any) -> dict[str, Any]:
    name = (choice.get("function") or {}).get("name") if isinstance(choice, dict) else None
    return next((f for f in functions if f["name"] == name), functions[0])


def _check_range(body: dict[str, Any], name: str, valid: Any, message: str) -> None:
    value = body.get(name)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not valid(value):
        raise ChatError(336003, message)
