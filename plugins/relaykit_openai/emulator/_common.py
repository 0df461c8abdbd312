"""What the emulated endpoints share: body checks that answer OpenAI's 400s, and word counting."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from relaykit.testing import EmulatedError, RecordedRequest

__all__ = [
    "bad_request",
    "choice_count",
    "json_object",
    "pieces",
    "required_string",
    "text_of",
    "unix_now",
    "word_count",
]

_PIECE = re.compile(r"\s*\S+|\s+$")


def bad_request(message: str, param: str | None = None, code: str | None = None) -> EmulatedError:
    """A 400 ``invalid_request_error``."""
    return EmulatedError(400, message, error_type="invalid_request_error", param=param, error_code=code)


def json_object(request: RecordedRequest) -> dict[str, Any]:
    """The request's JSON object body, or a 400 like OpenAI's."""
    try:
        body = request.json()
    except ValueError:
        raise bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
            "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        ) from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def required_string(body: dict[str, Any], name: str) -> str:
    """A required, non-empty string field."""
    value = body.get(name)
    if value is None:
        raise bad_request(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    if not isinstance(value, str) or not value:
        raise bad_request(f"Invalid type for '{name}': expected a non-empty string.", name, "invalid_type")
    return value


def choice_count(body: dict[str, Any], limit: int = 128) -> int:
    """The ``n`` field, checked."""
    n = body.get("n", 1)
    if n is None:
        return 1
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= limit:
        raise bad_request(f"Invalid 'n': expected an integer from 1 to {limit}.", "n", "invalid_value")
    return n


def text_of(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list joined by spaces."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = (part.get("text") for part in content if isinstance(part, dict))
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def word_count(texts: Iterable[str]) -> int:
    """The emulator's "tokens": whitespace-separated words."""
    return sum(len(text.split()) for text in texts)


def pieces(text: str) -> list[str]:
    """`text` in stream-sized pieces, one word each with its leading space (they join back to `text`)."""
    return _PIECE.findall(text)


def unix_now() -> int:
    return int(time.time())
