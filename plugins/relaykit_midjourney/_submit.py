"""The submits: ``POST submit/{imagine|blend|describe|shorten|action|change|simple-change|modal}``,
``POST insight-face/swap``; and the dispatch of every `Operation.MIDJOURNEY` request.

Reference: ``shared/dialects/midjourney.md`` sections 2, 3 and 5. Images go as data URLs; the
common fields (``botType``, ``accountFilter``, ``state``, ``notifyHook``) are sent when set;
``provider_options`` add body fields but may not set the ones the request owns.

==========================================  ===============================================
submit answer ``code``                      result
==========================================  ===============================================
1 (accepted), 22 (queued)                   a queued `Task` (22: ``vendor_data["queue_position"]``)
21 "Waiting for window confirm" (plus),     a queued `Task` in ``MODAL``: confirm with
or ``properties.remix``                     ``client.midjourney.modal``
21 "already exists" (open source)           the existing task: ``succeeded`` with
                                            ``properties.imageUrl`` when it says SUCCESS, else queued
23, 24, 3, 4, 9, 5, others                  the errors of ``_common`` (24: `ContentPolicyError`)
==========================================  ===============================================
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from relaykit import InvalidRequestError, MidjourneyRequest, Task, TaskOutput, TaskResult
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import check, code_error, headers, malformed, mj_url, payload
from ._tasks import image_seed, list_tasks, poll_after

__all__ = ["body_for", "midjourney", "path_for", "task_from_submit"]

_ACCEPTED = frozenset({1, 21, 22})
_SIMPLE = {"UPSCALE": "U", "VARIATION": "V"}


def midjourney(request: MidjourneyRequest, ctx: CallContext) -> Flow[Any]:
    """Run one `client.midjourney` call: a submit (a `Task`), a list (tasks) or a seed (text)."""
    op = request.op
    if op == "list":
        return (yield from list_tasks(list(getattr(request, "ids")), ctx))  # noqa: B009
    if op == "seed":
        return (yield from image_seed(str(getattr(request, "task_id")), ctx))  # noqa: B009
    response = yield HttpRequest(
        "POST", mj_url(ctx, path_for(request)), headers=headers(ctx), json=body_for(request, ctx)
    )
    return task_from_submit(request, check(response, ctx), ctx)


def path_for(request: MidjourneyRequest) -> str:
    """The submit route of `request`."""
    if request.op == "swap_face":
        return "insight-face/swap"
    if request.op == "change" and getattr(request, "simple", False):
        return "submit/simple-change"
    return f"submit/{request.op}"


def body_for(request: Any, ctx: CallContext) -> dict[str, Any]:
    """The JSON body of `request`'s submit (see the module docstring)."""
    op = request.op
    fields: dict[str, Any] = {}
    if op == "imagine":
        fields = {"prompt": request.prompt, "base64Array": [image.to_data_uri() for image in request.base64_array]}
    elif op == "blend":
        fields = {
            "base64Array": [image.to_data_uri() for image in request.base64_array],
            "dimensions": request.dimensions,
        }
    elif op == "describe":
        fields = {"base64": request.base64.to_data_uri()}
    elif op == "shorten":
        fields = {"prompt": request.prompt}
    elif op == "swap_face":
        fields = {"sourceBase64": request.source.to_data_uri(), "targetBase64": request.target.to_data_uri()}
    elif op == "action":
        fields = {"taskId": request.task_id, "customId": request.custom_id, "enableRemix": request.enable_remix}
    elif op == "change":
        fields = _change(request)
    elif op == "modal":
        mask = request.mask
        fields = {
            "taskId": request.task_id,
            "prompt": request.prompt,
            "maskBase64": mask.to_data_uri() if mask else None,
        }
    bot_type = request.bot_type or getattr(ctx.settings, "bot_type", None)
    if op in ("imagine", "blend", "describe", "shorten"):
        fields["botType"] = bot_type
    elif request.bot_type is not None:
        fields["botType"] = request.bot_type
    if request.account_filter is not None:
        fields["accountFilter"] = _camel(request.account_filter.model_dump(exclude_none=True))
    fields.update(state=request.state, notifyHook=request.notify_hook)
    body = {key: value for key, value in fields.items() if value is not None}
    clash = sorted(set(fields) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    return {**body, **ctx.options}


def task_from_submit(request: MidjourneyRequest, response: HttpResponse, ctx: CallContext) -> Task:
    """The `Task` a submit answer stands for, or the error it reports (see the module docstring)."""
    body = payload(response)
    if not isinstance(body, dict) or "code" not in body:
        raise malformed(response, ctx, "a submit envelope {code, description, result} was expected")
    code, description = body.get("code"), str(body.get("description") or "")
    found = body.get("properties")
    properties: dict[str, Any] = found if isinstance(found, dict) else {}
    if code not in _ACCEPTED:
        banned = {"bannedWord": properties.get("bannedWord")} if code == 24 else {}
        raise code_error(response, ctx, code, description, **banned)
    result = body.get("result")
    if result in (None, "") or isinstance(result, list | dict | bool):
        raise malformed(response, ctx, f"code {code} without a task id")
    now = datetime.now(UTC)
    vendor: dict[str, Any] = {"status": "SUBMITTED", "submit_code": code, "submit_description": description}
    parent = getattr(request, "task_id", None)
    if parent is not None and request.op != "modal":
        vendor["parent_id"] = parent
    if code == 22 and properties.get("numberOfQueues") is not None:
        vendor["queue_position"] = properties["numberOfQueues"]
    status, task_result = "queued", None
    if code == 21:
        if _is_modal(description, properties, request):
            vendor["status"] = "MODAL"
            if isinstance(properties.get("finalPrompt"), str):
                vendor["final_prompt"] = properties["finalPrompt"]
        elif str(properties.get("status") or "").upper() == "SUCCESS" and properties.get("imageUrl"):
            vendor["status"] = "SUCCESS"
            status = "succeeded"
            task_result = TaskResult(images=[TaskOutput(url=str(properties["imageUrl"]))])
        else:
            vendor["status"] = str(properties.get("status") or "SUBMITTED")
    kind = request.kind
    if request.op == "modal":
        kind = "midjourney.modal"
    return Task(
        provider=ctx.provider,
        id=str(result),
        kind=kind,
        status=status,
        model=ctx.model or None,
        progress=1.0 if status == "succeeded" else None,
        result=task_result,
        created_at=now,
        updated_at=now,
        poll_after=None if status == "succeeded" else poll_after(ctx),
        vendor_data=vendor,
    )


def _is_modal(description: str, properties: dict[str, Any], request: MidjourneyRequest) -> bool:
    """Code 21's plus meaning ("Waiting for window confirm"), not the open-source "already exists"."""
    if "window confirm" in description.lower() or properties.get("remix") is True:
        return True
    if str(properties.get("status") or "").upper() == "MODAL":
        return True
    custom_id = str(getattr(request, "custom_id", "") or "")
    return "::Inpaint::" in custom_id or "::CustomZoom::" in custom_id


def _change(request: Any) -> dict[str, Any]:
    if not request.simple:
        return {"taskId": request.task_id, "action": request.action, "index": request.index}
    suffix = "R" if request.action == "REROLL" else f"{_SIMPLE[request.action]}{request.index}"
    return {"content": f"{request.task_id} {suffix}"}


def _camel(values: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in values.items():
        head, *rest = key.split("_")
        result[head + "".join(part.title() for part in rest)] = value
    return result
