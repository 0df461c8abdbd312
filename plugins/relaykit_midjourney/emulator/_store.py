"""The emulator's tasks: creation, the state machine a poll advances, buttons, and results."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EmuTask", "TaskStore", "action_for", "buttons_for"]

_GRID_ACTIONS = frozenset({"IMAGINE", "VARIATION", "REROLL", "BLEND", "ZOOM", "PAN", "INPAINT", "OUTPAINT"})
_JOB_ACTIONS = {
    "upsample": "UPSCALE",
    "variation": "VARIATION",
    "low_variation": "VARIATION",
    "high_variation": "VARIATION",
    "reroll": "REROLL",
    "pan_left": "PAN",
    "pan_right": "PAN",
    "pan_up": "PAN",
    "pan_down": "PAN",
}


@dataclass
class EmuTask:
    """One task as the proxy keeps it."""

    id: str
    action: str
    prompt: str
    description: str
    state: str | None = None
    bot_type: str = "MID_JOURNEY"
    status: str = "NOT_START"
    progress: str = ""
    polls: int = 0
    steps: int = 2
    hash: str = field(default_factory=lambda: str(uuid.uuid4()))
    submit_time: int = field(default_factory=lambda: int(time.time() * 1000))
    start_time: int | None = None
    finish_time: int | None = None
    image_url: str | None = None
    fail_reason: str | None = None
    final_prompt: str | None = None
    ending: tuple[str, str] | None = None
    """(status, reason) the task ends with instead of SUCCESS."""
    seed: str = "3562137490"

    def wire(self) -> dict[str, Any]:
        """The task object a fetch answers."""
        finished = self.status == "SUCCESS"
        return {
            "id": self.id,
            "action": self.action,
            "status": self.status,
            "prompt": self.prompt,
            "promptEn": self.prompt,
            "description": self.description,
            "state": self.state,
            "botType": self.bot_type,
            "submitTime": self.submit_time,
            "startTime": self.start_time,
            "finishTime": self.finish_time,
            "progress": self.progress,
            "imageUrl": self.image_url,
            "failReason": self.fail_reason,
            "properties": {"finalPrompt": self.final_prompt or self.prompt, "discordInstanceId": "1118138338562560102"},
            "buttons": buttons_for(self) if finished else [],
        }


def action_for(custom_id: str) -> str | None:
    """The task action a button's custom id starts (None: not a button the emulator knows)."""
    parts = custom_id.split("::")
    if len(parts) >= 3 and parts[:2] == ["MJ", "JOB"]:
        job = parts[2]
        if job.startswith("upsample"):
            return "UPSCALE"
        return _JOB_ACTIONS.get(job)
    if len(parts) >= 2 and parts[0] == "MJ":
        return {"Inpaint": "INPAINT", "Outpaint": "ZOOM", "CustomZoom": "CUSTOM_ZOOM"}.get(parts[1])
    return None


def buttons_for(task: EmuTask) -> list[dict[str, Any]]:
    """The buttons of a finished task: U/V/reroll on a grid, the follow-ups on an upscale."""
    h = task.hash

    def button(custom_id: str, label: str = "", emoji: str = "", style: int = 2) -> dict[str, Any]:
        return {"customId": custom_id, "emoji": emoji, "label": label, "type": 2, "style": style}

    if task.action in _GRID_ACTIONS:
        found = [button(f"MJ::JOB::upsample::{i}::{h}", f"U{i}") for i in range(1, 5)]
        found.append(button(f"MJ::JOB::reroll::0::{h}::SOLO", emoji="🔄"))
        found.extend(button(f"MJ::JOB::variation::{i}::{h}", f"V{i}") for i in range(1, 5))
        return found
    if task.action == "UPSCALE":
        return [
            button(f"MJ::JOB::upsample_v6_2x_subtle::1::{h}::SOLO", "Upscale (Subtle)"),
            button(f"MJ::JOB::upsample_v6_2x_creative::1::{h}::SOLO", "Upscale (Creative)"),
            button(f"MJ::JOB::low_variation::1::{h}::SOLO", "Vary (Subtle)", "🪄"),
            button(f"MJ::JOB::high_variation::1::{h}::SOLO", "Vary (Strong)", "🪄"),
            button(f"MJ::Inpaint::1::{h}::SOLO", "Vary (Region)", "🖌️"),
            button(f"MJ::Outpaint::50::1::{h}::SOLO", "Zoom Out 2x", "🔍"),
            button(f"MJ::Outpaint::75::1::{h}::SOLO", "Zoom Out 1.5x", "🔍"),
            button(f"MJ::CustomZoom::{h}", "Custom Zoom", "🔍"),
            button(f"MJ::JOB::pan_left::1::{h}::SOLO", emoji="⬅️"),
            button(f"MJ::JOB::pan_right::1::{h}::SOLO", emoji="➡️"),
            button(f"MJ::JOB::pan_up::1::{h}::SOLO", emoji="⬆️"),
            button(f"MJ::JOB::pan_down::1::{h}::SOLO", emoji="⬇️"),
        ]
    return []


class TaskStore:
    """Tasks by id, advanced one state per poll (thread-safe)."""

    def __init__(self) -> None:
        self._tasks: dict[str, EmuTask] = {}
        self._lock = threading.Lock()
        self._counter = 0

    def new_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{int(time.time() * 1000)}{self._counter % 1000:03d}"

    def add(self, task: EmuTask) -> EmuTask:
        with self._lock:
            self._tasks[task.id] = task
        return task

    def get(self, task_id: str) -> EmuTask | None:
        with self._lock:
            return self._tasks.get(task_id)

    def forget(self, task_id: str | None = None) -> None:
        with self._lock:
            if task_id is None:
                self._tasks.clear()
            else:
                self._tasks.pop(task_id, None)

    def advance(self, task: EmuTask, image_url: str) -> None:
        """One poll: NOT_START -> SUBMITTED (0%) -> IN_PROGRESS (steps) -> SUCCESS / the ending."""
        with self._lock:
            if task.status in ("SUCCESS", "FAILURE", "CANCEL", "MODAL"):
                return
            task.polls += 1
            now = int(time.time() * 1000)
            if task.status == "NOT_START":
                task.status, task.progress, task.start_time = "SUBMITTED", "0%", now
            elif task.polls <= task.steps + 1:
                task.status = "IN_PROGRESS"
                task.progress = f"{int(100 * (task.polls - 1) / (task.steps + 1))}%"
            elif task.ending is not None:
                task.status, task.fail_reason, task.progress, task.finish_time = (*task.ending, "", now)
            else:
                task.status, task.progress, task.finish_time = "SUCCESS", "100%", now
                task.image_url = image_url
