"""The router's observability: observer hooks, `relaykit.route.attempt` events, and quiet stamina logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stamina
import structlog
from stamina import instrumentation

import relaykit
from relaykit._routing import _instrument
from relaykit._routing._cooldown import cooldowns
from relaykit.hookspecs import ErrorEvent, FallbackEvent, RequestEvent, ResponseEvent, hookimpl

from ..router_support import (
    BOTH,
    Fleet,
    ask,
    attempt_events,
    chat,
    close,
    default_registry,
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


class Recorder:
    """An observer plugin keeping every event it is given."""

    def __init__(self, *, explode: bool = False) -> None:
        self.events: list[Any] = []
        self.explode = explode

    @hookimpl
    def on_request(self, event: RequestEvent) -> None:
        self.events.append(event)

    @hookimpl
    def on_response(self, event: ResponseEvent) -> None:
        self.events.append(event)

    @hookimpl
    def on_error(self, event: ErrorEvent) -> None:
        self.events.append(event)

    @hookimpl
    def on_fallback(self, event: FallbackEvent) -> None:
        self.events.append(event)
        if self.explode:
            raise RuntimeError("observer bug")


@pytest.mark.anyio
@BOTH
async def test_observer_hooks_fire_for_request_response_error_and_fallback(aio: bool) -> None:
    """Each attempt fires on_request/on_response; each failure on_error (route, attempt); moving on on_fallback."""
    recorder = Recorder()
    plugins = default_registry()
    plugins.plugin_manager.register(recorder)
    fleet = Fleet()
    fleet.script("a", error(500), error(401))
    client = make_client(fleet, route("a/m", "b/m"), aio=aio, registry=plugins)
    await chat(client)
    await close(client)
    kinds = [type(event).__name__ for event in recorder.events]
    assert kinds == [
        "RequestEvent",
        "ResponseEvent",
        "ErrorEvent",
        "RequestEvent",
        "ResponseEvent",
        "ErrorEvent",
        "FallbackEvent",
        "RequestEvent",
        "ResponseEvent",
    ]
    responses = [e for e in recorder.events if isinstance(e, ResponseEvent)]
    assert [(e.provider, e.status) for e in responses] == [("a", 500), ("a", 401), ("b", 200)]
    errors = [e for e in recorder.events if isinstance(e, ErrorEvent)]
    assert [(e.route, e.attempt, type(e.error).__name__, e.provider) for e in errors] == [
        ("smart", 1, "ServerError", "a"),
        ("smart", 2, "AuthenticationError", "a"),
    ]
    (fallback,) = (e for e in recorder.events if isinstance(e, FallbackEvent))
    assert (fallback.route, fallback.from_deployment, fallback.to_deployment, fallback.attempts) == (
        "smart",
        "a/m",
        "b/m",
        2,
    )
    assert isinstance(fallback.error, relaykit.AuthenticationError)


def test_the_last_fallback_names_no_next_deployment() -> None:
    """When no deployment is left, on_fallback says so with to_deployment None."""
    recorder = Recorder()
    plugins = default_registry()
    plugins.plugin_manager.register(recorder)
    fleet = Fleet()
    fleet.script("a", error(401))
    fleet.script("b", error(403))
    client = make_client(fleet, route("a/m", "b/m"), registry=plugins)
    with pytest.raises(relaykit.AllDeploymentsFailedError):
        ask(client)
    fallbacks = [(e.from_deployment, e.to_deployment) for e in recorder.events if isinstance(e, FallbackEvent)]
    assert fallbacks == [("a/m", "b/m"), ("b/m", None)]


def test_an_observer_that_raises_does_not_break_the_request() -> None:
    """A failing hook is logged as relaykit.hook.failed and the request goes on."""
    plugins = default_registry()
    plugins.plugin_manager.register(Recorder(explode=True))
    fleet = Fleet()
    fleet.script("a", error(401))
    client = make_client(fleet, route("a/m", "b/m"), registry=plugins)
    with structlog.testing.capture_logs() as logs:
        assert ask(client).text == "from b"
    (failed,) = (e for e in logs if e["event"] == "relaykit.hook.failed")
    assert failed["hook"] == "on_fallback"
    assert "observer bug" in failed["error"]


def test_every_attempt_is_one_route_attempt_event() -> None:
    """relaykit.route.attempt: route, deployment, attempt, outcome, error kind, Retry-After, wait, elapsed."""
    fleet = Fleet()
    fleet.script("a", error(429, retry_after="1"), error(401))
    client = make_client(fleet, route("a/m", "b/m"))
    with structlog.testing.capture_logs() as logs:
        ask(client)
    events = [e for e in logs if e["event"] == "relaykit.route.attempt"]
    assert [{k: v for k, v in e.items() if k != "elapsed_ms"} for e in events] == [
        {
            "event": "relaykit.route.attempt",
            "log_level": "info",
            "route": "smart",
            "deployment": "a/m",
            "attempt": 1,
            "outcome": "retry",
            "error_kind": "RateLimitError",
            "retry_after": 1.0,
            "wait": 1.0,
        },
        {
            "event": "relaykit.route.attempt",
            "log_level": "info",
            "route": "smart",
            "deployment": "a/m",
            "attempt": 2,
            "outcome": "move_on",
            "error_kind": "AuthenticationError",
            "retry_after": None,
            "wait": None,
        },
        {
            "event": "relaykit.route.attempt",
            "log_level": "info",
            "route": "smart",
            "deployment": "b/m",
            "attempt": 3,
            "outcome": "ok",
            "error_kind": None,
            "retry_after": None,
            "wait": None,
        },
    ]
    assert all(isinstance(e["elapsed_ms"], float) for e in events)
    assert [e["retry_num"] for e in logs if e["event"] == "stamina.retry_scheduled"] == [1]


def test_the_last_attempt_on_a_deployment_logs_move_on_not_retry() -> None:
    """A retryable error with the retries used up is logged as moving on."""
    fleet = Fleet()
    fleet.script("a", error(500), times=2)
    client = make_client(fleet, route("a/m", "b/m", retries=1))
    with structlog.testing.capture_logs() as logs:
        ask(client)
    assert attempt_events(logs) == [
        ("a/m", 1, "retry", "ServerError"),
        ("a/m", 2, "move_on", "ServerError"),
        ("b/m", 3, "ok", None),
    ]


@pytest.fixture
def fresh_stamina_hooks() -> Iterator[None]:
    """stamina's retry hooks as in a fresh process (relaykit has not installed its quiet ones yet)."""
    instrumentation.set_on_retry_hooks(None)
    _instrument._done.clear()
    yield
    instrumentation.set_on_retry_hooks(None)
    _instrument._done.clear()


@pytest.mark.usefixtures("fresh_stamina_hooks")
def test_stamina_prints_nothing_when_the_app_has_not_configured_logging(capsys: pytest.CaptureFixture[str]) -> None:
    """Retries log stamina.retry_scheduled through relaykit's silent logging, not structlog's stdout default."""
    fleet = Fleet()
    fleet.script("a", error(500), error(503))
    client = make_client(fleet, route("a/m"))
    assert ask(client).route.attempts == 3
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


@pytest.mark.usefixtures("fresh_stamina_hooks")
def test_stamina_hooks_the_application_chose_are_kept() -> None:
    """An application that set stamina's on-retry hooks keeps them: relaykit only fills in an unset default."""
    seen: list[int] = []
    instrumentation.set_on_retry_hooks([lambda details: seen.append(details.retry_num)])
    fleet = Fleet()
    fleet.script("a", error(500))
    client = make_client(fleet, route("a/m"))
    ask(client)
    assert seen == [1]
