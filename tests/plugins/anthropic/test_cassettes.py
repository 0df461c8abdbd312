"""Recorded Claude exchanges replayed through the public sync and async clients (one cassette each)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import pytest

import relaykit
from relaykit.testing._cassettes import use_cassette

from ...cassette_support import CASSETTES

pytestmark = pytest.mark.cassette

# Tests replay with a fake key; the recorded x-api-key header is filtered anyway.
PROVIDERS = {"anthropic": {"api_key": "sk-ant-test-0123456789"}}
MODEL = "anthropic/claude-sonnet-4-5"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
# A JPEG (its bytes start FF D8 FF) sent under a PNG data URI.
JPEG_AS_PNG = (
    "data:image/png;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIx"
    "wcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAA"
    "D8AKp//2Q=="
)

T = TypeVar("T")


def replay_sync(cassette: str, scenario: Callable[[relaykit.Client], T]) -> T:
    """Run `scenario` with a sync client configured for Claude while `cassette` is replayed."""
    with use_cassette(CASSETTES / cassette), relaykit.Client(providers=PROVIDERS) as client:
        return scenario(client)


def replay_async(cassette: str, scenario: Callable[[relaykit.AsyncClient], Awaitable[T]]) -> T:
    """Run `scenario` with an async client configured for Claude while the same `cassette` is replayed."""

    async def main() -> T:
        async with relaykit.AsyncClient(providers=PROVIDERS) as client:
            return await scenario(client)

    with use_cassette(CASSETTES / cassette):
        result: Any = anyio.run(main)
        return result  # type: ignore[no-any-return]


def both(
    cassette: str, params: dict[str, Any]
) -> list[tuple[list[relaykit.ChatCompletionChunk], relaykit.ChatCompletion]]:
    """The chunks and assembled completion of one streamed chat, from the sync then the async client."""

    def run_sync(c: relaykit.Client) -> tuple[list[relaykit.ChatCompletionChunk], relaykit.ChatCompletion]:
        stream = c.chat.completions.create(**params)
        chunks = list(stream)
        return chunks, stream.get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> tuple[list[relaykit.ChatCompletionChunk], relaykit.ChatCompletion]:
        stream = await c.chat.completions.create(**params)
        chunks = [chunk async for chunk in stream]
        return chunks, await stream.get_final_completion()

    return [replay_sync(cassette, run_sync), replay_async(cassette, run_async)]


def test_plain_message_replays_sync_and_async() -> None:
    """System lifted, Chinese answer, usage summed and request id kept, identically from both clients."""
    params: dict[str, Any] = {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "用一句话介绍巴黎。"},
        ],
        "temperature": 0.2,
        "max_tokens": 64,
    }

    async def run(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        answer: relaykit.ChatCompletion = await c.chat.completions.create(**params)
        return answer

    for result in (
        replay_sync("anthropic/messages/plain.yaml", lambda c: c.chat.completions.create(**params)),
        replay_async("anthropic/messages/plain.yaml", run),
    ):
        assert result.text == "巴黎是法国首都，以埃菲尔铁塔、卢浮宫和塞纳河畔风光闻名。"
        assert result.choices[0].finish_reason == "stop"
        assert result.model == "claude-sonnet-4-5-20250929"
        assert result.provider == "anthropic"
        assert result.request_id == "req_011CVm4TqPz8RkYd2WnL6sBx"
        assert result.usage is not None
        assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (23, 31, 54)


def test_stream_text_then_two_tools_indexes_tool_calls_from_zero() -> None:
    """A text block then two tool_use blocks stream as text and tool calls 0 and 1, with usage."""
    params: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Weather in Paris and 北京?"}],
        "tools": [WEATHER],
        "max_tokens": 512,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    for chunks, final in both("anthropic/messages/stream_text_then_tools.yaml", params):
        openings = [
            (call.index, call.id)
            for chunk in chunks
            for choice in chunk.choices
            for call in choice.delta.tool_calls or ()
            if call.id is not None
        ]
        assert openings == [(0, "toolu_01Vd5QmXr8KcH2tWn6LyBz3P"), (1, "toolu_01Gx7NtPw4BzK9cRm2QsVh6L")]
        assert "".join(chunk.text for chunk in chunks) == "I'll check the weather in both cities."
        choice = final.choices[0]
        assert choice.message.content == "I'll check the weather in both cities."
        calls = choice.message.tool_calls or []
        assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
            ("get_weather", {"city": "Paris"}),
            ("get_weather", {"city": "北京"}),
        ]
        assert choice.finish_reason == "tool_calls"
        assert chunks[-1].choices == []
        assert final.usage is not None
        assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (412, 97)
        assert final.request_id == "req_011CVm5Hc2WqLs8NfT4kYp7R"


def test_thinking_stream_keeps_reasoning_and_its_signature() -> None:
    """reasoning_effort turns thinking on; thinking deltas become reasoning_content and a signed ReasoningPart."""
    params: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Is 1001 a prime number? One sentence."}],
        "reasoning_effort": "minimal",
        "max_tokens": 2048,
        "stream": True,
    }
    thinking = "1001 = 7 × 143, and 143 = 11 × 13, so 1001 is composite."
    for chunks, final in both("anthropic/messages/thinking_stream.yaml", params):
        assert "".join(c.choices[0].delta.reasoning_content or "" for c in chunks if c.choices) == thinking
        message = final.choices[0].message
        assert message.content == "No: 1001 is not prime, because 1001 = 7 × 11 × 13."
        assert message.reasoning_content == thinking
        assert message.reasoning is not None
        [part] = message.reasoning
        assert (part.text, part.provider) == (thinking, "anthropic")
        assert part.signature is not None
        assert part.signature.startswith("EqMBCkgIBxAB")
        assert final.choices[0].finish_reason == "stop"


def test_overloaded_error_event_mid_stream_raises_overloaded_error() -> None:
    """An overloaded_error event after some text raises OverloadedError (retryable), not a clean end."""
    params: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Write a haiku about autumn."}],
        "max_tokens": 256,
        "stream": True,
    }
    received: list[list[str]] = [[], []]

    def run_sync(c: relaykit.Client) -> None:
        for chunk in c.chat.completions.create(**params):
            received[0].append(chunk.text)

    async def run_async(c: relaykit.AsyncClient) -> None:
        async for chunk in await c.chat.completions.create(**params):
            received[1].append(chunk.text)

    with pytest.raises(relaykit.OverloadedError) as sync_error:
        replay_sync("anthropic/messages/overloaded_in_stream.yaml", run_sync)
    with pytest.raises(relaykit.OverloadedError) as async_error:
        replay_async("anthropic/messages/overloaded_in_stream.yaml", run_async)
    for texts, error in zip(received, (sync_error.value, async_error.value), strict=True):
        assert "".join(texts) == "Crimson leaves drift down"
        assert error.code == "overloaded_error"
        assert error.retryable
        assert error.request_id == "req_011CVm7Kd4XsWp8RbN3qTz6F"
        assert error.provider == "anthropic"


def test_invalid_request_replays_as_bad_request_error() -> None:
    """A 400 invalid_request_error raises BadRequestError with the message, type as code, and request id."""
    params: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 256,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this picture?"},
                    {"type": "image_url", "image_url": {"url": JPEG_AS_PNG}},
                ],
            }
        ],
    }

    async def run(c: relaykit.AsyncClient) -> object:
        return await c.chat.completions.create(**params)

    with pytest.raises(relaykit.BadRequestError) as sync_error:
        replay_sync("anthropic/messages/invalid_request.yaml", lambda c: c.chat.completions.create(**params))
    with pytest.raises(relaykit.BadRequestError) as async_error:
        replay_async("anthropic/messages/invalid_request.yaml", run)
    for error in (sync_error.value, async_error.value):
        assert type(error) is relaykit.BadRequestError
        assert (error.status, error.code) == (400, "invalid_request_error")
        assert "appears to be a image/jpeg image" in str(error)
        assert error.request_id == "req_011CVm8Qw5NzRt2LkP9xYb4C"
        assert not error.retryable


def test_legacy_claude_2_chat_and_streamed_completion_replay() -> None:
    """claude-2.1 chat renders the Human/Assistant prompt; claude-instant completions stream text; no usage."""
    chat: dict[str, Any] = {
        "model": "anthropic/claude-2.1",
        "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": "Name the three primary colors."},
        ],
        "max_tokens": 100,
    }
    completion: dict[str, Any] = {
        "model": "anthropic/claude-instant-1.2",
        "prompt": "\n\nHuman: Say hello in French.\n\nAssistant:",
        "max_tokens": 20,
        "stream": True,
    }

    def run_sync(c: relaykit.Client) -> tuple[relaykit.ChatCompletion, list[str], relaykit.Completion]:
        answer = c.chat.completions.create(**chat)
        stream = c.completions.create(**completion)
        texts = [chunk.choices[0].text for chunk in stream if chunk.choices]
        return answer, texts, stream.get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> tuple[relaykit.ChatCompletion, list[str], relaykit.Completion]:
        answer = await c.chat.completions.create(**chat)
        stream = await c.completions.create(**completion)
        texts = [chunk.choices[0].text async for chunk in stream if chunk.choices]
        return answer, texts, await stream.get_final_completion()

    for answer, texts, final in (
        replay_sync("anthropic/complete/claude2.yaml", run_sync),
        replay_async("anthropic/complete/claude2.yaml", run_async),
    ):
        assert answer.text == "Red, yellow and blue."
        assert answer.choices[0].finish_reason == "stop"
        assert answer.usage is None
        assert answer.id == "compl_01Hs8KpW4vQm2TzRx6NbJc9L"
        assert answer.request_id == "req_011CVm9Fh3WtKq6ZrN8cLx2B"
        assert "".join(texts) == " Bonjour !"
        assert final.choices[0].text == " Bonjour !"
        assert final.choices[0].finish_reason == "stop"
