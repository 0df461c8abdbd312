"""The conversation rules of ``POST /v1/messages``: roles, content blocks, tool use, thinking.

Reference: ``shared/dialects/anthropic.md`` sections 2.1 (the block shapes, image media types, bare
base64) and 2.2 (the rules behind most 400s). The emulator is as strict as a strict gateway: it
refuses what older API versions refused, so that a client which passes here passes everywhere:

1. roles are ``user`` and ``assistant``, the first turn is ``user``, and roles alternate;
2. no empty content and no empty or whitespace-only text blocks;
3. every ``tool_use`` is answered by a ``tool_result`` in the very next (user) turn, the results come
   before any other block of that turn, and every ``tool_result`` answers a ``tool_use`` of the turn
   before; requests holding either must define ``tools``;
4. a final assistant turn (a prefill) may not end with whitespace;
5. with thinking on, the assistant turn before the last tool results starts with a thinking block,
   and thinking blocks come back with the signature the emulator gave them;
6. images are ``image/jpeg|png|gif|webp`` whose bytes match the declared type; PDFs are PDFs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from ._common import bad_request, thinking_signature

__all__ = ["check_messages"]

_USER_BLOCKS = frozenset({"text", "image", "document", "tool_result", "search_result"})
_ASSISTANT_BLOCKS = frozenset(
    {"text", "tool_use", "thinking", "redacted_thinking", "server_tool_use", "web_search_tool_result"}
)
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_NON_EMPTY = "all messages must have non-empty content except for the optional final assistant message"


def check_messages(messages: Any, *, has_tools: bool, thinking: bool) -> None:
    """Raise a 400 `EmulatedError` for the first rule `messages` breaks."""
    if not isinstance(messages, list):
        raise bad_request("messages: Input should be a valid list")
    if not messages:
        raise bad_request("messages: at least one message is required")
    previous_role = None
    for position, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in {"user", "assistant"}:
            raise bad_request(f"messages.{position}.role: Input should be 'user' or 'assistant'")
        role = message["role"]
        if position == 0 and role != "user":
            raise bad_request('messages: first message must use the "user" role')
        if role == previous_role:
            raise bad_request(
                f'messages: roles must alternate between "user" and "assistant", but found multiple "{role}" roles '
                "in a row"
            )
        previous_role = role
        last = position == len(messages) - 1
        _check_content(message.get("content"), f"messages.{position}", role, final=last and role == "assistant")
    _check_tool_pairs(messages, has_tools)
    _check_prefill(messages[-1])
    if thinking:
        _check_thinking_turn(messages)


def _blocks(message: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = message.get("content")
    return [block for block in content if isinstance(block, Mapping)] if isinstance(content, list) else []


def _check_content(content: Any, where: str, role: str, *, final: bool) -> None:
    if isinstance(content, str):
        if not content and not final:
            raise bad_request(f"messages: {_NON_EMPTY}")
        if content and not content.strip():
            raise bad_request("messages: text content blocks must contain non-whitespace text")
        return
    if not isinstance(content, list):
        raise bad_request(f"{where}.content: Input should be a valid string or a list of content blocks")
    if not content and not final:
        raise bad_request(f"messages: {_NON_EMPTY}")
    allowed = _USER_BLOCKS if role == "user" else _ASSISTANT_BLOCKS
    for position, block in enumerate(content):
        here = f"{where}.content.{position}"
        kind = block.get("type") if isinstance(block, Mapping) else None
        if kind not in allowed:
            expected = ", ".join(f"'{name}'" for name in sorted(allowed))
            raise bad_request(f"{here}: Input tag {kind!r} does not match any of the expected tags: {expected}")
        _check_block(block, kind, here)


def _check_block(block: Mapping[str, Any], kind: str, here: str) -> None:
    if kind == "text":
        text = block.get("text")
        if not isinstance(text, str):
            raise bad_request(f"{here}.text: Field required")
        if not text:
            raise bad_request("messages: text content blocks must be non-empty")
        if not text.strip():
            raise bad_request("messages: text content blocks must contain non-whitespace text")
    elif kind == "image":
        _check_image(block.get("source"), f"{here}.image.source")
    elif kind == "document":
        _check_document(block.get("source"), f"{here}.document.source")
    elif kind == "tool_use":
        if not isinstance(block.get("id"), str) or not isinstance(block.get("name"), str):
            raise bad_request(f"{here}.tool_use: id and name are required")
        if not isinstance(block.get("input"), Mapping):
            raise bad_request(f"{here}.tool_use.input: Input should be a valid dictionary")
    elif kind == "tool_result":
        _check_tool_result(block, here)
    elif kind == "thinking":
        thinking, signature = block.get("thinking"), block.get("signature")
        if not isinstance(thinking, str) or not isinstance(signature, str):
            raise bad_request(f"{here}.thinking: thinking and signature are required")
        if signature != thinking_signature(thinking):
            raise bad_request(f"{here}: Invalid `signature` in `thinking` block")
    elif kind == "redacted_thinking" and not (isinstance(block.get("data"), str) and block["data"]):
        raise bad_request(f"{here}.redacted_thinking.data: Field required")


def _check_tool_result(block: Mapping[str, Any], here: str) -> None:
    if not isinstance(block.get("tool_use_id"), str):
        raise bad_request(f"{here}.tool_result.tool_use_id: Field required")
    if "is_error" in block and not isinstance(block["is_error"], bool):
        raise bad_request(f"{here}.tool_result.is_error: Input should be a valid boolean")
    content = block.get("content", "")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise bad_request(f"{here}.tool_result.content: Input should be a valid string or list")
    for position, part in enumerate(content):
        inner = f"{here}.tool_result.content.{position}"
        kind = part.get("type") if isinstance(part, Mapping) else None
        if kind not in {"text", "image", "document", "search_result"}:
            raise bad_request(f"{inner}: Input tag {kind!r} does not match any of the expected tags")
        _check_block(part, kind, inner)


def _check_image(source: Any, where: str) -> None:
    if not isinstance(source, Mapping) or source.get("type") not in {"base64", "url", "file"}:
        raise bad_request(f"{where}: Input tag does not match any of the expected tags: 'base64', 'url', 'file'")
    if source["type"] == "url":
        url = source.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise bad_request(f"{where}.url.url: Input should be a valid URL")
        return
    if source["type"] == "file":
        return
    media_type = source.get("media_type")
    if media_type not in _IMAGE_TYPES:
        allowed = ", ".join(f"'{name}'" for name in _IMAGE_TYPES)
        raise bad_request(f"{where}.base64.media_type: Input should be {allowed}")
    data = _decoded(source.get("data"), f"{where}.base64.data")
    actual = _image_type(data)
    if actual is None:
        raise bad_request(f"{where}.base64.data: Could not process image")
    if actual != media_type:
        raise bad_request(
            f"{where}.base64.data: The image was specified using the {media_type} media type, but the image "
            f"appears to be a {actual} image"
        )


def _check_document(source: Any, where: str) -> None:
    kinds = {"base64", "text", "url", "content", "file"}
    if not isinstance(source, Mapping) or source.get("type") not in kinds:
        raise bad_request(f"{where}: Input tag does not match any of the expected tags: {', '.join(sorted(kinds))}")
    if source["type"] == "base64":
        if source.get("media_type") != "application/pdf":
            raise bad_request(f"{where}.base64.media_type: Input should be 'application/pdf'")
        if not _decoded(source.get("data"), f"{where}.base64.data").startswith(b"%PDF-"):
            raise bad_request(f"{where}.base64.data: The PDF specified was not valid.")
    elif source["type"] == "text" and not isinstance(source.get("data"), str):
        raise bad_request(f"{where}.text.data: Field required")
    elif source["type"] == "url" and not str(source.get("url", "")).startswith(("https://", "http://")):
        raise bad_request(f"{where}.url.url: Input should be a valid URL")


def _decoded(data: Any, where: str) -> bytes:
    if not isinstance(data, str) or not data:
        raise bad_request(f"{where}: Field required")
    if data.startswith("data:"):
        raise bad_request(f"{where}: Invalid base64 data (send the bare base64, without the data: URI prefix)")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request(f"{where}: Invalid base64 data") from None


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_tool_pairs(messages: list[Mapping[str, Any]], has_tools: bool) -> None:
    expected: set[str] = set()
    for position, message in enumerate(messages):
        blocks = _blocks(message)
        if message["role"] == "assistant":
            expected = {str(b.get("id")) for b in blocks if b.get("type") == "tool_use"}
            if expected and not has_tools:
                raise bad_request("Requests which include `tool_use` or `tool_result` blocks must define tools.")
            if expected and position + 1 < len(messages):
                answered = {str(b.get("tool_use_id")) for b in _blocks(messages[position + 1])}
                if missing := sorted(expected - answered):
                    raise bad_request(
                        f"messages.{position + 1}: `tool_use` ids were found without `tool_result` blocks immediately "
                        f"after: {', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` "
                        "block in the next message."
                    )
            continue
        seen_other = False
        for index, block in enumerate(blocks):
            if block.get("type") != "tool_result":
                seen_other = True
                continue
            if not has_tools:
                raise bad_request("Requests which include `tool_use` or `tool_result` blocks must define tools.")
            if seen_other:
                raise bad_request(
                    f"messages.{position}.content.{index}: `tool_result` blocks must come before any other content "
                    "in a user message"
                )
            if block.get("tool_use_id") not in expected:
                raise bad_request(
                    f"messages.{position}.content.{index}: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding `tool_use` block "
                    "in the previous message."
                )
        expected = set()


def _check_prefill(last: Mapping[str, Any]) -> None:
    if last["role"] != "assistant":
        return
    content = last.get("content")
    blocks = _blocks(last)
    text = content if isinstance(content, str) else (blocks[-1].get("text") if blocks else None)
    if isinstance(text, str) and text and text != text.rstrip():
        raise bad_request("messages: final assistant content cannot end with trailing whitespace")


def _check_thinking_turn(messages: list[Mapping[str, Any]]) -> None:
    """With thinking on, the assistant turn whose tool calls the last message answers starts with thinking."""
    last = messages[-1]
    if last["role"] != "user" or len(messages) < 2:
        return
    if not any(block.get("type") == "tool_result" for block in _blocks(last)):
        return
    position = len(messages) - 2
    blocks = _blocks(messages[position])
    first = blocks[0].get("type") if blocks else "text"
    if first not in {"thinking", "redacted_thinking"}:
        raise bad_request(
            f"messages.{position}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{first}`. "
            "When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceding "
            "the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks "
            "from previous turns."
        )
