"""Recorded legacy completions replayed through the public sync and async clients (one cassette each)."""

from __future__ import annotations

from typing import Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette

CAPITAL: dict[str, Any] = {
    "model": "openai/gpt-3.5-turbo-instruct",
    "prompt": "Q: What is the capital of France?\nA:",
    "logprobs": 1,
    "max_tokens": 16,
    "stop": "\n",
    "temperature": 0,
}
COUNT: dict[str, Any] = {
    "model": "openai/gpt-3.5-turbo-instruct",
    "prompt": "Count to three:",
    "max_tokens": 8,
    "stream": True,
    "stream_options": {"include_usage": True},
}


def test_completion_with_logprobs_replays_sync_and_async() -> None:
    """Text, finish reason, parallel logprob lists, usage and ids parse the same from both clients."""

    async def run(c: relaykit.AsyncClient) -> relaykit.Completion:
        completion: relaykit.Completion = await c.completions.create(**CAPITAL)
        return completion

    for result in (
        replay_sync("openai/completions/plain.yaml", lambda c: c.completions.create(**CAPITAL)),
        replay_async("openai/completions/plain.yaml", run),
    ):
        assert result.id == "cmpl-R3kq7TzVn1XcLm8PaQw2Ej5bYdHu"
        assert result.object == "text_completion"
        assert result.created == 1766090211
        assert result.model == "gpt-3.5-turbo-instruct:20230824-v2"
        assert result.provider == "openai"
        assert result.request_id == "req_c0a1e2b3d4f5061728394a5b6c7d8e9f"
        assert result.text == " Paris is the capital of France."
        choice = result.choices[0]
        assert (choice.index, choice.finish_reason) == (0, "stop")
        assert choice.logprobs is not None
        assert choice.logprobs.tokens == [" Paris", " is", " the", " capital", " of", " France", "."]
        assert choice.logprobs.token_logprobs == [-0.0031, -0.4417, -0.0102, -0.0009, -0.0004, -0.0012, -0.2871]
        assert choice.logprobs.top_logprobs is not None
        assert choice.logprobs.top_logprobs[0] == {" Paris": -0.0031}
        assert choice.logprobs.text_offset == [36, 42, 45, 49, 57, 60, 67]
        assert result.usage is not None
        assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (12, 7, 19)
        assert result.vendor_data == {}


def test_completion_stream_replays_sync_and_async() -> None:
    """Streamed text fragments, the finish chunk and the usage-only chunk assemble into one completion."""

    def run_sync(c: relaykit.Client) -> tuple[list[relaykit.CompletionChunk], relaykit.Completion]:
        stream = c.completions.create(**COUNT)
        chunks = list(stream)
        return chunks, stream.get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> tuple[list[relaykit.CompletionChunk], relaykit.Completion]:
        stream = await c.completions.create(**COUNT)
        chunks = [chunk async for chunk in stream]
        return chunks, await stream.get_final_completion()

    for chunks, final in (
        replay_sync("openai/completions/stream_with_usage.yaml", run_sync),
        replay_async("openai/completions/stream_with_usage.yaml", run_async),
    ):
        assert [chunk.text for chunk in chunks] == [" 1", ",", " 2", ",", " 3", "", ""]
        assert [c.choices[0].finish_reason for c in chunks[:-1]] == [None] * 5 + ["stop"]
        assert chunks[-1].choices == []
        assert chunks[-1].usage is not None
        assert all(chunk.id == "cmpl-S7fHx2QnW9vBc4KdLm1PzRt6" for chunk in chunks)
        assert final.id == "cmpl-S7fHx2QnW9vBc4KdLm1PzRt6"
        assert final.request_id == "req_5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
        assert (final.model, final.created, final.provider) == ("gpt-3.5-turbo-instruct", 1766090305, "openai")
        assert final.text == " 1, 2, 3"
        assert final.choices[0].finish_reason == "stop"
        assert final.usage is not None
        assert (final.usage.prompt_tokens, final.usage.completion_tokens, final.usage.total_tokens) == (4, 5, 9)


def test_a_request_the_cassette_does_not_hold_fails_loudly() -> None:
    """A different prompt matches no recorded request: vcrpy refuses to go to the network."""
    with pytest.raises(CannotOverwriteExistingCassetteException):
        replay_sync(
            "openai/completions/plain.yaml",
            lambda c: c.completions.create(**{**CAPITAL, "prompt": "Q: What is the capital of Italy?\nA:"}),
        )
