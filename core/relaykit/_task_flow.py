"""Core's task flows: one refresh, and polling until done, around a plugin's single-poll flow.

A plugin implements `Operation.TASK_GET` as ``task_get(task, ctx) -> Flow[Task]``: one look at the
job, returning the new snapshot (or raising `NotFoundError` when the vendor no longer knows it).
Core composes it:

- `refresh` runs it once, turning `NotFoundError` into `TaskNotFoundError` carrying the task.
- `wait` alternates refreshes and `Wait` effects until the task is done or the deadline passes::

      refresh ─> Notify(on_progress) ─> done? ── yes ─> succeeded? ─> (download) ─> the task
                                          │ no                  └─ no ─> TaskFailedError
                                          └─> deadline passed? ── yes ─> TaskTimeoutError
                                                │ no
                                                └─> Wait(poll_after, else the backoff) ─> refresh

  The vendor's hint wins over the backoff: `Task.poll_after`, or the `retry_after` of a failed
  poll. A poll that fails with a retryable error (429, 5xx, a broken connection) is "no news":
  polling goes on until the deadline, and `TaskTimeoutError` then has that error as its cause. A
  non-retryable error ends the wait. Every request a poll makes gets at most the time left.

Both are plain flows, so the sync and async clients run the same code on their drivers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._errors import APIError, NotFoundError, ResponseFormatError, TaskFailedError, TaskNotFoundError, TaskTimeoutError
from ._flow import Flow, HttpRequest, Notify, Wait
from ._media_flow import download_outputs
from ._provider import CallContext
from ._types._task import Task

__all__ = ["PollPolicy", "refresh", "wait"]

TaskGet = Callable[[Task, CallContext], Flow[Task]]
_MIN_REQUEST_TIMEOUT = 1.0


@dataclass(frozen=True)
class PollPolicy:
    """How often `wait` polls when the vendor gives no hint: `interval` seconds after the first
    look, growing by `factor` up to `max_interval`."""

    interval: float = 1.0
    max_interval: float = 30.0
    factor: float = 1.5

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.max_interval < self.interval or self.factor < 1:
            raise ValueError("poll intervals must be positive, max_interval >= interval, factor >= 1")


def refresh(
    task: Task,
    ctx: CallContext,
    task_get: TaskGet,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Flow[Task]:
    """One look at `task` through the plugin's `task_get` flow: the fresh snapshot.

    With a `deadline` (a `clock()` reading), each request gets at most the time left.

    Raises:
        TaskNotFoundError: the vendor no longer knows the task.
    """
    flow = task_get(task, ctx) if deadline is None else _bounded(task_get(task, ctx), ctx, deadline, clock)
    try:
        fresh: Any = yield from flow
    except TaskNotFoundError:
        raise
    except NotFoundError as exc:
        raise TaskNotFoundError(
            f"{ctx.provider} no longer knows task {task.id}: {exc.message}",
            task=task,
            status=exc.status,
            request_id=exc.request_id,
            body_excerpt=exc.body_excerpt,
            code=exc.code,
        ) from exc
    if not isinstance(fresh, Task) or fresh.id != task.id:
        raise ResponseFormatError(
            f"the {ctx.kind} plugin's task_get returned {type(fresh).__name__}, not task {task.id}",
            provider=ctx.provider,
            model=ctx.model,
        )
    return fresh


def wait(
    task: Task,
    ctx: CallContext,
    task_get: TaskGet,
    *,
    deadline: float,
    policy: PollPolicy = PollPolicy(),
    on_progress: Callable[[Task], Any] | None = None,
    download: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> Flow[Task]:
    """Poll `task` until it is done (see the module docstring); the succeeded task.

    `deadline` is a `clock()` reading. Raises `TaskFailedError` (failed or cancelled),
    `TaskNotFoundError`, `TaskTimeoutError`, or the error of a poll that cannot be retried.
    """
    delay = policy.interval
    last_error: APIError | None = None
    while not task.done:
        hint: float | None
        try:
            task = yield from refresh(task, ctx, task_get, deadline, clock)
        except TaskNotFoundError:
            raise
        except APIError as exc:
            if not exc.retryable:
                raise
            last_error, hint = exc, exc.retry_after
        else:
            last_error, hint = None, task.poll_after
            if on_progress is not None:
                yield Notify(on_progress, task)
            if task.done:
                break
        remaining = deadline - clock()
        if remaining <= 0:
            raise TaskTimeoutError(
                f"task {task.id} is still {task.status} at the deadline; wait on it again to resume", task=task
            ) from last_error
        yield Wait(min(hint if hint is not None else delay, remaining))
        delay = min(delay * policy.factor, policy.max_interval)
    if task.status != "succeeded":
        what = "was cancelled" if task.status == "cancelled" else "failed"
        reason = f": {task.error.message}" if task.error is not None else ""
        raise TaskFailedError(f"task {task.id} {what}{reason}", task=task)
    if download:
        task = yield from download_outputs(task, ctx)
    return task


def _bounded(flow: Flow[Task], ctx: CallContext, deadline: float, clock: Callable[[], float]) -> Flow[Task]:
    """`flow`, with the read timeout of each request it makes cut to the time left."""
    reply = None
    while True:
        try:
            effect = flow.send(reply)
        except StopIteration as stop:
            result: Task = stop.value
            return result
        if isinstance(effect, HttpRequest):
            left = max(deadline - clock(), _MIN_REQUEST_TIMEOUT)
            current = effect.timeout if effect.timeout is not None else ctx.settings.timeout
            if left < current:
                effect = dataclasses.replace(effect, timeout=left)
        reply = yield effect
