"""Recorded chat exchanges replayed through the public sync and async clients (one cassette each)."""

from __future__ import annotations

import json

import pytest

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette

PARIS = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "用一句话介绍巴黎。"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TWO_CITIES = [{"role": "user", "content": "Weather in Paris and 北京?"}]


def test_plain_chat_replays_sync_and_async() -> None:
    """A Chinese answer, usage and request id come back identically from both clients."""

    def check(result: relaykit.ChatCompletion) -> None:
        assert result.text == "巴黎是法国的首都，以埃菲尔铁塔和卢浮宫闻名。"
        assert result.usage is not None
        assert result.usage.total_tokens == 45
        assert result.request_id == "req_7f3c2a9d1e6b4c0a8d5e2f1a3b4c5d6e"
        assert result.choices[0].finish_reason == "stop"

    params = {"model": "openai/gpt-4o-mini", "messages": PARIS, "temperature": 0.2, "max_tokens": 64}
    check(replay_sync("openai/chat/plain.yaml", lambda c: c.chat.completions.create(**params)))

    async def run(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        return await c.chat.completions.create(**params)

    check(replay_async("openai/chat/plain.yaml", run))


def test_stream_with_usage_replays_sync_and_async() -> None:
    """Streamed deltas assemble to the full text, with the usage-only chunk kept."""
    params = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Say hello in two languages."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    def run_sync(c: relaykit.Client) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = c.chat.completions.create(**params)
        texts = [chunk.text for chunk in stream]
        return texts, stream.get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = await c.chat.completions.create(**params)
        texts = [chunk.text async for chunk in stream]
        return texts, await stream.get_final_completion()

    for texts, final in (
        replay_sync("openai/chat/stream_with_usage.yaml", run_sync),
        replay_async("openai/chat/stream_with_usage.yaml", run_async),
    ):
        assert "".join(texts) == "Hello / 你好"
        assert final.text == "Hello / 你好"
        assert final.usage is not None
        assert final.usage.total_tokens == 19
        assert final.request_id == "req_9d1f3b5a7c9e1d3f5b7a9c1e3d5f7b9a"


def test_parallel_tool_calls_stream_replays_sync_and_async() -> None:
    """Two streamed tool calls assemble by index into complete JSON arguments."""
    params = {"model": "openai/gpt-4o", "messages": TWO_CITIES, "tools": [WEATHER], "stream": True}

    def run_sync(c: relaykit.Client) -> relaykit.ChatCompletion:
        result: relaykit.ChatCompletion = c.chat.completions.create(**params).get_final_completion()
        return result

    async def run_async(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        stream = await c.chat.completions.create(**params)
        result: relaykit.ChatCompletion = await stream.get_final_completion()
        return result

    for final in (
        replay_sync("openai/chat/parallel_tool_calls_stream.yaml", run_sync),
        replay_async("openai/chat/parallel_tool_calls_stream.yaml", run_async),
    ):
        calls = final.choices[0].message.tool_calls or []
        assert [(c.id, json.loads(c.function.arguments)) for c in calls] == [
            ("call_Paris0001", {"city": "Paris"}),
            ("call_Beijing02", {"city": "北京"}),
        ]
        assert final.choices[0].finish_reason == "tool_calls"


def test_invalid_api_key_replays_as_authentication_error() -> None:
    """A 401 envelope raises AuthenticationError with code and request id, in both clients."""
    params = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    with pytest.raises(relaykit.AuthenticationError) as sync_error:
        replay_sync("openai/chat/invalid_api_key.yaml", lambda c: c.chat.completions.create(**params))

    async def run(c: relaykit.AsyncClient) -> object:
        return await c.chat.completions.create(**params)

    with pytest.raises(relaykit.AuthenticationError) as async_error:
        replay_async("openai/chat/invalid_api_key.yaml", run)
    for error in (sync_error.value, async_error.value):
        assert error.code == "invalid_api_key"
        assert error.request_id == "req_4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e"
