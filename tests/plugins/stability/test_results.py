"""Polling Stability's jobs (202 running, 200 done, 404 gone, envelopes) and mapping its error envelope."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpRequest, HttpResponse, run_to_completion
from relaykit_stability._common import error_from
from relaykit_stability._results import task_get

from ._helpers import KEY, PNG, context, image_answer, json_answer

JOB = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4"
VIDEO = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"


def _task(kind: str = "media.upscale.creative", **vendor: Any) -> relaykit.Task:
    accept = "video/*" if kind.startswith("video") else "image/*"
    return relaykit.Task(
        provider="stability",
        id=JOB,
        kind=kind,
        status="queued",
        model="stable-image",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        vendor_data={"accept": accept, "mime_type": "video/mp4" if kind.startswith("video") else "image/png", **vendor},
    )


def _poll(task: relaykit.Task, *answers: HttpResponse) -> relaykit.Task:
    return run_to_completion(task_get(task, context("stable-image", poll_interval=12.5)), answers)


def test_the_creative_upscale_polls_the_generic_results_path_first() -> None:
    """GET /v2beta/results/{id} with the key and the Accept chosen at submit time."""
    sent = next(task_get(_task(), context("stable-image")))
    assert isinstance(sent, HttpRequest)
    assert (sent.method, sent.url) == ("GET", f"https://api.stability.ai/v2beta/results/{JOB}")
    assert sent.headers == {"accept": "image/*", "authorization": f"Bearer {KEY}"}


def test_202_is_running_with_the_poll_hint_and_any_progress() -> None:
    """In progress: running, poll_after from the setting, a progress field read when present."""
    running = _poll(_task(), json_answer({"id": JOB, "status": "in-progress"}, 202))
    assert (running.status, running.progress, running.poll_after) == ("running", None, 12.5)
    assert running.vendor_data["result_path"] == f"/v2beta/results/{JOB}"
    assert _poll(_task(), json_answer({"id": JOB, "status": "in-progress", "progress": 40}, 202)).progress == 0.4
    assert _poll(_task(), HttpResponse(202, {}, b"")).status == "running"


def test_200_with_bytes_is_succeeded_with_base64_output_and_headers() -> None:
    """The image arrives raw; the task stores it as base64 with its seed and the filter flag."""
    done = _poll(_task(), image_answer(seed="77", finish="CONTENT_FILTERED"))
    assert (done.status, done.progress, done.poll_after) == ("succeeded", 1.0, None)
    assert done.result is not None
    (image,) = done.result.images
    assert (base64.b64decode(image.b64_json or ""), image.mime_type, image.seed, image.content_filtered) == (
        PNG,
        "image/png",
        77,
        True,
    )
    assert relaykit.Task.from_json(done.to_json()) == done


def test_a_video_result_in_json_is_the_video_output() -> None:
    """image-to-video polls its own path; the JSON answer's video becomes result.video."""
    task = _task("video.image_to_video", accept="application/json")
    sent = next(task_get(task, context("stable-video-diffusion")))
    assert isinstance(sent, HttpRequest)
    assert sent.url.endswith(f"/v2beta/image-to-video/result/{JOB}")
    answer = json_answer({"video": base64.b64encode(VIDEO).decode(), "finish_reason": "SUCCESS", "seed": 3})
    done = _poll(task, answer)
    assert done.result is not None
    assert done.result.video is not None
    assert (done.result.video.to_bytes(), done.result.video.mime_type, done.result.video.seed) == (
        VIDEO,
        "video/mp4",
        3,
    )


def test_a_404_on_the_generic_path_falls_back_to_the_route_specific_one_and_remembers_it() -> None:
    """Relays only serve /upscale/creative/result/{id}; the path that answered is kept for later polls."""
    missing = json_answer({"id": "x", "name": "not_found", "errors": ["no route"]}, 404)
    running = _poll(_task(), missing, json_answer({"id": JOB, "status": "in-progress"}, 202))
    assert running.vendor_data["result_path"] == f"/v2beta/stable-image/upscale/creative/result/{JOB}"
    again = next(task_get(running, context("stable-image")))
    assert isinstance(again, HttpRequest)
    assert again.url.endswith(f"/upscale/creative/result/{JOB}")


