"""Pure tests of one Flux poll: BFL's statuses onto a Task, where it polls, Task not found, several jobs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import relaykit
from relaykit import Task
from relaykit.plugin import HttpResponse
from relaykit_flux._results import poll_url, task_get

from ._helpers import JOB, KEY, POLLING_URL, SAMPLE, context, drive, json_answer, task


def _poll(answer: HttpResponse | dict[str, Any], current: Task | None = None, **settings: Any) -> Task:
    response = answer if isinstance(answer, HttpResponse) else json_answer(answer)
    fresh, (sent,) = drive(task_get(current or task(), context(**settings)), [response])
    assert (sent.method, sent.url, sent.headers) == ("GET", POLLING_URL, {"accept": "application/json", "x-key": KEY})
    return fresh


@pytest.mark.parametrize(
    ("progress", "expected"), [(None, None), (0.5, 0.5), (40, 0.4), ("75%", 0.75), (250, 1.0), (-1, None), ("x", None)]
)
def test_pending_is_running_with_progress_as_a_fraction(progress: Any, expected: float | None) -> None:
    """Pending maps to running; progress is read as a fraction or a percentage when present."""
    fresh = _poll({"id": JOB, "status": "Pending", "result": None, "progress": progress})
    assert (fresh.status, fresh.progress, fresh.result, fresh.error) == ("running", expected, None, None)
    assert fresh.poll_after == 1.0
    assert fresh.vendor_data["jobs"][0]["status"] == "Pending"


@pytest.mark.parametrize("status", ["Generating", "Reasoning", "Queued", "pending", "submitted", "processing"])
def test_unknown_and_relay_statuses_that_are_not_final_are_running(status: str) -> None:
    """Newer BFL states and EZLink's lowercase ones keep the task running."""
    assert _poll({"id": JOB, "status": status}).status == "running"


def test_ready_gives_the_signed_url_with_its_expiry_type_and_seed() -> None:
    """result.sample is the output's URL; se is when it expires, rsct its type, result.seed its seed."""
    ready = {
        "id": JOB,
        "status": "Ready",
        "result": {"sample": SAMPLE, "prompt": "a fox", "seed": 42},
        "progress": None,
    }
    fresh = _poll(ready)
    assert (fresh.status, fresh.progress, fresh.poll_after) == ("succeeded", 1.0, None)
    assert fresh.result is not None
    (image,) = fresh.result.images
    assert (image.url, image.mime_type, image.seed) == (SAMPLE, "image/jpeg", 42)
    assert image.expires_at == datetime(2026, 1, 16, 19, 50, 11, tzinfo=UTC)
    assert fresh.vendor_data["jobs"][0]["result"] == {"prompt": "a fox"}
    assert relaykit.MediaResult.from_task(fresh).images[0].expires_at == image.expires_at


def test_a_ready_url_without_an_expiry_lives_result_ttl_seconds() -> None:
    """Without se, expires_at is result_ttl after the poll; the type comes from the extension, the seed from the submit."""
    current = task(jobs=[{"id": JOB, "polling_url": POLLING_URL, "seed": 9}], output_format="png")
    before = datetime.now(UTC)
    fresh = _poll(
        {"id": JOB, "status": "Ready", "result": {"sample": "https://cdn.bfl.ai/x/sample.png"}}, current, result_ttl=120
    )
    assert fresh.result is not None
    (image,) = fresh.result.images
    assert (image.mime_type, image.seed) == ("image/png", 9)
    assert image.expires_at is not None
    assert before + timedelta(seconds=119) < image.expires_at < datetime.now(UTC) + timedelta(seconds=121)


def test_the_reported_aspect_ratio_reaches_the_result() -> None:
    """The ratio sent (or BFL's default) is TaskResult.aspect_ratio."""
    fresh = _poll({"id": JOB, "status": "Ready", "result": {"sample": SAMPLE}}, task(aspect_ratio="16:9"))
    assert fresh.result is not None
    assert fresh.result.aspect_ratio == "16:9"


@pytest.mark.parametrize("result", [None, {}, {"sample": ""}, {"sample": 5}])
def test_ready_without_a_sample_is_a_response_format_error(result: Any) -> None:
    """A Ready job must name its image."""
    with pytest.raises(relaykit.ResponseFormatError):
        _poll({"id": JOB, "status": "Ready", "result": result})


