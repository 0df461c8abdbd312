"""Generate: ``POST /v2beta/stable-image/generate/{ultra,core,sd3}`` (multipart, synchronous).

Reference: ``shared/dialects/stability.md`` sections 2.1 and 3.1. The model id picks the route:
``ultra`` and ``core`` are routes of their own; ``sd3*`` ids go to the ``sd3`` route with the id in
the ``model`` field. Ultra and SD3 also take an input image (image-to-image, with ``strength``);
Core does not. Each call makes one image, so ``n`` images are ``n`` calls (with ``seed``, the
seeds ``seed``, ``seed + 1``...). ``size`` becomes the nearest supported ``aspect_ratio``, which
the result reports (the default, ``1:1``, too). v1 engine ids go to ``_v1``.
"""

from __future__ import annotations

from typing import Any

from relaykit import InvalidRequestError, MediaGenerateRequest, MediaOutput, MediaResult
from relaykit.plugin import CallContext, Flow

from . import V1_PREFIX
from ._common import accept_for, aspect_ratio, check, form, image_part, parse_output, post, refuse
from ._v1 import text_to_image

__all__ = ["generate"]

_SEED_LIMIT = 4_294_967_294
_MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


def generate(request: MediaGenerateRequest, ctx: CallContext) -> Flow[MediaResult]:
    """Make ``n`` images (one call each) on the route the model names."""
    if ctx.model.startswith(V1_PREFIX):
        result: MediaResult = yield from text_to_image(request, ctx)
        return result
    route, sd3 = _route(ctx.model)
    image_mode = bool(request.image)
    _check(request, route, sd3)
    ratio = None if image_mode and sd3 else aspect_ratio(request.aspect_ratio, request.size)
    fields: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "aspect_ratio": ratio,
        "output_format": request.output_format,
        "style_preset": request.style_preset,
        "strength": request.strength,
    }
    if sd3:
        fields.update(model=ctx.model, mode="image-to-image" if image_mode else None)
    files = [image_part("image", request.image[0])] if image_mode else []
    accept = accept_for(request)
    mime = _MIME[request.output_format or "png"]
    images: list[MediaOutput] = []
    vendor: dict[str, Any] = {}
    request_id = None
    for index in range(request.n or 1):
        seed = None if request.seed is None else (request.seed + index) % (_SEED_LIMIT + 1)
        body = form({**fields, "seed": seed}, ctx, request)
        response = check((yield post(ctx, f"/v2beta/stable-image/generate/{route}", body, files, accept)), ctx)
        output, extra = parse_output(response, ctx, as_b64=request.response_format == "b64_json", mime=mime)
        images.append(output)
        vendor.setdefault("finish_reasons", []).append(extra.pop("finish_reason", None))
        vendor.update(extra)
        request_id = request_id or response.request_id
    return MediaResult(
        kind=request.kind,
        provider=ctx.provider,
        model=ctx.model,
        images=images,
        aspect_ratio=ratio or (None if image_mode else "1:1"),
        request_id=request_id,
        vendor_data=vendor,
    )


def _route(model: str) -> tuple[str, bool]:
    if model in ("ultra", "core"):
        return model, False
    if model.startswith("sd3"):
        return "sd3", True
    raise InvalidRequestError(
        f"model: {model!r} names no Stability generate route (ultra, core, sd3.5-large..., or a v1 engine "
        f"{V1_PREFIX}...)",
        field="model",
    )


def _check(request: MediaGenerateRequest, route: str, sd3: bool) -> None:
    if request.image and route == "core":
        raise InvalidRequestError("image: Stable Image Core takes no input image (use ultra or sd3)", field="image")
    if len(request.image) > 1:
        raise InvalidRequestError("image: Stability takes one input image", field="image.1")
    if request.image and request.strength is None:
        raise InvalidRequestError("strength: required with an input image", field="strength")
    if request.image and sd3:
        refuse(request, ("aspect_ratio", "size"), "SD3 image-to-image keeps the input image's aspect ratio")
