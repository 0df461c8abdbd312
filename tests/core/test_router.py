"""The router: the decision table row by row, the bounds, and the no-re-pick rule.

The clients run over `tests.router_support.Fleet` (MockTransport), which records which provider
got each attempt; one test uses the OpenAI emulator over real sockets.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx2
import pytest
import stamina
import structlog

import relaykit
from relaykit._routing._cooldown import cooldowns
from relaykit.testing import Fault
from relaykit_openai.emulator import OpenAIEmulator

from ..router_support import (
    BOTH,
    Answer,
    Fleet,
    ask,
    attempt_events,
    chat,
    close,
    error,
    make_client,
    route,
)


@pytest.fixture(autouse=True)
def _router_testing() -> Iterator[None]:
    """No sleeping between retries (real attempt counts), and a fresh process-wide cooldown registry."""
    cooldowns().clear()
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
    cooldowns().clear()


# -- the decision table ------------------------------------------------------------------------------


RETRYABLE: dict[str, Answer] = {
    "500": lambda: error(500),
    "502": lambda: error(502),
    "503": lambda: error(503),
    "529": lambda: error(529),
    "408": lambda: error(408),
    "429 with Retry-After": lambda: error(429, "rate_limit_exceeded", retry_after="1"),
    "429 without Retry-After": lambda: error(429, "rate_limit_exceeded"),
    "read timeout": httpx2.ReadTimeout,
    "connect timeout": httpx2.ConnectTimeout,
    "connection refused": httpx2.ConnectError,
    "connection dropped": httpx2.RemoteProtocolError,
}


@pytest.mark.anyio
@BOTH
@pytest.mark.parametrize("failure", list(RETRYABLE.values()), ids=list(RETRYABLE))
async def test_retryable_failures_retry_the_same_deployment(aio: bool, failure: Answer) -> None:
    """Rate limits, overload, 5xx, timeouts and connection failures retry the same deployment."""
    fleet = Fleet()
    fleet.script("a", failure)
    client = make_client(fleet, route("a/m1", "b/m2"), aio=aio)
    answer = await chat(client)
    await close(client)
    assert fleet.order == ["a", "a"]
    assert answer.text == "from a"
    assert answer.route == relaykit.RouteInfo(route="smart", deployment="a/m1", attempts=2, failed=[])


MOVE_ON: dict[str, tuple[Answer, type[Exception]]] = {
    "quota": (lambda: error(429, "insufficient_quota"), relaykit.QuotaExceededError),
    "401": (lambda: error(401, "invalid_api_key"), relaykit.AuthenticationError),
    "403": (lambda: error(403), relaykit.PermissionDeniedError),
    "404 model": (lambda: error(404, "model_not_found"), relaykit.NotFoundError),
    "content policy": (lambda: error(400, "content_policy_violation"), relaykit.ContentPolicyError),
    "context length": (lambda: error(400, "context_length_exceeded"), relaykit.ContextLengthError),
    "400": (lambda: error(400), relaykit.BadRequestError),
    "422": (lambda: error(422), relaykit.BadRequestError),
    "malformed body": (
        lambda: httpx2.Response(200, content=b'{"id": "x", "choi', headers={"content-type": "application/json"}),
        relaykit.ResponseFormatError,
    ),
    "unexpected shape": (lambda: httpx2.Response(200, json={"choices": "nope"}), relaykit.ResponseFormatError),
}


@pytest.mark.anyio
@BOTH
@pytest.mark.parametrize(("failure", "kind"), list(MOVE_ON.values()), ids=list(MOVE_ON))
async def test_failures_retrying_cannot_fix_move_on_at_once(aio: bool, failure: Answer, kind: type[Exception]) -> None:
    """Quota, auth, permission, unknown model, content policy, context length, bad request, malformed: next deployment."""
    fleet = Fleet()
    fleet.script("a", failure)
    client = make_client(fleet, route("a/m1", "b/m2"), aio=aio)
    with structlog.testing.capture_logs() as logs:
        answer = await chat(client)
    await close(client)
    assert fleet.order == ["a", "b"]
    assert answer.text == "from b"
    assert answer.route == relaykit.RouteInfo(route="smart", deployment="b/m2", attempts=2, failed=["a/m1"])
    assert attempt_events(logs) == [("a/m1", 1, "move_on", kind.__name__), ("b/m2", 2, "ok", None)]


def test_retry_after_is_honoured_within_max_retry_after() -> None:
    """A 429's Retry-After is the wait before retrying the same deployment (logged as `wait`)."""
    fleet = Fleet()
    fleet.script("a", error(429, retry_after="2"), error(503, retry_after="0.5"))
    client = make_client(fleet, route("a/m1", "b/m2", max_retry_after=5))
    with structlog.testing.capture_logs() as logs:
        answer = ask(client)
    assert fleet.order == ["a", "a", "a"]
    assert answer.route.attempts == 3
    attempts = [e for e in logs if e["event"] == "relaykit.route.attempt"]
    assert [(e["outcome"], e["retry_after"], e["wait"]) for e in attempts] == [
        ("retry", 2.0, 2.0),
        ("retry", 0.5, 0.5),
        ("ok", None, None),
    ]


