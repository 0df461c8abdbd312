"""ERNIE v1 answers as normalized ChatCompletions: text, function calls, finish reasons, vendor data."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import run_to_completion
from relaykit_ernie._chat import chat
from relaykit_ernie._response import FINISH_REASONS

from ._helpers import WEATHER_TOOL, answer, chat_request, json_response, make_context, token_response

_CALL = {"name": "get_weather", "thoughts": "我需要先查询北京的天气。", "arguments": '{"city":"北京"}'}


def _complete(payload: dict[str, Any], **params: Any) -> relaykit.ChatCompletion:
    """Run the chat flow: token exchange, then `payload` as the chat answer."""
    result = run_to_completion(
        chat(chat_request(**params), make_context(model="ernie-bot-4")),
        [token_response(), json_response(payload, **{"x-baidu-request-id": "0fa2b3c4-req"})],
    )
    assert isinstance(result, relaykit.ChatCompletion)
    return result


def test_text_answer_maps_to_a_completion() -> None:
    """result, id, created, usage and the requested model come back normalized."""
    result = _complete(answer("北京是中华人民共和国的首都，历史悠久。"))
    assert result.text == "北京是中华人民共和国的首都，历史悠久。"
    assert result.id == "as-bcmt5ct4iy"
    assert result.created == 1680167072
    assert result.model == "ernie-bot-4"
    assert result.provider == "ernie"
    assert result.request_id == "0fa2b3c4-req"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (5, 9, 14)


def test_chinese_answer_round_trips_byte_for_byte() -> None:
    """The answer text is not re-encoded or normalized on the way."""
    text = "你好！很高兴与你交流。「引号」，全角ＡＢＣ，emoji😊\n换行"
    assert _complete(answer(text)).text.encode("utf-8") == text.encode("utf-8")


def test_unmapped_keys_are_kept_in_vendor_data() -> None:
    """is_truncated, need_clear_history, search_info and unknown keys stay available."""
    search = {"search_results": [{"index": 1, "url": "https://example.com", "title": "北京"}]}
    result = _complete(answer(search_info=search, brand_new_field=1))
    assert result.vendor_data["search_info"] == search
    assert result.vendor_data["brand_new_field"] == 1
    assert result.vendor_data["is_truncated"] is False
    assert "result" not in result.vendor_data


def test_function_call_answer_becomes_a_tool_call() -> None:
    """function_call becomes one tool call with a stable id; thoughts become reasoning_content."""
    result = _complete(answer("", function_call=_CALL, finish_reason="function_call"), tools=[WEATHER_TOOL])
    message = result.choices[0].message
    assert message.content is None
    assert message.tool_calls is not None
    (call,) = message.tool_calls
    assert call.id == "call_as-bcmt5ct4iy"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "北京"}
    assert message.reasoning_content == "我需要先查询北京的天气。"
    assert result.choices[0].finish_reason == "tool_calls"


def test_function_call_with_a_wrong_finish_reason_is_still_a_tool_call() -> None:
    """A call reported with finish_reason normal is not lost (the relays' bug)."""
    result = _complete(answer("", function_call=_CALL, finish_reason="normal"), tools=[WEATHER_TOOL])
    assert result.choices[0].finish_reason == "tool_calls"


def test_legacy_functions_request_gets_a_legacy_function_call() -> None:
    """A request made with functions gets message.function_call and finish_reason function_call."""
    result = _complete(
        answer("", function_call=_CALL, finish_reason="function_call"), functions=[WEATHER_TOOL["function"]]
    )
    message = result.choices[0].message
    assert message.tool_calls is None
    assert message.function_call is not None
    assert message.function_call.name == "get_weather"
    assert result.choices[0].finish_reason == "function_call"


def test_object_arguments_are_json_encoded() -> None:
    """Arguments given as an object are sent on as a JSON string, Chinese kept."""
    call = {"name": "get_weather", "arguments": {"city": "北京"}}
    result = _complete(answer("", function_call=call), tools=[WEATHER_TOOL])
    assert result.choices[0].message.tool_calls is not None
    assert result.choices[0].message.tool_calls[0].function.arguments == '{"city": "北京"}'


@pytest.mark.parametrize(
    ("fields", "finish"),
    [
        ({"finish_reason": "normal"}, "stop"),
        ({"finish_reason": "stop"}, "stop"),
        ({"finish_reason": "length"}, "length"),
        ({"finish_reason": "normal", "is_truncated": True}, "length"),
        ({"finish_reason": "content_filter"}, "content_filter"),
        ({"need_clear_history": True, "ban_round": -1}, "content_filter"),
        ({"flag": 1}, "content_filter"),
        ({"flag": 0}, "stop"),
    ],
)
def test_finish_reasons_map(fields: dict[str, Any], finish: str) -> None:
    """The finish table, truncation and the content-safety signals."""
    assert _complete(answer(**fields)).choices[0].finish_reason == finish


def test_missing_finish_reason_means_stop() -> None:
    """Older models omit finish_reason on a complete answer."""
    payload = answer()
    del payload["finish_reason"]
    assert _complete(payload).choices[0].finish_reason == "stop"


def test_unknown_finish_reason_is_kept_raw() -> None:
    """An unknown value is not guessed: None, with the raw value in vendor_data."""
    result = _complete(answer(finish_reason="brand_new"))
    assert result.choices[0].finish_reason is None
    assert result.vendor_data["finish_reason_raw"] == "brand_new"


def test_finish_table_covers_the_captured_and_documented_values() -> None:
    """normal and function_call were captured; stop, length, content_filter are documented."""
    assert {"normal", "function_call", "stop", "length", "content_filter"} <= set(FINISH_REASONS)


def test_non_string_result_is_a_response_format_error() -> None:
    """A body that does not fit the answer shape raises ResponseFormatError."""
    with pytest.raises(relaykit.ResponseFormatError):
        _complete(answer(result=["not", "text"]))  # type: ignore[arg-type]
