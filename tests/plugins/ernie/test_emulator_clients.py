"""Both generations through the public sync and async clients, against the emulators.

The same normalized chat (a question with a function, the call answered, a text answer), streamed
and not, runs against Qianfan v1 and v2 by changing only the provider section: the model string
``ernie/ernie-4.0-8k`` stays. Token lifecycle (shared by both clients, refreshed once on expiry)
and faults are checked here too, through the public API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import anyio
import pytest
from structlog.testing import capture_logs

import relaykit
from relaykit.testing import Fault
from relaykit_ernie.emulator import ErnieEmulator, QianfanEmulator

from ._helpers import WEATHER_TOOL, fresh_keys

MODEL = "ernie/ernie-4.0-8k"
RESULT = '{"temp": 25, "天气": "晴"}'


@pytest.fixture(scope="module")
def v1_server() -> Iterator[ErnieEmulator]:
    with ErnieEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def v2_server() -> Iterator[QianfanEmulator]:
    with QianfanEmulator() as emulator:
        yield emulator


@pytest.fixture
def v1(v1_server: ErnieEmulator) -> ErnieEmulator:
    """The v1 emulator, reset, with a key pair no earlier test has a cached token for."""
    v1_server.reset()
    keys = fresh_keys()
    v1_server.api_key, v1_server.secret_key = keys["api_key"], keys["secret_key"]
    return v1_server


@pytest.fixture
def v2(v2_server: QianfanEmulator) -> QianfanEmulator:
    v2_server.reset()
    return v2_server


def v1_config(emu: ErnieEmulator) -> dict[str, Any]:
    return {"ernie": {"base_url": emu.base_url, "api_key": emu.api_key, "secret_key": emu.secret_key}}


def v2_config(emu: QianfanEmulator) -> dict[str, Any]:
    return {"ernie": {"kind": "qianfan", "base_url": emu.base_url, "api_key": emu.api_key}}


async def _done(value: Any) -> Any:
    """`value`, awaited when the async client returned an awaitable."""
    if isinstance(value, Awaitable):
        return await value
    return value


async def _chunks(stream: Any) -> AsyncIterator[relaykit.ChatCompletionChunk]:
    if isinstance(stream, relaykit.AsyncStream):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


async def _create(client: Any, stream: bool, **params: Any) -> relaykit.ChatCompletion:
    if stream:
        params["stream_options"] = {"include_usage": True}
    result = await _done(client.chat.completions.create(model=MODEL, stream=stream, **params))
    if not stream:
        assert isinstance(result, relaykit.ChatCompletion)
        return result
    chunks = [chunk async for chunk in _chunks(result)]
    assert chunks
    return await _done(result.get_final_completion())  # type: ignore[no-any-return]


async def scenario(client: relaykit.Client | relaykit.AsyncClient, stream: bool) -> dict[str, Any]:
    """Ask with a function, answer its call, get the text answer; return the normalized shape."""
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "你是天气助手。"},
        {"role": "user", "content": "北京今天天气怎么样？"},
    ]
    first = await _create(client, stream, messages=messages, tools=[WEATHER_TOOL])
    message = first.choices[0].message
    assert message.tool_calls is not None
    (call,) = message.tool_calls
    assistant: dict[str, Any] = {"role": "assistant", "content": message.content, "tool_calls": [call.model_dump()]}
    if message.reasoning_content:
        assistant["reasoning_content"] = message.reasoning_content
    messages += [assistant, {"role": "tool", "tool_call_id": call.id, "content": RESULT}]
    second = await _create(client, stream, messages=messages, tools=[WEATHER_TOOL])
    return {
        "first_finish": first.choices[0].finish_reason,
        "function": call.function.name,
        "arguments": json.loads(call.function.arguments),
        "call_id_set": bool(call.id),
        "second_finish": second.choices[0].finish_reason,
        "answer_quotes_result": RESULT in second.text,
        "usage": second.usage is not None and second.usage.total_tokens > 0,
    }


EXPECTED = {
    "first_finish": "tool_calls",
    "function": "get_weather",
    "arguments": {"city": "example"},
    "call_id_set": True,
    "second_finish": "stop",
    "answer_quotes_result": True,
    "usage": True,
}


def _run_sync(providers: dict[str, Any], stream: bool) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        with relaykit.Client(providers=providers) as client:
            return await scenario(client, stream)

    return anyio.run(main)  # type: ignore[no-any-return]


def _run_async(providers: dict[str, Any], stream: bool) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        async with relaykit.AsyncClient(providers=providers) as client:
            return await scenario(client, stream)

    return anyio.run(main)  # type: ignore[no-any-return]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("run", [_run_sync, _run_async], ids=["sync", "async"])
def test_same_chat_with_a_function_call_on_both_generations(
    v1: ErnieEmulator, v2: QianfanEmulator, stream: bool, run: Any
) -> None:
    """Only the provider section changes between v1 and v2; the normalized results are the same."""
    assert run(v1_config(v1), stream) == EXPECTED
    assert run(v2_config(v2), stream) == EXPECTED
    v1_bodies = [r.json() for r in v1.requests if "/chat/" in r.path]
    assert v1_bodies[0]["system"] == "你是天气助手。"
    assert [m["role"] for m in v1_bodies[1]["messages"]] == ["user", "assistant", "function"]
    assert v1_bodies[1]["messages"][2] == {"role": "function", "content": RESULT, "name": "get_weather"}
    v2_bodies = [r.json() for r in v2.requests]
    assert v2_bodies[0]["messages"][0]["role"] == "system"
    assert v2_bodies[1]["messages"][-1]["role"] == "tool"


def test_sync_and_async_clients_share_one_token(v1: ErnieEmulator) -> None:
    """The first call fetches a token; later calls from either client reuse it."""
    providers = v1_config(v1)
    messages = [{"role": "user", "content": "你好"}]
    with relaykit.Client(providers=providers) as client:
        client.chat.completions.create(model=MODEL, messages=messages)
        client.chat.completions.create(model=MODEL, messages=messages)

    async def main() -> str:
        async with relaykit.AsyncClient(providers=providers) as client:
            return (await client.chat.completions.create(model=MODEL, messages=messages)).text

    assert anyio.run(main) == "你说：你好"
    assert v1.tokens_issued == 1
    assert [r.path for r in v1.requests].count("/oauth/2.0/token") == 1


@pytest.mark.parametrize("revoke", ["expire_tokens", "invalidate_tokens"])
def test_token_expiry_mid_session_is_recovered_without_the_caller_noticing(v1: ErnieEmulator, revoke: str) -> None:
    """After the token expires (111) or is invalidated (110), the next call refreshes and succeeds."""
    messages = [{"role": "user", "content": "第一问"}]
    with relaykit.Client(providers=v1_config(v1)) as client:
        client.chat.completions.create(model=MODEL, messages=messages)
        getattr(v1, revoke)()
        again = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "第二问"}])
        assert again.text == "你说：第二问"
        stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
        assert stream.get_final_completion().text == "你说：第一问"
    paths = [r.path.rsplit("/", 1)[-1] for r in v1.requests]
    assert paths == ["token", "completions_pro", "completions_pro", "token", "completions_pro", "completions_pro"]
    assert v1.tokens_issued == 2


def test_stream_request_with_expired_token_is_recovered_too(v1: ErnieEmulator) -> None:
    """The expiry answer to a stream request is plain JSON: refreshed, then streamed."""
    with relaykit.Client(providers=v1_config(v1)) as client:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "甲"}])
        v1.expire_tokens()
        chunks = list(
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "乙"}], stream=True)
        )
    assert "".join(chunk.text for chunk in chunks) == "你说：乙"
    assert v1.tokens_issued == 2


def test_second_token_error_raises_authentication_error(v1: ErnieEmulator) -> None:
    """A fresh token rejected again is an AuthenticationError; secrets are not in it or in the logs."""
    v1.inject(ErnieEmulator.error_fault(110), path="*/chat/*", times=2)
    with (
        capture_logs() as logs,
        relaykit.Client(providers=v1_config(v1)) as client,
        pytest.raises(relaykit.AuthenticationError) as caught,
    ):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "你好"}])
    assert v1.tokens_issued == 2
    tokens = [r.query["access_token"][0] for r in v1.requests if "access_token" in r.query]
    shown = " ".join(
        [str(caught.value), repr(caught.value), caught.value.body_excerpt or "", json.dumps(logs, default=str)]
    )
    for secret in (*tokens, v1.api_key or "", v1.secret_key):
        assert secret not in shown


def test_wrong_secret_key_is_an_authentication_error(v1: ErnieEmulator) -> None:
    """The token exchange refusal names the Secret Key."""
    providers = {"ernie": {**v1_config(v1)["ernie"], "secret_key": "sk-wrong-000000"}}
    with relaykit.Client(providers=providers) as client, pytest.raises(relaykit.AuthenticationError) as caught:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "你好"}])
    assert "Secret Key" in str(caught.value)


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        (ErnieEmulator.error_fault(18), relaykit.RateLimitError),
        (ErnieEmulator.error_fault(17), relaykit.QuotaExceededError),
        (ErnieEmulator.error_fault(336100), relaykit.OverloadedError),
        (Fault.status(429, retry_after=2), relaykit.RateLimitError),
        (Fault.status(500), relaykit.ServerError),
        (Fault.malformed_json(), relaykit.ResponseFormatError),
        (Fault.drop(), relaykit.APIConnectionError),
    ],
)
def test_faults_become_typed_errors(v1: ErnieEmulator, fault: Fault, kind: type[relaykit.APIError]) -> None:
    """Errors in 200s, HTTP statuses, bad bodies and dropped connections are each their kind."""
    v1.inject(fault, path="*/chat/*")
    with relaykit.Client(providers=v1_config(v1)) as client, pytest.raises(kind):
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "你好"}])


def test_cut_stream_is_interrupted_with_the_partial_text(v1: ErnieEmulator) -> None:
    """A stream cut after its first event raises StreamInterruptedError carrying what arrived."""
    v1.inject(Fault.cut_stream(after_events=1), path="*/chat/*")
    messages = [{"role": "user", "content": "你好。今天天气好吗？"}]
    with relaykit.Client(providers=v1_config(v1)) as client:
        stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
        with pytest.raises(relaykit.StreamInterruptedError) as caught:
            list(stream)
    assert caught.value.partial is not None
    assert caught.value.partial.text == "你说：你好。"


def test_unsafe_input_finishes_with_content_filter(v1: ErnieEmulator) -> None:
    """ERNIE's content-safety answer is a content_filter finish, with need_clear_history kept."""
    with relaykit.Client(providers=v1_config(v1)) as client:
        answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "敏感词是什么"}])
    assert answer.choices[0].finish_reason == "content_filter"
    assert answer.vendor_data["need_clear_history"] is True


def test_embeddings_on_both_generations(v1: ErnieEmulator, v2: QianfanEmulator) -> None:
    """20 texts: two v1 batches with one token; the same call on v2 is one request."""
    texts = [f"第{i}段" for i in range(20)]
    with relaykit.Client(providers=v1_config(v1)) as client:
        result = client.embeddings.create(model="ernie/embedding-v1", input=texts)
    assert [item.index for item in result.data] == list(range(20))
    assert len(result.data[0].as_floats()) == 384
    assert [r.path.rsplit("/", 1)[-1] for r in v1.requests] == ["token", "embedding-v1", "embedding-v1"]

    async def main() -> relaykit.CreateEmbeddingResponse:
        async with relaykit.AsyncClient(providers=v2_config(v2)) as client:
            return await client.embeddings.create(model="ernie/embedding-v1", input=texts, encoding_format="base64")

    v2_result = anyio.run(main)
    assert len(v2_result.data) == 20
    assert isinstance(v2_result.data[0].embedding, str)
    assert v2_result.vectors()[3] == pytest.approx(result.vectors()[3], rel=1e-5)
