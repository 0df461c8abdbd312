"""The emulator's background jobs (creative upscale, image-to-video) and their 202-then-200 polling.

A job answers its first `steps` polls with 202 ``{"id", "status": "in-progress", "progress"}``
(``progress`` climbing 1/(steps+1), 2/(steps+1)...: an emulator extension, the real API reports
none), then 200 with its file: raw bytes with ``finish-reason`` and ``seed`` headers for
``Accept: image/*`` / ``video/*``, or ``{"image"|"video": <base64>, "finish_reason", "seed"}`` for
``Accept: application/json``. A job polled with another key, or forgotten, answers 404; a job set
to fail answers its error envelope.
"""

from __future__ import annotations

import base64
import secrets
import threading
from dataclasses import dataclass, field

from relaykit.testing import EmulatedError, RecordedRequest, Reply

__all__ = ["Job", "JobStore"]


@dataclass
class Job:
    """One background job."""

    id: str
    key: str | None
    kind: str
    """``image`` or ``video``: the JSON field of the result."""
    content: bytes = field(repr=False)
    mime_type: str
    seed: int
    steps: int
    finish_reason: str = "SUCCESS"
    polls: int = 0
    failure: tuple[int, str, str] | None = None
    """(status, name, message) the job ends with instead of its file."""


class JobStore:
    """The jobs of one emulator, by id (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def add(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
        return job

    @staticmethod
    def new_id() -> str:
        """A generation id like Stability's: 64 hex characters."""
        return secrets.token_hex(32)

    def forget(self, job_id: str | None = None) -> None:
        """Forget one job (or all): polling it answers 404 from now on."""
        with self._lock:
            if job_id is None:
                self._jobs.clear()
            else:
                self._jobs.pop(job_id, None)

    def fail(self, job_id: str, status: int, name: str, message: str) -> None:
        """Make the job end with an error envelope instead of its file."""
        with self._lock:
            self._jobs[job_id].failure = (status, name, message)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def poll(self, request: RecordedRequest, job_id: str, key: str | None, kind: str | None = None) -> Reply:
        """The answer to one poll of `job_id` (see the module docstring)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.key != key or (kind is not None and job.kind != kind):
                raise EmulatedError(404, f"generation {job_id} was not found", error_code="not_found")
            if job.polls < job.steps:
                job.polls += 1
                progress = round(job.polls / (job.steps + 1), 3)
                return Reply.json({"id": job.id, "status": "in-progress", "progress": progress}, status=202)
            failure = job.failure
        if failure is not None:
            status, name, message = failure
            raise EmulatedError(status, message, error_code=name)
        meta = {"finish-reason": job.finish_reason, "seed": str(job.seed)}
        accept = request.header("accept") or "*/*"
        if "application/json" in accept:
            encoded = base64.b64encode(job.content).decode("ascii")
            return Reply.json({job.kind: encoded, "finish_reason": job.finish_reason, "seed": job.seed})
        return Reply.binary(job.content, content_type=job.mime_type, headers=meta)