def test_a_longer_retry_after_moves_on() -> None:
    """A Retry-After beyond max_retry_after moves to the next deployment instead of waiting."""
    fleet = Fleet()
    fleet.script("a", error(429, retry_after="31"))
    client = make_client(fleet, route("a/m1", "b/m2", max_retry_after=30))
    with structlog.testing.capture_logs() as logs:
        answer = ask(client)
    assert fleet.order == ["a", "b"]
    assert answer.route.failed == ["a/m1"]
    first = next(e for e in logs if e["event"] == "relaykit.route.attempt")
    assert (first["outcome"], first["retry_after"], first["wait"]) == ("move_on", 31.0, None)


def test_a_retry_after_beyond_the_time_left_moves_on() -> None:
    """A wait that would overrun the route's time budget moves on instead."""
    fleet = Fleet()
    fleet.script("a", error(429, retry_after="20"))
    client = make_client(fleet, route("a/m1", "b/m2", max_retry_after=60, timeout=10))
    answer = ask(client)
    assert fleet.order == ["a", "b"]
    assert answer.route.deployment == "b/m2"


def test_backoff_waits_grow_and_are_logged() -> None:
    """Without Retry-After the wait is exponential backoff (jitter off here), capped by backoff_max."""
    fleet = Fleet()
    fleet.script("a", error(500), times=4)
    policy = {"retries": 4, "backoff_initial": 1, "backoff_max": 3, "backoff_jitter": 0, "max_attempts": 9}
    client = make_client(fleet, route("a/m1", **policy))
    with structlog.testing.capture_logs() as logs:
        ask(client)
    waits = [e["wait"] for e in logs if e["event"] == "relaykit.route.attempt"]
    assert waits == [1.0, 2.0, 3.0, 3.0, None]


@pytest.mark.anyio
@BOTH
async def test_bad_request_everywhere_raises_the_last_bad_request(aio: bool) -> None:
    """When every deployment says the request is bad, the caller gets the last vendor's BadRequestError."""
    fleet = Fleet()
    fleet.script("a", error(400))
    fleet.script("b", error(400, "context_length_exceeded"))
    client = make_client(fleet, route("a/m1", "b/m2"), aio=aio)
    with pytest.raises(relaykit.ContextLengthError) as caught:
        await chat(client)
    await close(client)
    assert caught.value.provider == "b"
    assert not isinstance(caught.value, relaykit.AllDeploymentsFailedError)
    assert fleet.order == ["a", "b"]


@pytest.mark.anyio
@BOTH
async def test_other_failures_raise_all_deployments_failed_with_errors_per_deployment(aio: bool) -> None:
    """Otherwise AllDeploymentsFailedError lists (deployment, error) in order; the last error is its cause."""
    fleet = Fleet()
    fleet.script("a", error(401))
    fleet.script("b", error(500), times=3)
    client = make_client(fleet, route("a/m1", "b/m2", retries=2), aio=aio)
    with pytest.raises(relaykit.AllDeploymentsFailedError) as caught:
        await chat(client)
    await close(client)
    failure = caught.value
    assert [(name, type(exc)) for name, exc in failure.errors] == [
        ("a/m1", relaykit.AuthenticationError),
        ("b/m2", relaykit.ServerError),
    ]
    assert failure.__cause__ is failure.errors[-1][1]
    assert failure.attempts == 4
    assert (failure.route, failure.status, failure.provider) == ("smart", 500, "b")
    assert "a/m1 (AuthenticationError), b/m2 (ServerError)" in str(failure)
    assert isinstance(failure, relaykit.APIError)


def test_a_plugin_refusal_moves_on() -> None:
    """A request one vendor's plugin refuses locally (InvalidRequestError) goes to the next deployment."""
    fleet = Fleet()
    client = make_client(fleet, route("anthropic/claude-sonnet-4-5", "a/m1"))
    answer = ask(client, n=2)  # Claude answers one choice only
    assert fleet.order == ["a"]
    assert answer.route.failed == ["anthropic/claude-sonnet-4-5"]


