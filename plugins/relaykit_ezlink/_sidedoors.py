"""EZLink's side doors: Flux (BFL routes under ``/flux``), Stability (``/v2beta``), video, Midjourney.

Reference: ``shared/dialects/relays.md`` §1.2, ``flux.md`` §6, ``stability.md`` §7, ``video.md``
§1.2. Each runs the owning plugin's flows with that plugin's settings pointed at the relay:

- Flux: ``relaykit_flux``'s flows with ``base_url`` ``<relay>/flux`` and ``polling="base_url"``: the
  job is polled on the relay's own ``/flux/v1/get_result?id=`` (the ``polling_url`` the relay
  answers is BFL's host, which does not take a relay key). The key goes as ``x-key``, which EZLink
  accepts on ``/flux/`` routes.
- Stability: ``relaykit_stability``'s flows with ``base_url`` the relay's origin (``/v2beta/...``).
  EZLink removed these pass-through routes from its code on 2026-01-13 and never routed
  ``control/*``; a relay without them answers 404 (`NotFoundError`).
- Video: EZLink's generic routes (``relaykit_ezlink._video``), or Stability's image-to-video for
  ``stable-video-diffusion`` / ``svd``.
- Midjourney: ``relaykit_vocka._midjourney`` (the relay's ``/mj`` root).

Each task is marked with ``vendor_data["route"]`` so `task_get` polls it where it was created.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from relaykit import (
    MediaControlRequest,
    MediaEditRequest,
    MediaGenerateRequest,
    MediaUpscaleRequest,
    Task,
    VideoGenerateRequest,
)
from relaykit.plugin import CallContext, Flow
from relaykit_flux import FluxSettings
from relaykit_flux import _results as flux_results
from relaykit_flux import _submit as flux_submit
from relaykit_flux._models import flux_model
from relaykit_stability import StabilitySettings
from relaykit_stability import _edit as stability_edit
from relaykit_stability import _generate as stability_generate
from relaykit_stability import _results as stability_results
from relaykit_stability import _upscale as stability_upscale
from relaykit_stability import _video as stability_video
from relaykit_vocka import _midjourney
from relaykit_vocka._midjourney import side_root

from . import _video

__all__ = [
    "flux_context",
    "media_control",
    "media_edit",
    "media_generate",
    "media_upscale",
    "stability_context",
    "task_get",
    "video",
]

FLUX, STABILITY = "ezlink.flux", "ezlink.stability"
_SVD = ("stable-video-diffusion", "svd")
_T = TypeVar("_T")


def _common(ctx: CallContext) -> dict[str, Any]:
    settings = ctx.settings
    return {
        "api_key": settings.api_key,
        "timeout": settings.timeout,
        "connect_timeout": settings.connect_timeout,
        "headers": settings.headers,
    }


def flux_context(ctx: CallContext) -> CallContext:
    """`ctx` with BFL settings: ``<relay>/flux``, polled on the relay's own result route."""
    interval = float(getattr(ctx.settings, "poll_interval", 1.0))
    settings = FluxSettings(
        base_url=side_root(ctx, "flux"),
        polling="base_url",
        poll_interval=interval,
        max_poll_interval=max(interval, 5.0),
        **_common(ctx),
    )
    return dataclasses.replace(ctx, settings=settings)


def stability_context(ctx: CallContext) -> CallContext:
    """`ctx` with Stability settings: the relay's origin, where ``/v2beta/...`` passed through."""
    settings = StabilitySettings(
        base_url=side_root(ctx, ""), poll_interval=float(getattr(ctx.settings, "poll_interval", 10.0)), **_common(ctx)
    )
    return dataclasses.replace(ctx, settings=settings)


def media_generate(request: MediaGenerateRequest, ctx: CallContext) -> Flow[Any]:
    """``client.media.generate``: a FLUX model on ``/flux``, any other on Stability's routes."""
    if flux_model(ctx.model) is not None:
        return _marked((yield from flux_submit.generate(request, flux_context(ctx))), FLUX)
    return _marked((yield from stability_generate.generate(request, stability_context(ctx))), STABILITY)


def media_edit(request: MediaEditRequest, ctx: CallContext) -> Flow[Any]:
    """``client.media.edit``: FLUX fill / expand on ``/flux``, other models on Stability's edit routes."""
    if flux_model(ctx.model) is not None:
        return _marked((yield from flux_submit.edit(request, flux_context(ctx))), FLUX)
    return _marked((yield from stability_edit.edit(request, stability_context(ctx))), STABILITY)


def media_upscale(request: MediaUpscaleRequest, ctx: CallContext) -> Flow[Any]:
    """``client.media.upscale``: Stability's conservative / creative upscale routes."""
    return _marked((yield from stability_upscale.upscale(request, stability_context(ctx))), STABILITY)


def media_control(request: MediaControlRequest, ctx: CallContext) -> Flow[Any]:
    """Stability's control routes through the pass-through (the seed lists them; see the docs' doubt)."""
    return _marked((yield from stability_upscale.control(request, stability_context(ctx))), STABILITY)


def video(request: VideoGenerateRequest, ctx: CallContext) -> Flow[Task]:
    """``client.video.generate``: Stability image-to-video for SVD, EZLink's generic routes otherwise."""
    if ctx.model.lower() in _SVD:
        task = yield from stability_video.video(request, stability_context(ctx))
        return _marked(task, STABILITY)
    return (yield from _video.video(request, ctx))


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One look at any EZLink task, on the route that created it."""
    route = task.vendor_data.get("route")
    if route == _video.ROUTE:
        return (yield from _video.task_get(task, ctx))
    if route == FLUX or (route is None and "jobs" in task.vendor_data):
        return _marked((yield from flux_results.task_get(task, flux_context(ctx))), FLUX)
    if route == STABILITY:
        return _marked((yield from stability_results.task_get(task, stability_context(ctx))), STABILITY)
    return (yield from _midjourney.task_get(task, ctx))


def _marked(result: _T, route: str) -> _T:
    if isinstance(result, Task) and result.vendor_data.get("route") != route:
        return result.model_copy(update={"vendor_data": {**result.vendor_data, "route": route}})
    return result
