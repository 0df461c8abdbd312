"""Task objects: ``GET task/{id}/fetch``, ``POST task/list-by-condition``, ``GET task/{id}/image-seed``.

Reference: ``shared/dialects/midjourney.md`` sections 4 and 9.

===============================  =====================================================
proxy ``status``                 `Task.status`
===============================  =====================================================
``NOT_START``, ``SUBMITTED``     ``queued``
``MODAL``                        ``queued``; waits for ``client.midjourney.modal``
``IN_PROGRESS``, unknown         ``running``; ``progress`` from ``"37%"``
``SUCCESS``                      ``succeeded``; ``imageUrl`` (and ``imageUrls``) as outputs
``FAILURE``                      ``failed``; ``failReason`` as the error
``CANCEL``                       ``cancelled``
===============================  =====================================================

The proxy's own status is kept as ``vendor_data["status"]``, the buttons as
``vendor_data["buttons"]`` (read them with ``client.midjourney.buttons``), ``finalPrompt`` as
``vendor_data["final_prompt"]`` and, for ``describe``, the four prompts as
``vendor_data["prompts"]``. Progress is display-only: a failed task's ``"100%"`` (relays) is not
read. An empty or ``null`` fetch answer (the proxy) or a relay's ``task_no_found`` is `NotFoundError`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from relaykit import Task, TaskError, TaskOutput, TaskResult
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, api_error

from ._common import check, code_error, headers, malformed, mj_url, payload

__all__ = ["image_seed", "list_tasks", "parse_progress", "poll_after", "status_of", "task_from_wire", "task_get"]

_STATUS = {
    "NOT_START": "queued",
    "SUBMITTED": "queued",
    "MODAL": "queued",
    "IN_PROGRESS": "running",
    "SUCCESS": "succeeded",
    "FAILURE": "failed",
    "CANCEL": "cancelled",
}
_PROMPT_NUMBER = re.compile(r"^\s*(?:\d\ufe0f?\u20e3|\d+[.)])\s*")
_KEPT = {
    "action": "action",
    "prompt": "prompt",
    "promptEn": "prompt_en",
    "description": "description",
    "state": "state",
    "botType": "bot_type",
    "customId": "custom_id",
    "failReason": "fail_reason",
    "imageUrl": "image_url",
    "progress": "progress_text",
}


def status_of(raw: Any) -> str:
    """`Task.status` for the proxy's status (unknown: ``running``, so polling goes on)."""
    return _STATUS.get(str(raw or "").upper(), "running")


def parse_progress(raw: Any) -> float | None:
    """``"37%"`` as 0.37 (None when absent or unreadable)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    elif isinstance(raw, str) and raw.strip():
        try:
            value = float(raw.strip().rstrip("%") or 0)
        except ValueError:
            return None
    else:
        return None
    return min(max(value / 100, 0.0), 1.0)


def poll_after(ctx: CallContext) -> float:
    return float(getattr(ctx.settings, "poll_interval", 3.0))


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One look at `task`: ``GET task/{id}/fetch``."""
    response = yield HttpRequest("GET", mj_url(ctx, f"task/{quote(task.id, safe='')}/fetch"), headers=headers(ctx))
    response = check(response, ctx)
    body = payload(response)
    if body is None:
        raise api_error(response, ctx, f"midjourney-proxy has no task {task.id}", status=404)
    if not isinstance(body, dict):
        raise malformed(response, ctx, "a task object was expected")
    return task_from_wire(body, ctx, response, previous=task)


def list_tasks(ids: list[str], ctx: CallContext) -> Flow[list[Task]]:
    """Tasks by id: ``POST task/list-by-condition``; ids the proxy does not know are left out."""
    response = yield HttpRequest("POST", mj_url(ctx, "task/list-by-condition"), headers=headers(ctx), json={"ids": ids})
    response = check(response, ctx)
    body = payload(response)
    if body is None:
        return []
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise malformed(response, ctx, "a list of task objects was expected")
    return [task_from_wire(item, ctx, response) for item in body]


