"""The emulator's check of a submit body against each model's fields and limits.

Written from ``shared/dialects/flux.md`` section 2, independently of the plugin's own table, so a
translation mistake shows up as BFL's FastAPI 422 ``{"detail": [{"loc": ["body", field], ...}]}``.
The emulator is stricter than BFL on one point: a field the model does not take is refused rather
than ignored, so a test notices a field sent to the wrong model.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relaykit.testing import EmulatedError

__all__ = ["Checked", "check_body", "family_of"]

_COMMON = frozenset(
    {"prompt", "seed", "output_format", "safety_tolerance", "prompt_upsampling", "webhook_url", "webhook_secret"}
)
_FIELDS: dict[str, frozenset[str]] = {
    "pro": frozenset({"width", "height", "image_prompt", "steps", "guidance", "interval"}),
    "ultra": frozenset({"aspect_ratio", "raw", "image_prompt", "image_prompt_strength"}),
    "kontext": frozenset({"aspect_ratio", "input_image", "input_image_2", "input_image_3", "input_image_4"}),
    "fill": frozenset({"image", "mask", "steps", "guidance"}),
    "expand": frozenset({"image", "top", "bottom", "left", "right", "steps", "guidance"}),
    "flux2": frozenset(
        {"width", "height", "steps", "guidance", "input_image", *(f"input_image_{i}" for i in range(2, 9))}
    ),
}
_FAMILIES = {
    "flux-pro-1.1": "pro",
    "flux-pro": "pro",
    "flux-dev": "pro",
    "flux-pro-1.1-ultra": "ultra",
    "flux-kontext-pro": "kontext",
    "flux-kontext-max": "kontext",
    "flux-pro-1.0-fill": "fill",
    "flux-pro-1.0-expand": "expand",
}
_PRICES = {"pro": 4.0, "ultra": 6.0, "kontext": 4.0, "fill": 5.0, "expand": 5.0, "flux2": 3.0}
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")


@dataclass(frozen=True)
class Checked:
    """What a valid body asks for: the output's format and shape, its seed, and its price."""

    prompt: str
    output_format: str
    width: int
    height: int
    seed: int | None
    cost: float | None
    output_mp: float


def family_of(model: str) -> str | None:
    """The family of a model id (``pro``, ``ultra``, ``kontext``, ``fill``, ``expand``, ``flux2``)."""
    if model in _FAMILIES:
        return _FAMILIES[model]
    return "flux2" if model.startswith("flux-2-") else None


def check_body(model: str, body: Any) -> Checked:
    """Check `body` for `model` (raising BFL's 422) and say what it asks for."""
    family = family_of(model)
    if family is None:
        raise EmulatedError(404, "Not Found")
    if not isinstance(body, dict):
        raise _invalid("", "Input should be a valid dictionary")
    for name in body:
        if name not in _COMMON | _FIELDS[family]:
            raise _invalid(name, "Extra inputs are not permitted")
    prompt = body.get("prompt")
    if prompt is not None and not isinstance(prompt, str):
        raise _invalid("prompt", "Input should be a valid string")
    if family in ("kontext", "flux2") and not prompt:
        raise _invalid("prompt", "Field required")
    output_format = body.get("output_format") or "jpeg"
    if output_format not in ("jpeg", "png"):
        raise _invalid("output_format", "Input should be 'jpeg' or 'png'")
    seed = _integer(body, "seed", 0, 2**32 - 1)
    _integer(body, "safety_tolerance", 0, 5 if family == "flux2" else 6)
    width, height = _shape(family, body)
    _images(model, family, body)
    if family == "ultra":
        _number(body, "image_prompt_strength", 0, 1)
        if "image_prompt_strength" in body and "image_prompt" not in body:
            raise _invalid("image_prompt_strength", "needs image_prompt")
    if family == "expand":
        for side in ("top", "bottom", "left", "right"):
            _integer(body, side, 0, 2048)
    output_mp = round(width * height / 1_000_000, 2)
    cost = None if model == "flux-kontext-max" else _PRICES[family]  # BFL sends null for kontext-max
    return Checked(prompt or "", output_format, width, height, seed, cost, output_mp)


def _shape(family: str, body: dict[str, Any]) -> tuple[int, int]:
    if family in ("pro", "flux2"):
        step, low, high = (32, 256, 1440) if family == "pro" else (16, 64, 4096)
        default = (1024, 768) if family == "pro" else (1024, 1024)
        width = _integer(body, "width", low, high) or default[0]
        height = _integer(body, "height", low, high) or default[1]
        for name, value in (("width", width), ("height", height)):
            if value % step:
                raise _invalid(name, f"Input should be a multiple of {step}")
        if family == "flux2" and width * height > 2048 * 2048:
            raise _invalid("width", "width x height must be at most 4 megapixels")
        return width, height
    if family in ("ultra", "kontext"):
        ratio = body.get("aspect_ratio") or ("16:9" if family == "ultra" else "1:1")
        parts = ratio.split(":") if isinstance(ratio, str) else []
        if len(parts) != 2 or not all(part.isdigit() and int(part) > 0 for part in parts):
            raise _invalid("aspect_ratio", "String should match pattern '^\\d+:\\d+$'")
        if not Fraction(9, 21) <= Fraction(int(parts[0]), int(parts[1])) <= Fraction(21, 9):
            raise _invalid("aspect_ratio", "Aspect ratio must be between 21:9 and 9:21")
        return int(parts[0]) * 64, int(parts[1]) * 64
    return 1024, 1024


def _images(model: str, family: str, body: dict[str, Any]) -> None:
    for name in ("image_prompt", "image", "mask"):
        if name in body:
            _base64_image(name, body[name])
    if family in ("fill", "expand") and "image" not in body:
        raise _invalid("image", "Field required")
    inputs = sorted(name for name in body if name.startswith("input_image"))
    limit = 4 if family == "kontext" or "klein" in model else 8
    if len(inputs) > limit:
        raise _invalid(inputs[-1], f"{model} takes at most {limit} input images")
    for name in inputs:
        value = body[name]
        if not (isinstance(value, str) and value.startswith(("https://", "http://"))):
            _base64_image(name, value)


def _base64_image(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _invalid(name, "Input should be a valid string")
    if value.startswith("data:"):
        raise _invalid(name, "send raw base64, without a data: prefix")
    try:
        content = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(name, "Invalid base64-encoded image") from None
    if not content.startswith(_IMAGE_MAGIC):
        raise _invalid(name, "The decoded data is not a PNG, JPEG or WEBP image")


def _integer(body: dict[str, Any], name: str, low: int, high: int) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid(name, "Input should be a valid integer")
    if not low <= value <= high:
        raise _invalid(name, f"Input should be between {low} and {high}")
    return value


def _number(body: dict[str, Any], name: str, low: float, high: float) -> None:
    value = body.get(name)
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise _invalid(name, f"Input should be a number between {low:g} and {high:g}")


def _invalid(field: str, message: str) -> EmulatedError:
    return EmulatedError(422, message, error_type="value_error", param=field)
