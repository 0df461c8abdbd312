"""Both Spark APIs end to end: public sync and async clients against `SparkEmulator`.

The same normalized chat (a function call, its result, the answer; streamed and not) runs against
the WebSocket kind and the HTTP kind, switching only the provider's configuration.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import structlog

import relaykit
import relaykit_spark._signing as signing
from relaykit.testing import Fault
from relaykit_spark.emulator import SparkEmulator

from ._helpers import WEATHER, user

KINDS = ("spark", "spark-http")
MODEL = "s/spark-max"
QUESTION = "北京今天天气怎么样？请用中文回答「简短」。"


@pytest.fixture(scope="module")
def emulator() -> Iterator[SparkEmulator]:
    with SparkEmulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator: SparkEmulator) -> SparkEmulator:
    emulator.reset()
    return emulator


def providers(emu: SparkEmulator, kind: str, **changes: Any) -> dict[str, dict[str, Any]]:
    return {"s": {**emu.config(kind), **changes}}


Summary = tuple[str | None, str, str, str | None, str, str | None, int]


def _summary(first: relaykit.ChatCompletion, final: relaykit.ChatCompletion) -> Summary:
    (call,) = first.choices[0].message.tool_calls or []
    usage = final.usage.completion_tokens if final.usage else -1
    return (
        first.choices[0].message.content,
        call.function.name,
        call.function.arguments,
        first.choices[0].finish_reason,
        final.text,
        final.choices[0].finish_reason,
        usage,
    )


def _follow_up(first: relaykit.ChatCompletion) -> list[dict[str, Any]]:
    (call,) = first.choices[0].message.tool_calls or []
    return [
        user(QUESTION),
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
        {"role": "tool", "tool_call_id": call.id, "content": "晴，25度"},
    ]


def run_sync(emu: SparkEmulator, kind: str, stream: bool) -> Summary:
    """The function-call conversation through the sync client."""
    with relaykit.Client(providers=providers(emu, kind)) as client:

        def ask(messages: list[dict[str, Any]]) -> relaykit.ChatCompletion:
            if stream:
                answer = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER], stream=True)
                with answer:
                    final: relaykit.ChatCompletion = answer.get_final_completion()
                return final
            return client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])

        first = ask([user(QUESTION)])
        return _summary(first, ask(_follow_up(first)))


def run_async(emu: SparkEmulator, kind: str, stream: bool) -> Summary:
    """The same conversation through the async client."""

    async def main() -> Summary:
        async with relaykit.AsyncClient(providers=providers(emu, kind)) as client:

            async def ask(messages: list[dict[str, Any]]) -> relaykit.ChatCompletion:
                if stream:
                    answer = await client.chat.completions.create(
                        model=MODEL, messages=messages, tools=[WEATHER], stream=True
                    )
                    async with answer:
                        final: relaykit.ChatCompletion = await answer.get_final_completion()
                    return final
                result: relaykit.ChatCompletion = await client.chat.completions.create(
                    model=MODEL, messages=messages, tools=[WEATHER]
                )
                return result

            first = await ask([user(QUESTION)])
            return _summary(first, await ask(_follow_up(first)))

    result: Summary = anyio.run(main)
    return result


EXPECTED: Summary = (None, "get_weather", '{"city": "example"}', "tool_calls", "结果是：晴，25度", "stop", 9)


@pytest.mark.parametrize("stream", [False, True], ids=["collected", "streamed"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_same_function_call_chat_works_on_both_apis_sync_and_async(
    emu: SparkEmulator, kind: str, stream: bool
) -> None:
    """Tool call, tool result, answer: identical normalized results for every kind, mode and client."""
    assert run_sync(emu, kind, stream) == EXPECTED
    assert run_async(emu, kind, stream) == EXPECTED


def test_the_websocket_session_carried_the_folded_conversation(emu: SparkEmulator) -> None:
    """The second frame holds the call as assistant text and the result as a user turn."""
    run_sync(emu, "spark", stream=False)
    first, second = emu.frames
    assert first["payload"]["functions"]["text"][0]["name"] == "get_weather"
    assert [m["role"] for m in second["payload"]["message"]["text"]] == ["user", "assistant", "user"]
    assert second["payload"]["message"]["text"][2]["content"] == "函数 get_weather 返回: 晴，25度"
    assert emu.requests[0].path == "/v3.5/chat"


@pytest.mark.parametrize("kind", KINDS)
def test_chinese_text_round_trips_through_both_apis(emu: SparkEmulator, kind: str) -> None:
    """The echoed question comes back exactly, streamed and not."""
    with relaykit.Client(providers=providers(emu, kind)) as client:
        answer = client.chat.completions.create(model=MODEL, messages=[user(QUESTION)])
        stream = client.chat.completions.create(model=MODEL, messages=[user(QUESTION)], stream=True)
        texts = [chunk.text for chunk in stream]
    assert answer.text == f"你说：{QUESTION}"
    assert "".join(texts) == f"你说：{QUESTION}"
    assert len([t for t in texts if t]) > 3


@pytest.mark.parametrize(
    ("model", "path", "domain"),
    [
        ("spark-v1.5", "/v1.1/chat", "lite"),
        ("spark-v2.0", "/v2.1/chat", "generalv2"),
        ("spark-v3.0", "/v3.1/chat", "generalv3"),
    ],
)
def test_old_model_names_reach_the_right_version(emu: SparkEmulator, model: str, path: str, domain: str) -> None:
    """aigc2d's spark-v1.5/v2.0/v3.0 open the matching URL with the matching domain."""
    with relaykit.Client(providers=providers(emu, "spark")) as client:
        answer = client.chat.completions.create(model=f"s/{model}", messages=[user("你好")])
    assert answer.model == domain
    assert emu.last_request.path == path
    assert emu.last_frame["parameter"]["chat"]["domain"] == domain


