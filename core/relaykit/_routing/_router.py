"""The router: the only retry loop, fallback across deployments, cooldown, observability.

For one request: plan the candidates (`_plan`), then for each in turn run attempts in a stamina
retry context — retryable failures (see `_decide`) retry the same deployment with backoff and
jitter, honouring Retry-After; the others, or retries used up, move on to the next deployment,
which is never the same one again. Attempts and time are bounded by the route's policy. Every
attempt is one ``relaykit.route.attempt`` event; moving on fires the ``on_fallback`` hook.
A streamed request counts as served only once content has arrived (see `_stream`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import stamina

from .._errors import AllDeploymentsFailedError, ConfigurationError, RelaykitError
from .._events import ErrorEvent, FallbackEvent
from .._log import log_event
from .._observe import Observer
from .._provider import Capability, Operation
from .._resolve import Resolver
from ._config import Route
from ._cooldown import CooldownRegistry, cooldowns
from ._decide import Decision, decide, is_bad_request, retry_wait
from ._instrument import quiet_stamina_hooks
from ._plan import Candidate, continued, plan
from ._stream import AsyncRoutedStream, RoutedStream, StreamStart, aread_until_content, read_until_content

__all__ = ["Router"]

SyncRun = Callable[[Candidate, float | None], Any]
AsyncRun = Callable[[Candidate, float | None], Awaitable[Any]]


class _ContinuedElsewhereError(RelaykitError):
    """Marks, in `failed`, a deployment whose stream broke and was continued elsewhere."""


class _MoveOn(Exception):  # noqa: N818 - internal control flow
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class _Request:
    """The bookkeeping of one routed request."""

    route: Route
    candidates: list[Candidate]
    stream: bool
    timeout: float | None
    started: float = field(default_factory=time.monotonic)
    attempts: int = 0
    failed: list[tuple[str, BaseException]] = field(default_factory=list)
    tries: int = 0
    """Attempts on the deployment being tried."""
    wait: float | bool = False
    """After a failed attempt: the wait before retrying the same deployment, or False to move on."""
    originals: list[Any] = field(default_factory=list)
    """Each candidate's request as planned, before any continuation rewrote it."""

    def __post_init__(self) -> None:
        self.originals = [candidate.request for candidate in self.candidates]

    def remaining(self) -> float:
        return self.route.policy.timeout - (time.monotonic() - self.started)

    def exhausted(self) -> bool:
        return self.attempts >= self.route.policy.max_attempts or self.remaining() <= 0

    def call_timeout(self, candidate: Candidate) -> float:
        """The read timeout of one attempt: the caller's (else the provider's), within the time left.

        For streams also the first-chunk deadline (which then bounds the wait between chunks too).
        """
        limits = [candidate.target.settings.timeout if self.timeout is None else self.timeout]
        limits.append(max(self.remaining(), 0.001))
        if self.stream:
            limits.append(self.route.policy.first_chunk_timeout)
        return min(limits)

    def continue_after(self, position: int, partial: Any) -> None:
        """Rewrite the remaining candidates' requests to continue `partial` (continuation mode)."""
        self.failed.append((self.candidates[position].deployment.model, _ContinuedElsewhereError()))
        for index in range(position + 1, len(self.candidates)):
            candidate = self.candidates[index]
            # `partial` holds all the text so far: continue the request as planned, not a rewritten one.
            self.candidates[index] = Candidate(
                candidate.deployment, candidate.target, continued(self.originals[index], partial)
            )

    def info(self, candidate: Candidate) -> dict[str, Any]:
        return {
            "route": self.route.name,
            "deployment": candidate.deployment.model,
            "attempts": self.attempts,
            "failed": [name for name, _ in self.failed],
        }