@pytest.mark.parametrize(
    ("status", "what"), [("Request Moderated", "the request"), ("Content Moderated", "the generated image")]
)
def test_moderation_statuses_fail_with_content_policy(status: str, what: str) -> None:
    """Both moderation statuses are failures with code content_policy, naming the reasons."""
    fresh = _poll({"id": JOB, "status": status, "details": {"Moderation Reasons": ["Derivative Works Filter"]}})
    assert fresh.status == "failed"
    assert fresh.error is not None
    assert fresh.error.code == "content_policy"
    assert fresh.error.message == f"BFL's moderation refused {what} ({status}): Derivative Works Filter"
    assert fresh.vendor_data["jobs"][0]["details"] == {"Moderation Reasons": ["Derivative Works Filter"]}
    assert relaykit.TaskFailedError("x", task=fresh).moderated


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"status": "Error", "error": "content_policy_violation", "message": "The prompt violated content policy"},
            "content_policy",
            "The prompt violated content policy",
        ),
        ({"status": "Error", "error": "Internal failure while generating"}, None, "Internal failure while generating"),
        ({"status": "Failed"}, None, "BFL reported Failed"),
        ({"status": "failed", "error": "upstream task failed"}, None, "upstream task failed"),
    ],
)
def test_errors_fail_the_task_with_the_vendor_code(body: dict[str, Any], code: str | None, message: str) -> None:
    """Error / Failed (and EZLink's failed) are failures; an error identifier becomes the code."""
    fresh = _poll({"id": JOB, **body})
    assert fresh.status == "failed"
    assert fresh.error is not None
    assert (fresh.error.code, fresh.error.message) == (code, message)


def test_task_not_found_on_a_fresh_job_is_looked_at_again_three_times() -> None:
    """A regional host may not know a fresh id: three misses keep the task queued, the fourth ends it."""
    current = task()
    for misses in (1, 2, 3):
        current = _poll({"id": JOB, "status": "Task not found"}, current)
        assert (current.status, current.poll_after) == ("queued", 1.0)
        assert current.vendor_data["jobs"][0]["misses"] == misses
    with pytest.raises(relaykit.NotFoundError) as caught:
        _poll({"id": JOB, "status": "Task not found"}, current)
    assert caught.value.code == "task_not_found"
    assert JOB in caught.value.message


def test_task_not_found_for_an_older_task_ends_it_at_once() -> None:
    """Past not_found_grace seconds, Task not found means the job is gone."""
    with pytest.raises(relaykit.NotFoundError):
        _poll({"id": JOB, "status": "Task not found"}, task(created_at=datetime.now(UTC) - timedelta(minutes=5)))
    with pytest.raises(relaykit.NotFoundError):
        _poll({"id": JOB, "status": "Task not found"}, task(), not_found_grace=0)


def test_task_not_found_after_the_job_was_seen_ends_it_at_once() -> None:
    """A job seen Pending and then unknown was forgotten, not delayed."""
    seen = _poll({"id": JOB, "status": "Pending"})
    with pytest.raises(relaykit.NotFoundError):
        _poll({"id": JOB, "status": "Task not found"}, seen)


def test_a_relays_404_is_task_not_found_too() -> None:
    """EZLink answers 404 {"error": "task not found"}: the same path as BFL's in-band status."""
    old = task(created_at=datetime.now(UTC) - timedelta(minutes=5))
    with pytest.raises(relaykit.NotFoundError) as caught:
        _poll(json_answer({"error": "task not found"}, status=404), old)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("status", "error", "retryable"),
    [
        (401, relaykit.AuthenticationError, False),
        (403, relaykit.AuthenticationError, False),
        (429, relaykit.RateLimitError, True),
        (500, relaykit.ServerError, True),
        (503, relaykit.OverloadedError, True),
    ],
)
def test_poll_errors_raise_the_mapped_error(status: int, error: type[relaykit.APIError], retryable: bool) -> None:
    """A failed poll raises; core's wait treats the retryable ones as no news."""
    with pytest.raises(error) as caught:
        _poll(json_answer({"detail": "nope"}, status=status))
    assert caught.value.retryable is retryable


