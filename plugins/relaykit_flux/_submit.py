"""Generate and edit: ``POST /v1/{model}`` (JSON), answered ``{"id", "polling_url", "cost"?...}``.

Reference: ``shared/dialects/flux.md`` sections 2, 3 and 7. The model id names the route
(``_models``); the body takes the model's fields only:

- ``prompt``, ``seed``, ``output_format`` (``jpeg`` or ``png``) everywhere;
- ``width`` / ``height`` (pro 1.1, pro, dev, FLUX.2) or ``aspect_ratio`` (ultra, Kontext): see ``_sizes``;
- input images: ``image_prompt`` (pro 1.1, pro, dev, ultra; one image; ultra's
  ``image_prompt_strength`` is ``1 - strength``) or ``input_image``, ``input_image_2``... (Kontext up
  to 4, FLUX.2 up to 8, klein 4; base64 or a URL BFL fetches);
- inpaint (``flux-pro-1.0-fill``): ``image``, ``mask``; outpaint (``flux-pro-1.0-expand``):
  ``image`` and ``top``, ``bottom``, ``left``, ``right`` (the request's ``up`` / ``down``);
- `provider_options` add fields (``safety_tolerance``, ``prompt_upsampling``, ``raw``, ``steps``,
  ``guidance``, ``webhook_url``...), never one the request owns.

BFL has no negative prompt: `negative_prompt` is left out with a ``relaykit.request.adjusted``
notice. Each job makes one image, so ``n`` images are ``n`` submissions (seeds ``seed``,
``seed + 1``... when a seed is given), gathered into one `Task` whose ``vendor_data["jobs"]``
lists them; ``_results`` polls them together.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from relaykit import InvalidRequestError, MediaEditRequest, MediaGenerateRequest, MediaRequest, Task
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import adjusted, check, headers, image_value, malformed, merge_options, refuse
from ._models import MODELS, FluxModel, flux_model
from ._results import first_poll_after
from ._sizes import pixels_for, ratio_for

__all__ = ["edit", "generate"]

_SEED_SPAN = 2**32
# Fields the request owns: provider_options may not set them.
_OWNED = frozenset(
    {
        "prompt",
        "seed",
        "output_format",
        "width",
        "height",
        "aspect_ratio",
        "image_prompt",
        "image_prompt_strength",
        "image",
        "mask",
        "top",
        "bottom",
        "left",
        "right",
        "input_image",
        *(f"input_image_{index}" for index in range(2, 9)),
    }
)


def generate(request: MediaGenerateRequest, ctx: CallContext) -> Flow[Task]:
    """Submit ``n`` jobs to the model's route; the `Task` that gathers them."""
    model = _model(ctx, "generate")
    refuse(request, ("style_preset",), "BFL's API has no style presets")
    _check_images(request, model)
    body: dict[str, Any] = {"prompt": request.prompt, "output_format": _format(request)}
    ratio = None
    if model.pixels is not None:
        size = pixels_for(ctx, model.pixels, request.size, request.aspect_ratio)
        if size is not None:
            body["width"], body["height"] = size
    else:
        ratio = ratio_for(ctx, request.size, request.aspect_ratio)
        body["aspect_ratio"] = ratio
        if ratio is None:
            ratio = model.ratio_default or (None if request.image else "1:1")
    body.update(_images(request, model))
    task: Task = yield from _submit(request, ctx, model, body, count=request.n or 1, aspect_ratio=ratio)
    return task


def edit(request: MediaEditRequest, ctx: CallContext) -> Flow[Task]:
    """Submit an inpaint (Fill) or outpaint (Expand) job; its `Task`."""
    model = _model(ctx, request.operation)
    refuse(request, ("style_preset",), "BFL's API has no style presets")
    body: dict[str, Any] = {
        "prompt": request.prompt,
        "output_format": _format(request),
        "image": image_value("image", request.image, urls=False),
    }
    if request.operation == "inpaint":
        refuse(request, ("grow_mask",), "BFL's Fill takes the mask as it is")
        if request.mask is not None:
            body["mask"] = image_value("mask", request.mask, urls=False)
    else:
        refuse(request, ("creativity",), "BFL's Expand has no creativity setting")
        body.update(top=request.up, bottom=request.down, left=request.left, right=request.right)
    task: Task = yield from _submit(request, ctx, model, body, count=1, aspect_ratio=None)
    return task


