"""One poll of a FLUX task: ``GET <polling_url>`` (or ``/v1/get_result?id=``) for each unfinished job.

Reference: ``shared/dialects/flux.md`` sections 3, 4, 6.2 and 7. A task gathers the jobs of one
call (one per image, see ``_submit``); each poll looks at every job not yet finished.

===========================================  ================================================
poll answer (HTTP 200 unless said)           job
===========================================  ================================================
``Pending`` (any unknown status)             ``running``; ``progress`` when the body has one
``Ready``                                    ``succeeded``: ``result.sample`` (a signed URL
                                             that expires, about 10 minutes), ``result.seed``
``Request Moderated``, ``Content Moderated``  ``failed``, code ``content_policy``
``Error``, ``Failed``                        ``failed``, the body's ``error`` as code
``Task not found``, or HTTP 404              `NotFoundError` (core: `TaskNotFoundError`), see below
401/403, 429, 5xx                            the mapped error (a retryable one: ``wait`` goes on)
===========================================  ================================================

EZLink's relay answers its own lowercase statuses while a job runs (``pending``, ``submitted``,
``processing``, ``failed``; ``success``) and BFL's document once it is done; both are read.

The task is ``failed`` as soon as one job fails, ``succeeded`` when every job is, ``running``
otherwise (``queued`` until a job has been seen); its progress is the jobs' mean when each is known.

**Task not found.** BFL routes a job to a regional cluster, and a host may not know a fresh id
for a few seconds. So a job never seen yet that is "not found" within the ``not_found_grace``
setting (10 s after submitting) is looked at again, up to three times; after that, or for a job
already seen, the task is gone.

**Where to poll** is the ``polling`` setting (see `FluxSettings`): by default the submit's
``polling_url`` when the key may go there, else ``{base_url}/v1/get_result?id=``.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from relaykit import InvalidRequestError, ResponseFormatError, Task, TaskError, TaskOutput, TaskResult
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, api_error

from ._common import MIME_TYPES, envelope, error_from, headers, malformed

__all__ = ["first_poll_after", "poll_url", "task_get"]

_READY = frozenset({"Ready", "success"})
_MODERATED = frozenset({"Request Moderated", "Content Moderated"})
_FAILED = frozenset({"Error", "Failed", "failed"})
_NOT_FOUND = "Task not found"
_CONTENT_POLICY = frozenset({"content_policy", "content_policy_violation", "content_moderated", "moderated"})
_BFL_DOMAINS = ("bfl.ai", "bfl.ml")
_MAX_MISSES = 3
_FINAL = frozenset({"succeeded", "failed"})


def first_poll_after(ctx: CallContext) -> float:
    """The pause before the first poll: the ``poll_interval`` setting."""
    return float(getattr(ctx.settings, "poll_interval", 1.0))


def task_get(task: Task, ctx: CallContext) -> Flow[Task]:
    """One look at every unfinished job of `task` (see the module docstring)."""
    now = datetime.now(UTC)
    jobs: list[dict[str, Any]] = []
    failed = False
    for job in _jobs(task):
        if job.get("state") in _FINAL or failed:
            jobs.append(job)
            continue
        response = yield HttpRequest("GET", poll_url(job, ctx), headers=headers(ctx))
        assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
        looked = _look(task, job, response, ctx, now)
        failed = looked.get("state") == "failed"
        jobs.append(looked)
    return _snapshot(task, jobs, ctx, now)


def poll_url(job: dict[str, Any], ctx: CallContext) -> str:
    """Where to poll `job`: its ``polling_url`` or the configured host (see `FluxSettings.polling`)."""
    own = ctx.url(f"/v1/get_result?id={quote(str(job['id']), safe='')}")
    given = job.get("polling_url")
    mode = getattr(ctx.settings, "polling", "auto")
    if not isinstance(given, str) or not given or mode == "base_url":
        return own
    if mode == "polling_url" or _key_may_go(given, ctx.settings.base_url):
        return given
    return own


def _key_may_go(url: str, base_url: str) -> bool:
    """True when `url` is on the configured host, or on a BFL host (https) while that host is BFL's."""
    target, base = urlsplit(url), urlsplit(base_url)
    if (target.scheme, target.netloc.lower()) == (base.scheme, base.netloc.lower()):
        return True
    return target.scheme == "https" and _is_bfl(target.hostname) and _is_bfl(base.hostname)


