"""`client.tasks`: refresh a `Task` (`get`) and wait for it to finish (`wait`).

A task names the configured provider that accepted it (`Task.provider`), so any client configured
with that provider name can pick it up, in this process or another one::

    text = task.to_json()                                  # save it anywhere
    ...
    task = client.tasks.wait(relaykit.Task.from_json(text), timeout=300, on_progress=print)

Both methods run core's task flows (`relaykit._task_flow`) around the provider's single-poll flow
(`Operation.TASK_GET`) on the client's driver; `wait` polls with `Wait` effects, so the async
client sleeps without blocking its event loop.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .._driver import run_async, run_sync
from .._errors import InvalidRequestError, RelaykitError
from .._provider import CallContext, Operation
from .._resolve import Target
from .._task_flow import PollPolicy, refresh, wait
from .._types._task import Task

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._flow import Flow

__all__ = ["AsyncTasks", "Tasks"]

TaskLike = Task | str | bytes
"""A `Task`, or its JSON (`Task.to_json`)."""


def _task(value: TaskLike) -> Task:
    if isinstance(value, Task):
        return value
    if isinstance(value, str | bytes):
        return Task.from_json(value)
    raise InvalidRequestError(f"task: expected a Task or its JSON, got {type(value).__name__}", field="task")


def _target(client: Client | AsyncClient, task: Task, timeout: float | None) -> Target:
    """The task's provider, found by its configured name, serving the task's model."""
    found = client.resolver.target_for_provider(task.provider, Operation.TASK_GET, field="task.provider")
    settings = found.settings if timeout is None else found.settings.model_copy(update={"timeout": timeout})
    return Target(found.provider, found.spec, task.model or "", settings)


def _waiting(
    task: Task,
    target: Target,
    *,
    timeout: float | None,
    on_progress: Callable[[Task], Any] | None,
    download: bool,
    poll_interval: float,
    max_poll_interval: float,
) -> tuple[CallContext, Flow[Task]]:
    if timeout is not None and timeout < 0:
        raise InvalidRequestError("timeout: must not be negative", field="timeout")
    try:
        policy = PollPolicy(interval=poll_interval, max_interval=max(max_poll_interval, poll_interval))
    except ValueError as exc:
        raise InvalidRequestError(f"poll_interval: {exc}", field="poll_interval") from None
    deadline = time.monotonic() + (math.inf if timeout is None else timeout)
    ctx = target.context()
    task_get = target.spec.load(Operation.TASK_GET)
    flow = wait(task, ctx, task_get, deadline=deadline, policy=policy, on_progress=on_progress, download=download)
    return ctx, flow


class Tasks:
    """`client.tasks`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def get(self, task: TaskLike, *, timeout: float | None = None) -> Task:
        """A fresh snapshot of `task` (a `Task` or its JSON), asked of the provider that accepted it.

        Raises `TaskNotFoundError` when the vendor no longer knows the task, and an `APIError`
        subclass when the poll fails. A failed task is returned, not raised: see `wait`.
        """
        current = _task(task)
        target = _target(self._client, current, timeout)
        ctx = target.context()
        return self._run(target, ctx, refresh(current, ctx, target.spec.load(Operation.TASK_GET)))

    def wait(
        self,
        task: TaskLike,
        *,
        timeout: float | None = 600.0,
        on_progress: Callable[[Task], Any] | None = None,
        download: bool = False,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
    ) -> Task:
        """Poll `task` until it succeeds, and return it.

        Args:
            task: a `Task`, or its JSON (a task saved in another process resumes here).
            timeout: seconds to wait in all (None: no deadline).
            on_progress: called with each fresh snapshot (a plain function on this client).
            download: fetch result URLs into the outputs' ``b64_json`` (signed URLs expire).
            poll_interval: seconds before the second look when the vendor gives no hint; it grows
                by half each time, up to `max_poll_interval`. A vendor's hint (`Task.poll_after`,
                a ``Retry-After``) wins.

        Raises:
            TaskFailedError: the task failed or was cancelled (`.task` holds it).
            TaskNotFoundError: the vendor no longer knows the task.
            TaskTimeoutError: the deadline passed first (`.task` is the last snapshot; wait on it again).
            InvalidRequestError: `on_progress` is a coroutine function (use `AsyncClient`).
        """
        if on_progress is not None and inspect.iscoroutinefunction(on_progress):
            raise InvalidRequestError(
                "on_progress: the sync Client calls plain functions; use AsyncClient for async ones",
                field="on_progress",
            )
        current = _task(task)
        target = _target(self._client, current, None)
        ctx, flow = _waiting(
            current,
            target,
            timeout=timeout,
            on_progress=on_progress,
            download=download,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return self._run(target, ctx, flow)

    def _run(self, target: Target, ctx: CallContext, flow: Flow[Task]) -> Task:
        try:
            result: Task = run_sync(flow, ctx, self._client._transport)
        except RelaykitError as exc:
            self._client._failed(target, exc)
            raise
        return result


class AsyncTasks:
    """`async_client.tasks`: the methods of `Tasks`, awaited. `on_progress` may be async."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def get(self, task: TaskLike, *, timeout: float | None = None) -> Task:
        """A fresh snapshot of `task` (see `Tasks.get`)."""
        current = _task(task)
        target = _target(self._client, current, timeout)
        ctx = target.context()
        return await self._run(target, ctx, refresh(current, ctx, target.spec.load(Operation.TASK_GET)))

    async def wait(
        self,
        task: TaskLike,
        *,
        timeout: float | None = 600.0,
        on_progress: Callable[[Task], Any] | Callable[[Task], Awaitable[Any]] | None = None,
        download: bool = False,
        poll_interval: float = 1.0,
        max_poll_interval: float = 30.0,
    ) -> Task:
        """Poll `task` until it succeeds (see `Tasks.wait`); `on_progress` may be a coroutine function."""
        current = _task(task)
        target = _target(self._client, current, None)
        ctx, flow = _waiting(
            current,
            target,
            timeout=timeout,
            on_progress=on_progress,
            download=download,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        return await self._run(target, ctx, flow)

    async def _run(self, target: Target, ctx: CallContext, flow: Flow[Task]) -> Task:
        try:
            result: Task = await run_async(flow, ctx, self._client._transport)
        except RelaykitError as exc:
            self._client._failed(target, exc)
            raise
        return result