class Router:
    """Routes requests for the routes of one client's configuration."""

    def __init__(
        self,
        routes: dict[str, Route],
        resolver: Resolver,
        observer: Observer | None = None,
        registry: CooldownRegistry | None = None,
    ) -> None:
        self.routes = routes
        self._resolver = resolver
        self._observer = observer or Observer()
        self._cooldowns = registry or cooldowns()
        self._check_providers()
        if routes:
            quiet_stamina_hooks()

    def _check_providers(self) -> None:
        """A deployment naming no configured or registered provider fails when the client is built."""
        config, registry = self._resolver.config, self._resolver.registry
        for route in self.routes.values():
            for deployment in route.deployments:
                if deployment.provider not in config.providers and deployment.provider not in registry:
                    known = ", ".join(self._resolver.provider_names()) or "none registered"
                    raise ConfigurationError(
                        f"unknown provider {deployment.provider!r} (providers: {known})",
                        key=f"{route.key}.{deployment.index}" if route.key else f"routes.{route.name}",
                        path=config.path,
                    )

    def route_for(self, model: str | None) -> Route | None:
        return self.routes.get(model) if model else None

    def _start(
        self, route: Route, operation: Operation, request: Any, needs: Iterable[Capability], timeout: float | None
    ) -> _Request:
        candidates = plan(
            route, operation, request=request, needs=needs, resolver=self._resolver, cooldowns=self._cooldowns
        )
        return _Request(route, candidates, bool(getattr(request, "stream", False)), timeout)

    # -- sync ------------------------------------------------------------------------------------

    def run_sync(
        self,
        route: Route,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability],
        run: SyncRun,
        *,
        timeout: float | None = None,
        accumulator: Callable[[], Any] | None = None,
    ) -> Any:
        """Serve `request` through `route`, calling `run(candidate, timeout)` for each attempt."""
        state = self._start(route, operation, request, needs, timeout)
        position, candidate, result = self._serve_sync(state, run, 0)
        resume = None
        if state.stream and route.policy.continuation:

            def resume(partial: Any) -> tuple[StreamStart, dict[str, Any]]:
                nonlocal position
                state.continue_after(position, partial)
                position, candidate, start = self._serve_sync(state, run, position + 1)
                self._cooldowns.succeeded(route.cooldown_key(candidate.deployment))
                return start, state.info(candidate)

        return self._served(state, candidate, result, accumulator, resume)

    def _serve_sync(self, state: _Request, run: SyncRun, first: int) -> tuple[int, Candidate, Any]:
        for position in range(first, len(state.candidates)):
            if state.exhausted():
                break
            candidate = state.candidates[position]
            try:
                return position, candidate, self._try_sync(state, candidate, run)
            except _MoveOn as move:
                self._moved_on(state, position, move.error)
        raise self._give_up(state)

    def _try_sync(self, state: _Request, candidate: Candidate, run: SyncRun) -> Any:
        state.tries = 0
        try:
            for attempt in self._retrying(state):
                with attempt:
                    return self._attempt_sync(state, candidate, run)
        except RelaykitError as exc:
            self._failed(state, candidate, exc)
            raise _MoveOn(exc) from exc
        raise _MoveOn(RelaykitError("the time budget ran out before an attempt"))

    def _attempt_sync(self, state: _Request, candidate: Candidate, run: SyncRun) -> Any:
        state.attempts += 1
        state.tries += 1
        state.wait = False
        try:
            result = run(candidate, state.call_timeout(candidate))
            if state.stream:
                result = read_until_content(result)
        except RelaykitError as exc:
            self._attempt_failed(state, candidate, exc)
            raise
        self._log_attempt(state, candidate, "ok")
        return result

    # -- async -----------------------------------------------------------------------------------

    async def run_async(
        self,
        route: Route,
        operation: Operation,
        request: Any,
        needs: Iterable[Capability],
        run: AsyncRun,
        *,
        timeout: float | None = None,
        accumulator: Callable[[], Any] | None = None,
    ) -> Any:
        """The async twin of `run_sync`."""
        state = self._start(route, operation, request, needs, timeout)
        position, candidate, result = await self._serve_async(state, run, 0)
        resume = None
        if state.stream and route.policy.continuation:

            async def resume(partial: Any) -> tuple[StreamStart, dict[str, Any]]:
                nonlocal position
                state.continue_after(position, partial)
                position, candidate, start = await self._serve_async(state, run, position + 1)
                self._cooldowns.succeeded(route.cooldown_key(candidate.deployment))
                return start, state.info(candidate)

        return self._served(state, candidate, result, accumulator, resume)

    async def _serve_async(self, state: _Request, run: AsyncRun, first: int) -> tuple[int, Candidate, Any]:
        for position in range(first, len(state.candidates)):
            if state.exhausted():
                break
            candidate = state.candidates[position]
            try:
                return position, candidate, await self._try_async(state, candidate, run)
            except _MoveOn as move:
                self._moved_on(state, position, move.error)
        raise self._give_up(state)

    async def _try_async(self, state: _Request, candidate: Candidate, run: AsyncRun) -> Any:
        state.tries = 0
        try:
            async for attempt in self._retrying(state):
                with attempt:
                    return await self._attempt_async(state, candidate, run)
        except RelaykitError as exc:
            self._failed(state, candidate, exc)
            raise _MoveOn(exc) from exc
        raise _MoveOn(RelaykitError("the time budget ran out before an attempt"))

    async def _attempt_async(self, state: _Request, candidate: Candidate, run: AsyncRun) -> Any:
        state.attempts += 1
        state.tries += 1
        state.wait = False
        try:
            result = await run(candidate, state.call_timeout(candidate))
            if state.stream:
                result = await aread_until_content(result)
        except RelaykitError as exc:
            self._attempt_failed(state, candidate, exc)
            raise
        self._log_attempt(state, candidate, "ok")
        return result

    # -- shared ----------------------------------------------------------------------------------

    def _retrying(self, state: _Request) -> Any:
        policy = state.route.policy
        left = min(policy.retries + 1, policy.max_attempts - state.attempts)

        def backoff(exc: Exception) -> bool | float:
            # Decided (and logged) by `_attempt_failed` when the attempt failed.
            return state.wait

        # No stamina timeout: `_next_wait` keeps every wait, and `call_timeout` every attempt,
        # within the time left of the route's budget.
        return stamina.retry_context(
            on=backoff,
            attempts=max(left, 1),
            timeout=None,
            wait_initial=policy.backoff_initial,
            wait_max=policy.backoff_max,
            wait_jitter=policy.backoff_jitter,
        )

    @staticmethod
    def _next_wait(state: _Request, exc: RelaykitError) -> float | bool:
        """Seconds to wait before retrying the same deployment after `exc`, or False to move on."""
        policy = state.route.policy
        if decide(exc) is not Decision.RETRY or state.tries > policy.retries or state.exhausted():
            return False
        wait = retry_wait(exc, policy.max_retry_after)
        if wait is True:
            jitter = random.uniform(0, policy.backoff_jitter)  # noqa: S311 - jitter, not cryptography
            wait = min(policy.backoff_max, policy.backoff_initial * 2 ** (state.tries - 1) + jitter)
        if wait is False or wait >= state.remaining():
            return False
        return wait

    def _attempt_failed(self, state: _Request, candidate: Candidate, exc: RelaykitError) -> None:
        state.wait = self._next_wait(state, exc)
        decision = decide(exc)
        outcome = "retry" if state.wait is not False else Decision.MOVE_ON.value
        self._log_attempt(state, candidate, decision.value if decision is Decision.STOP else outcome, exc)
        self._observer.error(
            ErrorEvent(
                provider=candidate.target.provider,
                model=candidate.target.model,
                error=exc,
                route=state.route.name,
                attempt=state.attempts,
            )
        )

    def _failed(self, state: _Request, candidate: Candidate, exc: RelaykitError) -> None:
        """After a deployment's last failure: re-raise what must stop the request, else record it."""
        if decide(exc) is Decision.STOP:
            raise exc
        self._cooldowns.failed(
            state.route.cooldown_key(candidate.deployment),
            threshold=state.route.policy.cooldown_failures,
            cooldown=state.route.policy.cooldown,
        )
        state.failed.append((candidate.deployment.model, exc))

    def _moved_on(self, state: _Request, position: int, error: BaseException) -> None:
        remaining = state.candidates[position + 1 :]
        self._observer.fallback(
            FallbackEvent(
                route=state.route.name,
                from_deployment=state.candidates[position].deployment.model,
                to_deployment=remaining[0].deployment.model if remaining and not state.exhausted() else None,
                error=error,
                attempts=state.attempts,
            )
        )

    def _served(self, state: _Request, candidate: Candidate, result: Any, accumulator: Any, resume: Any) -> Any:
        self._cooldowns.succeeded(state.route.cooldown_key(candidate.deployment))
        info = state.info(candidate)
        if isinstance(result, StreamStart):
            wrapper = AsyncRoutedStream if result.is_async else RoutedStream
            return wrapper(result, info, accumulator() if accumulator else None, resume)
        if hasattr(result, "route") and hasattr(result, "model_copy"):
            from .._types._base import RouteInfo

            return result.model_copy(update={"route": RouteInfo(**info)})
        return result

    def _give_up(self, state: _Request) -> BaseException:
        if not state.failed:
            return AllDeploymentsFailedError(state.route.name, [], state.attempts)
        errors = state.failed
        if all(is_bad_request(error) for _, error in errors):
            # The request itself is invalid for every deployment: say so with the vendor's words.
            return errors[-1][1]
        return _chained(AllDeploymentsFailedError(state.route.name, errors, state.attempts), errors[-1][1])

    def _log_attempt(
        self, state: _Request, candidate: Candidate, outcome: str, exc: BaseException | None = None
    ) -> None:
        log_event(
            "relaykit.route.attempt",
            route=state.route.name,
            deployment=candidate.deployment.model,
            attempt=state.attempts,
            outcome=outcome,
            error_kind=type(exc).__name__ if exc is not None else None,
            retry_after=getattr(exc, "retry_after", None),
            wait=round(state.wait, 3) if outcome == "retry" else None,
            elapsed_ms=round((time.monotonic() - state.started) * 1000, 2),
        )


def _chained(error: AllDeploymentsFailedError, cause: BaseException) -> AllDeploymentsFailedError:
    error.__cause__ = cause
    return error
