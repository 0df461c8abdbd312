"""HTTP API exchanges replayed through the public sync and async clients (one cassette each).

The cassettes were written by hand (see their provenance comments). vcrpy records HTTP only, so the
WebSocket API is covered by `SparkEmulator` (test_emulator.py) instead of cassettes. To re-record
with a real APIPassword: ``RELAYKIT_RECORD=all SPARK_API_PASSWORD=... python -m pytest -m cassette
tests/plugins/spark`` (the authorization header is filtered out of the cassette).
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import pytest

import relaykit
from relaykit.testing import use_cassette

from ...cassette_support import CASSETTES
from ._helpers import WEATHER, user

pytestmark = pytest.mark.cassette

RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
PROVIDERS = {
    "spark": {
        "kind": "spark-http",
        **({} if RECORDING else {"api_password": "cassette-key:cassette-password"}),
    }
}

T = TypeVar("T")


def replay_sync(cassette: str, scenario: Callable[[relaykit.Client], T]) -> T:
    with use_cassette(CASSETTES / "spark" / "http" / cassette), relaykit.Client(providers=PROVIDERS) as client:
        return scenario(client)


def replay_async(cassette: str, scenario: Callable[[relaykit.AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with relaykit.AsyncClient(providers=PROVIDERS) as client:
            return await scenario(client)

    with use_cassette(CASSETTES / "spark" / "http" / cassette):
        result: Any = anyio.run(main)
        return result  # type: ignore[no-any-return]


def both(cassette: str, params: dict[str, Any]) -> list[Any]:
    """The answer from the sync client, then from the async client, for one cassette."""

    async def run(client: relaykit.AsyncClient) -> Any:
        return await client.chat.completions.create(**params)

    return [replay_sync(cassette, lambda client: client.chat.completions.create(**params)), replay_async(cassette, run)]


def test_plain_chat_replays_with_sid_as_id_and_stop() -> None:
    """Chinese answer, sid as id and request id, synthesized finish reason, usage."""
    params: dict[str, Any] = {
        "model": "spark/spark-max",
        "messages": [{"role": "system", "content": "你是简洁的助手"}, user("用一句话介绍合肥。")],
        "temperature": 0.5,
        "max_tokens": 256,
        "user": "user-42",
    }
    for answer in both("plain.yaml", params):
        assert answer.text == "合肥是安徽省省会，以科教资源丰富、“大湖名城”著称。"
        assert (answer.id, answer.request_id) == ("cha000b7d41@dx19a2f3c8e41b8f3812",) * 2
        assert answer.model == "generalv3.5"
        assert answer.choices[0].finish_reason == "stop"
        assert answer.usage is not None
        assert answer.usage.total_tokens == 38


def test_stream_without_spaces_after_data_replays() -> None:
    """data:{...} lines stream in order; [DONE] closes with stop; the usage is kept."""
    params: dict[str, Any] = {"model": "spark/spark-lite", "messages": [user("你好，讯飞星火")], "stream": True}

    def run_sync(client: relaykit.Client) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = client.chat.completions.create(**params)
        texts = [chunk.text for chunk in stream]
        return texts, stream.get_final_completion()

    async def run_async(client: relaykit.AsyncClient) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = await client.chat.completions.create(**params)
        texts = [chunk.text async for chunk in stream]
        return texts, await stream.get_final_completion()

    for texts, final in (replay_sync("stream.yaml", run_sync), replay_async("stream.yaml", run_async)):
        assert texts[:3] == ["你好", "！我是讯飞星火，", "很高兴为你服务。"]
        assert final.text == "你好！我是讯飞星火，很高兴为你服务。"
        assert final.id == "cha000b8e52@dx19a2f4d1f22b86d552"
        assert final.choices[0].finish_reason == "stop"
        assert final.usage is not None
        assert final.usage.total_tokens == 22


def test_tool_call_replays_with_a_generated_id() -> None:
    """tool_calls_switch sent with tools; the id-less call gets one; finish tool_calls."""
    params: dict[str, Any] = {
        "model": "spark/spark-4.0-ultra",
        "messages": [user("合肥今天天气怎么样？")],
        "tools": [WEATHER],
    }
    for answer in both("tool_call.yaml", params):
        (call,) = answer.choices[0].message.tool_calls or []
        assert call.id == "call_cha000b9f63@dx19a2f5e2033b8f3812_0"
        assert call.function.name == "get_weather"
        assert json.loads(call.function.arguments) == {"city": "合肥"}
        assert answer.choices[0].finish_reason == "tool_calls"


def test_app_id_no_auth_as_http_500_replays_as_permission_denied() -> None:
    """A 500 carrying code "11200" is PermissionDeniedError (by code), not a retryable ServerError."""
    params: dict[str, Any] = {"model": "spark/spark-pro", "messages": [user("hi")]}

    async def run(client: relaykit.AsyncClient) -> Any:
        return await client.chat.completions.create(**params)

    with pytest.raises(relaykit.PermissionDeniedError) as sync_error:
        replay_sync("app_id_no_auth.yaml", lambda client: client.chat.completions.create(**params))
    with pytest.raises(relaykit.PermissionDeniedError) as async_error:
        replay_async("app_id_no_auth.yaml", run)
    for error in (sync_error.value, async_error.value):
        assert (error.status, error.code) == (500, "11200")
        assert error.request_id == "cha000ba074@dx19a2f6f3144b8f3812"
        assert not error.retryable
