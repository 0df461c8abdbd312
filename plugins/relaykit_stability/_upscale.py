"""Upscale and control: ``POST /v2beta/stable-image/upscale/{mode}`` and ``/control/{mode}``.

Reference: ``shared/dialects/stability.md`` sections 2.3 and 2.4. Conservative and fast upscales
answer with the image; a creative upscale answers ``{"id"}`` and renders in the background, so it
returns a `Task` (polled by ``_results``). Conservative and creative need a prompt. Control
(sketch, structure, style) answers with the image; style takes an ``aspect_ratio`` (``size`` is
converted to the nearest supported one and reported).
"""

from __future__ import annotations

from typing import Any

from relaykit import InvalidRequestError, MediaControlRequest, MediaRequest, MediaResult, MediaUpscaleRequest, Task
from relaykit.plugin import CallContext, Flow, HttpResponse

from ._common import accept_for, aspect_ratio, check, form, image_part, parse_output, post
from ._results import submitted

__all__ = ["control", "upscale"]

_MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_UPSCALE_FIELDS = ("prompt", "negative_prompt", "creativity", "seed", "output_format", "style_preset")


def upscale(request: MediaUpscaleRequest, ctx: CallContext) -> Flow[MediaResult | Task]:
    """A conservative or fast upscale (the image), or a creative one (a `Task`)."""
    if request.mode != "fast" and request.prompt is None:
        raise InvalidRequestError(f"prompt: Stability's {request.mode} upscale needs a prompt", field="prompt")
    if request.mode == "conservative" and request.style_preset is not None:
        raise InvalidRequestError("style_preset: Stability's conservative upscale takes none", field="style_preset")
    values: dict[str, Any] = {name: getattr(request, name) for name in _UPSCALE_FIELDS}
    accept = accept_for(request)
    path = f"/v2beta/stable-image/upscale/{request.mode}"
    # A creative upscale's start answers {"id"} in JSON; the output's form is chosen when polling.
    start_accept = "application/json" if request.mode == "creative" else accept
    files = [image_part("image", request.image)]
    response = check((yield post(ctx, path, form(values, ctx, request), files, start_accept)), ctx)
    if request.mode == "creative":
        return submitted(response, ctx, request, accept=accept, mime=_MIME[request.output_format or "png"])
    return _result(request, response, ctx, None)


def control(request: MediaControlRequest, ctx: CallContext) -> Flow[MediaResult]:
    """One image from the prompt, guided by the control image."""
    ratio = aspect_ratio(request.aspect_ratio, request.size) if request.mode == "style" else None
    values: dict[str, Any] = {
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "control_strength": request.control_strength,
        "fidelity": request.fidelity,
        "aspect_ratio": ratio,
        "seed": request.seed,
        "output_format": request.output_format,
        "style_preset": request.style_preset,
    }
    path = f"/v2beta/stable-image/control/{request.mode}"
    image = image_part("image", request.image)
    response = check((yield post(ctx, path, form(values, ctx, request), [image], accept_for(request))), ctx)
    return _result(request, response, ctx, ratio)


def _result(request: MediaRequest, response: HttpResponse, ctx: CallContext, ratio: str | None) -> MediaResult:
    mime = _MIME[request.output_format or "png"]
    output, extra = parse_output(response, ctx, as_b64=request.response_format == "b64_json", mime=mime)
    return MediaResult(
        kind=request.kind,
        provider=ctx.provider,
        model=ctx.model,
        images=[output],
        aspect_ratio=ratio,
        request_id=response.request_id,
        vendor_data=extra,
    )
