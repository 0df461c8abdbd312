"""The WebSocket request frame: header, chat parameters, the message list, functions."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

import relaykit
from relaykit.plugin import WebSocketRequest
from relaykit_spark._chat import chat
from relaykit_spark._request import TOOL_RESULT_TEXT

from ._helpers import APP_ID, WEATHER, chat_request, user, ws_context

POEM = "写一首描述秋天的诗歌，100字以内「」——…\u3000🍁\n第二行"


def sent_frame(request: relaykit.ChatRequest, model: str = "generalv3.5", **context: Any) -> dict[str, Any]:
    """The request frame the flow sends, as bytes parsed back."""
    effect = next(chat(request, ws_context(model, **context)))
    assert isinstance(effect, WebSocketRequest)
    (message,) = effect.messages
    parsed: dict[str, Any] = json.loads(message.encode("utf-8"))
    return parsed


def test_chinese_text_round_trips_byte_for_byte_and_unescaped() -> None:
    """Message text reaches the wire as the same UTF-8 bytes, not \\u escapes."""
    request = chat_request({"role": "system", "content": "你是简洁的助手"}, user(POEM))
    effect = next(chat(request, ws_context()))
    assert isinstance(effect, WebSocketRequest)
    raw = effect.messages[0].encode("utf-8")
    assert json.dumps(POEM, ensure_ascii=False).encode("utf-8")[1:-1] in raw
    assert b"\\u" not in raw
    text = json.loads(raw)["payload"]["message"]["text"]
    assert text == [{"role": "system", "content": "你是简洁的助手"}, {"role": "user", "content": POEM}]


def test_header_parameter_and_payload_follow_the_reference_frame() -> None:
    """app_id and uid in the header, domain/temperature/max_tokens in parameter.chat."""
    request = chat_request(user("你好"), temperature=0.5, max_tokens=2048, user="user-42")
    frame = sent_frame(request)
    assert frame["header"] == {"app_id": APP_ID, "uid": "user-42"}
    assert frame["parameter"] == {"chat": {"domain": "generalv3.5", "temperature": 0.5, "max_tokens": 2048}}
    assert frame["payload"] == {"message": {"text": [{"role": "user", "content": "你好"}]}}


def test_history_alternates_and_system_comes_first_on_max() -> None:
    """Max honours system: it is sent first even when given later; several are joined."""
    request = chat_request(
        user("你是谁"),
        {"role": "assistant", "content": "我是星火。"},
        {"role": "developer", "content": "回答要简短"},
        user("你会做什么"),
        {"role": "system", "content": "用中文"},
    )
    text = sent_frame(request, "spark-max")["payload"]["message"]["text"]
    assert text[0] == {"role": "system", "content": "回答要简短\n\n用中文"}
    assert [m["role"] for m in text[1:]] == ["user", "assistant", "user"]


def test_system_is_folded_into_the_first_user_turn_on_lite() -> None:
    """Lite ignores system: its text leads the first user turn, followed by a blank line."""
    request = chat_request({"role": "system", "content": "你是诗人"}, user("写诗"))
    text = sent_frame(request, "spark-lite")["payload"]["message"]["text"]
    assert text == [{"role": "user", "content": "你是诗人\n\n写诗"}]


def test_tool_results_are_folded_into_user_turns_and_calls_into_assistant_text() -> None:
    """No tool role on the WebSocket API: the call and its result are written as alternating text."""
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"合肥"}'}}
    request = chat_request(
        user("合肥天气?"),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "晴，25度"},
        user("要带伞吗?"),
        tools=[WEATHER],
    )
    text = sent_frame(request)["payload"]["message"]["text"]
    assert text == [
        {"role": "user", "content": "合肥天气?"},
        {"role": "assistant", "content": '调用函数 get_weather: {"city":"合肥"}'},
        {"role": "user", "content": "函数 get_weather 返回: 晴，25度\n\n要带伞吗?"},
    ]
    assert TOOL_RESULT_TEXT.format(name="get_weather", content="晴，25度") in text[2]["content"]


def test_legacy_function_messages_are_folded_the_same_way() -> None:
    """A legacy function_call and function message become the same text turns."""
    request = chat_request(
        user("查天气"),
        {"role": "assistant", "content": None, "function_call": {"name": "get_weather", "arguments": "{}"}},
        {"role": "function", "name": "get_weather", "content": "多云"},
        functions=[WEATHER["function"]],
    )
    text = sent_frame(request)["payload"]["message"]["text"]
    assert text[1:] == [
        {"role": "assistant", "content": "调用函数 get_weather: {}"},
        {"role": "user", "content": "函数 get_weather 返回: 多云"},
    ]


def test_tools_become_payload_functions() -> None:
    """tools[].function -> payload.functions.text[] with name, description and parameters."""
    frame = sent_frame(chat_request(user("北京天气"), tools=[WEATHER]))
    assert frame["payload"]["functions"] == {"text": [WEATHER["function"]]}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("none", None),
        ("auto", ["get_weather", "get_time"]),
        ("required", ["get_weather", "get_time"]),
        ({"type": "function", "function": {"name": "get_time"}}, ["get_time"]),
    ],
)
def test_tool_choice_selects_the_functions_sent(choice: Any, expected: list[str] | None) -> None:
    """none sends no functions; a named choice only that one; required cannot be enforced."""
    clock = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}
    frame = sent_frame(chat_request(user("几点了"), tools=[WEATHER, clock], tool_choice=choice))
    functions = frame["payload"].get("functions")
    assert (None if functions is None else [f["name"] for f in functions["text"]]) == expected


def test_a_function_without_parameters_gets_an_empty_object_schema() -> None:
    """Spark's function schema wants parameters; none given becomes an empty object schema."""
    tool = {"type": "function", "function": {"name": "ping"}}
    frame = sent_frame(chat_request(user("ping"), tools=[tool]))
    assert frame["payload"]["functions"]["text"] == [
        {"name": "ping", "description": "", "parameters": {"type": "object", "properties": {}}}
    ]


