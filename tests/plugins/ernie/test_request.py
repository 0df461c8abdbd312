"""A normalized ChatRequest as an ERNIE v1 body: sampling, limits, functions, refusals, options."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

import relaykit
from relaykit_ernie._request import build_chat_body

from ._helpers import WEATHER_TOOL, chat_request, make_context


def _body(options: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    return build_chat_body(chat_request(**params), make_context(options=options))


def test_minimal_body_has_only_messages() -> None:
    """Nothing is sent that the caller did not set (ERNIE's defaults apply)."""
    assert _body() == {"messages": [{"role": "user", "content": "介绍一下北京"}]}


@pytest.mark.parametrize(("given", "sent"), [(0.0, 0.01), (0.7, 0.7), (1.0, 1.0), (1.5, 1.0), (2.0, 1.0)])
def test_temperature_is_clamped_into_ernie_range(given: float, sent: float) -> None:
    """Normalized 0-2 becomes ERNIE's (0, 1]: 0 -> 0.01, above 1 -> 1, the rest unchanged."""
    assert _body(temperature=given)["temperature"] == sent


def test_clamped_temperature_is_logged() -> None:
    """A changed temperature is never silent."""
    with capture_logs() as logs:
        _body(temperature=0)
    assert any(log.get("field") == "temperature" and log.get("action") == "clamped" for log in logs)


@pytest.mark.parametrize(
    ("penalties", "score"),
    [
        ({"frequency_penalty": 0.0}, 1.0),
        ({"frequency_penalty": 1.0}, 1.5),
        ({"presence_penalty": 2.0}, 2.0),
        ({"frequency_penalty": 0.5, "presence_penalty": 1.2}, 1.6),
        ({"frequency_penalty": -1.5}, 1.0),
    ],
)
def test_penalties_map_to_penalty_score(penalties: dict[str, float], score: float) -> None:
    """The larger penalty p becomes 1 + p/2 in ERNIE's [1, 2]; negative values become 1.0."""
    body = _body(**penalties)
    assert body["penalty_score"] == score
    assert "frequency_penalty" not in body
    assert "presence_penalty" not in body


def test_no_penalty_sends_no_penalty_score() -> None:
    """Unset penalties leave ERNIE's default."""
    assert "penalty_score" not in _body(temperature=0.5)


def test_max_tokens_becomes_max_output_tokens_of_at_least_two() -> None:
    """ERNIE's minimum is 2; both normalized names are accepted."""
    assert _body(max_tokens=1)["max_output_tokens"] == 2
    assert _body(max_completion_tokens=512)["max_output_tokens"] == 512


def test_stop_user_and_response_format_take_ernie_shapes() -> None:
    """stop is a list, user is user_id, response_format a plain string."""
    body = _body(stop="###", user="u-123", response_format={"type": "json_object"}, top_p=0.8)
    assert body["stop"] == ["###"]
    assert body["user_id"] == "u-123"
    assert body["response_format"] == "json_object"
    assert body["top_p"] == 0.8


def test_stream_is_sent_only_when_streaming() -> None:
    """stream: true for a stream request; stream_options has no v1 equivalent and is not sent."""
    body = _body(stream=True, stream_options={"include_usage": True})
    assert body["stream"] is True
    assert "stream_options" not in body


def test_tools_become_functions() -> None:
    """tools[].function becomes functions[] with name, description and parameters."""
    body = _body(tools=[WEATHER_TOOL])
    assert body["functions"] == [WEATHER_TOOL["function"]]
    assert "tool_choice" not in body


def test_a_tool_without_parameters_gets_an_empty_object_schema() -> None:
    """ERNIE wants parameters; an empty object schema stands in."""
    body = _body(tools=[{"type": "function", "function": {"name": "now"}}])
    assert body["functions"] == [{"name": "now", "parameters": {"type": "object", "properties": {}}}]


def test_named_tool_choice_becomes_ernie_tool_choice() -> None:
    """A named tool choice forces that function."""
    body = _body(tools=[WEATHER_TOOL], tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


def test_tool_choice_none_sends_no_functions() -> None:
    """tool_choice none: the functions are left out."""
    assert "functions" not in _body(tools=[WEATHER_TOOL], tool_choice="none")


def test_tool_choice_required_forces_the_only_tool() -> None:
    """required with one tool forces it; with several it cannot be said and is logged."""
    assert _body(tools=[WEATHER_TOOL], tool_choice="required")["tool_choice"]["function"]["name"] == "get_weather"
    other = {"type": "function", "function": {"name": "get_time"}}
    with capture_logs() as logs:
        body = _body(tools=[WEATHER_TOOL, other], tool_choice="required")
    assert "tool_choice" not in body
    assert any(log.get("field") == "tool_choice" for log in logs)


def test_legacy_functions_and_function_call_map_too() -> None:
    """The legacy functions list and a named function_call work like tools and tool_choice."""
    body = _body(functions=[WEATHER_TOOL["function"]], function_call={"name": "get_weather"})
    assert body["functions"][0]["name"] == "get_weather"
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}


def test_provider_options_merge_last() -> None:
    """ERNIE extras (disable_search, penalty_score...) come from provider_options."""
    body = _body(options={"disable_search": True, "penalty_score": 1.3}, frequency_penalty=2)
    assert body["disable_search"] is True
    assert body["penalty_score"] == 1.3


def test_provider_options_may_not_set_messages() -> None:
    """Core fields cannot be overridden through provider_options."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(options={"messages": []})
    assert caught.value.field == "provider_options.messages"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n": 2}, "n"),
        ({"logprobs": True}, "logprobs"),
        ({"logit_bias": {"1": 5}}, "logit_bias"),
        ({"seed": 7}, "seed"),
        ({"reasoning_effort": "high"}, "reasoning_effort"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}},
            "response_format",
        ),
    ],
)
def test_what_ernie_cannot_do_is_refused_naming_the_field(params: dict[str, Any], field: str) -> None:
    """Fields without a v1 equivalent raise InvalidRequestError before anything is sent."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(**params)
    assert caught.value.field == field


def test_default_valued_fields_are_accepted() -> None:
    """n=1 and logprobs=False mean nothing and pass."""
    assert "n" not in _body(n=1, logprobs=False)
