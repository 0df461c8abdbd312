"""Emulated images: ``POST /v1/images/generations``, ``/edits`` and ``/variations``.

Reference: ``shared/dialects/openai.md`` section 7.3. Every image is a real 32x32 PNG (built with
zlib and struct) of one colour derived from the prompt and inputs, whatever ``size`` was asked, so
answers stay small and fast. ``response_format: "url"`` (the default of the DALL-E models) returns
a URL the emulator itself serves; GPT image models always answer ``b64_json`` and add ``usage``.
Edits and variations read ``multipart/form-data`` (edits also accept the newer JSON form).
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from collections.abc import Callable
from typing import Any

from relaykit.testing import Form, RecordedRequest, Reply

from ._common import bad_request, json_object, required_string, unix_now, word_count

__all__ = ["PNG_SIZE", "edit_reply", "generation_reply", "png", "variation_reply"]

PNG_SIZE = 32
"""The width and height of every emulated image."""

Publish = Callable[[bytes], str]
"""Serves PNG bytes from the emulator and returns their URL."""

_SIZES = {
    "dall-e-2": {"256x256", "512x512", "1024x1024"},
    "dall-e-3": {"1024x1024", "1792x1024", "1024x1792"},
    "gpt-image-1": {"1024x1024", "1536x1024", "1024x1536", "auto"},
}


def png(rgb: tuple[int, int, int], size: int = PNG_SIZE) -> bytes:
    """A `size` x `size` PNG filled with colour `rgb`."""
    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * size))
        + _chunk(b"IEND", b"")
    )


def generation_reply(request: RecordedRequest, publish: Publish) -> Reply:
    """``POST /v1/images/generations`` (JSON)."""
    body = json_object(request)
    prompt = required_string(body, "prompt")
    return _images(body, prompt, prompt.encode(), publish)


def edit_reply(request: RecordedRequest, publish: Publish) -> Reply:
    """``POST /v1/images/edits`` (multipart, or JSON with ``images`` references)."""
    if request.content_type == "application/json":
        body = json_object(request)
        prompt = required_string(body, "prompt")
        if not isinstance(body.get("images"), list) or not body["images"]:
            raise bad_request("Missing required parameter: 'images'.", "images", "missing_required_parameter")
        return _images(body, prompt, prompt.encode() + repr(body["images"]).encode(), publish)
    form = _form(request)
    image = form.file("image", "image[]")
    if image is None:
        raise bad_request("Missing required parameter: 'image'.", "image", "missing_required_parameter")
    fields = _fields(form)
    prompt = required_string(fields, "prompt")
    return _images(fields, prompt, prompt.encode() + image.content, publish)


def variation_reply(request: RecordedRequest, publish: Publish) -> Reply:
    """``POST /v1/images/variations`` (multipart)."""
    form = _form(request)
    image = form.file("image")
    if image is None:
        raise bad_request("Missing required parameter: 'image'.", "image", "missing_required_parameter")
    return _images(_fields(form), None, image.content, publish)


def _images(body: dict[str, Any], prompt: str | None, seed: bytes, publish: Publish) -> Reply:
    model = str(body.get("model") or "dall-e-2")
    gpt_image = model.startswith("gpt-image")
    n = _count(body.get("n", 1), model)
    size = str(body.get("size") or ("auto" if gpt_image else "1024x1024"))
    allowed = _SIZES.get(model)
    if allowed is not None and size not in allowed:
        raise bad_request(f"Invalid value: '{size}'. Supported values are: {sorted(allowed)}.", "size", "invalid_value")
    response_format = "b64_json" if gpt_image else body.get("response_format") or "url"
    if response_format not in {"url", "b64_json"}:
        raise bad_request(
            "Invalid 'response_format': expected 'url' or 'b64_json'.", "response_format", "invalid_value"
        )
    data = []
    for index in range(n):
        digest = hashlib.sha256(seed + bytes([index])).digest()
        image = png((digest[0], digest[1], digest[2]))
        item = (
            {"b64_json": base64.b64encode(image).decode()} if response_format == "b64_json" else {"url": publish(image)}
        )
        if model == "dall-e-3" and prompt is not None:
            item["revised_prompt"] = prompt
        data.append(item)
    payload: dict[str, Any] = {"created": unix_now(), "data": data}
    if gpt_image:
        prompt_tokens = word_count([prompt or ""])
        payload |= {
            "background": body.get("background") or "opaque",
            "output_format": "png",
            "quality": body.get("quality") or "medium",
            "size": "1024x1024" if size == "auto" else size,
            "usage": {
                "input_tokens": prompt_tokens,
                "input_tokens_details": {"text_tokens": prompt_tokens, "image_tokens": 0},
                "output_tokens": 272 * n,
                "total_tokens": prompt_tokens + 272 * n,
            },
        }
    return Reply.json(payload)


def _count(value: Any, model: str) -> int:
    limit = 1 if model == "dall-e-3" else 10
    number = int(value) if isinstance(value, str) and value.isdigit() else value
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= limit:
        raise bad_request(f"Invalid 'n': expected an integer from 1 to {limit} for {model}.", "n", "invalid_value")
    return number


def _form(request: RecordedRequest) -> Form:
    try:
        return request.form()
    except ValueError as exc:
        raise bad_request(f"Expected a multipart/form-data body: {exc}.") from None


def _fields(form: Form) -> dict[str, Any]:
    return {name: values[0] for name, values in form.fields.items() if values}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
