"""EZLink's generic video routes for `EZLinkEmulator` (``shared/dialects/video.md`` §1.2, §3.4).

``POST /v1/video/generations`` answers ``{"task_id", "task_status": "succeed", "message": ""}``
(accepted); ``GET /v1/video/generations/result?taskid=`` answers ``processing`` for `steps` polls,
then ``succeed`` with ``video_results`` and ``video_result`` (a URL on the emulator). A prompt
containing ``failing`` ends ``failed``; an unknown id answers 400 ``{"error": "task not found"}``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from relaykit.testing import RecordedRequest, Reply

__all__ = ["VideoJobs"]

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32


@dataclass
class _Job:
    prompt: str
    polls: int = 0


class VideoJobs:
    """The video jobs of one emulator; `publish` serves the finished file."""

    def __init__(self, publish: Callable[[bytes, str, str], str], steps: int = 2) -> None:
        self.steps = steps
        self._publish = publish
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}

    def submit(self, request: RecordedRequest) -> Reply:
        body: Any = request.json()
        if not isinstance(body, dict) or not body.get("model"):
            return Reply.json({"error": {"message": "model is required", "type": "api_error", "code": ""}}, status=400)
        instances = body.get("instances")
        prompt = instances[0].get("prompt") if isinstance(instances, list) and instances else body.get("prompt")
        task_id = str(uuid.uuid4())
        with self._lock:
            self._jobs[task_id] = _Job(str(prompt or ""))
        return Reply.json({"task_id": task_id, "task_status": "succeed", "message": ""})

    def result(self, request: RecordedRequest) -> Reply:
        task_id = (request.query.get("taskid") or [""])[0]
        with self._lock:
            job = self._jobs.get(task_id)
            if job is not None:
                job.polls += 1
        if job is None:
            return Reply.json({"error": "task not found"}, status=400)
        if job.polls <= self.steps:
            return Reply.json({"task_id": task_id, "task_status": "processing", "message": ""})
        if "failing" in job.prompt.lower():
            return Reply.json({"task_id": task_id, "task_status": "failed", "message": "Video generation failed."})
        url = self._publish(MP4, "video/mp4", ".mp4")
        return Reply.json(
            {
                "task_id": task_id,
                "video_id": task_id,
                "task_status": "succeed",
                "message": "Video generated successfully.",
                "duration": "8",
                "video_result": url,
                "video_results": [{"url": url}],
                "usage": {"cost_in_usd": 0.4},
            }
        )
