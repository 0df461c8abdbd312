"""Checks and answers of the emulated routes: multipart forms, Stability's limits, image answers."""

from __future__ import annotations

import base64
from collections.abc import Collection

from relaykit.testing import EmulatedError, Form, RecordedRequest, Reply

from ._media import MIME_TYPES, image

__all__ = [
    "ASPECT_RATIOS",
    "STYLE_PRESETS",
    "bad_request",
    "choice",
    "form_of",
    "image_reply",
    "number",
    "required",
]

ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STYLE_PRESETS = (
    "enhance",
    "anime",
    "photographic",
    "digital-art",
    "comic-book",
    "fantasy-art",
    "line-art",
    "analog-film",
    "neon-punk",
    "isometric",
    "low-poly",
    "origami",
    "modeling-compound",
    "cinematic",
    "3d-model",
    "pixel-art",
    "tile-texture",
)


def bad_request(message: str) -> EmulatedError:
    return EmulatedError(400, message, error_code="bad_request")


def form_of(request: RecordedRequest) -> Form:
    """The multipart form, or Stability's 400 for any other body (it rejects JSON and URL-encoding)."""
    if request.content_type != "multipart/form-data":
        raise bad_request(f"content-type: must be multipart/form-data, got {request.content_type or 'none'}")
    try:
        return request.form()
    except ValueError:
        raise bad_request("body: the multipart/form-data body could not be parsed") from None


def required(form: Form, name: str) -> str:
    value = form.get(name)
    if not value:
        raise bad_request(f"{name}: is required")
    if len(value) > 10_000:
        raise bad_request(f"{name}: must be at most 10000 characters")
    return value


def choice(form: Form, name: str, allowed: Collection[str], default: str | None = None) -> str | None:
    value = form.get(name, default)
    if value is not None and value not in allowed:
        raise bad_request(f"{name}: must be one of {', '.join(allowed)}")
    return value


def number(form: Form, name: str, low: float, high: float, *, integer: bool = False) -> float | None:
    """A numeric field within [low, high], or None when absent."""
    value = form.get(name)
    if value is None:
        return None
    try:
        parsed = float(int(value)) if integer else float(value)
    except ValueError:
        raise bad_request(f"{name}: must be a {'whole ' if integer else ''}number") from None
    if not low <= parsed <= high:
        raise bad_request(f"{name}: must be between {low:g} and {high:g}")
    return parsed


def image_reply(request: RecordedRequest, output_format: str, seed: int, finish: str, aspect: str = "1:1") -> Reply:
    """The image answer: raw bytes with headers, or JSON with base64, as ``Accept`` asks."""
    content = image(output_format, aspect)
    accept = request.header("accept") or "image/*"
    if "application/json" in accept:
        encoded = base64.b64encode(content).decode("ascii")
        return Reply.json({"image": encoded, "finish_reason": finish, "seed": seed})
    headers = {"finish-reason": finish, "seed": str(seed)}
    return Reply.binary(content, content_type=MIME_TYPES[output_format], headers=headers)
