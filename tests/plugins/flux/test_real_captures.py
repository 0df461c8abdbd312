"""Every capture in ../shared/real-responses/flux parses as the plugin reads BFL's answers.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent. They are a tutorial's logs of real BFL calls (a finetune
submit, a Pending and a Ready poll with a signed delivery URL) and BFL's own guide examples (a
FLUX.2 submit, the poll states, error shapes that the guide marks illustrative).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import relaykit
from relaykit import MediaGenerateRequest, Task
from relaykit.plugin import HttpResponse
from relaykit_flux._common import error_from
from relaykit_flux._results import task_get
from relaykit_flux._submit import generate

from ._helpers import context, drive, json_answer, request, task

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "flux"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_ERRORS: dict[int, type[relaykit.APIStatusError]] = {
    400: relaykit.BadRequestError,
    401: relaykit.AuthenticationError,
    402: relaykit.QuotaExceededError,
    429: relaykit.RateLimitError,
}


def _cases(*, method: str, alternatives: bool) -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    cases = []
    for path in sorted(CAPTURES.glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        listed = case["response"]["body_format"] == "alternatives-list"
        if case["endpoint"].startswith(method) and listed == alternatives:
            cases.append(pytest.param(case, id=path.stem))
    return cases


def _poll(body: Any, current: Task | None = None) -> Task:
    fresh, _ = drive(task_get(current or task(), context()), [json_answer(body)])
    return fresh


@pytest.mark.parametrize("case", _cases(method="POST", alternatives=False))
def test_real_submit_answers_become_queued_tasks_or_say_why_not(case: dict[str, Any]) -> None:
    """A generation submit's id and polling_url make the task; a finetune's {finetune_id} is no job."""
    model = urlsplit(case["endpoint"].split()[1]).path.rsplit("/", 1)[1]
    prompt = (case["request"]["body"] or {}).get("prompt") or "a fox"
    req = request(MediaGenerateRequest, model=f"flux/{model}", prompt=prompt)
    answer = json_answer(case["response"]["body"], status=case["response"]["status"])
    body = case["response"]["body"]
    if model == "finetune":  # out of scope: not a generate route, and its answer names no job
        with pytest.raises(relaykit.InvalidRequestError):
            drive(generate(req, context(model)), [answer])
        pro = request(MediaGenerateRequest, prompt=prompt)
        with pytest.raises(relaykit.ResponseFormatError):
            drive(generate(pro, context()), [answer])
        return
    submitted, (sent,) = drive(generate(req, context(model)), [answer])
    assert sent.url.endswith(f"/v1/{model}")
    assert (submitted.id, submitted.status) == (body["id"], "queued")
    assert submitted.vendor_data["jobs"][0]["polling_url"] == body["polling_url"]


@pytest.mark.parametrize("case", _cases(method="GET", alternatives=False))
def test_real_poll_answers_map_onto_the_task(case: dict[str, Any]) -> None:
    """Pending is running; Ready gives the signed URL, its type from rsct and expiry from se."""
    body = case["response"]["body"]
    fresh = _poll(body, task(jobs=[{"id": body["id"], "polling_url": case["endpoint"].split()[1]}]))
    if body["status"] == "Pending":
        assert (fresh.status, fresh.progress) == ("running", None)
        return
    assert fresh.status == "succeeded"
    assert fresh.result is not None
    (image,) = fresh.result.images
    assert image.url == body["result"]["sample"]
    assert image.mime_type == "image/jpeg"
    assert image.expires_at == datetime(2025, 1, 16, 19, 50, 11, tzinfo=UTC)
    assert fresh.vendor_data["jobs"][0]["result"] == {"prompt": body["result"]["prompt"]}


@pytest.mark.parametrize("case", _cases(method="GET", alternatives=True))
def test_documented_poll_states_map_onto_the_task(case: dict[str, Any]) -> None:
    """BFL's guide: Pending runs, Ready succeeds with the seed, Error fails with its description."""
    seen = {}
    for body in case["response"]["body"]:
        fresh = _poll(body)
        seen[body["status"]] = fresh
    assert seen["Pending"].status == "running"
    ready = seen["Ready"]
    assert ready.result is not None
    assert ready.result.images[0].seed == 1234567890
    failed = seen["Error"]
    assert (failed.status, failed.error) == ("failed", relaykit.TaskError(message="Error description"))


@pytest.mark.parametrize("case", _cases(method="POST", alternatives=True))
def test_documented_error_shapes_map_to_their_error(case: dict[str, Any]) -> None:
    """BFL's guide error shapes: each status to its class; an Error poll with a policy code is moderation."""
    for body in case["response"]["body"]:
        status = body["_status"]
        shown = {key: value for key, value in body.items() if key != "_status"}
        if isinstance(status, int):
            error = error_from(HttpResponse(status, {}, json.dumps(shown).encode()), context())
            assert type(error) is _ERRORS[status]
            assert (error.code, error.message.split(" (")[0]) == (shown["error"], shown["message"])
            if status == 429:
                assert error.retry_after == shown["retry_after"]
        else:
            fresh = _poll(shown)
            assert fresh.error is not None
            assert (fresh.status, fresh.error.code, fresh.error.message) == (
                "failed",
                "content_policy",
                shown["message"],
            )