def _submit(
    request: MediaRequest,
    ctx: CallContext,
    model: FluxModel,
    body: dict[str, Any],
    *,
    count: int,
    aspect_ratio: str | None,
) -> Flow[Task]:
    if getattr(request, "negative_prompt", None) is not None:
        adjusted(ctx, "negative_prompt", "dropped", "BFL's API has no negative prompt")
    merged = merge_options(body, ctx, _OWNED, model.safety_max)
    jobs: list[dict[str, Any]] = []
    for index in range(count):
        seed = None if request.seed is None else (request.seed + index) % _SEED_SPAN
        sent = merged if seed is None else {**merged, "seed": seed}
        response = check((yield HttpRequest("POST", ctx.url(model.path), headers=headers(ctx), json=sent)), ctx)
        jobs.append(_job(response, ctx, seed))
    now = datetime.now(UTC)
    costs = [job["cost"] for job in jobs if isinstance(job.get("cost"), int | float)]
    vendor: dict[str, Any] = {
        "jobs": jobs,
        "output_format": body.get("output_format") or "jpeg",
        "aspect_ratio": aspect_ratio,
    }
    if costs:
        vendor["cost"] = sum(costs)
    if "width" in body:
        vendor.update(width=body["width"], height=body["height"])
    return Task(
        provider=ctx.provider,
        id=jobs[0]["id"],
        kind=request.kind,
        status="queued",
        model=ctx.model or None,
        created_at=now,
        updated_at=now,
        poll_after=first_poll_after(ctx),
        vendor_data=vendor,
    )


def _job(response: HttpResponse, ctx: CallContext, seed: int | None) -> dict[str, Any]:
    """One job from a submit answer: its id, where to poll it, and BFL's other fields."""
    payload = response.json()
    job_id = payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(job_id, str) or not job_id:
        raise malformed(response, ctx, "no job id in the submit answer")
    polling_url = payload.get("polling_url")
    job: dict[str, Any] = {
        "id": job_id,
        "polling_url": polling_url if isinstance(polling_url, str) and polling_url else None,
        "seed": seed,
    }
    for key, value in payload.items():
        if key not in job and key != "status":
            job[key] = value
    return job


def _model(ctx: CallContext, operation: str) -> FluxModel:
    model = flux_model(ctx.model)
    if model is None:
        raise InvalidRequestError(
            f"model: {ctx.model!r} is not a FLUX model relaykit knows ({', '.join(MODELS)}, or flux-2-* / "
            "flux-kontext-*)",
            field="model",
        )
    if model.operation != operation:
        raise InvalidRequestError(
            f"model: {ctx.model} serves {model.operation}, not {operation}; "
            "use flux-pro-1.0-fill to inpaint, flux-pro-1.0-expand to outpaint, another model to generate",
            field="model",
        )
    return model


def _check_images(request: MediaGenerateRequest, model: FluxModel) -> None:
    if not request.image:
        if request.strength is not None:
            raise InvalidRequestError("strength: applies only with an input image", field="strength")
        return
    if model.images == "none":
        raise InvalidRequestError(f"image: {model.path} takes no input image", field="image")
    if len(request.image) > model.max_images:
        raise InvalidRequestError(
            f"image: {model.path} takes at most {model.max_images} input image(s)", field=f"image.{model.max_images}"
        )
    if request.strength is not None and not model.image_strength:
        raise InvalidRequestError(
            f"strength: {model.path} has no image strength (only FLUX1.1 [pro] ultra does)", field="strength"
        )


def _images(request: MediaGenerateRequest, model: FluxModel) -> dict[str, Any]:
    """The body fields of the input images (see the module docstring)."""
    fields: dict[str, Any] = {}
    if model.images == "image_prompt" and request.image:
        fields["image_prompt"] = image_value("image", request.image[0], urls=False)
        if request.strength is not None:
            fields["image_prompt_strength"] = round(1 - request.strength, 6)
    elif model.images == "input_image":
        for index, image in enumerate(request.image):
            name = "input_image" if index == 0 else f"input_image_{index + 1}"
            fields[name] = image_value(f"image.{index}" if index else "image", image, urls=True)
    return fields


def _format(request: MediaRequest) -> str | None:
    if request.output_format == "webp":
        raise InvalidRequestError("output_format: BFL makes jpeg or png", field="output_format")
    return request.output_format
