"""The normalized long-running media job: a `Task` handle, and what it holds when done.

A vendor that renders asynchronously (Midjourney, Flux, Stability, the relays' video APIs) answers a
submit with a job id; relaykit returns a `Task`. Each plugin maps its vendor's status vocabulary
onto five statuses::

    queued ──> running ──> succeeded
       │          ├──────> failed      (error says why)
       └──────────┴──────> cancelled

A `Task` is a plain value with no I/O: a snapshot of the job when it was last seen. It serializes
to JSON (`to_json`) and comes back exactly (`Task.from_json`), so another process can resume
waiting on it. Since that JSON comes from outside, `from_json` validates it as a request is
validated: an unknown field or an out-of-range value is an `InvalidRequestError` naming the field.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, TypeAlias

from pydantic import ConfigDict, Field, model_validator

from .._errors import InvalidRequestError
from ._base import RequestModel, validate_request
from ._media import decode_b64

__all__ = ["Task", "TaskError", "TaskOutput", "TaskResult", "TaskStatus"]

TaskStatus: TypeAlias = Literal["queued", "running", "succeeded", "failed", "cancelled"]
_FINAL: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})


class _TaskModel(RequestModel):
    # Unknown fields are refused as for requests, but JSON's forms are accepted (ISO datetimes).
    model_config = ConfigDict(strict=False, extra="forbid", frozen=True, populate_by_name=True)


class TaskOutput(_TaskModel):
    """One produced file: a URL (often short-lived), or its bytes as base64, or both.

    `expires_at` is when a signed `url` stops working, when the vendor says or documents it
    (download before then: ``client.tasks.wait(task, download=True)``). `content_filtered` is True
    when the vendor's moderation blurred or blanked this output but still delivered it.
    """

    url: str | None = None
    b64_json: str | None = Field(default=None, repr=False)
    mime_type: str | None = None
    seed: int | None = None
    content_filtered: bool = False
    expires_at: datetime | None = None

    @model_validator(mode="after")
    def _has_data(self) -> TaskOutput:
        if self.url is None and self.b64_json is None:
            raise ValueError("an output needs a url or b64_json")
        if self.expires_at is not None and self.expires_at.utcoffset() is None:
            raise ValueError("expires_at must be timezone-aware")
        return self

    def to_bytes(self) -> bytes:
        """The output's bytes, decoded from `b64_json` (ValueError when there is only a URL)."""
        return decode_b64(self.b64_json, self.url)


class TaskResult(_TaskModel):
    """What a finished task produced: images, or a video; `aspect_ratio` is the one the vendor used."""

    images: list[TaskOutput] = Field(default_factory=list)
    video: TaskOutput | None = None
    aspect_ratio: str | None = None


class TaskError(_TaskModel):
    """Why a task failed (or was cancelled): the vendor's code, when it has one, and its message."""

    code: str | None = None
    message: str = Field(min_length=1)


class Task(_TaskModel):
    """A long-running job at a vendor, as last seen.

    `provider` is the configured provider name that accepted it and `id` the vendor's job id;
    `kind` names the operation: a normalized one by its capability (`media.upscale.creative`,
    `video.image_to_video`...), or a vendor's own (`midjourney.imagine`).
    `progress` runs from 0 to 1 when the vendor reports it. `poll_after` is the vendor's hint of
    how many seconds to wait before asking again. `vendor_data` keeps what the plugin needs to
    resume and whatever else the vendor said; it must be JSON-serializable.
    """

    provider: str = Field(min_length=1)
    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    status: TaskStatus
    model: str | None = None
    progress: float | None = Field(default=None, ge=0, le=1)
    result: TaskResult | None = None
    error: TaskError | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    poll_after: float | None = Field(default=None, ge=0)
    vendor_data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_consistency(self) -> Task:
        if self.status == "failed" and self.error is None:
            raise ValueError("error: a failed task needs an error")
        if self.error is not None and self.status not in ("failed", "cancelled"):
            raise ValueError(f"error: only a failed or cancelled task has an error, not a {self.status} one")
        for name in ("created_at", "updated_at"):
            moment = getattr(self, name)
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name}: must be timezone-aware")
        return self

    @property
    def done(self) -> bool:
        """True once the task has reached a final status (succeeded, failed or cancelled)."""
        return self.status in _FINAL

    def to_json(self) -> str:
        """The task as a JSON string that `Task.from_json` turns back into an equal `Task`."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Task:
        """A `Task` from `to_json`'s output.

        Raises:
            InvalidRequestError: the text is not JSON, or not a valid task (the field is named).
        """
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidRequestError(f"a task must be a JSON object: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidRequestError(f"a task must be a JSON object, not {type(data).__name__}")
        return validate_request(cls, data)
