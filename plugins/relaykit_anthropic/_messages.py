"""Normalized chat messages to Claude's ``system`` text and alternating ``messages`` turns.

Reference: ``shared/dialects/anthropic.md`` sections 2.1, 2.2, 7.1 and gotchas 3-7 and 13. Claude
has two roles and typed content blocks, and rejects what OpenAI-shaped histories often hold:

- system and developer messages are lifted, in order, into the ``system`` text (joined by a blank
  line); their position in the conversation is lost;
- user text, images (a ``data:`` URI becomes a ``base64`` source, an http(s) URL a ``url`` source)
  and files (a PDF becomes a ``document`` block, plain text a ``text`` document) become blocks;
- assistant text and refusals become ``text`` blocks, tool calls ``tool_use`` blocks with the
  arguments parsed (``""`` becomes ``{}``; arguments that are not a JSON object are kept as
  ``{"_raw": ...}``), and reasoning blocks Claude signed (`ReasoningPart` with ``provider`` =
  ``"anthropic"``) go back first, unchanged: ``thinking`` with its signature, ``redacted_thinking``
  with its data. Reasoning from other vendors cannot be verified by Claude and is dropped, with a
  ``relaykit.reasoning.dropped`` log event;
- tool messages become ``tool_result`` blocks in a user turn; consecutive results and a following
  user message share one turn, results first;
- empty or whitespace-only text is left out, same-role neighbours are merged, a history that starts
  with an assistant turn gets a ``"."`` user turn in front, and a final assistant prefill loses its
  trailing whitespace.

What Claude cannot take is refused with `InvalidRequestError` naming the field: message ``name``,
legacy function messages and ``function_call``, assistant ``audio``, OpenAI ``file_id`` references,
and images or files of a type Claude does not read.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from relaykit import (
    AssistantMessage,
    ChatRequest,
    FileContentPart,
    FunctionMessage,
    ImageContentPart,
    InvalidRequestError,
    ReasoningPart,
    TextContentPart,
    ToolMessage,
    UnsupportedCapabilityError,
    UserMessage,
)
from relaykit.plugin import CallContext, log_event

from ._common import VENDOR

__all__ = ["IMAGE_TYPES", "Turns", "map_messages", "refuse"]

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg"}
_FIRST_USER_TURN = "."

Turns = list[dict[str, Any]]


def map_messages(request: ChatRequest, ctx: CallContext) -> tuple[list[str], Turns]:
    """The system texts and the Claude turns for `request`'s messages."""
    system: list[str] = []
    turns: Turns = []
    dropped: list[ReasoningPart] = []
    for position, message in enumerate(request.messages):
        where = f"messages.{position}"
        if isinstance(message, FunctionMessage):
            raise refuse(f"{where}.role", "legacy function messages have no Claude equivalent; use tools")
        if getattr(message, "name", None) is not None:
            raise refuse(f"{where}.name", "Claude messages cannot carry a participant name")
        if isinstance(message, UserMessage):
            _append(turns, "user", _user_blocks(message, where))
        elif isinstance(message, AssistantMessage):
            _append(turns, "assistant", _assistant_blocks(message, where, dropped))
        elif isinstance(message, ToolMessage):
            _append(turns, "user", [_tool_result(message)])
        else:
            text = _text_of(message.content)
            if text.strip():
                system.append(text)
    if dropped:
        log_event(
            "relaykit.reasoning.dropped",
            provider=ctx.provider,
            model=ctx.model,
            blocks=len(dropped),
            from_providers=sorted({str(part.provider) for part in dropped}),
        )
    return system, _finish(turns)


def refuse(field: str, why: str) -> InvalidRequestError:
    """The error for a request field Claude cannot take (nothing is sent)."""
    return InvalidRequestError(f"{field}: {why}", field=field)


def _append(turns: Turns, role: str, blocks: list[dict[str, Any]]) -> None:
    if not blocks:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1]["content"].extend(blocks)
    else:
        turns.append({"role": role, "content": blocks})


def _finish(turns: Turns) -> Turns:
    """Results before text in user turns, a user turn first, no trailing prefill whitespace."""
    for turn in turns:
        if turn["role"] == "user":
            turn["content"].sort(key=lambda block: block["type"] != "tool_result")
    if turns and turns[-1]["role"] == "assistant":
        _strip_prefill(turns)
    if turns and turns[0]["role"] == "assistant":
        turns.insert(0, {"role": "user", "content": [{"type": "text", "text": _FIRST_USER_TURN}]})
    if not turns:
        raise refuse("messages", "Claude needs at least one user or assistant message with content")
    for turn in turns:
        blocks = turn["content"]
        if len(blocks) == 1 and blocks[0].keys() == {"type", "text"}:
            turn["content"] = blocks[0]["text"]
    return turns


def _strip_prefill(turns: Turns) -> None:
    blocks = turns[-1]["content"]
    if blocks[-1]["type"] == "text":
        text = blocks[-1]["text"].rstrip()
        if text:
            blocks[-1] = {**blocks[-1], "text": text}
        else:
            blocks.pop()
    if not blocks:
        turns.pop()


