"""Asynchronous jobs: the start's ``{"id"}`` as a `Task`, and one poll of its result.

Reference: ``shared/dialects/stability.md`` section 4 and ``shared/dialects/video.md`` section 3.5.
A creative upscale polls ``GET /v2beta/results/{id}`` (the generic path), falling back to the
older ``/v2beta/stable-image/upscale/creative/result/{id}`` that relays registered; the path that
answered is remembered in the task. Image-to-video polls ``/v2beta/image-to-video/result/{id}``.

=======================================  =================================================
poll answer                              task
=======================================  =================================================
202 (``{"id", "status": "in-progress"}``)  ``running``; ``progress`` when the body has one
200 with the file, or JSON with base64    ``succeeded``; the output in ``b64_json``
404                                       `NotFoundError` (core: `TaskNotFoundError`)
401, 429, 5xx                             the mapped error (a retryable one: ``wait`` goes on)
other 4xx, the error envelope             ``failed``; ``content_moderation`` is ``content_policy``
=======================================  =================================================

Stability reports no numeric progress; a ``progress`` in a 202 body (0-1, or a percentage) is read
when present. Results must be polled with the key that started the job (another key gets 404);
Stability keeps them 24 hours and asks for at most one poll every 10 seconds, given to
``client.tasks.wait`` as the task's `poll_after` (the ``poll_interval`` setting).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from relaykit import InvalidRequestError, MediaRequest, ResponseFormatError, Task, TaskError, TaskOutput, TaskResult
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import envelope, error_from, headers, malformed, parse_output

__all__ = ["submitted", "task_get"]

RESULT_PATHS: dict[str, tuple[str, ...]] = {
    "media.upscale.creative": ("/v2beta/results/{id}", "/v2beta/stable-image/upscale/creative/result/{id}"),
    "video.image_to_video": ("/v2beta/image-to-video/result/{id}",),
}
_RAISED = {401, 404, 408, 429}
_CONTENT_POLICY = {"content_moderation", "public_figure"}


def submitted(response: HttpResponse, ctx: CallContext, request: MediaRequest, *, accept: str, mime: str) -> Task:
    """The `Task` for a job's start answer ``{"id": ...}``; `accept` and `mime` are for its result."""
    payload = response.json()
    job = payload.get("id") if isinstance(payload, dict) else None
    if not isinstance(job, str) or not job:
        raise malformed(response, ctx, "no job id in the start answer")
    now = datetime.now(UTC)
    return Task(
        provider=ctx.provider,
        id=job,
        kind=request.kind,
        status="queued",
        model=ctx.model or None,
        created_at=now,
        updated_at=now,
        poll_after=_interval(ctx),
        vendor_data={"accept": accept, "mime_type": mime},
    )


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One poll of the job's result (see the module docstring)."""
    known = task.vendor_data.get("result_path")
    if isinstance(known, str) and known:
        paths: tuple[str, ...] = (known,)
    elif task.kind in RESULT_PATHS:
        paths = tuple(path.format(id=quote(task.id, safe="")) for path in RESULT_PATHS[task.kind])
    else:
        raise InvalidRequestError(f"task.kind: Stability has no job of kind {task.kind!r}", field="task.kind")
    accept = str(task.vendor_data.get("accept") or "application/json")
    response: HttpResponse | None = None
    for path in paths:
        response = yield HttpRequest("GET", ctx.url(path), headers=headers(ctx, accept))
        assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
        if response.status != 404:
            return _snapshot(task, response, ctx, path)
    assert response is not None
    raise error_from(response, ctx)


def _snapshot(task: Task, response: HttpResponse, ctx: CallContext, path: str) -> Task:
    now = datetime.now(UTC)
    vendor = {**task.vendor_data, "result_path": path}
    if response.status in _RAISED or response.status >= 500:
        raise error_from(response, ctx)
    if response.status == 202:
        return task.model_copy(
            update={
                "status": "running",
                "progress": _progress(response),
                "updated_at": now,
                "poll_after": _interval(ctx),
                "vendor_data": vendor,
            }
        )
    if response.status >= 400:
        name, message = envelope(response)
        code = "content_policy" if name in _CONTENT_POLICY else name
        error = TaskError(code=code, message=message or name or f"HTTP {response.status}")
        vendor["error_name"] = name
        return _validated(task, {"status": "failed", "error": error, "updated_at": now, "vendor_data": vendor})
    if response.status != 200:
        raise malformed(response, ctx, f"unexpected HTTP {response.status} while polling")
    key = "video" if task.kind.startswith("video.") else "image"
    mime = str(task.vendor_data.get("mime_type") or ("video/mp4" if key == "video" else "image/png"))
    output, extra = parse_output(response, ctx, as_b64=True, key=key, mime=mime)
    produced = TaskOutput(
        b64_json=output.b64_json,
        mime_type=output.mime_type,
        seed=output.seed,
        content_filtered=output.content_filtered,
    )
    result = TaskResult(video=produced) if key == "video" else TaskResult(images=[produced])
    vendor.update(extra)
    return _validated(
        task,
        {
            "status": "succeeded",
            "progress": 1.0,
            "result": result,
            "updated_at": now,
            "poll_after": None,
            "vendor_data": vendor,
        },
    )


def _validated(task: Task, update: dict[str, Any]) -> Task:
    """`task` with `update`, validated as a whole (a failed task needs its error, and so on)."""
    return Task.model_validate({**task.model_dump(), **update})


def _progress(response: HttpResponse) -> float | None:
    try:
        payload = response.json()
    except ResponseFormatError:
        return None
    value = payload.get("progress") if isinstance(payload, dict) else None
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
    try:
        number = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    if number is None or number < 0:
        return None
    return min(number / 100 if number > 1 else number, 1.0)


def _interval(ctx: CallContext) -> float:
    interval = getattr(ctx.settings, "poll_interval", None)
    return float(interval) if isinstance(interval, int | float) else 10.0
