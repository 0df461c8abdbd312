"""Builders shared by the Stability tests: a context, requests, canned answers, a tiny PNG."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpResponse
from relaykit_stability import StabilitySettings

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()
KEY = "sk-stability-test-0123456789"
R = TypeVar("R")


def context(model: str = "ultra", *, options: dict[str, Any] | None = None, **settings: Any) -> CallContext:
    """A CallContext for the stability kind with a fake key."""
    values: dict[str, Any] = {"base_url": "https://api.stability.ai", "api_key": KEY, **settings}
    return CallContext(
        provider="stability", kind="stability", model=model, settings=StabilitySettings(**values), options=options or {}
    )


def request(request_type: type[R], /, **fields: Any) -> R:
    """A validated request of `request_type` (its model defaults to stability/ultra)."""
    return validate_request(request_type, {"model": "stability/ultra", **fields})  # type: ignore[type-var,return-value]


def image_answer(
    content: bytes = PNG, *, finish: str = "SUCCESS", seed: str = "42", mime: str = "image/png"
) -> HttpResponse:
    """A v2beta answer with Accept image/*: raw bytes, metadata in headers."""
    return HttpResponse(200, {"content-type": mime, "finish-reason": finish, "seed": seed}, content)


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode())
