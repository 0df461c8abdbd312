"""EZLink's generic video routes: ``POST /v1/video/generations``, ``GET /v1/video/generations/result?taskid=``.

Reference: ``shared/dialects/video.md`` §1.2, §2.2, §3.4 and §6. The body is the model family's
own request plus ``model``: Veo models (``veo-*``) get Vertex's ``instances`` / ``parameters``
(media as ``{bytesBase64Encoded, mimeType}`` or ``{gcsUri}``-less URLs left out: Veo takes bytes);
other families get the flat fields ``prompt``, ``negative_prompt``, ``image`` (URL or data URI),
``duration``, ``aspect_ratio``, ``size``, ``resolution``, ``fps``, ``seed`` and their own fields
through ``provider_options``.

=================================  ===============================================
EZLink ``task_status``             `Task.status`
=================================  ===============================================
``succeed`` / ``processing`` on    ``queued`` (accepted, not finished)
submit
``processing``, ``unknown``        ``running``
``succeed``, ``succeeded``         ``succeeded``; ``video_results[*].url`` then ``video_result``
``failed``                         ``failed``; ``message`` as the error
=================================  ===============================================

A result answered ``{"error": "<message>"}`` (a flat string) is raised by its HTTP status.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from relaykit import (
    InvalidRequestError,
    Task,
    TaskError,
    TaskOutput,
    TaskResult,
    VideoGenerateRequest,
)
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, api_error, malformed_answer
from relaykit_openai._common import headers
from relaykit_vocka._relay_errors import relay_error

__all__ = ["ROUTE", "task_get", "video"]

ROUTE = "ezlink.video"
"""``Task.vendor_data["route"]`` of the tasks these routes answer (how `task_get` finds them)."""

_DONE = {"succeed": "succeeded", "succeeded": "succeeded", "success": "succeeded", "failed": "failed"}


def video(request: VideoGenerateRequest, ctx: CallContext) -> Flow[Task]:
    """Submit a video job: a queued `Task` (EZLink's ``succeed`` here means accepted)."""
    body = _veo_body(request) if ctx.model.lower().startswith("veo") else _flat_body(request)
    clash = sorted(set(body) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    response = yield HttpRequest(
        "POST", ctx.url("video/generations"), headers=headers(ctx), json={**body, **ctx.options, "model": ctx.model}
    )
    response, answer = _answer(response, ctx)
    task_id = answer.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise malformed_answer(response, ctx, "a submit answer with a task_id was expected")
    now = datetime.now(UTC)
    return Task(
        provider=ctx.provider,
        id=task_id,
        kind="video.image_to_video" if request.image is not None else "video.text_to_video",
        status="queued",
        model=ctx.model,
        created_at=now,
        updated_at=now,
        poll_after=_interval(ctx),
        vendor_data={"route": ROUTE, "task_status": answer.get("task_status")},
    )


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One look at a video job: ``GET video/generations/result?taskid=``."""
    url = ctx.url(f"video/generations/result?taskid={quote(task.id, safe='')}")
    response = yield HttpRequest("GET", url, headers=headers(ctx))
    response, answer = _answer(response, ctx)
    raw = str(answer.get("task_status") or "").lower()
    status = _DONE.get(raw, "running")
    update: dict[str, Any] = {
        "status": status,
        "updated_at": datetime.now(UTC),
        "poll_after": _interval(ctx),
        "vendor_data": {**task.vendor_data, "task_status": raw, **_kept(answer)},
    }
    if status == "succeeded":
        urls = [item["url"] for item in answer.get("video_results") or [] if isinstance(item, dict) and item.get("url")]
        if not urls and isinstance(answer.get("video_result"), str) and answer["video_result"]:
            urls = [answer["video_result"]]
        if not urls:
            raise malformed_answer(response, ctx, "a finished video without video_results or video_result")
        update.update(progress=1.0, result=TaskResult(video=TaskOutput(url=urls[0], mime_type="video/mp4")))
    elif status == "failed":
        message = str(answer.get("message") or "the video generation failed")
        update["error"] = TaskError(code="failed", message=message)
    return Task.model_validate({**task.model_dump(), **update})


def _veo_body(request: VideoGenerateRequest) -> dict[str, Any]:
    instance: dict[str, Any] = {"prompt": request.prompt}
    for name, field in (("image", "image"), ("lastFrame", "last_frame")):
        image = getattr(request, field)
        if image is not None:
            if image.file is None:
                raise InvalidRequestError(f"{field}: Veo through EZLink takes image bytes, not a URL", field=field)
            instance[name] = {"bytesBase64Encoded": image.to_base64(), "mimeType": image.mime_type}
    parameters = {
        "aspectRatio": request.aspect_ratio,
        "durationSeconds": None if request.duration is None else round(request.duration),
        "generateAudio": request.generate_audio,
        "resolution": request.resolution,
        "negativePrompt": request.negative_prompt,
        "seed": request.seed,
    }
    body: dict[str, Any] = {"instances": [_present(instance)]}
    if any(value is not None for value in parameters.values()):
        body["parameters"] = _present(parameters)
    return body


def _flat_body(request: VideoGenerateRequest) -> dict[str, Any]:
    def image(value: Any) -> str | None:
        return None if value is None else value.url or value.to_data_uri()

    return _present(
        {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "image": image(request.image),
            "image_tail": image(request.last_frame),
            "duration": request.duration,
            "aspect_ratio": request.aspect_ratio,
            "size": request.size,
            "resolution": request.resolution,
            "fps": request.fps,
            "seed": request.seed,
            "generate_audio": request.generate_audio,
        }
    )


def _answer(response: HttpResponse | None, ctx: CallContext) -> tuple[HttpResponse, dict[str, Any]]:
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - an unreadable body is reported below with its status
        body = None
    if response.status >= 400:
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            raise api_error(response, ctx, body["error"])
        raise relay_error(response, ctx)
    if not isinstance(body, dict):
        raise malformed_answer(response, ctx, "a JSON object was expected")
    if isinstance(body.get("error"), str):
        raise api_error(response, ctx, body["error"], status=400)
    return response, body


def _kept(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        key: answer[key] for key in ("video_id", "duration", "usage", "message") if answer.get(key) not in (None, "")
    }


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _interval(ctx: CallContext) -> float:
    return float(getattr(ctx.settings, "poll_interval", 3.0))
