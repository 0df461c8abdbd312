"""One chat, written once against the normalized API, behaves the same on OpenAI and on Claude.

The scenario streams a question carrying an image and a tool, gets a text block followed by two
parallel tool calls, answers both calls, and gets a text answer. It runs through the public sync
and async clients against the OpenAI and the Anthropic emulators; only the model string changes.
The streamed tool calls must be indexed 0 and 1 although a text block precedes them (Claude counts
that block in its own event indexes; the normalized index counts tool calls only).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import anyio
import pytest

import relaykit
from relaykit_anthropic.emulator import AnthropicEmulator
from relaykit_openai.emulator import OpenAIEmulator

MODELS = ("openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5")
PREAMBLE = "Let me check both cities."
CALLS = [
    {"name": "get_weather", "arguments": {"city": "Paris"}},
    {"name": "get_weather", "arguments": {"city": "北京"}},
]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
# A 1x1 transparent PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


async def _done(value: Any) -> Any:
    """`value`, awaited when the async client returned an awaitable (the sync client's result as is)."""
    if isinstance(value, Awaitable):
        return await value
    return value


async def _chunks(stream: Any) -> AsyncIterator[relaykit.ChatCompletionChunk]:
    """The chunks of a sync `Stream` or an `AsyncStream`."""
    if isinstance(stream, relaykit.AsyncStream):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


async def scenario(client: relaykit.Client | relaykit.AsyncClient, model: str) -> dict[str, Any]:
    """Ask with an image and a tool (streamed), answer the two tool calls, and return the normalized shape."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are terse."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is the weather in Paris and 北京? The picture shows one of them."},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
            ],
        },
    ]
    stream = await _done(
        client.chat.completions.create(
            model=model,
            messages=messages,
            tools=[WEATHER],
            max_tokens=512,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    chunks = [chunk async for chunk in _chunks(stream)]
    final: relaykit.ChatCompletion = await _done(stream.get_final_completion())
    deltas = [call for chunk in chunks for choice in chunk.choices for call in choice.delta.tool_calls or ()]
    choice = final.choices[0]
    calls = choice.message.tool_calls or []
    assert final.usage is not None
    assert final.usage.total_tokens > 0

    results = [{"role": "tool", "tool_call_id": call.id, "content": f"{call.function.name}: 18°C"} for call in calls]
    assistant = {"role": "assistant", "content": choice.message.content, "tool_calls": [c.model_dump() for c in calls]}
    answer: relaykit.ChatCompletion = await _done(
        client.chat.completions.create(
            model=model, messages=[*messages, assistant, *results], tools=[WEATHER], max_tokens=512
        )
    )
    return {
        "streamed_text": "".join(chunk.text for chunk in chunks),
        "text": choice.message.content,
        "opening_indexes": [delta.index for delta in deltas if delta.id is not None],
        "fragment_indexes": sorted({delta.index for delta in deltas}),
        "calls": [(call.function.name, json.loads(call.function.arguments)) for call in calls],
        "ids_unique": len({call.id for call in calls}) == len(calls),
        "finish_reason": choice.finish_reason,
        "answer_starts": answer.text.startswith("The tool returned: "),
        "answer_finish_reason": answer.choices[0].finish_reason,
        "answer_tool_calls": answer.choices[0].message.tool_calls,
    }


EXPECTED = {
    "streamed_text": PREAMBLE,
    "text": PREAMBLE,
    "opening_indexes": [0, 1],
    "fragment_indexes": [0, 1],
    "calls": [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "北京"})],
    "ids_unique": True,
    "finish_reason": "tool_calls",
    "answer_starts": True,
    "answer_finish_reason": "stop",
    "answer_tool_calls": None,
}


@pytest.fixture(scope="module")
def emulators() -> Iterator[tuple[OpenAIEmulator, AnthropicEmulator]]:
    with OpenAIEmulator() as openai_emu, AnthropicEmulator() as anthropic_emu:
        yield openai_emu, anthropic_emu


@pytest.fixture
def providers(emulators: tuple[OpenAIEmulator, AnthropicEmulator]) -> dict[str, dict[str, Any]]:
    """Both providers in one configuration; each emulator scripted to answer text, then two tool calls."""
    openai_emu, anthropic_emu = emulators
    openai_emu.reset()
    anthropic_emu.reset()
    openai_emu.script_chat(PREAMBLE, tool_calls=CALLS)
    anthropic_emu.script_message(PREAMBLE, tool_calls=CALLS)
    return {
        "openai": {"api_key": "test-key", "base_url": openai_emu.base_url},
        "anthropic": {"api_key": "test-key", "base_url": anthropic_emu.base_url},
    }


def _check_claude_wire(anthropic_emu: AnthropicEmulator) -> None:
    """What Claude received: a base64 image block, and both tool results grouped in one user turn."""
    first, second = (request.json() for request in anthropic_emu.requests)
    image = first["messages"][0]["content"][1]
    assert image == {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
    assert first["system"] in ("You are terse.", [{"type": "text", "text": "You are terse."}])
    last = second["messages"][-1]
    assert last["role"] == "user"
    assert [block["type"] for block in last["content"]] == ["tool_result", "tool_result"]


def test_sync_client_gives_the_same_shape_on_openai_and_claude(
    providers: dict[str, dict[str, Any]], emulators: tuple[OpenAIEmulator, AnthropicEmulator]
) -> None:
    """Through relaykit.Client the scenario's normalized result is identical for both models."""
    with relaykit.Client(providers=providers) as client:
        shapes = [anyio.run(scenario, client, model) for model in MODELS]
    assert shapes == [EXPECTED, EXPECTED]
    _check_claude_wire(emulators[1])


@pytest.mark.anyio
async def test_async_client_gives_the_same_shape_on_openai_and_claude(
    providers: dict[str, dict[str, Any]], emulators: tuple[OpenAIEmulator, AnthropicEmulator]
) -> None:
    """Through relaykit.AsyncClient the scenario's normalized result is identical for both models."""
    async with relaykit.AsyncClient(providers=providers) as client:
        shapes = [await scenario(client, model) for model in MODELS]
    assert shapes == [EXPECTED, EXPECTED]
    _check_claude_wire(emulators[1])


@pytest.mark.anyio
async def test_generated_claude_tool_call_after_text_is_index_zero(
    emulators: tuple[OpenAIEmulator, AnthropicEmulator],
) -> None:
    """Unscripted, Claude's text-then-tool_use stream yields one tool call at index 0, not 1."""
    anthropic_emu = emulators[1]
    anthropic_emu.reset()
    providers = {"anthropic": {"api_key": "test-key", "base_url": anthropic_emu.base_url}}
    async with relaykit.AsyncClient(providers=providers) as client:
        stream = await client.chat.completions.create(
            model=MODELS[1], messages=[{"role": "user", "content": "Weather?"}], tools=[WEATHER], stream=True
        )
        chunks = [chunk async for chunk in stream]
        final = await stream.get_final_completion()
    indexes = {call.index for chunk in chunks for choice in chunk.choices for call in choice.delta.tool_calls or ()}
    assert indexes == {0}
    assert final.text == "I'll use the get_weather tool."
    assert final.choices[0].message.tool_calls is not None
    assert json.loads(final.choices[0].message.tool_calls[0].function.arguments) == {"city": "example"}
