"""Submit codes, task statuses and progress onto Tasks and typed errors."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit import Task
from relaykit._types._midjourney import MidjourneyActionRequest, MidjourneyImagineRequest, buttons, describe_prompts
from relaykit.plugin import HttpResponse
from relaykit_midjourney import midjourney_flow, task_get
from relaykit_midjourney._tasks import parse_progress

from ._helpers import TASK_ID, context, drive, envelope, json_answer, request


def _imagine() -> Any:
    return request(MidjourneyImagineRequest, model="mj/midjourney", prompt="a cat")


def _queued() -> Task:
    return Task(provider="mj", id=TASK_ID, kind="midjourney.imagine", status="queued", model="midjourney")


def test_code_22_is_a_queued_task_with_its_position() -> None:
    """Code 22 (in queue) is accepted; the queue position is kept."""
    task, _ = drive(midjourney_flow(_imagine(), context()), [envelope(22, description="排队中", numberOfQueues=3)])
    assert task.status == "queued"
    assert task.vendor_data["queue_position"] == 3


def test_code_21_existing_success_is_a_succeeded_task() -> None:
    """Open-source code 21 (already exists) with SUCCESS and an image is the finished task."""
    answer = envelope(21, description="任务已存在", status="SUCCESS", imageUrl="https://cdn.example/x.png")
    task, _ = drive(midjourney_flow(_imagine(), context()), [answer])
    assert task.status == "succeeded"
    assert task.result is not None
    assert task.result.images[0].url == "https://cdn.example/x.png"


def test_code_21_window_confirm_is_a_task_waiting_for_the_modal() -> None:
    """Plus code 21 "Waiting for window confirm" is a queued task in MODAL."""
    req = request(MidjourneyActionRequest, task_id="1", custom_id="MJ::Inpaint::1::h::SOLO")
    answer = envelope(21, description="Waiting for window confirm", finalPrompt="a cat", remix=True)
    task, _ = drive(midjourney_flow(req, context()), [answer])
    assert (task.status, task.vendor_data["status"], task.vendor_data["parent_id"]) == ("queued", "MODAL", "1")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (23, relaykit.RateLimitError),
        (24, relaykit.ContentPolicyError),
        (3, relaykit.NotFoundError),
        (4, relaykit.BadRequestError),
        (9, relaykit.ServerError),
        (5, relaykit.ServerError),
        (77, relaykit.ServerError),
    ],
)
def test_refusing_codes_raise_typed_errors(code: int, error: type[Exception]) -> None:
    """Each refusing submit code raises its relaykit error."""
    with pytest.raises(error) as caught:
        drive(midjourney_flow(_imagine(), context()), [envelope(code, None, "refused", bannedWord="gore")])
    assert type(caught.value) is error
    if code == 24:
        assert "gore" in str(caught.value)


def test_queue_full_is_retryable() -> None:
    """Code 23 (queue full) is an error the caller may retry."""
    with pytest.raises(relaykit.APIError) as caught:
        drive(midjourney_flow(_imagine(), context()), [envelope(23, None, "队列已满")])
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (
            json_answer({"description": "task_no_found ", "type": "upstream_error", "code": 4}, 400),
            relaykit.NotFoundError,
        ),
        (json_answer({"description": "quota_not_enough", "type": "x", "code": 4}, 400), relaykit.QuotaExceededError),
        (json_answer({"description": "prompt_is_required", "type": "x", "code": 4}, 400), relaykit.BadRequestError),
        (
            json_answer({"error": {"message": "bad key", "type": "new_api_error", "code": ""}}, 401),
            relaykit.AuthenticationError,
        ),
        (HttpResponse(401, {}, b""), relaykit.AuthenticationError),
        (json_answer({"description": "busy", "type": "x", "code": 30}, 429), relaykit.RateLimitError),
    ],
)
def test_relay_and_proxy_error_shapes_map_to_kinds(response: HttpResponse, error: type[Exception]) -> None:
    """The relay envelope, OpenAI-style errors and an empty 401 each become their kind."""
    with pytest.raises(error):
        drive(midjourney_flow(_imagine(), context()), [response])


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("NOT_START", "queued"),
        ("SUBMITTED", "queued"),
        ("MODAL", "queued"),
        ("IN_PROGRESS", "running"),
        ("SUCCESS", "succeeded"),
        ("FAILURE", "failed"),
        ("CANCEL", "cancelled"),
        ("SOMETHING_NEW", "running"),
    ],
)
def test_lifecycle_maps_onto_task_status(raw: str, status: str) -> None:
    """Each proxy status becomes its Task status; the raw one stays in vendor_data."""
    body = {"id": TASK_ID, "status": raw, "action": "IMAGINE", "progress": "37%", "imageUrl": "https://c.example/a.png"}
    task, _ = drive(task_get(_queued(), context()), [json_answer(body)])
    assert task.status == status
    assert task.vendor_data["status"] == raw
    if status == "running":
        assert task.progress == pytest.approx(0.37)
    if status == "failed":
        assert task.error is not None
        assert task.error.message == "failed"


@pytest.mark.parametrize(("raw", "value"), [("37%", 0.37), ("0%", 0.0), ("", None), (None, None), ("abc", None)])
def test_progress_strings_parse(raw: Any, value: float | None) -> None:
    """Progress strings become 0..1 fractions; empty or odd ones are unknown."""
    assert parse_progress(raw) == (pytest.approx(value) if value is not None else None)


def test_failure_keeps_the_reason_and_ignores_relay_progress() -> None:
    """A FAILURE carries failReason; a relay's "100%" on failure is not read as progress."""
    body = {"id": TASK_ID, "status": "FAILURE", "progress": "100%", "failReason": "任务超时"}
    task, _ = drive(task_get(_queued(), context()), [json_answer(body)])
    assert task.error is not None
    assert task.error.message == "任务超时"
    assert task.progress is None
    assert task.poll_after is None


def test_fetch_of_an_unknown_task_is_not_found() -> None:
    """An empty body or null (the proxy's unknown id) is NotFoundError."""
    for answer in (HttpResponse(200, {}, b""), json_answer(None)):
        with pytest.raises(relaykit.NotFoundError):
            drive(task_get(_queued(), context()), [answer])


def test_finished_task_exposes_buttons_and_describe_prompts() -> None:
    """Buttons are kept in vendor_data and read back typed; describe prompts are split."""
    body = {
        "id": TASK_ID,
        "status": "SUCCESS",
        "action": "DESCRIBE",
        "properties": {"finalPrompt": "1️⃣ Cat --ar 5:4\n\n2️⃣ Cat2 --ar 5:4"},
        "buttons": [{"customId": "MJ::Job::PicReader::1", "label": "1", "emoji": "", "type": 2, "style": 2}],
    }
    task, _ = drive(task_get(_queued(), context()), [json_answer(body)])
    assert [button.custom_id for button in buttons(task)] == ["MJ::Job::PicReader::1"]
    assert describe_prompts(task) == ["Cat --ar 5:4", "Cat2 --ar 5:4"]
    assert Task.from_json(task.to_json()) == task


def test_malformed_submit_answer_is_a_response_format_error() -> None:
    """An answer without a code is a ResponseFormatError."""
    with pytest.raises(relaykit.ResponseFormatError):
        drive(midjourney_flow(_imagine(), context()), [json_answer({"hello": 1})])
