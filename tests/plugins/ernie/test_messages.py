"""Normalized messages to ERNIE v1's system field and strictly alternating turns."""

from __future__ import annotations

import json
from typing import Any

import pytest
from structlog.testing import capture_logs

import relaykit
from relaykit_ernie._messages import PLACEHOLDER, function_result, map_messages

from ._helpers import chat_request, make_context


def _map(messages: list[dict[str, Any]], **params: Any) -> tuple[str | None, list[dict[str, Any]]]:
    return map_messages(chat_request(messages=messages, **params), make_context())


def _call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def test_chinese_text_round_trips_byte_for_byte() -> None:
    """Chinese text, full-width punctuation and emoji reach the wire unchanged."""
    text = "你好！请用「简体中文」介绍一下北京，谢谢😊\n第二行：ＡＢＣ"
    system, messages = _map([{"role": "system", "content": "你是一个简洁的助手。"}, {"role": "user", "content": text}])
    assert system == "你是一个简洁的助手。"
    assert messages == [{"role": "user", "content": text}]
    assert messages[0]["content"].encode("utf-8") == text.encode("utf-8")


def test_system_and_developer_messages_become_the_system_field_in_order() -> None:
    """Every system or developer message is lifted into `system`, joined by newlines, never left in messages."""
    system, messages = _map(
        [
            {"role": "system", "content": "规则一"},
            {"role": "user", "content": "问题"},
            {"role": "developer", "content": [{"type": "text", "text": "规则二"}]},
        ]
    )
    assert system == "规则一\n规则二"
    assert [m["role"] for m in messages] == ["user"]


def test_consecutive_user_messages_are_merged() -> None:
    """Two user messages in a row become one turn, joined by a newline."""
    _, messages = _map([{"role": "user", "content": "第一句"}, {"role": "user", "content": "第二句"}])
    assert messages == [{"role": "user", "content": "第一句\n第二句"}]


def test_consecutive_assistant_texts_are_merged() -> None:
    """Two assistant texts in a row become one assistant turn."""
    _, messages = _map(
        [
            {"role": "user", "content": "你好"},
            {"role": "assistant", "content": "你好！"},
            {"role": "assistant", "content": "有什么可以帮你？"},
            {"role": "user", "content": "介绍北京"},
        ]
    )
    assert messages[1] == {"role": "assistant", "content": "你好！\n有什么可以帮你？"}
    assert len(messages) % 2 == 1


def test_text_parts_are_joined_by_newlines() -> None:
    """A user message of several text parts becomes one string."""
    _, messages = _map([{"role": "user", "content": [{"type": "text", "text": "甲"}, {"type": "text", "text": "乙"}]}])
    assert messages == [{"role": "user", "content": "甲\n乙"}]


def test_leading_assistant_turn_gets_a_placeholder_user_turn_in_front() -> None:
    """A conversation opening with the assistant gets a '/' user turn first, and the change is logged."""
    with capture_logs() as logs:
        _, messages = _map([{"role": "assistant", "content": "欢迎光临！"}, {"role": "user", "content": "你好"}])
    assert messages == [
        {"role": "user", "content": PLACEHOLDER},
        {"role": "assistant", "content": "欢迎光临！"},
        {"role": "user", "content": "你好"},
    ]
    assert any(log["event"] == "relaykit.request.adjusted" and log["field"] == "messages.0" for log in logs)


def test_trailing_assistant_message_is_refused_naming_it() -> None:
    """ERNIE has no prefill: a conversation ending with the assistant is an InvalidRequestError on that message."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map([{"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！"}])
    assert caught.value.field == "messages.1"
    assert "prefill" in str(caught.value)


def test_empty_user_content_is_refused_naming_the_field() -> None:
    """Whitespace-only user text is refused locally instead of ERNIE's 336003."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map([{"role": "user", "content": "   "}])
    assert caught.value.field == "messages.0.content"


def test_empty_assistant_text_becomes_the_placeholder() -> None:
    """An empty assistant turn is sent as '/' (Baidu's placeholder), not dropped."""
    with capture_logs() as logs:
        _, messages = _map(
            [{"role": "user", "content": "甲"}, {"role": "assistant", "content": ""}, {"role": "user", "content": "乙"}]
        )
    assert messages[1] == {"role": "assistant", "content": PLACEHOLDER}
    assert any(log.get("field") == "messages.1.content" for log in logs)


