"""`client.midjourney`: Midjourney's own operations, each answered by a `Task`.

Every submit returns a `Task` that `client.tasks.get` / `client.tasks.wait` follow; a finished
task's buttons (`Midjourney.buttons`) are the follow-ups, pressed with `action`::

    task = client.midjourney.imagine(model="mj/midjourney", prompt="a paper boat --ar 16:9")
    grid = client.tasks.wait(task, on_progress=lambda t: print(t.progress))
    upscaled = client.tasks.wait(client.midjourney.action(grid, "U1"))
    varied = client.tasks.wait(client.midjourney.action(upscaled, "Vary (Strong)"))

Calls on an existing task go to the provider that accepted it (`Task.provider`), since proxies and
relays only know their own task ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._errors import InvalidRequestError
from .._provider import Capability, Operation
from .._resolve import Target
from .._types._base import validate_request
from .._types._midjourney import (
    MidjourneyActionRequest,
    MidjourneyBlendRequest,
    MidjourneyButton,
    MidjourneyChangeRequest,
    MidjourneyDescribeRequest,
    MidjourneyImagineRequest,
    MidjourneyListRequest,
    MidjourneyModalRequest,
    MidjourneyRequest,
    MidjourneySeedRequest,
    MidjourneyShortenRequest,
    MidjourneySwapFaceRequest,
    buttons,
    describe_prompts,
)
from .._types._task import Task

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncMidjourney", "Midjourney"]

_NEEDS = (Capability.MIDJOURNEY,)
Button = MidjourneyButton | str
TaskList = list[Task]
TextList = list[str]
ButtonList = list[MidjourneyButton]


def _custom_id(task: Task, button: Button) -> str:
    """The custom id of `button`: a `MidjourneyButton`, a custom id, or a label / emoji of the task's buttons."""
    if isinstance(button, MidjourneyButton):
        return button.custom_id
    if not isinstance(button, str) or not button:
        raise InvalidRequestError("button: a MidjourneyButton, a custom id or a button label", field="button")
    offered = buttons(task)
    for candidate in offered:
        if button in (candidate.custom_id, candidate.label, candidate.emoji):
            return candidate.custom_id
    if button.startswith("MJ::"):
        return button
    names = ", ".join(repr(item.name) for item in offered) or "none"
    raise InvalidRequestError(f"button: task {task.id} has no button {button!r} (buttons: {names})", field="button")


def _task_target(client: Client | AsyncClient, task: Task) -> Target:
    if not isinstance(task, Task):
        raise InvalidRequestError(f"task: expected a Task, got {type(task).__name__}", field="task")
    found = client.resolver.target_for_provider(task.provider, Operation.MIDJOURNEY, _NEEDS, field="task.provider")
    return Target(found.provider, found.spec, task.model or "", found.settings)


def _ids(tasks: Sequence[Task | str]) -> list[str]:
    return [item.id if isinstance(item, Task) else item for item in tasks]


class Midjourney:
    """`client.midjourney`; keyword arguments are the fields of each request type.

    Every method raises `InvalidRequestError` (nothing sent) for an unknown or invalid field,
    `UnsupportedCapabilityError` when the provider does not speak Midjourney, `ContentPolicyError`
    for a banned prompt, `RateLimitError` when the proxy's queue is full, `NotFoundError` for an
    unknown task, and another `APIError` subclass when the proxy fails.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def _submit(self, model: type[MidjourneyRequest], params: dict[str, Any], timeout: float | None) -> Any:
        request = validate_request(model, params)
        return self._client._execute(Operation.MIDJOURNEY, request, _NEEDS, timeout=timeout)

    def _on(self, task: Task, model: type[MidjourneyRequest], params: dict[str, Any], timeout: float | None) -> Any:
        target = _task_target(self._client, task)
        request = validate_request(model, params)
        return self._client._execute(Operation.MIDJOURNEY, request, _NEEDS, timeout=timeout, target=target)

    def imagine(self, *, timeout: float | None = None, **params: Any) -> Task:
        """A 4-image grid from `prompt`, with optional reference images `base64_array` (`MidjourneyImagineRequest`)."""
        result: Task = self._submit(MidjourneyImagineRequest, params, timeout)
        return result

    def blend(self, *, timeout: float | None = None, **params: Any) -> Task:
        """Blend 2-5 images `base64_array` in `dimensions` (`MidjourneyBlendRequest`)."""
        result: Task = self._submit(MidjourneyBlendRequest, params, timeout)
        return result

    def describe(self, *, timeout: float | None = None, **params: Any) -> Task:
        """Four prompts for image `base64` (`MidjourneyDescribeRequest`; read them with `describe_prompts`)."""
        result: Task = self._submit(MidjourneyDescribeRequest, params, timeout)
        return result

    def shorten(self, *, timeout: float | None = None, **params: Any) -> Task:
        """Midjourney's analysis of `prompt` (`MidjourneyShortenRequest`)."""
        result: Task = self._submit(MidjourneyShortenRequest, params, timeout)
        return result

    def swap_face(self, *, timeout: float | None = None, **params: Any) -> Task:
        """Put the face of image `source` onto image `target` (`MidjourneySwapFaceRequest`)."""
        result: Task = self._submit(MidjourneySwapFaceRequest, params, timeout)
        return result

    def action(self, task: Task, button: Button, *, timeout: float | None = None, **params: Any) -> Task:
        """Press `button` (a `MidjourneyButton`, its label or emoji such as ``"U1"``, or a custom id) of `task`.

        The answer is a new task; for a button that opens a modal (`MidjourneyButton.opens_modal`)
        it waits for input (``vendor_data["status"] == "MODAL"``): confirm it with `modal`.
        """
        params = {**params, "task_id": task.id, "custom_id": _custom_id(task, button)}
        result: Task = self._on(task, MidjourneyActionRequest, params, timeout)
        return result

    def change(self, task: Task, action: str, index: int | None = None, **params: Any) -> Task:
        """The open-source form of U/V/R: `action` UPSCALE, VARIATION (with `index` 1-4) or REROLL;
        ``simple=True`` sends it as ``simple-change``."""
        timeout = params.pop("timeout", None)
        params = {**params, "task_id": task.id, "action": action, "index": index}
        result: Task = self._on(task, MidjourneyChangeRequest, params, timeout)
        return result

    def modal(self, task: Task, *, timeout: float | None = None, **params: Any) -> Task:
        """Confirm the modal `task` waits on: `prompt` and, for vary region, `mask` (`MidjourneyModalRequest`)."""
        result: Task = self._on(task, MidjourneyModalRequest, {**params, "task_id": task.id}, timeout)
        return result

    def seed(self, task: Task, *, timeout: float | None = None) -> str:
        """The seed of finished image task `task`."""
        result: str = self._on(task, MidjourneySeedRequest, {"task_id": task.id}, timeout)
        return result

    def list(self, ids: Sequence[Task | str], *, model: str, timeout: float | None = None) -> TaskList:
        """Several tasks of one provider (`model` names it, e.g. ``"mj/midjourney"``) in one call."""
        result: TaskList = self._submit(MidjourneyListRequest, {"model": model, "ids": _ids(ids)}, timeout)
        return result

    @staticmethod
    def buttons(task: Task) -> ButtonList:
        """The buttons of finished `task`, each a `MidjourneyButton` to pass to `action`."""
        return buttons(task)

    @staticmethod
    def prompts(task: Task) -> TextList:
        """The four prompts of a finished ``describe`` task."""
        return describe_prompts(task)


