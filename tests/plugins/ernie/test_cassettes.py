"""Recorded ERNIE exchanges (v1 with its token exchange, and v2) replayed through the sync and async clients.

The cassettes in cassettes/ernie were written by hand from shared/dialects/ernie.md (see each
file's header). Replays use a fresh key pair each time, so the token exchange is always part of the
replay (no token cached by another test is used). Re-record with real keys:
``RELAYKIT_RECORD=all ERNIE_API_KEY=... ERNIE_SECRET_KEY=... QIANFAN_API_KEY=... python -m pytest
tests/plugins/ernie/test_cassettes.py``; the keys and client credentials are filtered by the
query-parameter filters, and `recorder` also scrubs the token answer's body.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio
import pytest

import relaykit
from relaykit.testing import relaykit_vcr

from ...cassette_support import CASSETTES
from ._helpers import fresh_keys

pytestmark = pytest.mark.cassette

T = TypeVar("T")
RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
_TOKEN_FIELDS = ("access_token", "refresh_token", "session_key", "session_secret")


def _providers() -> dict[str, Any]:
    if RECORDING:
        ernie = {"api_key": os.environ["ERNIE_API_KEY"], "secret_key": os.environ["ERNIE_SECRET_KEY"]}
        return {"ernie": ernie, "qianfan": {"api_key": os.environ["QIANFAN_API_KEY"]}}
    return {"ernie": fresh_keys(), "qianfan": {"api_key": "bce-v3/ALTAK-test/replay"}}


def _scrub_token_answer(response: dict[str, Any]) -> dict[str, Any]:
    """Replace the token and its companions in a token-exchange answer before it is stored."""
    body = response["body"].get("string")
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return response
    if isinstance(payload, dict) and "access_token" in payload:
        scrubbed = {key: "REDACTED" if key in _TOKEN_FIELDS else value for key, value in payload.items()}
        text = json.dumps(scrubbed, indent=2, ensure_ascii=False)
        response["body"]["string"] = text.encode() if isinstance(body, bytes) else text
    return response


@contextmanager
def recorder(name: str) -> Iterator[Any]:
    """`use_cassette` for cassettes/ernie/`name`, with token answers scrubbed when recording."""
    path = CASSETTES / "ernie" / name
    if not RECORDING and not path.is_file():
        raise FileNotFoundError(path)
    vcr = relaykit_vcr()
    pretty = vcr.before_record_response
    vcr.before_record_response = lambda response: _scrub_token_answer(pretty(response))
    with vcr.use_cassette(str(path)) as cassette:
        yield cassette


def replay_sync(name: str, scenario: Callable[[relaykit.Client], T]) -> T:
    with recorder(name), relaykit.Client(providers=_providers()) as client:
        return scenario(client)


def replay_async(name: str, scenario: Callable[[relaykit.AsyncClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with relaykit.AsyncClient(providers=_providers()) as client:
            return await scenario(client)

    with recorder(name):
        result: Any = anyio.run(main)
        return result  # type: ignore[no-any-return]


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "查询城市天气",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "date": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def test_plain_chat_replays_with_the_token_exchange() -> None:
    """Token exchange, then a Chinese answer with usage, request id and rate-limit headers."""
    params = {
        "model": "ernie/ERNIE-4.0-8K",
        "messages": [
            {"role": "system", "content": "你是一个简洁的助手。"},
            {"role": "user", "content": "用一句话介绍北京。"},
        ],
        "temperature": 0.3,
        "max_tokens": 64,
    }

    def check(result: relaykit.ChatCompletion) -> None:
        assert result.text == "北京是中国的首都，拥有三千多年的建城史，是全国的政治和文化中心。"
        assert result.model == "ERNIE-4.0-8K"
        assert result.request_id == "7a1c52d0-3f4e-4b8a-9c21-5e6f7a8b9c0d"
        assert result.usage is not None
        assert result.usage.total_tokens == 40
        assert result.choices[0].finish_reason == "stop"

    check(replay_sync("chat/plain.yaml", lambda c: c.chat.completions.create(**params)))

    async def run(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        return await c.chat.completions.create(**params)

    check(replay_async("chat/plain.yaml", run))


def test_streamed_function_call_replays() -> None:
    """A stream answered by one is_end event holding the whole function call."""
    params = {
        "model": "ernie/ernie-bot-4",
        "messages": [{"role": "user", "content": "上海明天天气怎么样？"}],
        "tools": [WEATHER],
        "stream": True,
    }

    def run_sync(c: relaykit.Client) -> relaykit.ChatCompletion:
        return c.chat.completions.create(**params).get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        stream = await c.chat.completions.create(**params)
        return await stream.get_final_completion()

    for final in (
        replay_sync("chat/stream_function_call.yaml", run_sync),
        replay_async("chat/stream_function_call.yaml", run_async),
    ):
        message = final.choices[0].message
        assert message.tool_calls is not None
        assert message.tool_calls[0].function.name == "get_weather"
        assert json.loads(message.tool_calls[0].function.arguments) == {"city": "上海", "date": "明天"}
        assert message.reasoning_content == "用户想知道上海明天的天气，需要调用get_weather工具查询。"
        assert final.choices[0].finish_reason == "tool_calls"
        assert final.usage is not None
        assert final.usage.total_tokens == 129


def test_expired_token_is_refreshed_in_a_replay() -> None:
    """111 from the server: a second exchange and one resend, invisible to the caller."""
    params = {"model": "ernie/ernie-bot-turbo", "messages": [{"role": "user", "content": "你好"}]}

    async def run(c: relaykit.AsyncClient) -> relaykit.ChatCompletion:
        return await c.chat.completions.create(**params)

    for name in ("chat/token_expired.yaml",):
        assert replay_sync(name, lambda c: c.chat.completions.create(**params)).text == "你好！有什么可以帮你的吗？"
        assert replay_async(name, run).text == "你好！有什么可以帮你的吗？"


def test_rate_limit_answered_to_a_stream_request_as_json_replays() -> None:
    """The stream request gets a plain JSON 336501: a RateLimitError with the rate-limit headers."""
    params = {"model": "ernie/ERNIE-Speed-8K", "messages": [{"role": "user", "content": "讲个笑话"}], "stream": True}

    def run_sync(c: relaykit.Client) -> relaykit.APIError:
        with pytest.raises(relaykit.RateLimitError) as caught:
            c.chat.completions.create(**params)
        return caught.value

    async def run_async(c: relaykit.AsyncClient) -> relaykit.APIError:
        with pytest.raises(relaykit.RateLimitError) as caught:
            await c.chat.completions.create(**params)
        return caught.value

    for error in (
        replay_sync("chat/stream_rate_limited.yaml", run_sync),
        replay_async("chat/stream_rate_limited.yaml", run_async),
    ):
        assert error.code == "336501"
        assert error.status == 200
        assert error.rate_limit["remaining_requests"] == 0
        assert error.request_id == "9c4b3a2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d"


def test_embeddings_replay() -> None:
    """Two Chinese texts embedded by bge-large-zh, in order."""
    params = {"model": "ernie/bge-large-zh", "input": ["北京的天气", "上海的美食"]}

    async def run(c: relaykit.AsyncClient) -> relaykit.CreateEmbeddingResponse:
        return await c.embeddings.create(**params)

    for result in (
        replay_sync("embeddings/plain.yaml", lambda c: c.embeddings.create(**params)),
        replay_async("embeddings/plain.yaml", run),
    ):
        assert result.vectors() == [[0.0181, 0.0569, -0.0193, 0.0402], [-0.0275, 0.0118, 0.0623, -0.0091]]
        assert result.vendor_data["ids"] == ["as-7vnb4k2x8p"]
        assert result.usage is not None
        assert result.usage.total_tokens == 10


def test_qianfan_v2_stream_replays() -> None:
    """The v2 stream assembles, with usage from the include_usage chunk and choice flags kept."""
    params = {
        "model": "qianfan/ERNIE-4.0-8K",
        "messages": [
            {"role": "system", "content": "你是一个简洁的助手。"},
            {"role": "user", "content": "用一句话介绍北京。"},
        ],
        "max_tokens": 64,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    def run_sync(c: relaykit.Client) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = c.chat.completions.create(**params)
        return [chunk.text for chunk in stream], stream.get_final_completion()

    async def run_async(c: relaykit.AsyncClient) -> tuple[list[str], relaykit.ChatCompletion]:
        stream = await c.chat.completions.create(**params)
        return [chunk.text async for chunk in stream], await stream.get_final_completion()

    for texts, final in (
        replay_sync("qianfan/chat_stream.yaml", run_sync),
        replay_async("qianfan/chat_stream.yaml", run_async),
    ):
        assert "".join(texts) == "北京是中国的首都，也是一座历史悠久的文化名城。"
        assert final.usage is not None
        assert final.usage.total_tokens == 34
        assert final.choices[0].finish_reason == "stop"


def test_recording_scrubs_the_token_answer() -> None:
    """A recorded token answer keeps expires_in but never the token or its companions."""
    body = b'{"access_token": "24.real-token", "expires_in": 2592000, "refresh_token": "25.real", "scope": "s"}'
    response = {"status": {"code": 200}, "headers": {}, "body": {"string": body}}
    stored = json.loads(_scrub_token_answer(response)["body"]["string"])
    assert stored == {"access_token": "REDACTED", "expires_in": 2592000, "refresh_token": "REDACTED", "scope": "s"}
    chat_answer = {"status": {"code": 200}, "headers": {}, "body": {"string": b'{"result": "ok"}'}}
    assert _scrub_token_answer(chat_answer)["body"]["string"] == b'{"result": "ok"}'