def test_a_bad_signature_is_an_authentication_error(emu: SparkEmulator) -> None:
    """A wrong APISecret: the gateway's 401 "HMAC signature does not match", typed, sync and async."""
    config = providers(emu, "spark", api_secret="not-the-secret")
    with relaykit.Client(providers=config) as client, pytest.raises(relaykit.AuthenticationError) as caught:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert caught.value.status == 401
    assert "HMAC signature does not match" in str(caught.value)

    async def main() -> None:
        async with relaykit.AsyncClient(providers=config) as client:
            await client.chat.completions.create(model=MODEL, messages=[user("hi")], stream=True)

    with pytest.raises(relaykit.AuthenticationError, match="does not match"):
        anyio.run(main)


def test_a_stale_date_is_an_authentication_error(emu: SparkEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock ten minutes slow: the gateway's 403 for the date skew, typed as AuthenticationError."""
    monkeypatch.setattr(signing, "clock", lambda: time.time() - 600)
    with (
        relaykit.Client(providers=providers(emu, "spark")) as client,
        pytest.raises(relaykit.AuthenticationError) as caught,
    ):
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert caught.value.status == 403
    assert "a valid date" in str(caught.value)


def test_swapped_key_and_secret_fail_to_retrieve_a_credential(emu: SparkEmulator) -> None:
    """APIKey and APISecret swapped (a classic relay mistake): 401 "fail to retrieve credential"."""
    config = providers(emu, "spark", api_key=emu.api_secret, api_secret=emu.api_key)
    with relaykit.Client(providers=config) as client, pytest.raises(relaykit.AuthenticationError, match="credential"):
        client.chat.completions.create(model=MODEL, messages=[user("hi")])


def test_a_wrong_api_password_is_an_authentication_error(emu: SparkEmulator) -> None:
    """The HTTP API's 401 "invalid user"."""
    config = providers(emu, "spark-http", api_password="wrong")
    with relaykit.Client(providers=config) as client, pytest.raises(relaykit.AuthenticationError, match="invalid user"):
        client.chat.completions.create(model=MODEL, messages=[user("hi")])


def test_a_wrong_app_id_is_a_permission_error_from_the_frame(emu: SparkEmulator) -> None:
    """The URL is signed right but the frame's APPID is not this key's: 11200 in a frame."""
    config = providers(emu, "spark", app_id="someone-else")
    with relaykit.Client(providers=config) as client, pytest.raises(relaykit.PermissionDeniedError) as caught:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert caught.value.code == "11200"
    assert caught.value.request_id is not None


def test_a_url_and_domain_mismatch_is_refused_by_the_server(emu: SparkEmulator) -> None:
    """A configured entry pairing /v3.1/chat with generalv3.5 gets 10003 invalid model domain."""
    models = {"broken": {"url": "/v3.1/chat", "domain": "generalv3.5"}}
    config = providers(emu, "spark", models=models)
    with relaykit.Client(providers=config) as client, pytest.raises(relaykit.NotFoundError, match="model domain"):
        client.chat.completions.create(model="s/broken", messages=[user("hi")])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("code", "kind_of_error"),
    [
        (11202, relaykit.RateLimitError),
        (10013, relaykit.ContentPolicyError),
        (10907, relaykit.ContextLengthError),
        (11200, relaykit.PermissionDeniedError),
    ],
)
def test_scripted_codes_raise_their_kind_on_both_apis(
    emu: SparkEmulator, kind: str, code: int, kind_of_error: type[relaykit.APIStatusError]
) -> None:
    """header.code frames and HTTP code bodies alike become the same typed errors."""
    emu.script_error(code, "emulated")
    with relaykit.Client(providers=providers(emu, kind)) as client, pytest.raises(kind_of_error) as caught:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert caught.value.code == str(code)


