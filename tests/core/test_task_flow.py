"""Core's task flows, driven with a fake clock: polling, hints, backoff, deadlines, failures, downloads."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import relaykit
from relaykit._flow import Notify
from relaykit._task_flow import PollPolicy, refresh, wait
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse, ProviderSettings, Wait

CTX = CallContext(
    provider="vendor",
    kind="vendor",
    model="m",
    settings=ProviderSettings(base_url="https://api.vendor.example", api_key="secret-key-123", timeout=600),
)
QUEUED = relaykit.Task(provider="vendor", id="job-1", kind="media.generate", status="queued", model="m")
PNG = b"\x89PNG\r\n\x1a\nfake"


def _running(progress: float | None = None, poll_after: float | None = None) -> relaykit.Task:
    return QUEUED.model_copy(update={"status": "running", "progress": progress, "poll_after": poll_after})


def _succeeded(**output: Any) -> relaykit.Task:
    result = relaykit.TaskResult(images=[relaykit.TaskOutput(**(output or {"url": "https://cdn.example/a.png"}))])
    return QUEUED.model_copy(update={"status": "succeeded", "progress": 1.0, "result": result})


class Scripted:
    """A plugin's task_get: each poll makes one request and answers the next scripted outcome."""

    def __init__(self, *outcomes: relaykit.Task | Exception) -> None:
        self.outcomes: Iterator[relaykit.Task | Exception] = iter(outcomes)
        self.polls = 0

    def __call__(self, task: relaykit.Task, ctx: CallContext) -> Flow[relaykit.Task]:
        yield HttpRequest("GET", ctx.url(f"/jobs/{task.id}"))
        self.polls += 1
        outcome = next(self.outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class Drive:
    """Runs a flow like the driver does, with a fake clock that Waits advance."""

    def __init__(self, downloads: dict[str, HttpResponse] | None = None) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.requests: list[HttpRequest] = []
        self.downloads = downloads or {}

    def clock(self) -> float:
        return self.now

    def run(self, flow: Flow[Any]) -> Any:
        reply: Any = None
        while True:
            try:
                effect = flow.send(reply)
            except StopIteration as stop:
                return stop.value
            reply = None
            if isinstance(effect, Wait):
                self.waits.append(effect.seconds)
                self.now += effect.seconds
            elif isinstance(effect, Notify):
                effect.callback(effect.value)
            else:
                assert isinstance(effect, HttpRequest)
                self.requests.append(effect)
                self.now += 0.5  # every request takes half a second
                reply = self.downloads.get(effect.url, HttpResponse(200, {}, b"{}"))

    def wait(self, task_get: Callable[..., Flow[relaykit.Task]], timeout: float = 100.0, **kwargs: Any) -> Any:
        flow = wait(QUEUED, CTX, task_get, deadline=self.now + timeout, clock=self.clock, **kwargs)
        return self.run(flow)


def test_wait_polls_until_succeeded_and_reports_every_snapshot() -> None:
    """Each refresh is reported to on_progress, then the succeeded task is returned."""
    task_get = Scripted(_running(0.2), _running(0.6), _succeeded())
    seen: list[tuple[str, float | None]] = []
    done = Drive().wait(task_get, on_progress=lambda t: seen.append((t.status, t.progress)))
    assert done.status == "succeeded"
    assert seen == [("running", 0.2), ("running", 0.6), ("succeeded", 1.0)]


def test_backoff_grows_to_its_cap_and_a_vendor_hint_wins() -> None:
    """Without a hint the pause grows by the factor up to max_interval; poll_after replaces it."""
    drive = Drive()
    outcomes = [_running()] * 5 + [_running(poll_after=7.0), _succeeded()]
    drive.wait(Scripted(*outcomes), policy=PollPolicy(interval=1.0, max_interval=3.0, factor=2.0))
    assert drive.waits == [1.0, 2.0, 3.0, 3.0, 3.0, 7.0]


def test_the_deadline_raises_task_timeout_error_with_the_last_task() -> None:
    """Polling stops at the deadline: the last wait is cut to the time left, then TaskTimeoutError."""
    drive = Drive()
    with pytest.raises(relaykit.TaskTimeoutError) as caught:
        drive.wait(Scripted(*[_running(0.5, poll_after=4.0)] * 10), timeout=10.0)
    assert caught.value.task.progress == 0.5
    assert caught.value.provider == "vendor"
    assert isinstance(caught.value, relaykit.APITimeoutError)
    assert drive.now <= 10.5  # never waits past the deadline (plus the last poll's own time)
    assert drive.waits[-1] < 4.0


def test_each_poll_request_gets_at_most_the_time_left() -> None:
    """A poll's read timeout is cut to the time left before the deadline (at least a second)."""
    drive = Drive()
    drive.wait(Scripted(_running(poll_after=3.0), _running(poll_after=3.0), _succeeded()), timeout=5.0)
    assert [request.timeout for request in drive.requests] == [5.0, 1.5, 1.0]


def test_a_retryable_poll_error_is_no_news_until_the_deadline() -> None:
    """A 503 during polling does not end the wait; its retry_after is honoured as the hint."""
    drive = Drive()
    busy = relaykit.OverloadedError("busy", status=503, retry_after=2.5)
    done = drive.wait(Scripted(busy, _running(), _succeeded()))
    assert done.status == "succeeded"
    assert drive.waits[0] == 2.5
    with pytest.raises(relaykit.TaskTimeoutError) as caught:
        Drive().wait(Scripted(*[busy] * 20), timeout=5.0)
    assert caught.value.__cause__ is busy


def test_a_non_retryable_poll_error_ends_the_wait() -> None:
    """An authentication error while polling is raised as it is."""
    denied = relaykit.AuthenticationError("bad key", status=401)
    with pytest.raises(relaykit.AuthenticationError):
        Drive().wait(Scripted(_running(), denied))


def test_a_task_the_vendor_forgot_is_task_not_found_error_not_an_endless_poll() -> None:
    """NotFoundError from the plugin becomes TaskNotFoundError (also a NotFoundError) carrying the task."""
    task_get = Scripted(_running(0.3), relaykit.NotFoundError("generation not found", status=404, code="not_found"))
    with pytest.raises(relaykit.TaskNotFoundError) as caught:
        Drive().wait(task_get)
    assert isinstance(caught.value, relaykit.NotFoundError)
    assert isinstance(caught.value, relaykit.TaskFailedError)
    assert caught.value.task.progress == 0.3
    assert task_get.polls == 2


@pytest.mark.parametrize(("status", "word"), [("failed", "failed"), ("cancelled", "cancelled")])
def test_a_failed_or_cancelled_task_raises_task_failed_error(status: str, word: str) -> None:
    """The final task travels with the error; a content_policy code means moderated."""
    error = relaykit.TaskError(code="content_policy", message="flagged")
    final = QUEUED.model_copy(update={"status": status, "error": error})
    with pytest.raises(relaykit.TaskFailedError, match=word) as caught:
        Drive().wait(Scripted(final))
    assert caught.value.task.status == status
    assert caught.value.moderated
    assert caught.value.code == "content_policy"


def test_a_done_task_is_not_polled_again() -> None:
    """Waiting on a task that already succeeded returns it without a request."""
    drive = Drive()
    done = drive.run(wait(_succeeded(), CTX, Scripted(), deadline=10.0, clock=drive.clock))
    assert done.status == "succeeded"
    assert drive.requests == []


def test_download_fetches_url_outputs_without_the_provider_headers() -> None:
    """With download=True each URL-only output gets its bytes as base64, fetched anonymously."""
    url = "https://cdn.example/a.png?se=2026&sig=s3cret"
    drive = Drive({url: HttpResponse(200, {"content-type": "image/png"}, PNG)})
    done = drive.wait(Scripted(_succeeded(url=url)), download=True)
    (output,) = done.result.images
    assert base64.b64decode(output.b64_json) == PNG
    assert output.mime_type == "image/png"
    fetch = drive.requests[-1]
    assert (fetch.url, fetch.provider_headers) == (url, False)
    assert "authorization" not in fetch.headers
    assert "sig" in fetch.secret_params


def test_an_expired_result_url_raises_a_status_error_saying_so() -> None:
    """A 403 on the download is a PermissionDeniedError that mentions expiry."""
    url = "https://cdn.example/a.png?sig=old"
    drive = Drive({url: HttpResponse(403, {}, b"AuthenticationFailed")})
    with pytest.raises(relaykit.PermissionDeniedError, match="expire") as caught:
        drive.wait(Scripted(_succeeded(url=url)), download=True)
    assert "sig=old" not in str(caught.value)


def test_refresh_checks_the_plugin_returned_the_same_task() -> None:
    """A task_get that answers another task's snapshot is a ResponseFormatError."""
    other = QUEUED.model_copy(update={"id": "job-2"})
    with pytest.raises(relaykit.ResponseFormatError):
        Drive().run(refresh(QUEUED, CTX, Scripted(other)))


def test_poll_policy_refuses_nonsense() -> None:
    """Intervals must be positive and growing."""
    with pytest.raises(ValueError, match="positive"):
        PollPolicy(interval=0)