def test_only_system_messages_are_refused() -> None:
    """A conversation with no user turn cannot be sent."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map([{"role": "system", "content": "规则"}])
    assert caught.value.field == "messages"


def test_tool_call_and_result_become_function_call_and_function_turns() -> None:
    """An assistant tool call becomes function_call (with thoughts), its result a named function turn."""
    _, messages = _map(
        [
            {"role": "user", "content": "北京天气？"},
            {
                "role": "assistant",
                "content": None,
                "reasoning_content": "需要查询天气。",
                "tool_calls": [_call("call_1", "get_weather", '{"city":"北京"}')],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"temp": 25, "天气": "晴"}'},
        ]
    )
    assert messages[1] == {
        "role": "assistant",
        "function_call": {"name": "get_weather", "arguments": '{"city":"北京"}', "thoughts": "需要查询天气。"},
    }
    assert messages[2] == {"role": "function", "content": '{"temp": 25, "天气": "晴"}', "name": "get_weather"}


def test_parallel_tool_calls_become_call_and_result_pairs() -> None:
    """Two calls in one message become two call/result pairs, each result after its own call (logged)."""
    with capture_logs() as logs:
        _, messages = _map(
            [
                {"role": "user", "content": "北京和上海的天气？"},
                {
                    "role": "assistant",
                    "content": "我来查一下。",
                    "tool_calls": [
                        _call("c1", "get_weather", '{"city":"北京"}'),
                        _call("c2", "get_weather", '{"city":"上海"}'),
                    ],
                },
                {"role": "tool", "tool_call_id": "c2", "content": '{"city": "上海", "temp": 28}'},
                {"role": "tool", "tool_call_id": "c1", "content": '{"city": "北京", "temp": 25}'},
            ]
        )
    assert [m["role"] for m in messages] == ["user", "assistant", "function", "assistant", "function"]
    assert messages[1]["content"] == "我来查一下。"
    assert json.loads(messages[1]["function_call"]["arguments"]) == {"city": "北京"}
    assert json.loads(messages[2]["content"])["city"] == "北京"
    assert json.loads(messages[3]["function_call"]["arguments"]) == {"city": "上海"}
    assert "content" not in messages[3]
    assert json.loads(messages[4]["content"])["city"] == "上海"
    assert any(log.get("action") == "split" for log in logs)


def test_plain_text_tool_results_are_wrapped_as_json() -> None:
    """A result that is not a JSON object is sent as {"result": ...}, as Baidu's adapter does."""
    assert json.loads(function_result("晴，25度")) == {"result": "晴，25度"}
    assert function_result('{"a": 1}') == '{"a": 1}'
    assert json.loads(function_result("[1, 2]")) == {"result": "[1, 2]"}
    assert "晴" in function_result("晴")


def test_user_message_right_after_a_tool_result_is_refused() -> None:
    """v1 needs the assistant's answer between a function result and the next user turn."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map(
            [
                {"role": "user", "content": "北京天气？"},
                {"role": "assistant", "tool_calls": [_call("c1", "get_weather", "{}")]},
                {"role": "tool", "tool_call_id": "c1", "content": "晴"},
                {"role": "user", "content": "上海呢？"},
            ]
        )
    assert caught.value.field == "messages.3"


def test_legacy_function_messages_pass_through() -> None:
    """Legacy assistant function_call and function messages keep ERNIE's own shape."""
    _, messages = _map(
        [
            {"role": "user", "content": "echo: 你好"},
            {"role": "assistant", "content": None, "function_call": {"name": "echo", "arguments": '{"words":"你好"}'}},
            {"role": "function", "name": "echo", "content": '{"words":"你好"}'},
        ]
    )
    assert messages[1] == {"role": "assistant", "function_call": {"name": "echo", "arguments": '{"words":"你好"}'}}
    assert messages[2] == {"role": "function", "content": '{"words":"你好"}', "name": "echo"}


def test_legacy_function_result_without_a_call_is_refused() -> None:
    """A function result straight after a user message cannot be placed."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map([{"role": "user", "content": "甲"}, {"role": "function", "name": "f", "content": "{}"}])
    assert caught.value.field == "messages.1"


def test_images_are_refused_naming_the_part() -> None:
    """Non-text parts cannot be sent to the text endpoints."""
    file_part = {"type": "file", "file": {"file_data": "data:application/pdf;base64,AAAA", "filename": "a.pdf"}}
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _map([{"role": "user", "content": [{"type": "text", "text": "看"}, file_part]}])
    assert caught.value.field == "messages.0.content.1"


def test_message_names_are_dropped_and_logged() -> None:
    """v1 names only function results: a user name is left out, never silently."""
    with capture_logs() as logs:
        _, messages = _map([{"role": "user", "content": "你好", "name": "小明"}])
    assert messages == [{"role": "user", "content": "你好"}]
    assert any(log.get("field") == "messages.0.name" for log in logs)


@pytest.mark.parametrize(
    "roles",
    [
        ["user", "user", "assistant", "assistant", "user"],
        ["assistant", "user"],
        ["system", "user", "assistant", "user", "user"],
        ["user", "assistant", "assistant", "user", "system", "user"],
    ],
)
def test_every_fixable_history_becomes_odd_and_alternating(roles: list[str]) -> None:
    """Whatever the order of roles, the result opens with the user, alternates, and has odd length."""
    _, messages = _map([{"role": role, "content": f"{role}{i}"} for i, role in enumerate(roles)])
    assert len(messages) % 2 == 1
    assert all(m["role"] == ("user" if i % 2 == 0 else "assistant") for i, m in enumerate(messages))