def image_seed(task_id: str, ctx: CallContext) -> Flow[str]:
    """The seed of a finished image task: ``GET task/{id}/image-seed``."""
    response = yield HttpRequest("GET", mj_url(ctx, f"task/{quote(task_id, safe='')}/image-seed"), headers=headers(ctx))
    response = check(response, ctx)
    body = payload(response)
    if not isinstance(body, dict):
        raise malformed(response, ctx, "an envelope was expected")
    if body.get("code") != 1:
        raise code_error(response, ctx, body.get("code"), str(body.get("description") or ""))
    if body.get("result") in (None, ""):
        raise malformed(response, ctx, "no seed in the answer")
    return str(body["result"])


def task_from_wire(
    body: dict[str, Any], ctx: CallContext, response: HttpResponse, previous: Task | None = None
) -> Task:
    """A `Task` for one proxy task object (see the module docstring)."""
    task_id = body.get("id")
    if task_id in (None, ""):
        raise malformed(response, ctx, "a task object without an id")
    raw_status = str(body.get("status") or "")
    status = status_of(raw_status)
    vendor: dict[str, Any] = dict(previous.vendor_data) if previous is not None else {}
    vendor["status"] = raw_status or None
    vendor.update({name: body[key] for key, name in _KEPT.items() if body.get(key) not in (None, "")})
    found = body.get("properties")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    final_prompt = properties.get("finalPrompt")
    if isinstance(final_prompt, str) and final_prompt:
        vendor["final_prompt"] = final_prompt
    buttons = body.get("buttons")
    vendor["buttons"] = [item for item in buttons if isinstance(item, dict)] if isinstance(buttons, list) else []
    action = str(body.get("action") or "")
    if action == "DESCRIBE" and isinstance(final_prompt, str):
        vendor["prompts"] = describe_split(final_prompt)
    progress = parse_progress(body.get("progress"))
    if status == "succeeded":
        progress = 1.0
    elif status == "failed":
        progress = previous.progress if previous is not None else None
    error = None
    if status in ("failed", "cancelled"):
        reason = body.get("failReason")
        text = reason if isinstance(reason, str) and reason else ("cancelled" if status == "cancelled" else "failed")
        error = TaskError(code=raw_status or None, message=text)
    kind = previous.kind if previous is not None else f"midjourney.{action.lower() or 'task'}"
    return Task(
        provider=ctx.provider,
        id=str(task_id),
        kind=kind,
        status=status,
        model=previous.model if previous is not None else (ctx.model or None),
        progress=progress,
        result=_result(body) if status == "succeeded" else None,
        error=error,
        created_at=_moment(body.get("submitTime")) or (previous.created_at if previous is not None else None),
        updated_at=datetime.now(UTC),
        poll_after=None if status in ("succeeded", "failed", "cancelled") else poll_after(ctx),
        vendor_data=vendor,
    )


def describe_split(text: str) -> list[str]:
    """The numbered prompts of a describe answer (``"1️⃣ ...\\n\\n2️⃣ ..."``)."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return [_PROMPT_NUMBER.sub("", block, count=1) for block in blocks]


def _result(body: dict[str, Any]) -> TaskResult:
    urls: list[str] = []
    if isinstance(body.get("imageUrl"), str) and body["imageUrl"]:
        urls.append(body["imageUrl"])
    extra = body.get("imageUrls")
    for item in extra if isinstance(extra, list) else []:
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url and url not in urls:
            urls.append(url)
    images = [TaskOutput(url=url, mime_type=_mime(url)) for url in urls]
    video = body.get("videoUrl")
    return TaskResult(images=images, video=TaskOutput(url=video) if isinstance(video, str) and video else None)


def _mime(url: str) -> str | None:
    path = url.split("?", 1)[0].lower()
    for suffix, mime in (
        (".png", "image/png"),
        (".webp", "image/webp"),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
    ):
        if path.endswith(suffix):
            return mime
    return None


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value / 1000, UTC)
    return None
