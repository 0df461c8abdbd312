"""The stream contract of routed requests, sync and async, over real sockets with both emulators.

Before the first content chunk any failure falls back with no visible seam: the caller's chunks
are exactly the second deployment's. After content, the caller gets `StreamInterruptedError`
whose partial is exactly the text it received, naming the deployment that produced it; or, in
continuation mode, the next deployment goes on from that text sent as an assistant prefill.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any

import pytest
import stamina
import structlog

import relaykit
from relaykit._routing._cooldown import cooldowns
from relaykit.testing import Emulator, Fault
from relaykit_anthropic.emulator import AnthropicEmulator
from relaykit_openai.emulator import OpenAIEmulator

OPENAI = "openai/gpt-4o-mini"
CLAUDE = "anthropic/claude-sonnet-4-5"
MESSAGES = [{"role": "user", "content": "Tell me a story"}]
STORY = "Once upon a time a fox met a crow near the river bank"
BOTH = pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, Emulator]]:
    with OpenAIEmulator() as openai, AnthropicEmulator() as anthropic:
        yield {"openai": openai, "anthropic": anthropic}


@pytest.fixture(autouse=True)
def _fresh(emulators: dict[str, Emulator]) -> Iterator[None]:
    """Clean emulators, no sleeping between retries, no cooldown carried over."""
    for emulator in emulators.values():
        emulator.reset()
    cooldowns().clear()
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
    cooldowns().clear()
    settle(emulators.values())


def settle(emulators: Iterable[Emulator]) -> None:
    """Wait until every delayed answer is out, so that none takes the next test's scripted answer."""
    delayed = [
        r.received_at + r.fault.seconds
        for emu in emulators
        for r in emu.requests
        if r.fault is not None and r.fault.kind == "latency"
    ]
    if delayed:
        time.sleep(max(0.0, max(delayed) - time.monotonic()) + 0.05)


def make_client(emulators: dict[str, Emulator], deployments: list[str], *, aio: bool, **policy: Any) -> Any:
    providers = {name: {"api_key": "test-key", "base_url": emu.base_url} for name, emu in emulators.items()}
    routes = {"story": {"deployments": deployments, "retries": 0, **policy}}
    return make(providers, routes, aio=aio)


def make(providers: dict[str, Any], routes: dict[str, Any], *, aio: bool) -> Any:
    if aio:
        return relaykit.AsyncClient(providers=providers, routes=routes)
    return relaykit.Client(providers=providers, routes=routes)


async def done(value: Any) -> Any:
    return await value if isinstance(value, Awaitable) else value


async def open_stream(client: Any, model: str = "story", **params: Any) -> Any:
    params.setdefault("messages", MESSAGES)
    return await done(client.chat.completions.create(model=model, stream=True, **params))


async def chunks_of(stream: Any) -> AsyncIterator[relaykit.ChatCompletionChunk]:
    if hasattr(stream, "__aiter__"):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


async def read(stream: Any) -> tuple[list[relaykit.ChatCompletionChunk], BaseException | None]:
    """Every chunk the caller receives, and the error that ended the stream (None when it completed)."""
    received: list[relaykit.ChatCompletionChunk] = []
    try:
        async for chunk in chunks_of(stream):
            received.append(chunk)  # noqa: PERF401 - keep what arrived before the error
    except relaykit.RelaykitError as exc:
        return received, exc
    return received, None


def deltas(chunks: list[relaykit.ChatCompletionChunk]) -> list[tuple[Any, ...]]:
    """What the caller sees of each chunk: role, text, finish reason per choice."""
    return [
        tuple((c.delta.role, c.delta.content, c.finish_reason) for c in chunk.choices)
        for chunk in chunks
        if chunk.choices
    ]


def text(chunks: list[relaykit.ChatCompletionChunk]) -> str:
    return "".join(c.delta.content or "" for chunk in chunks for c in chunk.choices)


def roles(chunks: list[relaykit.ChatCompletionChunk]) -> int:
    return sum(1 for chunk in chunks for c in chunk.choices if c.delta.role)