def _is_bfl(host: str | None) -> bool:
    return host is not None and any(host == domain or host.endswith("." + domain) for domain in _BFL_DOMAINS)


def _look(task: Task, job: dict[str, Any], response: HttpResponse, ctx: CallContext, now: datetime) -> dict[str, Any]:
    """`job` after one poll answer."""
    if response.status == 404:
        return _missing(task, job, response, ctx, now)
    if response.status >= 400:
        raise error_from(response, ctx)
    payload = response.json()
    status = payload.get("status") if isinstance(payload, dict) else None
    if not isinstance(status, str) or not status:
        raise malformed(response, ctx, "no status in the poll answer")
    if status == _NOT_FOUND:
        return _missing(task, job, response, ctx, now)
    looked = {**job, "status": status}
    looked.pop("misses", None)
    for key in ("details", "cost"):
        if payload.get(key) not in (None, {}):
            looked[key] = payload[key]
    if status in _READY:
        return {**looked, **_ready(task, payload, response, ctx, now=now, seed=job.get("seed"))}
    if status in _MODERATED:
        reasons = _reasons(payload.get("details"))
        what = "the request" if status.startswith("Request") else "the generated image"
        message = f"BFL's moderation refused {what} ({status})" + (f": {reasons}" if reasons else "")
        return {**looked, "state": "failed", "error_code": "content_policy", "error_message": message}
    if status in _FAILED:
        code, message = _failure(payload)
        return {**looked, "state": "failed", "error_code": code, "error_message": message}
    return {**looked, "state": "running", "progress": _progress(payload.get("progress"))}


def _ready(
    task: Task, payload: dict[str, Any], response: HttpResponse, ctx: CallContext, *, now: datetime, seed: Any
) -> dict[str, Any]:
    result = payload.get("result")
    sample = result.get("sample") if isinstance(result, dict) else None
    if not isinstance(sample, str) or not sample:
        raise malformed(response, ctx, f"a {payload['status']} job without result.sample")
    assert isinstance(result, dict)
    vendor_seed = result.get("seed")
    output_format = str(task.vendor_data.get("output_format") or "jpeg")
    ttl = float(getattr(ctx.settings, "result_ttl", 600.0))
    extra = {key: value for key, value in result.items() if key not in ("sample", "seed")}
    return {
        "state": "succeeded",
        "progress": 1.0,
        "sample": sample,
        "seed": vendor_seed if isinstance(vendor_seed, int) and not isinstance(vendor_seed, bool) else seed,
        "mime_type": _mime(sample, output_format),
        "expires_at": _expiry(sample, now, ttl).isoformat(),
        **({"result": extra} if extra else {}),
    }


def _missing(
    task: Task, job: dict[str, Any], response: HttpResponse, ctx: CallContext, now: datetime
) -> dict[str, Any]:
    """A job the host does not know: not there yet (within the grace), or gone (`NotFoundError`)."""
    misses = int(job.get("misses") or 0) + 1
    age = (now - task.created_at).total_seconds() if task.created_at is not None else math.inf
    grace = float(getattr(ctx.settings, "not_found_grace", 10.0))
    if job.get("state") is None and age <= grace and misses <= _MAX_MISSES:
        return {**job, "misses": misses}
    _, said = envelope(response)
    raise api_error(
        response,
        ctx,
        f"BFL does not know job {job['id']} ({said or _NOT_FOUND}): its results expired, or another key or host "
        "made it",
        code="task_not_found",
        status=404,
    )


