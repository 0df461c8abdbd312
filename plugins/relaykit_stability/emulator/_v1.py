"""The emulated legacy v1 ``POST /v1/generation/{engine_id}/text-to-image`` (JSON in, JSON out).

Errors use v1's ``{"id", "name", "message"}`` envelope. ``Accept: application/json`` answers
``{"artifacts": [{"base64", "seed", "finishReason"}]}``; ``Accept: image/png`` (one sample only)
answers the PNG with ``Finish-Reason`` and ``Seed`` headers.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import Any

from relaykit.testing import RecordedRequest, Reply

from ._media import png

__all__ = ["ENGINES", "text_to_image_reply"]

ENGINES = ("stable-diffusion-xl-1024-v1-0", "stable-diffusion-v1-6", "stable-diffusion-xl-beta-v2-2-2")
_SAMPLERS = (
    "DDIM",
    "DDPM",
    "K_DPMPP_2M",
    "K_DPMPP_2S_ANCESTRAL",
    "K_DPM_2",
    "K_DPM_2_ANCESTRAL",
    "K_EULER",
    "K_EULER_ANCESTRAL",
    "K_HEUN",
    "K_LMS",
)


def _error(status: int, name: str, message: str) -> Reply:
    return Reply.json({"id": secrets.token_hex(16), "name": name, "message": message}, status=status)


def text_to_image_reply(request: RecordedRequest, seed: Callable[[Any], int]) -> Reply:
    """``samples`` PNGs for the body's ``text_prompts``."""
    engine = request.path_params["engine"]
    if engine not in ENGINES:
        return _error(404, "not_found", f"engine {engine} not found")
    try:
        body = request.json()
    except ValueError:
        return _error(400, "bad_request", "body: must be JSON")
    if not isinstance(body, dict):
        return _error(400, "bad_request", "body: must be a JSON object")
    prompts = body.get("text_prompts")
    if not isinstance(prompts, list) or not prompts or not all(isinstance(p, dict) and p.get("text") for p in prompts):
        return _error(400, "invalid_prompts", "text_prompts: at least one prompt with text is required")
    samples = body.get("samples", 1)
    if not isinstance(samples, int) or not 1 <= samples <= 10:
        return _error(400, "invalid_samples", "samples: must be between 1 and 10")
    width, height = body.get("width", 512), body.get("height", 512)
    if not all(isinstance(v, int) and v >= 128 and v % 64 == 0 for v in (width, height)):
        return _error(400, "invalid_height_or_width", "height and width must be multiples of 64, at least 128")
    if body.get("sampler") is not None and body["sampler"] not in _SAMPLERS:
        return _error(400, "bad_request", f"sampler: must be one of {', '.join(_SAMPLERS)}")
    first = seed(body.get("seed"))
    picture = png(width // 64, height // 64)
    artifacts = [
        {"base64": base64.b64encode(picture).decode("ascii"), "seed": first + index, "finishReason": "SUCCESS"}
        for index in range(samples)
    ]
    if "image/png" in (request.header("accept") or ""):
        if samples != 1:
            return _error(400, "invalid_samples", "samples: must be 1 when Accept is image/png")
        return Reply.binary(picture, content_type="image/png", headers={"finish-reason": "SUCCESS", "seed": str(first)})
    return Reply.json({"artifacts": artifacts})