def script(emulator: Emulator, answer: str) -> None:
    if isinstance(emulator, OpenAIEmulator):
        emulator.script_chat(answer)
    elif isinstance(emulator, AnthropicEmulator):
        emulator.script_message(answer)


def openai_status(emus: dict[str, Emulator]) -> None:
    emus["openai"].inject(Fault.status(500))


def claude_overloaded(emus: dict[str, Emulator]) -> None:
    emus["anthropic"].inject(Fault.status(529))


def claude_error_event(emus: dict[str, Emulator]) -> None:
    assert isinstance(emus["anthropic"], AnthropicEmulator)
    emus["anthropic"].inject_stream_error("overloaded_error", after_events=3)  # start, block start, ping


def openai_cut_before_content(emus: dict[str, Emulator]) -> None:
    emus["openai"].inject(Fault.cut_stream(after_events=1))  # the role chunk, half the first word


def claude_cut_before_content(emus: dict[str, Emulator]) -> None:
    emus["anthropic"].inject(Fault.cut_stream(after_events=3))


def openai_slow(emus: dict[str, Emulator]) -> None:
    emus["openai"].inject(Fault.latency(0.6))


def claude_slow(emus: dict[str, Emulator]) -> None:
    emus["anthropic"].inject(Fault.latency(0.6))


def openai_drop(emus: dict[str, Emulator]) -> None:
    emus["openai"].inject(Fault.drop())


def openai_malformed(emus: dict[str, Emulator]) -> None:
    emus["openai"].inject(Fault.malformed_json())


BEFORE_CONTENT: dict[str, tuple[str, Callable[[dict[str, Emulator]], None]]] = {
    "openai status": ("openai", openai_status),
    "openai drop": ("openai", openai_drop),
    "openai malformed": ("openai", openai_malformed),
    "openai cut": ("openai", openai_cut_before_content),
    "openai first-chunk deadline": ("openai", openai_slow),
    "claude 529": ("anthropic", claude_overloaded),
    "claude error event": ("anthropic", claude_error_event),
    "claude cut": ("anthropic", claude_cut_before_content),
    "claude first-chunk deadline": ("anthropic", claude_slow),
}
MODELS = {"openai": OPENAI, "anthropic": CLAUDE}
OTHER = {"openai": "anthropic", "anthropic": "openai"}


@BOTH
@pytest.mark.parametrize(("first", "fault"), list(BEFORE_CONTENT.values()), ids=list(BEFORE_CONTENT))
async def test_a_stream_dying_before_the_first_chunk_completes_on_the_next_deployment_without_a_seam(
    emulators: dict[str, Emulator], aio: bool, first: str, fault: Callable[[dict[str, Emulator]], None]
) -> None:
    """The caller's chunks are exactly the second deployment's: one role, its text once, its finish."""
    second = OTHER[first]
    client = make_client(emulators, [MODELS[first], MODELS[second]], aio=aio, first_chunk_timeout=0.3)
    script(emulators[second], STORY)
    reference, _ = await read(await open_stream(client, MODELS[second]))  # the second deployment, unrouted
    script(emulators[first], "a different answer that must never show")
    script(emulators[second], STORY)
    fault(emulators)
    stream = await open_stream(client)
    received, failure = await read(stream)
    assert failure is None
    assert deltas(received) == deltas(reference)
    assert (text(received), roles(received)) == (STORY, 1)
    assert stream.route == relaykit.RouteInfo(
        route="story", deployment=MODELS[second], attempts=2, failed=[MODELS[first]]
    )
    final = await done(stream.get_final_completion())
    assert (final.text, final.route) == (STORY, stream.route)
    await done(client.close())


