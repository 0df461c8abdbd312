"""Chaos: hypothesis-generated fault schedules over real sockets, sync and async.

A route of four deployments, each on its own emulator (OpenAI, Anthropic, OpenAI, Anthropic). For
every generated example one deployment is healthy; each of the others fails a drawn share (up to
50%) of the requests it receives, with a run of one to three faults (its attempts), drawn from: 429 with a short or a too-long Retry-After, 500,
529, a delay beyond the attempt timeout, a dropped connection, a malformed body, and streams cut
before or after their first content. The budget (max_attempts) leaves room for every faulty
deployment's retries and then the healthy one. Properties, read off the emulators' request records:

- every request completes — or, when a stream was cut after content reached the caller, raises
  exactly `StreamInterruptedError` whose partial is exactly the text received;
- streamed text is never duplicated (nor truncated: it is exactly the answer);
- a deployment given up is never picked again within the request;
- attempts never exceed the budget, nor the retries of one deployment;
- the result's `route` tells which deployment answered, after how many attempts, and who failed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import stamina
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import relaykit
from relaykit._routing._cooldown import cooldowns
from relaykit.testing import Emulator, Fault, RecordedRequest
from relaykit_anthropic.emulator import AnthropicEmulator
from relaykit_openai.emulator import OpenAIEmulator

VENDORS = ("openai", "anthropic", "openai", "anthropic")
MODELS = ("gpt-4o-mini", "claude-sonnet-4-5", "gpt-4o", "claude-haiku-4-5")
DEPLOYMENTS = tuple(f"d{index}/{model}" for index, model in enumerate(MODELS))
PATHS = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
RETRIES = 2
BUDGET = (RETRIES + 1) * (len(DEPLOYMENTS) - 1) + 1
FAULTY_TIMEOUT = 0.2
"""The read timeout of faulty deployments: a `timeout` fault delays its answer beyond it."""
MAX_TIMEOUTS = 2
"""Timeout faults per example (each costs FAULTY_TIMEOUT of wall time): bounds the run time."""
PROMPTS = ("Hello", "Tell me a story", "你好，世界", "Route this request somewhere healthy")
KINDS = ("429", "429-long", "500", "529", "timeout", "drop", "malformed", "cut-before", "cut-after")
# Stream events sent before the first content: OpenAI's role chunk; Anthropic's message_start,
# content_block_start and ping.
OPENING_EVENTS = {"openai": 1, "anthropic": 3}


@pytest.fixture(scope="module")
def emulators() -> Iterator[list[Emulator]]:
    with OpenAIEmulator() as o0, AnthropicEmulator() as a1, OpenAIEmulator() as o2, AnthropicEmulator() as a3:
        yield [o0, a1, o2, a3]


def fault_for(kind: str, vendor: str) -> Fault:
    """The emulator fault for `kind` on a deployment speaking `vendor`."""
    opening = OPENING_EVENTS[vendor]
    faults = {
        "429": Fault.status(429, retry_after=0.5),
        "429-long": Fault.status(429, retry_after=120),  # beyond max_retry_after: move on
        "500": Fault.status(500),
        "529": Fault.status(529),
        "timeout": Fault.latency(FAULTY_TIMEOUT * 2),
        "drop": Fault.drop(),
        "malformed": Fault.malformed_json(),
        "cut-before": Fault.cut_stream(after_events=opening),
        "cut-after": Fault.cut_stream(after_events=opening + 2),
    }
    return faults[kind]


@dataclass(frozen=True)
class Request:
    """One request of an example and its fault schedule: deployment index -> faults of its attempts."""

    prompt: str
    stream: bool
    faults: dict[int, list[str]]


@dataclass(frozen=True)
class Example:
    healthy: int
    requests: list[Request]


@st.composite
def examples(draw: st.DrawFn) -> Example:
    """One healthy deployment; each other one fails up to 50% of its requests, with a run of 1-3 faults."""
    healthy = draw(st.sampled_from([0, 1, 2, 3, 3]))
    rates = {index: draw(st.sampled_from([10, 25, 50, 50])) for index in range(len(DEPLOYMENTS)) if index != healthy}
    requests = []
    timeouts = 0
    for _ in range(draw(st.integers(1, 3))):
        faults: dict[int, list[str]] = {}
        for index, rate in rates.items():
            failing = draw(st.integers(0, 99)) < rate
            # A deployment gets at most RETRIES + 1 attempts; after a shorter run of faults it answers.
            run = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=RETRIES + 1)) if failing else []
            for position, kind in enumerate(run):
                timeouts += kind == "timeout"
                if kind == "timeout" and timeouts > MAX_TIMEOUTS:
                    run[position] = draw(st.sampled_from([k for k in KINDS if k != "timeout"]))
            faults[index] = run
        requests.append(Request(draw(st.sampled_from(PROMPTS)), draw(st.booleans()), faults))
    return Example(healthy, requests)


def client_config(emulators: list[Emulator], healthy: int) -> dict[str, Any]:
    providers = {
        f"d{index}": {
            "kind": VENDORS[index],
            "api_key": "test-key",
            "base_url": emu.base_url,
            "timeout": 10.0 if index == healthy else FAULTY_TIMEOUT,
        }
        for index, emu in enumerate(emulators)
    }
    policy = {"retries": RETRIES, "max_attempts": BUDGET, "timeout": 30.0, "cooldown": 0, "max_retry_after": 5}
    return {"providers": providers, "routes": {"chaos": {"deployments": list(DEPLOYMENTS), **policy}}}


@dataclass
class Outcome:
    text: str
    roles: int
    finishes: int
    route: relaykit.RouteInfo | None
    error: BaseException | None


def inject(emulators: list[Emulator], request: Request) -> list[int]:
    for index, run in request.faults.items():
        for kind in run:
            emulators[index].inject(fault_for(kind, VENDORS[index]), path=PATHS[VENDORS[index]], times=1)
    return [len(emu.requests) for emu in emulators]


def attempts_since(emulators: list[Emulator], marks: list[int], outcome: Outcome) -> list[tuple[int, RecordedRequest]]:
    """(deployment index, request) of every attempt since `marks`, in the order they arrived.

    An attempt that timed out before its emulator read it is recorded a moment later: wait (a
    little) until every attempt the router counted is on record.
    """
    for emu in emulators:
        emu.clear_faults()  # the unused rest of this request's schedule
    route = outcome.route if outcome.error is None else getattr(outcome.error.partial, "route", None)
    counted = route.attempts if route is not None else 0
    deadline = time.monotonic() + 2.0
    while True:
        arrived = [
            (r.received_at, index, r) for index, emu in enumerate(emulators) for r in emu.requests[marks[index] :]
        ]
        if len(arrived) >= counted or time.monotonic() > deadline:
            return [(index, record) for _, index, record in sorted(arrived, key=lambda item: item[0])]
        time.sleep(0.01)


def collect(chunks: list[relaykit.ChatCompletionChunk], route: Any, error: BaseException | None) -> Outcome:
    deltas = [choice.delta for chunk in chunks for choice in chunk.choices]
    finishes = sum(1 for chunk in chunks for choice in chunk.choices if choice.finish_reason)
    text = "".join(delta.content or "" for delta in deltas)
    return Outcome(text, sum(1 for delta in deltas if delta.role), finishes, route, error)


def ask_sync(client: relaykit.Client, request: Request) -> Outcome:
    messages = [{"role": "user", "content": request.prompt}]
    if not request.stream:
        answer = client.chat.completions.create(model="chaos", messages=messages)
        return Outcome(answer.text, 1, 1, answer.route, None)
    stream = client.chat.completions.create(model="chaos", messages=messages, stream=True)
    chunks: list[relaykit.ChatCompletionChunk] = []
    try:
        for chunk in stream:
            chunks.append(chunk)  # noqa: PERF402 - keep what arrived before an error
    except relaykit.StreamInterruptedError as exc:
        return collect(chunks, stream.route, exc)
    return collect(chunks, stream.route, None)


async def ask_async(client: relaykit.AsyncClient, request: Request) -> Outcome:
    messages = [{"role": "user", "content": request.prompt}]
    if not request.stream:
        answer = await client.chat.completions.create(model="chaos", messages=messages)
        return Outcome(answer.text, 1, 1, answer.route, None)
    stream = await client.chat.completions.create(model="chaos", messages=messages, stream=True)
    chunks: list[relaykit.ChatCompletionChunk] = []
    try:
        async for chunk in stream:
            chunks.append(chunk)  # noqa: PERF401 - keep what arrived before an error
    except relaykit.StreamInterruptedError as exc:
        return collect(chunks, stream.route, exc)
    return collect(chunks, stream.route, None)


def check(request: Request, outcome: Outcome, attempts: list[tuple[int, RecordedRequest]]) -> None:
    """The chaos properties for one request (see the module docstring)."""
    expected = f"You said: {request.prompt}"
    order = [index for index, _ in attempts]
    runs = [index for position, index in enumerate(order) if position == 0 or order[position - 1] != index]
    assert len(runs) == len(set(runs)), f"a deployment was picked again: {order}"
    assert 1 <= len(order) <= BUDGET, f"{len(order)} attempts for a budget of {BUDGET}"
    assert all(order.count(index) <= RETRIES + 1 for index in runs), f"too many retries: {order}"
    last_index, last = attempts[-1]
    event(f"attempts: {len(order)}")
    event(f"deployments tried: {len(runs)}")
    event("interrupted after content" if outcome.error is not None else f"served by d{last_index}")
    if outcome.error is not None:
        # Only a stream cut after content reached the caller may end a request without an answer.
        assert isinstance(outcome.error, relaykit.StreamInterruptedError), repr(outcome.error)
        assert request.stream
        assert last.fault is not None
        assert (last.fault.kind, last.fault.after_events) == ("cut_stream", OPENING_EVENTS[VENDORS[last_index]] + 2)
        assert outcome.error.deployment == DEPLOYMENTS[last_index]
        assert outcome.error.partial.text == outcome.text, "the partial is not exactly what the caller received"
        assert outcome.text
        assert expected.startswith(outcome.text)
        assert outcome.text != expected
        assert outcome.roles <= 1
        return
    assert outcome.text == expected, f"streamed text duplicated or cut: {outcome.text!r}"
    assert (outcome.roles, outcome.finishes) == (1, 1)
    assert last.fault is None, f"served by an attempt that carried {last.fault}"
    assert outcome.route == relaykit.RouteInfo(
        route="chaos",
        deployment=DEPLOYMENTS[last_index],
        attempts=len(order),
        failed=[DEPLOYMENTS[i] for i in runs[:-1]],
    )


CHAOS = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _no_sleep() -> Iterator[None]:
    cooldowns().clear()
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
    cooldowns().clear()


@pytest.fixture(scope="module")
def portal() -> Iterator[BlockingPortal]:
    """One event loop for every async example (an AsyncClient belongs to the loop it ran on)."""
    with start_blocking_portal("asyncio") as running:
        yield running


@pytest.fixture
def sync_clients(emulators: list[Emulator]) -> Iterator[dict[int, relaykit.Client]]:
    """One client per healthy deployment, built on first use and shared by the examples of a test."""
    clients: dict[int, relaykit.Client] = {}
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def async_clients(emulators: list[Emulator], portal: BlockingPortal) -> Iterator[dict[int, relaykit.AsyncClient]]:
    """The async twin of `sync_clients`, on the module's event loop."""
    clients: dict[int, relaykit.AsyncClient] = {}
    yield clients
    for client in clients.values():
        portal.call(client.close)


