"""What the emulated Spark says: generated answers (the same for both APIs) or scripted ones.

Generated answers are deterministic:

- after a function result (an HTTP ``tool`` message last, or a WebSocket user turn written as
  ``函数 <name> 返回: <content>``, the form relaykit folds results into), the answer is
  ``结果是：<content>``;
- otherwise, with functions offered and a user turn last, the first offered function is called
  with arguments built from its JSON schema's required properties;
- otherwise the answer echoes the last user turn: ``你说：<text>``.

"Tokens" are characters, so Chinese text counts sensibly: the prompt is every message's content,
the question the last user turn, the completion the answer text (or the call's arguments).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from relaykit_openai.emulator import sample_schema

__all__ = ["Answer", "ScriptedError", "generate", "pieces", "usage"]

_RESULT = re.compile(r"函数 \S+ 返回: (.*)\Z", re.DOTALL)
_PIECE = 4


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer: text, or a function call (name and JSON-encoded arguments)."""

    text: str = ""
    function_call: tuple[str, str] | None = None

    @property
    def completion_text(self) -> str:
        return self.function_call[1] if self.function_call else self.text


@dataclass(frozen=True, slots=True)
class ScriptedError:
    """An error answer: Spark code `code` with `message`, after `before` of answer text.

    `in_band` asks the HTTP API for the flat ``{"code", "message", "sid"}`` form in a 200 (or a
    stream chunk) whatever the code; otherwise only moderation codes come that way.
    """

    code: int
    message: str
    before: str = ""
    in_band: bool = False


def generate(messages: Sequence[Mapping[str, Any]], functions: Sequence[Mapping[str, Any]]) -> Answer:
    """The generated answer to `messages` when `functions` (name/description/parameters) are offered."""
    last = messages[-1] if messages else {}
    content = _text(last.get("content"))
    if last.get("role") == "tool":
        return Answer(f"结果是：{content}")
    if last.get("role") == "user" and (found := _RESULT.search(content)):
        return Answer(f"结果是：{found.group(1)}")
    if functions and last.get("role") == "user":
        function = functions[0]
        arguments = json.dumps(sample_schema(function.get("parameters")), ensure_ascii=False)
        return Answer(function_call=(str(function.get("name")), arguments))
    said = next((_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
    return Answer(f"你说：{said}")


def pieces(text: str) -> list[str]:
    """`text` in frame-sized pieces of four characters (one empty piece for empty text)."""
    return [text[i : i + _PIECE] for i in range(0, len(text), _PIECE)] or [""]


def usage(messages: Sequence[Mapping[str, Any]], answer: Answer) -> dict[str, int]:
    """Character-count usage, with Spark's ``question_tokens`` (the last user turn)."""
    prompt = sum(len(_text(m.get("content"))) for m in messages)
    question = next((len(_text(m.get("content"))) for m in reversed(messages) if m.get("role") == "user"), 0)
    completion = len(answer.completion_text)
    return {
        "question_tokens": question,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""