@BOTH
async def test_a_stream_retried_on_the_same_deployment_shows_no_seam(emulators: dict[str, Emulator], aio: bool) -> None:
    """A cut before content retried on the same deployment: the caller sees one clean answer."""
    client = make_client(emulators, [OPENAI, CLAUDE], aio=aio, retries=2)
    emulators["openai"].script_chat("never shown at all")
    emulators["openai"].script_chat(STORY)
    emulators["openai"].inject(Fault.cut_stream(after_events=1))
    stream = await open_stream(client)
    received, failure = await read(stream)
    assert failure is None
    assert (text(received), roles(received)) == (STORY, 1)
    assert stream.route == relaykit.RouteInfo(route="story", deployment=OPENAI, attempts=2)
    assert emulators["anthropic"].requests == []
    await done(client.close())


AFTER_CONTENT: dict[str, tuple[str, Callable[[dict[str, Emulator]], None]]] = {
    "openai cut": ("openai", lambda emus: emus["openai"].inject(Fault.cut_stream(after_events=4))),
    "claude cut": ("anthropic", lambda emus: emus["anthropic"].inject(Fault.cut_stream(after_events=6))),
    "claude error event": (
        "anthropic",
        lambda emus: emus["anthropic"].inject_stream_error("overloaded_error", after_events=6),  # type: ignore[attr-defined]
    ),
}


@BOTH
@pytest.mark.parametrize(("first", "fault"), list(AFTER_CONTENT.values()), ids=list(AFTER_CONTENT))
async def test_a_stream_dying_after_content_raises_with_exactly_the_text_received(
    emulators: dict[str, Emulator], aio: bool, first: str, fault: Callable[[dict[str, Emulator]], None]
) -> None:
    """StreamInterruptedError: .partial holds exactly the caller's text and .deployment the first deployment."""
    second = OTHER[first]
    client = make_client(emulators, [MODELS[first], MODELS[second]], aio=aio)
    script(emulators[first], STORY)
    fault(emulators)
    stream = await open_stream(client)
    received, failure = await read(stream)
    assert isinstance(failure, relaykit.StreamInterruptedError)
    assert text(received)
    assert STORY.startswith(text(received))
    assert text(received) != STORY
    assert failure.partial.text == text(received)
    assert failure.deployment == MODELS[first]
    assert failure.partial.route.deployment == MODELS[first]
    assert isinstance(failure.__cause__, relaykit.APIError)
    assert emulators[second].requests == []  # no silent retry after content
    await done(client.close())


@BOTH
async def test_the_final_completion_of_an_interrupted_stream_raises_too(
    emulators: dict[str, Emulator], aio: bool
) -> None:
    """get_final_completion() on a stream broken after content raises the same interruption."""
    client = make_client(emulators, [OPENAI, CLAUDE], aio=aio)
    emulators["openai"].script_chat(STORY)
    emulators["openai"].inject(Fault.cut_stream(after_events=3))
    stream = await open_stream(client)
    with pytest.raises(relaykit.StreamInterruptedError) as caught:
        await done(stream.get_final_completion())
    assert caught.value.partial.text == "Once upon"
    with pytest.raises(relaykit.StreamInterruptedError):  # asked again: still no partial passed off as final
        await done(stream.get_final_completion())
    await done(client.close())


# -- continuation mode -------------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("first", ["openai", "anthropic"])
async def test_continuation_resumes_on_the_next_deployment_from_an_assistant_prefill(
    emulators: dict[str, Emulator], aio: bool, first: str
) -> None:
    """With continuation on, the next deployment gets the partial text as a final assistant message."""
    second = OTHER[first]
    client = make_client(emulators, [MODELS[first], MODELS[second]], aio=aio, continuation=True)
    script(emulators[first], STORY)
    emulators[first].inject(Fault.cut_stream(after_events=4 if first == "openai" else 6))
    script(emulators[second], " a crow near the river bank")
    stream = await open_stream(client)
    with structlog.testing.capture_logs() as logs:
        received, failure = await read(stream)
    assert failure is None
    partial = "Once upon a"
    sent = emulators[second].last_request.json()["messages"]
    assert sent[:-1] == MESSAGES
    assert sent[-1] == {"role": "assistant", "content": partial}
    assert text(received) == partial + " a crow near the river bank"
    assert roles(received) == 1
    assert stream.route == relaykit.RouteInfo(
        route="story", deployment=MODELS[second], attempts=2, failed=[MODELS[first]]
    )
    (continued,) = (e for e in logs if e["event"] == "relaykit.route.continued")
    assert (continued["interrupted"], continued["continued_on"]) == (MODELS[first], MODELS[second])
    final = await done(stream.get_final_completion())
    assert final.text == text(received)
    await done(client.close())


