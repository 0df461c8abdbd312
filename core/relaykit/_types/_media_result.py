"""What a synchronous media operation returns: `MediaResult`, its `MediaOutput`s.

A vendor that renders while the request waits (Stability's generate, edit, conservative upscale,
control) answers with a `MediaResult`; one that renders in the background answers with a `Task`,
whose finished result `MediaResult.from_task` turns into the same shape. Each output carries its
bytes (`content` raw, or `b64_json`) and/or a `url`, its MIME type, its seed, and whether the
vendor's moderation blurred it (`content_filtered`: still a success at the HTTP level).
"""

from __future__ import annotations

import base64
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from ._base import ResponseModel, WithVendorData
from ._task import Task, TaskOutput

__all__ = ["MediaOutput", "MediaResult"]


class MediaOutput(ResponseModel):
    """One produced image or video."""

    content: bytes | None = Field(default=None, repr=False)
    """The raw bytes, when the vendor sent them raw (`response_format` ``bytes``, the default)."""
    b64_json: str | None = Field(default=None, repr=False)
    """The bytes as base64, when the vendor sent JSON (`response_format` ``b64_json``)."""
    url: str | None = None
    """Where the vendor serves the file; signed URLs expire (see `expires_at`)."""
    mime_type: str | None = None
    seed: int | None = None
    content_filtered: bool = False
    """True when the vendor's moderation blurred or blanked this output but still delivered it."""
    expires_at: datetime | None = None

    def to_bytes(self) -> bytes:
        """The file's bytes, raw or decoded from base64.

        Raises:
            ValueError: the output is only a URL (download it, or wait on tasks with ``download=True``).
        """
        if self.content is not None:
            return self.content
        if self.b64_json is not None:
            return base64.b64decode(self.b64_json)
        raise ValueError(f"this output has no bytes, only a URL: download {self.url} (vendor URLs expire)")

    def write_to(self, path: str | os.PathLike[str]) -> Path:
        """Write the bytes to `path` and return it as a `Path`."""
        target = Path(path)
        target.write_bytes(self.to_bytes())
        return target


class MediaResult(WithVendorData):
    """The answer of a media operation: images, or a video, and how they were made.

    `kind` is the operation (``media.generate``, ``media.edit.inpaint``, ``video.image_to_video``...).
    `aspect_ratio` is the one the vendor used, which may be the nearest supported one to the
    `size` asked for.
    """

    created: int = Field(default_factory=lambda: int(time.time()))
    kind: str
    provider: str | None = None
    model: str | None = None
    images: list[MediaOutput] = Field(default_factory=list)
    video: MediaOutput | None = None
    aspect_ratio: str | None = None
    request_id: str | None = None
    task_id: str | None = None
    """The task's id, for a result made from a `Task`."""

    @property
    def outputs(self) -> list[MediaOutput]:
        """Every output: the images, then the video."""
        return [*self.images, *([self.video] if self.video is not None else [])]

    @property
    def content_filtered(self) -> bool:
        """True when moderation blurred or blanked any output."""
        return any(output.content_filtered for output in self.outputs)

    def to_bytes(self) -> list[bytes]:
        """Every output's bytes, in order (see `MediaOutput.to_bytes`)."""
        return [output.to_bytes() for output in self.outputs]

    @classmethod
    def from_task(cls, task: Task) -> MediaResult:
        """The result of a succeeded `task`.

        Raises:
            ValueError: the task has not succeeded (or succeeded without a result).
        """
        if task.status != "succeeded" or task.result is None:
            raise ValueError(f"task {task.id} has no result: it is {task.status}")
        result = task.result
        created = int(task.updated_at.timestamp()) if task.updated_at is not None else int(time.time())
        return cls(
            created=created,
            kind=task.kind,
            provider=task.provider,
            model=task.model,
            images=[_output(image) for image in result.images],
            video=_output(result.video) if result.video is not None else None,
            aspect_ratio=result.aspect_ratio,
            task_id=task.id,
            vendor_data=dict(task.vendor_data),
        )


def _output(output: TaskOutput) -> MediaOutput:
    fields: dict[str, Any] = output.model_dump()
    return MediaOutput.model_validate(fields)
