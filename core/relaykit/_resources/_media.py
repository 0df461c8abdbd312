"""`client.media`: normalized image operations beyond OpenAI's images API.

Each method validates its keyword arguments as its request type (`MediaGenerateRequest`,
`MediaEditRequest`, `MediaUpscaleRequest`, `MediaControlRequest`), needs the capability of its
operation and variant (so a route skips deployments that lack it), and returns what the vendor
gives: a `MediaResult` when it renders while the request waits, a `Task` when it renders in the
background. With ``wait=True`` a `Task` is waited on (`client.tasks.wait`, up to `wait_timeout`
seconds) and its result returned as a `MediaResult`, so the answer is always a `MediaResult`::

    result = client.media.edit(operation="inpaint", model="stability/stable-image",
                               image="photo.png", mask="mask.png", prompt="a red door")
    result.images[0].write_to("door.png")

    task = client.media.upscale(mode="creative", model="stability/stable-image",
                                image="small.png", prompt="a castle")      # a Task
    done = client.tasks.wait(task, on_progress=print)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

import anyio.to_thread

from .._provider import Operation
from .._types._base import validate_request
from .._types._media_ops import (
    MediaControlRequest,
    MediaEditRequest,
    MediaGenerateRequest,
    MediaRequest,
    MediaUpscaleRequest,
)
from .._types._media_result import MediaResult
from .._types._task import Task

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncMedia", "Media", "run_media", "run_media_async"]


def run_media(
    client: Client,
    operation: Operation,
    model: type[MediaRequest],
    params: dict[str, Any],
    *,
    timeout: float | None,
    wait: bool,
    wait_timeout: float | None,
) -> MediaResult | Task:
    """Validate `params` as `model`, run `operation`, and wait on a `Task` when asked to."""
    request = validate_request(model, params)
    result: MediaResult | Task = client._execute(operation, request, (request.capability,), timeout=timeout)
    if wait and isinstance(result, Task):
        return MediaResult.from_task(client.tasks.wait(result, timeout=wait_timeout))
    return result


async def run_media_async(
    client: AsyncClient,
    operation: Operation,
    model: type[MediaRequest],
    params: dict[str, Any],
    *,
    timeout: float | None,
    wait: bool,
    wait_timeout: float | None,
) -> MediaResult | Task:
    """`run_media` on the async client; validation (which reads files) runs in a worker thread."""
    request = await anyio.to_thread.run_sync(validate_request, model, params)
    result: MediaResult | Task = await client._execute(operation, request, (request.capability,), timeout=timeout)
    if wait and isinstance(result, Task):
        return MediaResult.from_task(await client.tasks.wait(result, timeout=wait_timeout))
    return result


class Media:
    """`client.media`; the keyword arguments of each method are the fields of its request type.

    Every method raises `InvalidRequestError` (nothing sent) for an unknown or invalid field,
    `UnsupportedCapabilityError` when the provider lacks the operation, and an `APIError` subclass
    when the vendor fails (`ContentPolicyError` when its moderation refuses the request).
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def generate(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    def generate(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    def generate(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Make images from `prompt` (fields: `MediaGenerateRequest`)."""
        return run_media(
            self._client,
            Operation.MEDIA_GENERATE,
            MediaGenerateRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    def edit(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    def edit(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    def edit(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Change `image` by `operation` (inpaint, outpaint, erase, search_and_replace,
        search_and_recolor, remove_background; fields: `MediaEditRequest`)."""
        return run_media(
            self._client,
            Operation.MEDIA_EDIT,
            MediaEditRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    def upscale(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    def upscale(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    def upscale(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Enlarge `image` in `mode` conservative, creative or fast (fields: `MediaUpscaleRequest`)."""
        return run_media(
            self._client,
            Operation.MEDIA_UPSCALE,
            MediaUpscaleRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    def control(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    def control(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    def control(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Make an image from `prompt` guided by `image` in `mode` sketch, structure or style
        (fields: `MediaControlRequest`)."""
        return run_media(
            self._client,
            Operation.MEDIA_CONTROL,
            MediaControlRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )


class AsyncMedia:
    """`async_client.media`: the methods of `Media`, awaited."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def generate(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    async def generate(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    async def generate(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Make images from `prompt` (fields: `MediaGenerateRequest`)."""
        return await run_media_async(
            self._client,
            Operation.MEDIA_GENERATE,
            MediaGenerateRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    async def edit(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    async def edit(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    async def edit(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Change `image` by `operation` (fields: `MediaEditRequest`)."""
        return await run_media_async(
            self._client,
            Operation.MEDIA_EDIT,
            MediaEditRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    async def upscale(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    async def upscale(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    async def upscale(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Enlarge `image` in `mode` (fields: `MediaUpscaleRequest`)."""
        return await run_media_async(
            self._client,
            Operation.MEDIA_UPSCALE,
            MediaUpscaleRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    @overload
    async def control(
        self,
        *,
        wait: Literal[False] = False,
        wait_timeout: float | None = ...,
        timeout: float | None = ...,
        **params: Any,
    ) -> MediaResult | Task: ...
    @overload
    async def control(
        self, *, wait: Literal[True], wait_timeout: float | None = ..., timeout: float | None = ..., **params: Any
    ) -> MediaResult: ...
    async def control(
        self, *, wait: bool = False, wait_timeout: float | None = 600.0, timeout: float | None = None, **params: Any
    ) -> MediaResult | Task:
        """Make an image guided by `image` in `mode` (fields: `MediaControlRequest`)."""
        return await run_media_async(
            self._client,
            Operation.MEDIA_CONTROL,
            MediaControlRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )
