"""What the emulated Claude answers: generated or scripted content blocks, stop reason and usage.

Generated answers are deterministic. The blocks come in Claude's order:

- a ``thinking`` block first when ``thinking`` is on (with a signature the emulator checks when the
  block is sent back);
- with client tools offered (``tool_choice`` not ``none``) and a user turn last that holds no tool
  results: a ``tool_use`` of the named tool (or the first one) with input built from its schema's
  required properties, preceded by a short text block (``"I'll use the <name> tool."``) unless
  ``tool_choice`` forces tool use, as Claude does; stop reason ``tool_use``;
- after ``tool_result`` blocks: ``"The tool returned: <results joined by '; '>"``;
- otherwise ``"You said: <the last user text>"``, or JSON built from the schema of
  ``output_config.format``.

``stop_sequences`` and ``max_tokens`` (counted in words) cut the final text, with the stop reasons
``stop_sequence`` and ``max_tokens``. Scripted answers (`ScriptedMessage`) are sent exactly as given.
Usage counts words: ``input_tokens`` over the system prompt and every message, ``output_tokens``
over what was generated; the cache fields are present and zero unless scripted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._common import block_text, pieces, sample_schema, thinking_signature, word_count
from ._validate import client_tools, thinking_enabled

__all__ = ["Answer", "ScriptedMessage", "generate", "message_object", "scripted_answer", "usage_of"]


@dataclass(frozen=True, slots=True)
class ScriptedMessage:
    """One exact answer, queued with `AnthropicEmulator.script_message`."""

    text: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    """``tool_use`` blocks: ``{"type": "tool_use", "id", "name", "input"}``."""
    thinking: str | None = None
    redacted_thinking: str | None = None
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Answer:
    """The content blocks of one answer, its stop reason, and usage overrides."""

    content: list[dict[str, Any]]
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    usage: Mapping[str, Any] = field(default_factory=dict)


def scripted_answer(script: ScriptedMessage) -> Answer:
    """The blocks of a scripted answer: thinking, redacted thinking, text, then the tool calls."""
    content: list[dict[str, Any]] = []
    if script.thinking is not None:
        content.append(_thinking_block(script.thinking))
    if script.redacted_thinking is not None:
        content.append({"type": "redacted_thinking", "data": script.redacted_thinking})
    if script.text is not None or not (content or script.tool_calls):
        content.append({"type": "text", "text": script.text or ""})
    content.extend(dict(call) for call in script.tool_calls)
    return Answer(content, script.stop_reason, script.stop_sequence, script.usage)


def generate(body: Mapping[str, Any], tool_use_id: str) -> Answer:
    """The deterministic answer to a checked Messages body (see the module docstring)."""
    messages: list[Mapping[str, Any]] = body["messages"]
    last = messages[-1]
    results = _tool_results(last) if last["role"] == "user" else []
    said = next((_user_text(m) for m in reversed(messages) if m["role"] == "user" and _user_text(m)), "")
    content: list[dict[str, Any]] = []
    if thinking_enabled(body):
        subject = f"the tool results ({len(results)})" if results else repr(said or "a greeting")
        content.append(_thinking_block(f"The user wants an answer about {subject}. I will reply briefly."))
    tools = client_tools(body)
    choice = body.get("tool_choice") or {"type": "auto"}
    if tools and choice.get("type") != "none" and last["role"] == "user" and not results:
        tool = next((t for t in tools if t["name"] == choice.get("name")), tools[0])
        if choice.get("type") == "auto":
            content.append({"type": "text", "text": f"I'll use the {tool['name']} tool."})
        call_input = sample_schema(tool["input_schema"])
        content.append({"type": "tool_use", "id": tool_use_id, "name": tool["name"], "input": call_input})
        return Answer(content, "tool_use")
    if results:
        text = "The tool returned: " + "; ".join(results)
    else:
        text = f"You said: {said}" if said else "Hello! How can I help you today?"
    output_format = (body.get("output_config") or {}).get("format")
    if isinstance(output_format, Mapping) and output_format.get("type") == "json_schema":
        text = json.dumps(sample_schema(output_format.get("schema")), ensure_ascii=False)
    text, stop_reason, stop_sequence = _limited(text, body)
    content.append({"type": "text", "text": text})
    return Answer(content, stop_reason, stop_sequence)


def usage_of(body: Mapping[str, Any], answer: Answer) -> dict[str, Any]:
    """The usage object of a non-streamed answer (also the cumulative one of ``message_delta``)."""
    system = body.get("system")
    texts = [system if isinstance(system, str) else block_text(system)]
    texts.extend(block_text(message.get("content")) for message in body["messages"])
    output = 0
    for block in answer.content:
        if block["type"] == "tool_use":
            output += word_count([json.dumps(block["input"], ensure_ascii=False)]) + 1
        else:
            output += word_count([str(block.get("text") or block.get("thinking") or "")])
    usage: dict[str, Any] = {
        "input_tokens": max(1, word_count(texts)),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": max(1, output),
        "service_tier": "standard",
    }
    usage.update(answer.usage)
    return usage


def message_object(message_id: str, model: str, answer: Answer, usage: Mapping[str, Any]) -> dict[str, Any]:
    """The ``message`` object of a non-streamed answer, keys in the order the API sends them."""
    return {
        "model": model,
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "content": answer.content,
        "stop_reason": answer.stop_reason,
        "stop_sequence": answer.stop_sequence,
        "usage": dict(usage),
    }


def _thinking_block(thinking: str) -> dict[str, Any]:
    return {"type": "thinking", "thinking": thinking, "signature": thinking_signature(thinking)}


def _user_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    texts = [b["text"] for b in content or [] if isinstance(b, Mapping) and b.get("type") == "text"]
    return " ".join(texts)


def _tool_results(message: Mapping[str, Any]) -> list[str]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [block_text(b.get("content")) for b in content if isinstance(b, Mapping) and b.get("type") == "tool_result"]


def _limited(text: str, body: Mapping[str, Any]) -> tuple[str, str, str | None]:
    for stop in body.get("stop_sequences") or []:
        if stop in text:
            return text[: text.index(stop)], "stop_sequence", stop
    words = pieces(text)
    if body["max_tokens"] < len([word for word in words if word.strip()]):
        return "".join(words[: body["max_tokens"]]), "max_tokens", None
    return text, "end_turn", None