@BOTH
async def test_a_second_continuation_sends_all_the_text_so_far_once(emulators: dict[str, Emulator], aio: bool) -> None:
    """Interrupted twice: the third deployment's prefill is the whole text received, not the pieces."""
    with OpenAIEmulator() as backup:
        providers = {name: {"api_key": "test-key", "base_url": emu.base_url} for name, emu in emulators.items()}
        providers["backup"] = {"kind": "openai", "api_key": "test-key", "base_url": backup.base_url}
        routes = {"story": {"deployments": [OPENAI, "backup/gpt-4o", CLAUDE], "retries": 0, "continuation": True}}
        client = make(providers, routes, aio=aio)
        emulators["openai"].script_chat("one two three")
        emulators["openai"].inject(Fault.cut_stream(after_events=3))
        backup.script_chat(" three four five")
        backup.inject(Fault.cut_stream(after_events=3))
        emulators["anthropic"].script_message(" five six")
        stream = await open_stream(client)
        received, failure = await read(stream)
        assert failure is None
        assert text(received) == "one two three four five six"
        assert backup.last_request.json()["messages"][-1] == {"role": "assistant", "content": "one two"}
        sent = emulators["anthropic"].last_request.json()["messages"]
        assert sent == [*MESSAGES, {"role": "assistant", "content": "one two three four"}]
        assert stream.route.failed == [OPENAI, "backup/gpt-4o"]
        await done(client.close())


@BOTH
async def test_continuation_with_no_deployment_left_raises_the_interruption(
    emulators: dict[str, Emulator], aio: bool
) -> None:
    """When nothing can continue, the caller gets the StreamInterruptedError with exactly its text."""
    client = make_client(emulators, [OPENAI, CLAUDE], aio=aio, continuation=True)
    emulators["openai"].script_chat(STORY)
    emulators["openai"].inject(Fault.cut_stream(after_events=3))
    emulators["anthropic"].inject(Fault.status(401))
    received, failure = await read(await open_stream(client))
    assert isinstance(failure, relaykit.StreamInterruptedError)
    assert failure.partial.text == text(received) == "Once upon"
    assert failure.deployment == OPENAI
    assert isinstance(failure.__cause__, relaykit.AllDeploymentsFailedError)
    await done(client.close())


@BOTH
async def test_a_tool_call_cannot_be_continued(emulators: dict[str, Emulator], aio: bool) -> None:
    """A stream cut inside a tool call raises the interruption even in continuation mode; nothing else is asked."""
    client = make_client(emulators, [OPENAI, CLAUDE], aio=aio, continuation=True)
    emulators["openai"].script_chat(tool_calls=[{"name": "lookup", "arguments": {"query": "a fairly long query"}}])
    emulators["openai"].inject(Fault.cut_stream(after_events=3))
    received, failure = await read(await open_stream(client))
    assert isinstance(failure, relaykit.StreamInterruptedError)
    assert failure.partial.choices[0].message.tool_calls
    assert isinstance(failure.__cause__, relaykit.InvalidRequestError)
    assert received
    assert emulators["anthropic"].requests == []
    await done(client.close())


@BOTH
async def test_a_routed_stream_exposes_the_answering_response(emulators: dict[str, Emulator], aio: bool) -> None:
    """Like a plain Stream, a routed one has response and request_id (of the deployment that answered)."""
    client = make_client(emulators, [OPENAI, CLAUDE], aio=aio)
    emulators["openai"].inject(Fault.status(500))
    stream = await open_stream(client)
    await read(stream)
    assert stream.response.status == 200
    assert stream.request_id is not None
    assert stream.request_id.startswith("req_emu_")
    await done(client.close())