@pytest.mark.parametrize(("given", "sent"), [(0.0, 0.01), (0.7, 0.7), (1.0, 1.0), (1.6, 1.0)])
def test_temperature_is_clamped_into_zero_to_one(given: float, sent: float) -> None:
    """Spark's temperature range is (0, 1]; the normalized [0, 2] is clamped into it."""
    assert sent_frame(chat_request(user("hi"), temperature=given))["parameter"]["chat"]["temperature"] == sent


def test_max_tokens_is_clamped_to_the_version_limit_and_logged() -> None:
    """Lite takes at most 4096 tokens; asking for more sends 4096 and says so."""
    with structlog.testing.capture_logs() as logs:
        frame = sent_frame(chat_request(user("hi"), max_completion_tokens=9000), "lite")
    assert frame["parameter"]["chat"]["max_tokens"] == 4096
    (event,) = [log for log in logs if log["event"] == "relaykit.request.adjusted"]
    assert (event["field"], event["action"], event["sent"]) == ("max_tokens", "clamped", 4096)


def test_unmapped_sampling_fields_are_dropped_and_logged() -> None:
    """top_p, penalties and seed have no WebSocket equivalent: left out, named in a log event.

    stop is not sent either, but it is not dropped: relaykit applies it to the answer.
    """
    request = chat_request(user("hi"), top_p=0.5, stop=["。"], presence_penalty=0.5, seed=7)
    with structlog.testing.capture_logs() as logs:
        frame = sent_frame(request)
    assert set(frame["parameter"]["chat"]) == {"domain"}
    events = [log for log in logs if log["event"] == "relaykit.request.adjusted"]
    assert [(e["field"], e["action"]) for e in events] == [
        ("top_p", "dropped"),
        ("presence_penalty", "dropped"),
        ("seed", "dropped"),
    ]


@pytest.mark.parametrize(("fields", "field"), [({"n": 2}, "n"), ({"logprobs": True}, "logprobs")])
def test_fields_spark_cannot_honour_are_refused_before_sending(fields: dict[str, Any], field: str) -> None:
    """n > 1 (never mapped to top_k) and logprobs are InvalidRequestErrors naming the field."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        sent_frame(chat_request(user("hi"), **fields))
    assert caught.value.field == field


def test_a_file_part_is_refused_naming_its_position() -> None:
    """Spark chat takes text only."""
    part = {"type": "file", "file": {"file_id": "file-1"}}
    request = chat_request({"role": "user", "content": [{"type": "text", "text": "看"}, part]})
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        sent_frame(request)
    assert caught.value.field == "messages.0.content.1"


def test_text_parts_are_joined_by_newlines() -> None:
    """A list of text parts becomes one string."""
    request = chat_request(
        {"role": "user", "content": [{"type": "text", "text": "第一"}, {"type": "text", "text": "第二"}]}
    )
    assert sent_frame(request)["payload"]["message"]["text"] == [{"role": "user", "content": "第一\n第二"}]


def test_provider_options_go_to_chat_parameters_and_uid_to_the_header() -> None:
    """top_k, auditing and web search tools to parameter.chat; uid and patch_id to the header."""
    search = [{"type": "web_search", "web_search": {"enable": True, "search_mode": "deep"}}]
    options = {"top_k": 4, "auditing": "default", "tools": search, "uid": "u" * 40, "patch_id": ["p1"]}
    frame = sent_frame(chat_request(user("hi")), options=options)
    assert frame["parameter"]["chat"] == {"domain": "generalv3.5", "top_k": 4, "auditing": "default", "tools": search}
    assert frame["header"] == {"app_id": APP_ID, "uid": "u" * 32, "patch_id": ["p1"]}


def test_provider_options_may_not_set_the_domain() -> None:
    """The domain comes from the model table, never from options (URL and domain must match)."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        sent_frame(chat_request(user("hi")), options={"domain": "lite"})
    assert caught.value.field == "provider_options.domain"


def test_tools_on_a_configured_version_without_functions_are_unsupported() -> None:
    """A configured version that does no function calling refuses tools before sending."""
    models = {"mine": {"url": "/v9/chat", "domain": "mine"}}
    with pytest.raises(relaykit.UnsupportedCapabilityError):
        sent_frame(chat_request(user("hi"), tools=[WEATHER]), "mine", models=models)


@pytest.mark.parametrize(("missing", "env"), [("app_id", "SPARK_APP_ID"), ("api_secret", "SPARK_API_SECRET")])
def test_missing_credentials_are_a_configuration_error_naming_the_variable(missing: str, env: str) -> None:
    """Without APPID or APISecret nothing is sent; the error names the environment variable."""
    with pytest.raises(relaykit.ConfigurationError, match=env):
        sent_frame(chat_request(user("hi")), "generalv3.5", **{missing: None})


def test_credentials_are_read_from_the_documented_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPARK_APP_ID, SPARK_API_KEY and SPARK_API_SECRET configure the spark kind."""
    monkeypatch.setenv("SPARK_APP_ID", "env-app")
    monkeypatch.setenv("SPARK_API_KEY", "env-key")
    monkeypatch.setenv("SPARK_API_SECRET", "env-secret")
    client = relaykit.Client(providers={"spark": {}})
    settings = client.resolver.settings_for("spark")
    values = [getattr(settings, name).get_secret_value() for name in ("app_id", "api_key", "api_secret")]
    assert values == ["env-app", "env-key", "env-secret"]
    assert "env-secret" not in repr(settings)
