"""What the emulated Anthropic endpoints share: the error types, 400s, word counting, sample values.

Reference: ``shared/dialects/anthropic.md`` section 5 (error types by status). The emulator counts
whitespace-separated words as "tokens".
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from relaykit.testing import EmulatedError, RecordedRequest

__all__ = [
    "ERROR_TYPES",
    "bad_request",
    "block_text",
    "json_object",
    "pieces",
    "sample_schema",
    "thinking_signature",
    "word_count",
]

ERROR_TYPES: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("authentication_error", "invalid x-api-key"),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "Not found."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    429: ("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    504: ("timeout_error", "Request timeout"),
    529: ("overloaded_error", "Overloaded"),
}
"""HTTP status -> (Anthropic ``error.type``, the usual message); others fall back by class."""

_PIECE = re.compile(r"\s*\S+|\s+$")


def bad_request(message: str) -> EmulatedError:
    """A 400 ``invalid_request_error`` (Anthropic names the field inside the message)."""
    return EmulatedError(400, message, error_type="invalid_request_error")


def json_object(request: RecordedRequest) -> dict[str, Any]:
    """The request's JSON object body, or a 400 like Anthropic's."""
    try:
        body = request.json()
    except ValueError:
        raise bad_request("There was an error parsing the body of your request as JSON.") from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def block_text(content: Any) -> str:
    """The text of a message content: a string, or the text (and tool-result text) of its blocks."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    texts: list[str] = []
    for block in content:
        if not isinstance(block, Mapping):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block.get("type") == "tool_result":
            texts.append(block_text(block.get("content")))
        elif block.get("type") == "tool_use":
            texts.append(json.dumps(block.get("input"), ensure_ascii=False))
    return " ".join(text for text in texts if text)


def thinking_signature(thinking: str) -> str:
    """The opaque signature the emulator gives a thinking block (and checks when it comes back)."""
    digest = hashlib.sha256(b"relaykit-emulator-thinking:" + thinking.encode()).digest()
    return base64.b64encode(b"\x12\x0c" + digest + hashlib.sha256(digest).digest()).decode()


def word_count(texts: Iterable[str]) -> int:
    """The emulator's "tokens": whitespace-separated words."""
    return sum(len(text.split()) for text in texts)


def pieces(text: str) -> list[str]:
    """`text` in stream-sized pieces, one word each with its leading space (they join back to `text`)."""
    return _PIECE.findall(text)


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
        return {name: sample_schema(properties.get(name, {})) for name in schema.get("required") or []}
    if kind == "array":
        return [sample_schema(schema.get("items", {}))] * int(schema.get("minItems", 0))
    if kind in {"integer", "number"} and "minimum" in schema:
        return schema["minimum"]
    simple: dict[str, Any] = {"string": "example", "integer": 1, "number": 1.0, "boolean": True, "null": None}
    return simple.get(str(kind), "example")