@pytest.mark.parametrize("kind", KINDS)
def test_output_moderation_mid_stream_keeps_the_text_and_finishes_content_filter(emu: SparkEmulator, kind: str) -> None:
    """10014 after some text: the streamed text stands, finish_reason content_filter."""
    emu.script_error(10014, "output failed moderation", before="这是一段回答")
    with relaykit.Client(providers=providers(emu, kind)) as client:
        stream = client.chat.completions.create(model=MODEL, messages=[user("hi")], stream=True)
        final = stream.get_final_completion()
    assert final.text == "这是一段回答"
    assert final.choices[0].finish_reason == "content_filter"


@pytest.mark.parametrize("kind", KINDS)
def test_a_session_cut_mid_frame_is_an_interrupted_stream_with_the_partial(emu: SparkEmulator, kind: str) -> None:
    """Fault.cut_stream cuts the WebSocket (or the SSE body) mid-frame: StreamInterruptedError."""
    emu.inject(Fault.cut_stream(after_events=2))
    received: list[str] = []
    with relaykit.Client(providers=providers(emu, kind)) as client:
        stream = client.chat.completions.create(model=MODEL, messages=[user("一二三四五六七八九十")], stream=True)
        with pytest.raises(relaykit.StreamInterruptedError) as caught:
            received.extend(chunk.text for chunk in stream)
    assert "".join(received) == "你说：一二三四五"
    assert caught.value.partial is not None
    assert caught.value.partial.text == "你说：一二三四五"


@pytest.mark.parametrize("kind", KINDS)
def test_a_cut_collected_session_is_interrupted_too(emu: SparkEmulator, kind: str) -> None:
    """An unstreamed call whose session breaks is never a silently short answer."""
    emu.inject(Fault.cut_stream(after_events=1))
    with relaykit.Client(providers=providers(emu, kind)) as client, pytest.raises(relaykit.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=[user("一二三四五六七八九十")])