def _user_blocks(message: UserMessage, where: str) -> list[dict[str, Any]]:
    if isinstance(message.content, str):
        return _text_block(message.content)
    blocks: list[dict[str, Any]] = []
    for index, part in enumerate(message.content):
        at = f"{where}.content.{index}"
        if isinstance(part, TextContentPart):
            blocks.extend(_text_block(part.text))
        elif isinstance(part, ImageContentPart):
            blocks.append(_image_block(part.image_url.url, f"{at}.image_url.url"))
        elif isinstance(part, FileContentPart):
            blocks.append(_file_block(part, f"{at}.file"))
        else:
            raise UnsupportedCapabilityError(
                f"{at}: Claude does not take {part.type} parts", capability="chat.audio_input"
            )
    return blocks


def _assistant_blocks(message: AssistantMessage, where: str, dropped: list[ReasoningPart]) -> list[dict[str, Any]]:
    if message.function_call is not None:
        raise refuse(f"{where}.function_call", "the legacy function_call has no Claude equivalent; use tool_calls")
    if message.audio is not None:
        raise refuse(f"{where}.audio", "Claude cannot refer to assistant audio")
    blocks: list[dict[str, Any]] = []
    for reasoning in message.reasoning or ():
        block = _thinking_block(reasoning)
        if block is None:
            dropped.append(reasoning)
        else:
            blocks.append(block)
    if isinstance(message.content, str):
        blocks.extend(_text_block(message.content))
    else:
        for part in message.content or ():
            blocks.extend(_text_block(part.text if isinstance(part, TextContentPart) else part.refusal))
    if message.refusal is not None:
        blocks.extend(_text_block(message.refusal))
    blocks.extend(
        {"type": "tool_use", "id": call.id, "name": call.function.name, "input": _input(call.function.arguments)}
        for call in message.tool_calls or ()
    )
    return blocks


def _thinking_block(part: ReasoningPart) -> dict[str, Any] | None:
    """The block to send back, or None for another vendor's reasoning (or an unsigned block)."""
    if part.provider != VENDOR:
        return None
    if part.redacted_data:
        return {"type": "redacted_thinking", "data": part.redacted_data}
    if part.signature:
        return {"type": "thinking", "thinking": part.text or "", "signature": part.signature}
    return None


def _tool_result(message: ToolMessage) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": message.tool_call_id}
    if isinstance(message.content, str):
        if message.content.strip():
            block["content"] = message.content
    else:
        parts = [block for part in message.content for block in _text_block(part.text)]
        if parts:
            block["content"] = parts
    return block


def _text_block(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text.strip() else []


def _text_of(content: str | list[TextContentPart]) -> str:
    return content if isinstance(content, str) else "\n".join(part.text for part in content)


def _input(arguments: str) -> dict[str, Any]:
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        return {"_raw": arguments}
    return value if isinstance(value, dict) else {"_raw": arguments}


def _image_block(image_url: str, field: str) -> dict[str, Any]:
    if image_url.startswith(("https://", "http://")):
        return {"type": "image", "source": {"type": "url", "url": image_url}}
    if not image_url.startswith("data:"):
        raise refuse(field, "Claude takes images as an http(s) URL or a data: URI")
    media_type, data = _data_uri(image_url, field)
    if media_type not in IMAGE_TYPES:
        raise refuse(field, f"Claude reads {', '.join(sorted(IMAGE_TYPES))} images, not {media_type or 'this'}")
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}


def _file_block(part: FileContentPart, field: str) -> dict[str, Any]:
    file = part.file
    if file.file_data is None:
        raise refuse(f"{field}.file_id", "Claude cannot read another vendor's file ids; send file_data")
    if file.file_data.startswith("data:"):
        media_type, data = _data_uri(file.file_data, f"{field}.file_data")
    elif (file.filename or "").lower().endswith(".pdf"):
        media_type, data = "application/pdf", file.file_data
    else:
        raise refuse(f"{field}.file_data", "expected a data: URI (data:application/pdf;base64,...)")
    if media_type in IMAGE_TYPES:
        return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
    if media_type == "application/pdf":
        block: dict[str, Any] = {
            "type": "document",
            "source": {"type": "base64", "media_type": media_type, "data": data},
        }
    elif media_type == "text/plain":
        try:
            text = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise refuse(f"{field}.file_data", "not base64-encoded UTF-8 text") from exc
        block = {"type": "document", "source": {"type": "text", "media_type": media_type, "data": text}}
    else:
        raise refuse(f"{field}.file_data", f"Claude reads PDF, plain-text and image files, not {media_type}")
    if file.filename:
        block["title"] = file.filename
    return block


def _data_uri(uri: str, field: str) -> tuple[str, str]:
    """The media type and bare base64 data of a ``data:<mime>;base64,<data>`` URI."""
    header, comma, data = uri[5:].partition(",")
    if not comma or ";base64" not in header.lower() or not data:
        raise refuse(field, "expected a base64 data: URI (data:<type>;base64,<data>)")
    media_type = header.split(";", 1)[0].strip().lower()
    return _MIME_ALIASES.get(media_type, media_type), data
