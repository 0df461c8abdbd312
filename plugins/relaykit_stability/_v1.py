"""Legacy v1 text-to-image: ``POST /v1/generation/{engine_id}/text-to-image`` (JSON in, JSON out).

Reference: ``shared/dialects/stability.md`` sections 2.6 and 3.3 (the official v1 spec and
examples). The prompt goes up as ``text_prompts`` with weight 1 and the negative prompt with weight
-1; ``n`` is ``samples``; ``size`` is ``width`` x ``height`` (multiples of 64); ``cfg_scale``,
``steps``, ``sampler`` and ``clip_guidance_preset`` travel in ``provider_options``. The answer is
read with ``Accept: application/json``: ``{"artifacts": [{"base64", "seed", "finishReason"}]}``
(the 2023 spec's bare array is accepted too). ``finishReason`` ``CONTENT_FILTERED`` marks an
output; ``ERROR`` fails the call.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from relaykit import InvalidRequestError, MediaGenerateRequest, MediaOutput, MediaResult
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, api_error

from ._common import MAX_PROMPT, STYLE_PRESETS, check, headers, malformed, refuse

__all__ = ["text_to_image"]

_RESERVED = frozenset({"text_prompts", "samples", "seed", "width", "height", "style_preset"})


def text_to_image(request: MediaGenerateRequest, ctx: CallContext) -> Flow[MediaResult]:
    """``samples`` images from the prompt on engine ``ctx.model``."""
    body = _body(request, ctx)
    response = yield HttpRequest(
        "POST",
        ctx.url(f"/v1/generation/{ctx.model}/text-to-image"),
        headers={**headers(ctx, "application/json"), "content-type": "application/json"},
        json=body,
    )
    response = check(response, ctx)
    as_b64 = request.response_format == "b64_json"
    images: list[MediaOutput] = []
    finishes: list[str | None] = []
    for artifact in _artifacts(response, ctx):
        finish = artifact.get("finishReason")
        if finish == "ERROR":
            raise api_error(response, ctx, "Stability reported an ERROR artifact", code="ERROR", type_="server_error")
        encoded = artifact.get("base64")
        if not isinstance(encoded, str) or not encoded:
            raise malformed(response, ctx, "an artifact has no base64 data")
        images.append(
            MediaOutput(
                content=None if as_b64 else _decoded(encoded, response, ctx),
                b64_json=encoded if as_b64 else None,
                mime_type="image/png",
                seed=artifact.get("seed") if isinstance(artifact.get("seed"), int) else None,
                content_filtered=finish == "CONTENT_FILTERED",
            )
        )
        finishes.append(finish)
    return MediaResult(
        kind=request.kind,
        provider=ctx.provider,
        model=ctx.model,
        images=images,
        request_id=response.request_id,
        vendor_data={"finish_reasons": finishes},
    )


def _body(request: MediaGenerateRequest, ctx: CallContext) -> dict[str, Any]:
    refuse(request, ("image", "strength"), "the v1 text-to-image route takes no input image")
    refuse(request, ("aspect_ratio",), "the v1 engines take size (WIDTHxHEIGHT, multiples of 64)")
    if request.output_format not in (None, "png"):
        raise InvalidRequestError("output_format: the v1 engines make PNG images", field="output_format")
    for name, value in (("prompt", request.prompt), ("negative_prompt", request.negative_prompt)):
        if value is not None and len(value) > MAX_PROMPT:
            raise InvalidRequestError(f"{name}: Stability takes at most {MAX_PROMPT} characters", field=name)
    if request.style_preset is not None and request.style_preset not in STYLE_PRESETS:
        raise InvalidRequestError(
            f"style_preset: {request.style_preset!r} is not one of Stability's", field="style_preset"
        )
    clash = sorted(_RESERVED & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    prompts = [{"text": request.prompt, "weight": 1}]
    if request.negative_prompt is not None:
        prompts.append({"text": request.negative_prompt, "weight": -1})
    body: dict[str, Any] = {"text_prompts": prompts, "samples": request.n or 1}
    if request.size is not None:
        width, height = (int(part) for part in request.size.split("x"))
        if width % 64 or height % 64:
            raise InvalidRequestError("size: the v1 engines take multiples of 64 (e.g. 1024x1024)", field="size")
        body.update(width=width, height=height)
    if request.seed is not None:
        body["seed"] = request.seed
    if request.style_preset is not None:
        body["style_preset"] = request.style_preset
    body.update(ctx.options)
    return body


def _artifacts(response: HttpResponse, ctx: CallContext) -> list[dict[str, Any]]:
    payload = response.json()
    items = payload.get("artifacts") if isinstance(payload, dict) else payload
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise malformed(response, ctx, "no artifacts")
    return items


def _decoded(encoded: str, response: HttpResponse, ctx: CallContext) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise malformed(response, ctx, "an artifact's base64 does not decode") from exc
