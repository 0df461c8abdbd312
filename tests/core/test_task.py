"""The normalized `Task`: exact JSON round-trips, the final statuses, and strict validation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import relaykit

BASE = {"provider": "mj", "id": "1718000000123", "kind": "midjourney.imagine"}


def _task(**fields: Any) -> relaykit.Task:
    return relaykit.Task.model_validate({**BASE, "status": "queued", **fields})


def _invalid(**fields: Any) -> relaykit.InvalidRequestError:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        relaykit.Task.from_json(json.dumps({**BASE, "status": "queued", **fields}))
    return caught.value


def test_a_finished_task_round_trips_through_json_exactly() -> None:
    """Every field, nested results, aware datetimes and Chinese text survive to_json/from_json."""
    task = relaykit.Task(
        provider="vocka",
        id="task-42",
        kind="image.generate",
        status="succeeded",
        model="midjourney",
        progress=1.0,
        result=relaykit.TaskResult(
            images=[
                relaykit.TaskOutput(url="https://cdn.example/a.png", mime_type="image/png", seed=1234567),
                relaykit.TaskOutput(b64_json=base64.b64encode(b"\x89PNG").decode(), mime_type="image/png"),
            ],
            video=relaykit.TaskOutput(url="https://cdn.example/v.mp4", mime_type="video/mp4"),
        ),
        created_at=datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2025, 1, 2, 11, 4, 6, tzinfo=timezone(timedelta(hours=8))),
        poll_after=2.5,
        vendor_data={"prompt": "一只猫 --v 6", "buttons": [{"customId": "MJ::JOB::upsample::1"}], "nested": None},
    )
    text = task.to_json()
    again = relaykit.Task.from_json(text)
    assert again == task
    assert again.to_json() == text
    assert again.updated_at is not None
    assert again.updated_at.utcoffset() == timedelta(hours=8)


def test_a_minimal_task_round_trips_too() -> None:
    """A just-submitted task with only the required fields round-trips."""
    task = _task()
    assert relaykit.Task.from_json(task.to_json().encode()) == task


@pytest.mark.parametrize(
    ("status", "done"),
    [("queued", False), ("running", False), ("succeeded", True), ("failed", True), ("cancelled", True)],
)
def test_done_is_true_for_the_three_final_statuses(status: str, done: bool) -> None:
    """`done` means succeeded, failed or cancelled."""
    error = {"message": "boom"} if status == "failed" else None
    assert _task(status=status, error=error).done is done


def test_a_failed_task_needs_an_error_and_only_failures_carry_one() -> None:
    """`failed` without an error, or an error on a running task, names `error`."""
    assert _invalid(status="failed").field == "error"
    assert _invalid(status="running", error={"message": "no"}).field == "error"
    cancelled = _task(status="cancelled", error={"code": "user", "message": "cancelled by user"})
    assert cancelled.error == relaykit.TaskError(code="user", message="cancelled by user")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"progress": 1.5}, "progress"),
        ({"progress": -0.1}, "progress"),
        ({"poll_after": -1}, "poll_after"),
        ({"status": "SUCCESS"}, "status"),
        ({"id": ""}, "id"),
        ({"colour": "red"}, "colour"),
        ({"result": {"images": [{"seed": 1}]}}, "result.images.0"),
        ({"result": {"images": [{"url": "u", "width": 2}]}}, "result.images.0.width"),
        ({"created_at": "2025-01-02T03:04:05"}, "created_at"),
    ],
)
def test_invalid_task_json_names_the_field(fields: dict[str, Any], field: str) -> None:
    """Out-of-range values, unknown fields, empty outputs and naive datetimes name the field."""
    assert _invalid(**fields).field == field


def test_text_that_is_not_a_json_object_is_an_invalid_request() -> None:
    """Garbage and JSON that is not an object are refused before validation."""
    for text in ("not json", "[1, 2]"):
        with pytest.raises(relaykit.InvalidRequestError, match="JSON object"):
            relaykit.Task.from_json(text)


def test_task_output_decodes_base64_and_refuses_url_only() -> None:
    """`TaskOutput.to_bytes` decodes b64_json; a URL-only output says to download it."""
    assert relaykit.TaskOutput(b64_json=base64.b64encode(b"abc").decode()).to_bytes() == b"abc"
    with pytest.raises(ValueError, match="download"):
        relaykit.TaskOutput(url="https://cdn.example/a.png").to_bytes()
