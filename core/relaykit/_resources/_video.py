"""`client.video`: normalized video generation (text-to-video, image-to-video).

Videos take minutes, so vendors render them in the background: `generate` returns a `Task`
(``wait=True`` waits on it and returns a `MediaResult` whose `video` holds the result)::

    task = client.video.generate(model="stability/stable-video-diffusion", image="first_frame.png")
    done = client.tasks.wait(task, timeout=600, on_progress=lambda t: print(t.status, t.progress))
    relaykit.MediaResult.from_task(done).video.write_to("clip.mp4")

Not named ``videos.create``: the OpenAI SDK's `videos` resource returns OpenAI's own video job
object, while this one returns relaykit's `Task` for every vendor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from .._provider import Operation
from .._types._media_ops import VideoGenerateRequest
from .._types._media_result import MediaResult
from .._types._task import Task
from ._media import run_media, run_media_async

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncVideo", "Video"]


class Video:
    """`client.video`; the keyword arguments are the fields of `VideoGenerateRequest`."""

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
        """Make a video from `prompt` and/or a first frame `image` (fields: `VideoGenerateRequest`).

        Raises `InvalidRequestError` (nothing sent) for an unknown or invalid field,
        `UnsupportedCapabilityError` when the provider cannot make this kind of video, and an
        `APIError` subclass when the vendor fails.
        """
        return run_media(
            self._client,
            Operation.VIDEO_GENERATE,
            VideoGenerateRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )


class AsyncVideo:
    """`async_client.video`: `Video.generate`, awaited."""

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
        """Make a video from `prompt` and/or a first frame `image` (fields: `VideoGenerateRequest`)."""
        return await run_media_async(
            self._client,
            Operation.VIDEO_GENERATE,
            VideoGenerateRequest,
            params,
            timeout=timeout,
            wait=wait,
            wait_timeout=wait_timeout,
        )