@pytest.mark.parametrize("kind", KINDS)
def test_a_429_fault_is_a_rate_limit_error_with_retry_after(emu: SparkEmulator, kind: str) -> None:
    """A refused upgrade (or POST) with 429 and Retry-After keeps both."""
    emu.inject(Fault.status(429, retry_after=2))
    with relaykit.Client(providers=providers(emu, kind)) as client, pytest.raises(relaykit.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert caught.value.retry_after == 2.0


def test_a_dropped_connection_is_a_connection_error(emu: SparkEmulator) -> None:
    """The server closing without answering the upgrade is APIConnectionError."""
    emu.inject(Fault.drop())
    with relaykit.Client(providers=providers(emu, "spark")) as client, pytest.raises(relaykit.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=[user("hi")])


def test_the_signed_parameters_never_reach_the_logs(emu: SparkEmulator) -> None:
    """authorization, date and host are masked in the request log event."""
    with structlog.testing.capture_logs() as logs, relaykit.Client(providers=providers(emu, "spark")) as client:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    (event,) = [log for log in logs if log["event"] == "relaykit.http.request"]
    query = emu.last_request.query
    logged = json.dumps(event)
    assert event["method"] == "WEBSOCKET"
    for name in ("authorization", "date"):
        assert query[name][0] not in logged
    assert event["url"].endswith("/v3.5/chat?authorization=%2A%2A%2A&date=%2A%2A%2A&host=%2A%2A%2A")


def test_missing_credentials_fail_before_anything_is_sent(emu: SparkEmulator) -> None:
    """No APISecret: ConfigurationError naming SPARK_API_SECRET, and the emulator saw nothing."""
    config = {"s": {key: value for key, value in emu.config("spark").items() if key != "api_secret"}}
    with (
        relaykit.Client(providers=config) as client,
        pytest.raises(relaykit.ConfigurationError, match="SPARK_API_SECRET"),
    ):
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert emu.requests == []


def test_tools_on_lite_are_unsupported_before_sending(emu: SparkEmulator) -> None:
    """Lite does no function calling: UnsupportedCapabilityError, nothing sent."""
    with (
        relaykit.Client(providers=providers(emu, "spark")) as client,
        pytest.raises(relaykit.UnsupportedCapabilityError),
    ):
        client.chat.completions.create(model="s/spark-lite", messages=[user("hi")], tools=[WEATHER])
    assert emu.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_scripted_answers_come_back_exactly(emu: SparkEmulator, kind: str) -> None:
    """script_chat (the ChatScripting protocol): exact text with emoji, then an exact call."""
    emu.script_chat("秋风起，枫叶红 🍁")
    emu.script_chat(tool_calls=[{"name": "get_weather", "arguments": {"city": "北京"}}])
    with relaykit.Client(providers=providers(emu, kind)) as client:
        text = client.chat.completions.create(model=MODEL, messages=[user("诗")])
        stream = client.chat.completions.create(model=MODEL, messages=[user("天气")], tools=[WEATHER], stream=True)
        call = stream.get_final_completion()
    assert text.text == "秋风起，枫叶红 🍁"
    (tool_call,) = call.choices[0].message.tool_calls or []
    assert (tool_call.function.name, json.loads(tool_call.function.arguments)) == ("get_weather", {"city": "北京"})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "error",
    [
        relaykit.BadRequestError,
        relaykit.ContentPolicyError,
        relaykit.ContextLengthError,
        relaykit.NotFoundError,
        relaykit.OverloadedError,
        relaykit.PermissionDeniedError,
        relaykit.QuotaExceededError,
        relaykit.RateLimitError,
        relaykit.ServerError,
    ],
)
def test_script_chat_error_is_reported_as_that_kind(
    emu: SparkEmulator, kind: str, error: type[relaykit.APIStatusError]
) -> None:
    """Each error kind the emulator can word as a Spark code comes back as exactly that kind."""
    emu.script_chat_error(error)
    with relaykit.Client(providers=providers(emu, kind)) as client, pytest.raises(relaykit.APIStatusError) as caught:
        client.chat.completions.create(model=MODEL, messages=[user("hi")])
    assert type(caught.value) is error


def test_script_chat_error_refuses_kinds_spark_cannot_report_in_band(emu: SparkEmulator) -> None:
    """Authentication fails at the handshake, never in a frame."""
    with pytest.raises(ValueError, match="AuthenticationError"):
        emu.script_chat_error(relaykit.AuthenticationError)


def test_a_stale_date_is_an_authentication_error_async_too(emu: SparkEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The async client reports the same typed 403 for a clock ten minutes fast."""
    monkeypatch.setattr(signing, "clock", lambda: time.time() + 600)

    async def main() -> None:
        async with relaykit.AsyncClient(providers=providers(emu, "spark")) as client:
            await client.chat.completions.create(model=MODEL, messages=[user("hi")])

    with pytest.raises(relaykit.AuthenticationError) as caught:
        anyio.run(main)
    assert caught.value.status == 403


@pytest.mark.parametrize("stream", [False, True], ids=["collected", "streamed"])
@pytest.mark.parametrize("kind", KINDS)
def test_stop_sequences_end_the_answer_on_both_apis(emu: SparkEmulator, kind: str, stream: bool) -> None:
    """Neither API takes stop: relaykit ends the answer before the sequence, finish stop."""
    params: dict[str, Any] = {"model": MODEL, "messages": [user("复述：甲乙 HALT 丙丁")], "stop": ["HALT"]}
    with relaykit.Client(providers=providers(emu, kind)) as client:
        if stream:
            answer = client.chat.completions.create(**params, stream=True).get_final_completion()
        else:
            answer = client.chat.completions.create(**params)
    assert answer.text == "你说：复述：甲乙 "
    assert answer.choices[0].finish_reason == "stop"
