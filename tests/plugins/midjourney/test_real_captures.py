"""Every capture in ../shared/real-responses/midjourney parses as the plugin reads the proxy's answers.

The captures are read in place (never copied into the repo) and skipped where that folder is
absent: submit envelopes (codes 1, 21, 22, 23, 24) and task objects (imagine with buttons, describe).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit import Task
from relaykit._types._midjourney import MidjourneyImagineRequest, buttons, describe_prompts
from relaykit_midjourney import midjourney_flow, task_get

from ._helpers import context, drive, json_answer, request

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "midjourney"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_SUBMIT_ERRORS = {23: relaykit.RateLimitError, 24: relaykit.ContentPolicyError}


def _captures(kind: str) -> list[Path]:
    if not CAPTURES.is_dir():
        return []
    found = []
    for path in sorted(CAPTURES.glob("*.json")):
        endpoint = json.loads(path.read_text())["endpoint"]
        if kind in endpoint and "upload-discord-images" not in endpoint:
            found.append(path)
    return found


def _body(path: Path) -> Any:
    return json.loads(path.read_text())["response"]["body"]


@pytest.mark.parametrize("path", _captures("/submit/"), ids=lambda p: p.stem)
def test_submit_captures_become_tasks_or_their_errors(path: Path) -> None:
    """Each captured submit answer is a Task (codes 1, 21, 22) or its typed error (23, 24)."""
    body = _body(path)
    flow = midjourney_flow(request(MidjourneyImagineRequest, model="mj/midjourney", prompt="x"), context())
    error = _SUBMIT_ERRORS.get(body["code"])
    if error is not None:
        with pytest.raises(error):
            drive(flow, [json_answer(body)])
        return
    task, _ = drive(flow, [json_answer(body)])
    assert task.id == str(body["result"])
    assert task.status in ("queued", "succeeded")


@pytest.mark.parametrize("path", _captures("/fetch"), ids=lambda p: p.stem)
def test_fetched_task_captures_parse(path: Path) -> None:
    """Each captured task object becomes a succeeded Task with its image, buttons or prompts."""
    body = _body(path)
    start = Task(provider="mj", id=str(body["id"]), kind="midjourney.imagine", status="queued")
    task, _ = drive(task_get(start, context()), [json_answer(body)])
    assert task.status == "succeeded"
    assert task.progress == 1.0
    if body["action"] == "DESCRIBE":
        assert len(describe_prompts(task)) == 4
    elif body.get("buttons"):
        assert [b.custom_id for b in buttons(task)] == [b["customId"] for b in body["buttons"]]
        assert task.result is not None
        assert task.result.images[0].url == body["imageUrl"]
    assert Task.from_json(task.to_json()) == task


def test_the_capture_folder_has_submits_and_tasks() -> None:
    """The captures cover submits and fetched tasks (guards against a renamed folder layout)."""
    assert _captures("/submit/")
    assert _captures("/fetch")