# -- bounds and the no-re-pick rule -----------------------------------------------------------------


@pytest.mark.anyio
@BOTH
async def test_a_failed_deployment_is_never_picked_again(aio: bool) -> None:
    """Each deployment gets one run of attempts; with budget to spare the request still ends."""
    fleet = Fleet()
    fleet.script("a", error(500), times=3)
    fleet.script("b", error(403))
    fleet.script("c", error(503), times=3)
    client = make_client(fleet, route("a/m", "b/m", "c/m", retries=2, max_attempts=100), aio=aio)
    with pytest.raises(relaykit.AllDeploymentsFailedError) as caught:
        await chat(client)
    await close(client)
    assert fleet.order == ["a", "a", "a", "b", "c", "c", "c"]
    assert [name for name, _ in caught.value.errors] == ["a/m", "b/m", "c/m"]


@pytest.mark.anyio
@BOTH
async def test_max_attempts_bounds_the_request(aio: bool) -> None:
    """max_attempts counts attempts across deployments; none is made beyond it."""
    fleet = Fleet()
    fleet.script("a", error(500), times=3)
    fleet.script("b", error(500), times=3)
    client = make_client(fleet, route("a/m", "b/m", "c/m", retries=2, max_attempts=4), aio=aio)
    with pytest.raises(relaykit.AllDeploymentsFailedError) as caught:
        await chat(client)
    await close(client)
    assert fleet.order == ["a", "a", "a", "b"]
    assert caught.value.attempts == 4


def test_retries_bound_the_attempts_on_one_deployment() -> None:
    """retries = N means at most N + 1 attempts on a deployment."""
    fleet = Fleet()
    fleet.script("a", error(500), times=10)
    client = make_client(fleet, route("a/m", "b/m", retries=1, max_attempts=50))
    assert ask(client).route.attempts == 3
    assert fleet.order == ["a", "a", "b"]


def test_the_time_budget_bounds_the_request() -> None:
    """Once `timeout` seconds are spent, no new attempt starts."""

    def slow_failure() -> httpx2.Response:
        time.sleep(0.1)
        return error(500)

    fleet = Fleet()
    fleet.script("a", slow_failure, times=100)
    policy = {"retries": 100, "max_attempts": 100, "timeout": 0.35, "backoff_initial": 0, "backoff_jitter": 0}
    client = make_client(fleet, route("a/m", **policy))
    started = time.monotonic()
    with pytest.raises(relaykit.AllDeploymentsFailedError) as caught:
        ask(client)
    assert time.monotonic() - started < 1.0
    assert 3 <= caught.value.attempts <= 5


def test_a_backoff_longer_than_the_time_left_moves_on() -> None:
    """The backoff before a retry must fit in the time left, else the router moves on at once."""
    fleet = Fleet()
    fleet.script("a", error(500))
    client = make_client(fleet, route("a/m", "b/m", timeout=1, backoff_initial=5, backoff_max=5))
    assert ask(client).route.failed == ["a/m"]
    assert fleet.order == ["a", "b"]


@pytest.mark.anyio
@BOTH
async def test_an_attempt_is_cut_at_the_time_left(aio: bool) -> None:
    """A hanging deployment is given only the time left of the budget (real sockets, a 3 s delay)."""
    with OpenAIEmulator() as emu:
        emu.inject(Fault.latency(3))
        config = {"slow": {"kind": "openai", "api_key": "test-key", "base_url": emu.base_url}}
        client = make_client(None, route("slow/gpt-4o-mini", retries=0, timeout=0.4), aio=aio, providers=config)
        started = time.monotonic()
        with pytest.raises(relaykit.AllDeploymentsFailedError) as caught:
            await chat(client)
        await close(client)
    assert time.monotonic() - started < 2.0
    assert isinstance(caught.value.__cause__, relaykit.APITimeoutError)


# -- results, hooks and logs -----------------------------------------------------------------------


def test_unrouted_calls_carry_no_route_info() -> None:
    """A plain provider/model call is not routed: `route` is None and nothing is retried."""
    fleet = Fleet()
    fleet.script("a", error(500))
    client = make_client(fleet, route("a/m"))
    with pytest.raises(relaykit.ServerError):
        ask(client, model="a/m")
    assert ask(client, model="a/m").route is None
    assert fleet.order == ["a", "a"]
