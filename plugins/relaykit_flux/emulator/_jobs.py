"""The emulator's jobs: ``Pending`` for a few polls, then ``Ready`` (or moderated, or an error).

A job answers its first `steps` polls ``Pending`` with ``progress`` climbing 1/(steps+1),
2/(steps+1)... (BFL's schema has a numeric ``progress``; its image models usually leave it null),
then ``Ready`` with ``result.sample``: a signed URL on the emulator itself, shaped like BFL's
delivery URLs (``se`` expiry, ``sp``, ``sv``, ``sr``, ``rsct``, ``sig``), that stops working
`ttl` seconds after the job was made. A job polled with another key, forgotten, or still "on
another region" (`unknown_polls`) answers ``Task not found``, with HTTP 200 as BFL does.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

__all__ = ["Job", "JobStore"]


@dataclass
class Job:
    """One generation job."""

    id: str
    key: str | None
    prompt: str
    output_format: str
    content: bytes = field(repr=False)
    seed: int
    steps: int
    created: float
    unknown_polls: int = 0
    """Polls answered ``Task not found`` before the job is known (a regional host catching up)."""
    polls: int = 0
    ending: tuple[str, dict[str, Any]] | None = None
    """(status, extra body fields) the job ends with instead of ``Ready``."""
    moderated_at_once: bool = False
    """True for a refused prompt: the first poll already answers ``Request Moderated``."""


class JobStore:
    """The jobs of one emulator, by id (thread-safe), and the signing of their result URLs."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._secret = secrets.token_bytes(32)

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    def add(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._jobs)

    def forget(self, job_id: str | None = None) -> None:
        """Forget one job (or every job): polls answer ``Task not found`` from now on."""
        with self._lock:
            if job_id is None:
                self._jobs.clear()
            else:
                self._jobs.pop(job_id, None)

    def end(self, job_id: str, status: str, extra: dict[str, Any]) -> None:
        """Make the job end with `status` (and `extra` fields) instead of ``Ready``."""
        with self._lock:
            self._jobs[job_id].ending = (status, extra)

    def poll(self, job_id: str, key: str | None, sample_url: str) -> dict[str, Any]:
        """The body of one poll of `job_id` with `key`; `sample_url` is the unsigned result URL."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.key != key or job.unknown_polls > 0:
                if job is not None and job.key == key:
                    job.unknown_polls -= 1
                return {"id": job_id, "status": "Task not found"}
            body: dict[str, Any] = {"id": job.id, "result": None, "progress": None, "details": None, "preview": None}
            if job.moderated_at_once and job.ending is not None:
                status, extra = job.ending
                return {**body, "status": status, **extra}
            if job.polls < job.steps:
                job.polls += 1
                return {**body, "status": "Pending", "progress": round(job.polls / (job.steps + 1), 3)}
            ending = job.ending
        if ending is not None:
            status, extra = ending
            return {**body, "status": status, **extra}
        result = {"sample": self.sign(job, sample_url), "prompt": job.prompt, "seed": job.seed}
        return {**body, "status": "Ready", "result": {**result, "start_time": job.created, "end_time": time.time()}}

    def sign(self, job: Job, url: str) -> str:
        """`url` with a SAS-like query: expiry `se`, permissions, the content type and a signature."""
        expiry = datetime.fromtimestamp(job.created, UTC) + timedelta(seconds=self.ttl)
        se = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
        mime = "image/png" if job.output_format == "png" else "image/jpeg"
        query = f"se={quote(se)}&sp=r&sv=2024-11-04&sr=b&rsct={quote(mime, safe='')}&sig={self._signature(job.id, se)}"
        return f"{url}?{query}"

    def verify(self, job_id: str, se: str, sig: str) -> str | None:
        """Why the signed URL is refused (a bad signature, or expired), or None when it is valid."""
        if not hmac.compare_digest(self._signature(job_id, se), sig):
            return "Signature did not match."
        try:
            expiry = datetime.strptime(se, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "Signed expiry time is not a valid date."
        if datetime.now(UTC) >= expiry:
            return f"Signed expiry time [{se}] must be after current time."
        return None

    def _signature(self, job_id: str, se: str) -> str:
        return hmac.new(self._secret, f"{job_id}|{se}".encode(), hashlib.sha256).hexdigest()