def test_a_job_no_path_knows_raises_not_found() -> None:
    """404 on every result path is NotFoundError (core turns it into TaskNotFoundError)."""
    missing = json_answer({"id": "x", "name": "not_found", "errors": [f"generation {JOB} not found"]}, 404)
    with pytest.raises(relaykit.NotFoundError, match="not found"):
        _poll(_task(), missing, missing)


def test_a_moderated_job_is_a_failed_task_with_the_content_policy_code() -> None:
    """A 403 content_moderation envelope while polling ends the task failed, not with an exception."""
    envelope = {"id": "e1", "name": "content_moderation", "errors": ["Your request was flagged"]}
    failed = _poll(_task(), json_answer(envelope, 403))
    assert failed.status == "failed"
    assert failed.error == relaykit.TaskError(code="content_policy", message="Your request was flagged")
    assert failed.vendor_data["error_name"] == "content_moderation"


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, relaykit.AuthenticationError), (429, relaykit.RateLimitError), (500, relaykit.ServerError)],
)
def test_transient_or_auth_poll_errors_are_raised_not_recorded(status: int, error: type[Exception]) -> None:
    """401, 429 and 5xx say nothing about the job: they are raised (wait retries the retryable ones)."""
    with pytest.raises(error):
        _poll(_task(), json_answer({"id": "x", "name": "whatever", "errors": ["no"]}, status))


def test_a_task_of_another_kind_is_refused() -> None:
    """Only creative upscales and videos are Stability jobs."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(task_get(_task("media.generate"), context()))
    assert caught.value.field == "task.kind"


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (
            400,
            {"id": "a", "name": "bad_request", "errors": ["prompt: is required"]},
            relaykit.BadRequestError,
            "bad_request",
        ),
        (401, {"id": "a", "name": "unauthorized", "errors": ["bad key"]}, relaykit.AuthenticationError, "unauthorized"),
        (
            402,
            {"id": "a", "name": "payment_required", "errors": ["no credits"]},
            relaykit.QuotaExceededError,
            "payment_required",
        ),
        (
            403,
            {"id": "a", "name": "content_moderation", "errors": ["flagged"]},
            relaykit.ContentPolicyError,
            "content_moderation",
        ),
        (404, {"id": "a", "name": "not_found", "errors": ["no"]}, relaykit.NotFoundError, "not_found"),
        (
            413,
            {"id": "a", "name": "payload_too_large", "errors": ["10MiB"]},
            relaykit.BadRequestError,
            "payload_too_large",
        ),
        (
            422,
            {"id": "a", "name": "invalid_language", "errors": ["English only"]},
            relaykit.BadRequestError,
            "invalid_language",
        ),
        (
            422,
            {"id": "a", "name": "public_figure", "errors": ["likeness"]},
            relaykit.ContentPolicyError,
            "public_figure",
        ),
        (
            429,
            {"id": "rate_limit_exceeded", "name": "rate_limit_exceeded", "errors": ["150"]},
            relaykit.RateLimitError,
            "rate_limit_exceeded",
        ),
        (500, {"id": "a", "name": "internal_error", "errors": ["oops"]}, relaykit.ServerError, "internal_error"),
        (503, {"id": "a", "name": "unavailable", "message": "down"}, relaykit.OverloadedError, "unavailable"),
    ],
)
def test_the_error_envelope_maps_to_the_error_tree(
    status: int, body: dict[str, Any], error: type[relaykit.APIStatusError], code: str
) -> None:
    """Each status and name maps to its class; errors[] (or message) is the message; name is the code."""
    mapped = error_from(json_answer(body, status, {"retry-after": "60"}), context())
    assert type(mapped) is error
    assert (mapped.code, mapped.status) == (code, status)
    assert mapped.message == "; ".join(body.get("errors", [])) or body.get("message")
    assert mapped.retry_after == 60.0


def test_a_non_json_error_body_still_maps_by_status() -> None:
    """A proxy's HTML 502 is a ServerError with the text as the message."""
    mapped = error_from(HttpResponse(502, {"content-type": "text/html"}, b"<h1>Bad gateway</h1>"), context())
    assert isinstance(mapped, relaykit.ServerError)
    assert "Bad gateway" in mapped.message


def test_secrets_never_reach_the_error() -> None:
    """A body echoing the key is redacted in the message and the excerpt."""
    mapped = error_from(json_answer({"name": "unauthorized", "errors": [f"bad key {KEY}"]}, 401), context())
    assert KEY not in str(mapped)
    assert KEY not in (mapped.body_excerpt or "")