@CHAOS
@given(example=examples())
def test_chaos_sync(emulators: list[Emulator], sync_clients: dict[int, relaykit.Client], example: Example) -> None:
    """Sync client: every request completes (or is exactly interrupted after content); no re-pick; budget kept."""
    if example.healthy not in sync_clients:
        sync_clients[example.healthy] = relaykit.Client(**client_config(emulators, example.healthy))
    client = sync_clients[example.healthy]
    for request in example.requests:
        marks = inject(emulators, request)
        outcome = ask_sync(client, request)
        check(request, outcome, attempts_since(emulators, marks, outcome))


@CHAOS
@given(example=examples())
def test_chaos_async(
    emulators: list[Emulator],
    async_clients: dict[int, relaykit.AsyncClient],
    portal: BlockingPortal,
    example: Example,
) -> None:
    """Async client (on each async HTTP backend): the same properties."""

    async def main() -> list[tuple[Outcome, list[tuple[int, RecordedRequest]]]]:
        if example.healthy not in async_clients:
            async_clients[example.healthy] = relaykit.AsyncClient(**client_config(emulators, example.healthy))
        client = async_clients[example.healthy]
        results = []
        for request in example.requests:
            marks = inject(emulators, request)
            outcome = await ask_async(client, request)
            results.append((outcome, attempts_since(emulators, marks, outcome)))
        return results

    # Checked here, on the test's thread (hypothesis records events per thread).
    for request, (outcome, attempts) in zip(example.requests, portal.call(main), strict=True):
        check(request, outcome, attempts)