@pytest.mark.parametrize(
    ("base_url", "polling_url", "mode", "expected"),
    [
        (
            "https://api.bfl.ai",
            "https://api.us1.bfl.ai/v1/get_result?id=J",
            "auto",
            "https://api.us1.bfl.ai/v1/get_result?id=J",
        ),
        (
            "https://api.eu.bfl.ai",
            "https://api.eu1.bfl.ai/v1/get_result?id=J",
            "auto",
            "https://api.eu1.bfl.ai/v1/get_result?id=J",
        ),
        (
            "https://api.bfl.ml",
            "https://api.bfl.ai/v1/get_result?id=J",
            "auto",
            "https://api.bfl.ai/v1/get_result?id=J",
        ),
        (
            "https://relay.example/flux",
            "https://api.bfl.ai/v1/get_result?id=J",
            "auto",
            "https://relay.example/flux/v1/get_result?id=J",
        ),
        (
            "https://api.bfl.ai",
            "https://evil.example/v1/get_result?id=J",
            "auto",
            "https://api.bfl.ai/v1/get_result?id=J",
        ),
        (
            "https://api.bfl.ai",
            "http://api.us1.bfl.ai/v1/get_result?id=J",
            "auto",
            "https://api.bfl.ai/v1/get_result?id=J",
        ),
        (
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/v1/get_result?id=J",
            "auto",
            "http://127.0.0.1:8080/v1/get_result?id=J",
        ),
        (
            "https://relay.example/flux",
            "https://api.bfl.ai/v1/get_result?id=J",
            "polling_url",
            "https://api.bfl.ai/v1/get_result?id=J",
        ),
        (
            "https://api.bfl.ai",
            "https://api.us1.bfl.ai/v1/get_result?id=J",
            "base_url",
            "https://api.bfl.ai/v1/get_result?id=J",
        ),
        ("https://api.bfl.ai", None, "auto", "https://api.bfl.ai/v1/get_result?id=J"),
    ],
)
def test_the_key_goes_only_where_it_belongs(base_url: str, polling_url: str | None, mode: str, expected: str) -> None:
    """polling_url is followed on the configured host, or between BFL hosts; else the base URL is polled."""
    ctx = context(base_url=base_url, polling=mode)
    assert poll_url({"id": "J", "polling_url": polling_url}, ctx) == expected


def test_poll_after_grows_with_the_jobs_age() -> None:
    """A fifth of the age, between poll_interval and max_poll_interval."""
    pending = {"id": JOB, "status": "Pending"}
    ages = {0: 1.0, 20: 4.0, 120: 5.0}
    for age, expected in ages.items():
        current = task(created_at=datetime.now(UTC) - timedelta(seconds=age))
        assert _poll(pending, current).poll_after == pytest.approx(expected, abs=0.01)
    assert (
        _poll(pending, task(created_at=datetime.now(UTC) - timedelta(seconds=60)), max_poll_interval=2).poll_after == 2
    )


def _jobs(count: int) -> list[dict[str, Any]]:
    return [
        {"id": f"job-{index}", "polling_url": f"https://api.bfl.ai/v1/get_result?id=job-{index}", "seed": index}
        for index in range(count)
    ]


def test_several_jobs_are_polled_together_until_each_is_ready() -> None:
    """A finished job is not polled again; the task succeeds with every image, in submit order."""
    current = task(jobs=_jobs(2))
    first = json_answer({"id": "job-0", "status": "Ready", "result": {"sample": SAMPLE.replace("9d2c", "a")}})
    second = json_answer({"id": "job-1", "status": "Pending", "progress": 0.5})
    current, sent = drive(task_get(current, context()), [first, second])
    assert [request.url.rsplit("=", 1)[1] for request in sent] == ["job-0", "job-1"]
    assert (current.status, current.progress) == ("running", 0.75)
    ready = json_answer({"id": "job-1", "status": "Ready", "result": {"sample": SAMPLE.replace("9d2c", "b")}})
    done, sent = drive(task_get(current, context()), [ready])
    assert [request.url.rsplit("=", 1)[1] for request in sent] == ["job-1"]
    assert done.status == "succeeded"
    assert done.result is not None
    assert [(image.url or "").split("/")[4] for image in done.result.images] == ["a", "b"]
    assert [image.seed for image in done.result.images] == [0, 1]


def test_one_failed_job_fails_the_task_and_stops_polling_the_rest() -> None:
    """The first failure decides, naming which image failed; later jobs are left unpolled."""
    moderated = json_answer({"id": "job-0", "status": "Content Moderated"})
    fresh, sent = drive(task_get(task(jobs=_jobs(3)), context()), [moderated])
    assert len(sent) == 1
    assert fresh.status == "failed"
    assert fresh.error is not None
    assert fresh.error.message.startswith("image 1 of 3: BFL's moderation refused the generated image")


def test_a_task_made_by_hand_without_jobs_is_polled_at_its_polling_url() -> None:
    """A Task carrying only vendor_data.polling_url (or nothing) still polls."""
    bare = Task(
        provider="flux", id=JOB, kind="media.generate", status="queued", vendor_data={"polling_url": POLLING_URL}
    )
    assert _poll({"id": JOB, "status": "Pending"}, bare).status == "running"


def test_malformed_job_lists_are_refused_naming_the_field() -> None:
    """vendor_data.jobs must be a non-empty list of jobs with ids."""
    broken = task().model_copy(update={"vendor_data": {"jobs": [{"polling_url": POLLING_URL}]}})
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(task_get(broken, context()))
    assert caught.value.field == "task.vendor_data.jobs"


@pytest.mark.parametrize("body", [{"id": JOB}, ["Pending"], {"status": ""}])
def test_a_poll_answer_without_a_status_is_a_response_format_error(body: Any) -> None:
    """status is required."""
    with pytest.raises(relaykit.ResponseFormatError):
        _poll(json_answer(body))
