"""Sync/async parity: the same request on `Client` and `AsyncClient` gives the same normalized result."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit

from ..._provider import Capability
from .._faults import Fault
from ._inputs import CHINESE_ANSWER, CHINESE_PROMPT, WEATHER_TOOL, normalized, user
from ._meta import check
from ._run import KitRun

__all__ = ["ParityChecks"]

_CALLS = [
    {"name": "get_weather", "arguments": {"city": "Paris"}},
    {"name": "get_weather", "arguments": {"city": "東京"}},
]


def _error_fields(error: BaseException) -> tuple[Any, ...]:
    assert isinstance(error, relaykit.APIError), f"{type(error).__name__} is not a relaykit.APIError"
    return type(error), error.status, error.provider, error.retry_after, error.code


class ParityChecks:
    """Every flow runs on both drivers; these checks compare the two."""

    @check("parity", Capability.CHAT)
    def test_async_chat_matches_sync(self, kit: KitRun) -> None:
        """A chat gives the same text, finish reason, usage and provider on both clients.

        Fix: keep flows free of I/O and state (no client, no `async`, no globals): the drivers
        run the same generator, so any difference comes from the flow doing something itself.
        """
        params: dict[str, Any] = {"model": kit.address(), "messages": [user(CHINESE_PROMPT)], "max_tokens": 64}
        kit.script_chat(CHINESE_ANSWER)
        sync_answer = kit.client.chat.completions.create(**params)
        kit.script_chat(CHINESE_ANSWER)
        async_answer = kit.run_async(lambda client: client.chat.completions.create(**params))
        assert normalized(async_answer) == normalized(sync_answer), "the clients disagree"

    @check("parity", Capability.CHAT, Capability.CHAT_STREAM)
    def test_async_stream_matches_sync(self, kit: KitRun) -> None:
        """A stream yields the same text deltas and assembles the same answer on both clients.

        Fix: keep the stream decoder pure (state only in the decoder object, no clock, no I/O).
        """
        params: dict[str, Any] = {"model": kit.address(), "messages": [user(CHINESE_PROMPT)], "max_tokens": 64}
        kit.script_chat(CHINESE_ANSWER)
        stream = kit.client.chat.completions.create(stream=True, **params)
        with stream:
            sync_deltas = [chunk.text for chunk in stream]
            sync_final = stream.get_final_completion()

        async def streamed(client: relaykit.AsyncClient) -> tuple[list[str], relaykit.ChatCompletion]:
            async_stream = await client.chat.completions.create(stream=True, **params)
            async with async_stream:
                deltas = [chunk.text async for chunk in async_stream]
                return deltas, await async_stream.get_final_completion()

        kit.script_chat(CHINESE_ANSWER)
        async_deltas, async_final = kit.run_async(streamed)
        assert "".join(async_deltas) == "".join(sync_deltas), "the streamed texts differ"
        assert normalized(async_final) == normalized(sync_final), "the assembled answers differ"

    @check("parity", Capability.CHAT, Capability.TOOLS, needs=("script",))
    def test_async_tool_calls_match_sync(self, kit: KitRun) -> None:
        """Parallel tool calls come back the same on both clients.

        Fix: as for chat: nothing in a flow may depend on which driver runs it.
        """
        params: dict[str, Any] = {"model": kit.address(Capability.TOOLS), "messages": [user("Weather?")]}
        params["tools"] = [WEATHER_TOOL]
        kit.script_chat(tool_calls=_CALLS)
        sync_answer = kit.client.chat.completions.create(**params)
        kit.script_chat(tool_calls=_CALLS)
        async_answer = kit.run_async(lambda client: client.chat.completions.create(**params))
        assert normalized(async_answer) == normalized(sync_answer), "the clients disagree"

    @check("parity", needs=("emulator",))
    def test_async_errors_match_sync(self, kit: KitRun) -> None:
        """A 429 with Retry-After raises the same error, with the same fields, on both clients.

        Fix: raise errors from the flow only (`api_error`); never map them in a client-specific way.
        """
        from ._errors import probe

        call = probe(kit)
        kit.warm_up(call)
        kit.inject(Fault.status(429, retry_after=5))
        with pytest.raises(relaykit.APIError) as sync_caught:
            call(kit.client)

        async def async_call(client: relaykit.AsyncClient) -> Any:
            sync_like: Any = client
            return await call(sync_like)

        kit.inject(Fault.status(429, retry_after=5))
        with pytest.raises(relaykit.APIError) as async_caught:
            kit.run_async(async_call)
        assert _error_fields(async_caught.value) == _error_fields(sync_caught.value), "the errors differ"

    @check("parity", Capability.CHAT)
    def test_async_refuses_bad_input_before_sending(self, kit: KitRun) -> None:
        """An invalid request is refused by the async client too, naming the field, with nothing sent.

        Fix: validate in the flow before its first yield, never after an await-like step.
        """
        params: dict[str, Any] = {"model": kit.address(), "messages": [user("Hi")], "temperature": 3.5}
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            kit.run_async(lambda client: client.chat.completions.create(**params))
        assert caught.value.field == "temperature", f"the error names {caught.value.field!r}"
        kit.assert_nothing_sent()

    @check("parity", Capability.EMBEDDINGS)
    def test_async_embeddings_match_sync(self, kit: KitRun) -> None:
        """Embeddings of the same input are equal on both clients.

        Fix: as for chat: nothing in a flow may depend on which driver runs it.
        """
        params: dict[str, Any] = {"model": kit.address(Capability.EMBEDDINGS), "input": ["parity", "对等"]}
        sync_answer = kit.client.embeddings.create(**params)
        async_answer = kit.run_async(lambda client: client.embeddings.create(**params))
        assert len(async_answer.data) == len(sync_answer.data), "the clients return different numbers of vectors"
        for async_vector, sync_vector in zip(async_answer.vectors(), sync_answer.vectors(), strict=True):
            assert async_vector == pytest.approx(sync_vector), "the vectors differ"
