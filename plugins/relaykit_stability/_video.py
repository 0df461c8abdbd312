"""Image-to-video: ``POST /v2beta/image-to-video`` (multipart), a job polled by ``_results``.

Reference: ``shared/dialects/stability.md`` section 2.5 and ``shared/dialects/video.md`` sections
1.3 and 3.5 (Stable Video Diffusion). The first frame (``image``; Stability accepts 1024x576,
576x1024 and 768x768) and ``seed`` are sent; ``cfg_scale`` and ``motion_bucket_id`` travel in
``provider_options``. The start answers ``{"id"}``, so the result is a `Task`. The route takes no
prompt: a ``prompt`` or ``negative_prompt`` is left out, with a logged notice
(``relaykit.stability.prompt_ignored``); fields it cannot honour (duration, aspect ratio, size,
resolution, fps, last frame, audio) are refused before anything is sent.
"""

from __future__ import annotations

from relaykit import InvalidRequestError, Task, VideoGenerateRequest
from relaykit.plugin import CallContext, Flow, log_event

from ._common import accept_for, check, form, image_part, post, refuse
from ._results import submitted

__all__ = ["video"]

_UNSUPPORTED = ("last_frame", "duration", "aspect_ratio", "size", "resolution", "fps", "generate_audio")


def video(request: VideoGenerateRequest, ctx: CallContext) -> Flow[Task]:
    """Start an image-to-video job: the `Task` to poll."""
    if request.image is None:
        raise InvalidRequestError("image: Stability makes videos from a first frame only", field="image")
    refuse(request, _UNSUPPORTED, "Stability's image-to-video decides it from the input image")
    if request.output_format is not None:
        raise InvalidRequestError("output_format: Stability's videos are MP4", field="output_format")
    ignored = [name for name in ("prompt", "negative_prompt") if getattr(request, name) is not None]
    if ignored:
        log_event("relaykit.stability.prompt_ignored", provider=ctx.provider, model=ctx.model, fields=ignored)
    values = {"seed": request.seed}
    files = [image_part("image", request.image)]
    response = check(
        (
            yield post(
                ctx, "/v2beta/image-to-video", form(values, ctx, _without_prompts(request)), files, "application/json"
            )
        ),
        ctx,
    )
    return submitted(response, ctx, request, accept=accept_for(request, binary="video/*"), mime="video/mp4")


def _without_prompts(request: VideoGenerateRequest) -> VideoGenerateRequest:
    """The request as sent: without the prompts the route does not take (they are not checked)."""
    return request.model_copy(update={"prompt": None, "negative_prompt": None})