class AsyncMidjourney:
    """`async_client.midjourney`: the methods of `Midjourney`, awaited."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def _submit(self, model: type[MidjourneyRequest], params: dict[str, Any], timeout: float | None) -> Any:
        request = await anyio.to_thread.run_sync(validate_request, model, params)
        return await self._client._execute(Operation.MIDJOURNEY, request, _NEEDS, timeout=timeout)

    async def _on(
        self, task: Task, model: type[MidjourneyRequest], params: dict[str, Any], timeout: float | None
    ) -> Any:
        target = _task_target(self._client, task)
        request = await anyio.to_thread.run_sync(validate_request, model, params)
        return await self._client._execute(Operation.MIDJOURNEY, request, _NEEDS, timeout=timeout, target=target)

    async def imagine(self, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.imagine`."""
        result: Task = await self._submit(MidjourneyImagineRequest, params, timeout)
        return result

    async def blend(self, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.blend`."""
        result: Task = await self._submit(MidjourneyBlendRequest, params, timeout)
        return result

    async def describe(self, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.describe`."""
        result: Task = await self._submit(MidjourneyDescribeRequest, params, timeout)
        return result

    async def shorten(self, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.shorten`."""
        result: Task = await self._submit(MidjourneyShortenRequest, params, timeout)
        return result

    async def swap_face(self, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.swap_face`."""
        result: Task = await self._submit(MidjourneySwapFaceRequest, params, timeout)
        return result

    async def action(self, task: Task, button: Button, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.action`."""
        params = {**params, "task_id": task.id, "custom_id": _custom_id(task, button)}
        result: Task = await self._on(task, MidjourneyActionRequest, params, timeout)
        return result

    async def change(self, task: Task, action: str, index: int | None = None, **params: Any) -> Task:
        """See `Midjourney.change`."""
        timeout = params.pop("timeout", None)
        params = {**params, "task_id": task.id, "action": action, "index": index}
        result: Task = await self._on(task, MidjourneyChangeRequest, params, timeout)
        return result

    async def modal(self, task: Task, *, timeout: float | None = None, **params: Any) -> Task:
        """See `Midjourney.modal`."""
        result: Task = await self._on(task, MidjourneyModalRequest, {**params, "task_id": task.id}, timeout)
        return result

    async def seed(self, task: Task, *, timeout: float | None = None) -> str:
        """See `Midjourney.seed`."""
        result: str = await self._on(task, MidjourneySeedRequest, {"task_id": task.id}, timeout)
        return result

    async def list(self, ids: Sequence[Task | str], *, model: str, timeout: float | None = None) -> TaskList:
        """See `Midjourney.list`."""
        result: TaskList = await self._submit(MidjourneyListRequest, {"model": model, "ids": _ids(ids)}, timeout)
        return result

    @staticmethod
    def buttons(task: Task) -> ButtonList:
        """See `Midjourney.buttons`."""
        return buttons(task)

    @staticmethod
    def prompts(task: Task) -> TextList:
        """See `Midjourney.prompts`."""
        return describe_prompts(task)