def _snapshot(task: Task, jobs: list[dict[str, Any]], ctx: CallContext, now: datetime) -> Task:
    vendor = {**task.vendor_data, "jobs": jobs}
    update: dict[str, Any] = {"updated_at": now, "vendor_data": vendor}
    failed = next((job for job in jobs if job.get("state") == "failed"), None)
    if failed is not None:
        where = f"image {jobs.index(failed) + 1} of {len(jobs)}: " if len(jobs) > 1 else ""
        message = where + str(failed.get("error_message") or "BFL reported an error")
        error = TaskError(code=failed.get("error_code"), message=message)
        update.update(status="failed", error=error, poll_after=None)
    elif all(job.get("state") == "succeeded" for job in jobs):
        images = [
            TaskOutput(url=job["sample"], mime_type=job["mime_type"], seed=job["seed"], expires_at=job["expires_at"])
            for job in jobs
        ]
        result = TaskResult(images=images, aspect_ratio=task.vendor_data.get("aspect_ratio"))
        update.update(status="succeeded", progress=1.0, result=result, poll_after=None)
    else:
        seen = any(job.get("state") is not None for job in jobs)
        progresses = [job.get("progress") for job in jobs]
        known = [value for value in progresses if isinstance(value, int | float)]
        update.update(
            status="running" if seen else task.status,
            progress=sum(known) / len(known) if known and len(known) == len(jobs) else None,
            poll_after=_poll_after(task, ctx, now, young=not seen),
        )
    try:
        return Task.model_validate({**task.model_dump(), **update})
    except ValueError as exc:  # pydantic's ValidationError: a result the Task cannot hold
        raise ResponseFormatError(
            f"{ctx.provider}'s poll answer makes no valid task: {exc}", provider=ctx.provider
        ) from exc


def _jobs(task: Task) -> list[dict[str, Any]]:
    """The task's jobs; a task without the list (made by hand) is one job, polled at its id."""
    jobs = task.vendor_data.get("jobs")
    if jobs is None:
        return [{"id": task.id, "polling_url": task.vendor_data.get("polling_url")}]
    if not isinstance(jobs, list) or not jobs or not all(isinstance(j, dict) and j.get("id") for j in jobs):
        raise InvalidRequestError(
            "task.vendor_data.jobs: a list of jobs, each with its id", field="task.vendor_data.jobs"
        )
    return [dict(job) for job in jobs]


def _poll_after(task: Task, ctx: CallContext, now: datetime, *, young: bool) -> float:
    """A fifth of the job's age, between the ``poll_interval`` and ``max_poll_interval`` settings."""
    interval = first_poll_after(ctx)
    ceiling = max(float(getattr(ctx.settings, "max_poll_interval", 5.0)), interval)
    if young or task.created_at is None:
        return interval
    return min(ceiling, max(interval, (now - task.created_at).total_seconds() / 5))


def _progress(value: Any) -> float | None:
    """0..1 from a fraction or a percentage (BFL documents a number without saying which)."""
    if isinstance(value, str):
        value = value.strip().removesuffix("%")
    try:
        number = float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
    if number is None or not math.isfinite(number) or number < 0:
        return None
    return min(number / 100 if number > 1 else number, 1.0)


def _reasons(details: Any) -> str:
    found = details.get("Moderation Reasons") if isinstance(details, dict) else None
    if isinstance(found, list):
        return ", ".join(str(reason) for reason in found)
    return str(found) if found else ""


def _failure(payload: dict[str, Any]) -> tuple[str | None, str]:
    """The code and message of a failed job (``error`` is a code or a sentence, depending on who answers)."""
    error, message = payload.get("error"), payload.get("message")
    code = error if isinstance(error, str) and error and " " not in error and len(error) <= 64 else None
    text = message if isinstance(message, str) and message else error if isinstance(error, str) and error else None
    if text is None and payload.get("details"):
        text = str(payload["details"])
    if code is not None and code.lower() in _CONTENT_POLICY:
        code = "content_policy"
    return code, text or f"BFL reported {payload.get('status')}"


def _mime(url: str, output_format: str) -> str:
    """The result's type: the signed URL's ``rsct``, else its extension, else the requested format."""
    parts = urlsplit(url)
    declared = parse_qs(parts.query).get("rsct", [""])[0]
    if declared.startswith("image/"):
        return declared
    suffix = parts.path.rpartition(".")[2].lower()
    by_suffix = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
    return by_suffix.get(suffix) or MIME_TYPES.get(output_format, "image/jpeg")


def _expiry(url: str, now: datetime, ttl: float) -> datetime:
    """When the signed URL stops working: its ``se`` (Azure SAS expiry), else `ttl` seconds from `now`."""
    stamp = parse_qs(urlsplit(url).query).get("se", [""])[0]
    try:
        moment = datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        moment = None
    if moment is None:
        return now + timedelta(seconds=ttl)
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
