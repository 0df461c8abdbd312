"""Anthropic chat requests: normalized ChatRequest -> Messages body, headers and refusals."""

from __future__ import annotations

from typing import Any

import pytest
import structlog

import relaykit
from relaykit.plugin import HttpRequest
from relaykit_anthropic._chat import chat
from relaykit_anthropic._request import build_messages_body, native_structured_output

from ._helpers import USER, WEATHER_TOOL, chat_request, make_context


def _body(**params: Any) -> dict[str, Any]:
    return build_messages_body(chat_request(**params), make_context()).body


def _adjustments(logs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {log["field"]: log for log in logs if log["event"] == "relaykit.request.adjusted"}


# --- messages ------------------------------------------------------------------------------------


def test_minimal_body_has_model_id_default_max_tokens_and_a_plain_user_turn() -> None:
    """The vendor model id, the documented default max_tokens and a string user turn are sent."""
    assert _body() == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
    }


def test_request_output_limit_wins_over_the_default_under_either_name() -> None:
    """max_tokens or max_completion_tokens becomes max_tokens; default_max_tokens is configurable."""
    assert _body(max_tokens=256)["max_tokens"] == 256
    assert _body(max_completion_tokens=300)["max_tokens"] == 300
    context = make_context(default_max_tokens=1000)
    assert build_messages_body(chat_request(), context).body["max_tokens"] == 1000


def test_system_and_developer_messages_are_lifted_into_system_in_order() -> None:
    """Every system/developer message joins the top-level system text; none stays in messages."""
    body = _body(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
            {"role": "user", "content": "Weather?"},
        ]
    )
    assert body["system"] == "Be brief.\n\nAnswer in French."
    assert [m["role"] for m in body["messages"]] == ["user"]
    assert body["messages"][0]["content"] == [{"type": "text", "text": "Hi"}, {"type": "text", "text": "Weather?"}]


def test_reference_worked_example_translates_exactly() -> None:
    """The dialect reference's section 7.4 example: image, parallel tool calls, grouped results."""
    request = chat_request(
        max_tokens=512,
        messages=[
            {"role": "system", "content": "Be brief."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"cat"}'}},
                    {"id": "call_2", "type": "function", "function": {"name": "lookup", "arguments": '{"q":"dog"}'}},
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "feline"},
            {"role": "tool", "tool_call_id": "call_2", "content": "canine"},
        ],
        tools=[{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
        tool_choice="required",
        stop="END",
    )
    body = build_messages_body(request, make_context()).body
    assert body["system"] == "Be brief."
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "call_1", "name": "lookup", "input": {"q": "cat"}},
                {"type": "tool_use", "id": "call_2", "name": "lookup", "input": {"q": "dog"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "feline"},
                {"type": "tool_result", "tool_use_id": "call_2", "content": "canine"},
            ],
        },
    ]
    assert body["tool_choice"] == {"type": "any"}
    assert body["stop_sequences"] == ["END"]


def test_tool_results_come_before_a_following_user_text_in_one_turn() -> None:
    """A user message after tool results joins their turn, after the results."""
    body = _body(
        messages=[
            *USER,
            {
                "role": "assistant",
                "content": "Let me check.",
                "tool_calls": [{"id": "t1", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}],
            },
            {"role": "tool", "tool_call_id": "t1", "content": "18°C"},
            {"role": "user", "content": "And in Celsius?"},
        ],
        tools=[WEATHER_TOOL],
    )
    assert body["messages"][1]["content"][0] == {"type": "text", "text": "Let me check."}
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "18°C"},
            {"type": "text", "text": "And in Celsius?"},
        ],
    }


def test_consecutive_same_role_messages_merge_into_one_turn() -> None:
    """Two user messages in a row become one user turn (strict gateways reject repeats)."""
    body = _body(messages=[{"role": "user", "content": "Hi"}, {"role": "user", "content": "你好"}])
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "你好"}]}
    ]


def test_tool_call_arguments_are_parsed_and_odd_ones_kept_as_objects() -> None:
    """Empty arguments become {}; arguments that are not a JSON object are wrapped as _raw."""
    calls = [
        {"id": "a", "function": {"name": "f", "arguments": ""}},
        {"id": "b", "function": {"name": "f", "arguments": '{"x": 1'}},
        {"id": "c", "function": {"name": "f", "arguments": "[1, 2]"}},
    ]
    messages = [
        *USER,
        {"role": "assistant", "tool_calls": calls},
        *({"role": "tool", "tool_call_id": call["id"], "content": "ok"} for call in calls),
    ]
    uses = _body(messages=messages)["messages"][1]["content"]
    assert [use["input"] for use in uses] == [{}, {"_raw": '{"x": 1'}, {"_raw": "[1, 2]"}]


def test_empty_text_is_left_out_and_an_empty_conversation_refused() -> None:
    """Whitespace-only text never reaches Claude; nothing left at all is an InvalidRequestError."""
    body = _body(messages=[{"role": "user", "content": "  "}, {"role": "user", "content": "Hi"}])
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": " "}])
    assert caught.value.field == "messages"


def test_leading_assistant_turn_gets_a_user_turn_in_front_and_prefill_loses_trailing_space() -> None:
    """Claude wants a user turn first and a final assistant prefill without trailing whitespace."""
    body = _body(
        messages=[
            {"role": "assistant", "content": "Hello, how can I help?"},
            {"role": "user", "content": "Write a function"},
            {"role": "assistant", "content": "```python\n"},
        ]
    )
    assert body["messages"] == [
        {"role": "user", "content": "."},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "Write a function"},
        {"role": "assistant", "content": "```python"},
    ]


def test_assistant_refusal_is_sent_back_as_text() -> None:
    """An earlier assistant refusal is part of what the assistant said."""
    body = _body(messages=[*USER, {"role": "assistant", "refusal": "I can't."}, {"role": "user", "content": "Ok"}])
    assert body["messages"][1] == {"role": "assistant", "content": "I can't."}


def test_https_image_becomes_a_url_source_and_jpg_alias_is_normalized() -> None:
    """An https image URL is a url source; image/jpg data URIs are sent as image/jpeg."""
    content = [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "data:image/jpg;base64,/9j/4A=="}},
    ]
    blocks = _body(messages=[{"role": "user", "content": content}])["messages"][0]["content"]
    assert blocks == [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4A=="}},
    ]


@pytest.mark.parametrize(
    "url",
    ["data:image/bmp;base64,Qk0=", "data:image/png,notbase64", "ftp://example.com/cat.png"],
)
def test_images_claude_cannot_read_are_refused_naming_the_part(url: str) -> None:
    """Unsupported image types, non-base64 data URIs and other schemes fail before sending."""
    content = [{"type": "text", "text": "What?"}, {"type": "image_url", "image_url": {"url": url}}]
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(messages=[{"role": "user", "content": content}])
    assert caught.value.field == "messages.0.content.1.image_url.url"


def test_pdf_and_text_files_become_document_blocks() -> None:
    """A PDF file part is a base64 document titled by its filename; plain text a text document."""
    content = [
        {"type": "file", "file": {"filename": "spec.pdf", "file_data": "data:application/pdf;base64,JVBERi0="}},
        {"type": "file", "file": {"file_data": "data:text/plain;base64,5L2g5aW9"}},
    ]
    blocks = _body(messages=[{"role": "user", "content": content}])["messages"][0]["content"]
    assert blocks == [
        {
            "type": "document",
            "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
            "title": "spec.pdf",
        },
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "你好"}},
    ]


def test_openai_file_ids_are_refused() -> None:
    """A file_id names another vendor's upload; Claude cannot read it."""
    content = [{"type": "file", "file": {"file_id": "file-abc"}}]
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(messages=[{"role": "user", "content": content}])
    assert caught.value.field == "messages.0.content.0.file.file_id"


def test_audio_input_is_an_unsupported_capability() -> None:
    """input_audio parts have no Claude block; the error is raised before sending."""
    content = [{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]
    with pytest.raises(relaykit.UnsupportedCapabilityError):
        _body(messages=[{"role": "user", "content": content}])


# --- reasoning -----------------------------------------------------------------------------------


def test_claude_thinking_blocks_go_back_first_and_other_vendors_are_dropped_with_a_notice() -> None:
    """Signed and redacted Claude blocks are resent unchanged; OpenAI or unsigned ones are logged and dropped."""
    reasoning = [
        {"text": "Let me think.", "signature": "EqQBsig", "provider": "anthropic"},
        {"redacted_data": "EmwKdata", "provider": "anthropic"},
        {"text": "o1 summary", "signature": "rs_1", "redacted_data": "enc", "provider": "openai"},
        {"text": "unsigned", "provider": "anthropic"},
    ]
    messages = [
        *USER,
        {
            "role": "assistant",
            "content": "Checking.",
            "reasoning": reasoning,
            "reasoning_content": "Let me think.",
            "tool_calls": [{"id": "t1", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "18°C"},
    ]
    with structlog.testing.capture_logs() as logs:
        body = _body(messages=messages, tools=[WEATHER_TOOL])
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "EqQBsig"},
        {"type": "redacted_thinking", "data": "EmwKdata"},
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}},
    ]
    (notice,) = [log for log in logs if log["event"] == "relaykit.reasoning.dropped"]
    assert notice["blocks"] == 2
    assert notice["from_providers"] == ["anthropic", "openai"]


@pytest.mark.parametrize(("effort", "budget"), [("minimal", 1024), ("low", 2048), ("medium", 8192), ("high", 16384)])
def test_reasoning_effort_turns_thinking_on_with_room_for_the_answer(effort: str, budget: int) -> None:
    """reasoning_effort maps to a thinking budget; the default max_tokens grows by that budget."""
    body = _body(reasoning_effort=effort)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert body["max_tokens"] == 4096 + budget


def test_thinking_budget_setting_applies_unless_the_request_says_none() -> None:
    """The thinking_budget setting turns thinking on; reasoning_effort="none" turns it off."""
    context = make_context(thinking_budget=3000)
    assert build_messages_body(chat_request(), context).body["thinking"] == {"type": "enabled", "budget_tokens": 3000}
    assert "thinking" not in build_messages_body(chat_request(reasoning_effort="none"), context).body


def test_thinking_leaves_out_custom_sampling_with_a_notice() -> None:
    """With thinking on, temperature and top_k are dropped (Claude rejects them), and logged."""
    context = make_context(options={"top_k": 40})
    with structlog.testing.capture_logs() as logs:
        body = build_messages_body(chat_request(reasoning_effort="low", temperature=0.2), context).body
    assert "temperature" not in body
    assert "top_k" not in body
    assert set(_adjustments(logs)) == {"temperature", "top_k"}


def test_thinking_keeps_a_high_top_p_once_temperature_is_gone() -> None:
    """Thinking allows top_p from 0.95; with temperature dropped, such a top_p is kept."""
    body = _body(reasoning_effort="low", temperature=0.7, top_p=0.98)
    assert ("temperature" in body, body["top_p"]) == (False, 0.98)
    assert "top_p" not in _body(reasoning_effort="low", top_p=0.5)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"reasoning_effort": "high", "max_tokens": 1000}, "max_tokens"),
        ({"reasoning_effort": "low", "tools": [WEATHER_TOOL], "tool_choice": "required"}, "tool_choice"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
    ],
)
def test_thinking_constraints_claude_would_reject_are_refused_before_sending(
    params: dict[str, Any], field: str
) -> None:
    """A max_tokens not above the budget, a forced tool, or an unknown effort fail locally."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(**params)
    assert caught.value.field == field


# --- sampling, tools, formats ----------------------------------------------------------------------


def test_temperature_above_one_is_clamped_and_logged() -> None:
    """Claude's range is 0..1: 1.5 is sent as 1.0 and the change is logged."""
    with structlog.testing.capture_logs() as logs:
        body = _body(temperature=1.5)
    assert body["temperature"] == 1.0
    assert _adjustments(logs)["temperature"]["action"] == "clamped"


def test_top_p_is_dropped_when_temperature_is_also_set() -> None:
    """Newer models reject both; temperature is kept, top_p dropped with a notice."""
    with structlog.testing.capture_logs() as logs:
        body = _body(temperature=0.3, top_p=0.9)
    assert (body["temperature"], "top_p" in body) == (0.3, False)
    assert _adjustments(logs)["top_p"]["action"] == "dropped"
    assert _body(top_p=0.9)["top_p"] == 0.9


def test_user_becomes_metadata_user_id_and_top_k_comes_from_provider_options() -> None:
    """user maps to metadata.user_id; vendor extras such as top_k travel in provider_options."""
    body = build_messages_body(chat_request(user="user-42"), make_context(options={"top_k": 5})).body
    assert body["metadata"] == {"user_id": "user-42"}
    assert body["top_k"] == 5


def test_whitespace_only_stop_sequences_are_refused() -> None:
    """Claude rejects whitespace stop sequences; the offending item is named."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(stop=["END", "\n"])
    assert caught.value.field == "stop.1"


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", {"type": "auto"}),
        ("required", {"type": "any"}),
        ("none", {"type": "none"}),
        ({"type": "function", "function": {"name": "get_weather"}}, {"type": "tool", "name": "get_weather"}),
    ],
)
def test_tool_choice_maps_to_claude_values(choice: Any, expected: dict[str, Any]) -> None:
    """auto/required/none/named become auto/any/none/tool."""
    body = _body(tools=[WEATHER_TOOL], tool_choice=choice)
    assert body["tool_choice"] == expected
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Current weather",
            "input_schema": WEATHER_TOOL["function"]["parameters"],
        }
    ]


def test_parallel_tool_calls_false_disables_parallel_tool_use() -> None:
    """parallel_tool_calls=False sets disable_parallel_tool_use on the (default auto) choice."""
    body = _body(tools=[WEATHER_TOOL], parallel_tool_calls=False)
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}


def test_tools_without_parameters_get_an_empty_object_schema_and_others_must_be_objects() -> None:
    """A parameterless tool gets {"type": "object", "properties": {}}; an array schema is refused."""
    body = _body(tools=[{"type": "function", "function": {"name": "ping"}}])
    assert body["tools"] == [{"name": "ping", "input_schema": {"type": "object", "properties": {}}}]
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}])
    assert caught.value.field == "tools.0.function.parameters"


SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
JSON_SCHEMA_FORMAT = {"type": "json_schema", "json_schema": {"name": "dog", "schema": SCHEMA}}


@pytest.mark.parametrize(
    ("model", "native"),
    [
        ("claude-sonnet-4-5", True),
        ("claude-sonnet-4-5-20250929", True),
        ("claude-haiku-4-5", True),
        ("claude-opus-4-1-20250805", True),
        ("claude-opus-4-20250514", False),
        ("claude-sonnet-4-20250514", False),
        ("claude-3-7-sonnet-latest", False),
        ("claude-3-5-sonnet-20241022", False),
        ("my-gateway-alias", False),
    ],
)
def test_native_structured_output_is_recognized_by_model_generation(model: str, native: bool) -> None:
    """Claude 4.5 models and Opus 4.1 onwards take output_config; older or unknown names do not."""
    assert native_structured_output(model) is native


def test_json_schema_uses_output_config_on_new_models() -> None:
    """In auto mode a Claude 4.5 model gets output_config.format with the schema."""
    call = build_messages_body(chat_request(response_format=JSON_SCHEMA_FORMAT), make_context())
    assert call.body["output_config"] == {"format": {"type": "json_schema", "schema": SCHEMA}}
    assert call.json_tool is None
    assert "tools" not in call.body


def test_json_schema_uses_a_forced_tool_on_older_models() -> None:
    """In auto mode an older model gets the json_response tool, forced."""
    context = make_context(model="claude-3-5-sonnet-20241022")
    call = build_messages_body(chat_request(response_format=JSON_SCHEMA_FORMAT), context)
    assert call.json_tool == "json_response"
    assert call.body["tools"][0]["name"] == "json_response"
    assert call.body["tools"][0]["input_schema"] == SCHEMA
    assert call.body["tool_choice"] == {"type": "tool", "name": "json_response"}


def test_json_schema_tool_with_caller_tools_requires_some_tool() -> None:
    """With the caller's tools present, the JSON tool joins them and any tool must be used."""
    context = make_context(json_schema_mode="tool")
    call = build_messages_body(chat_request(response_format=JSON_SCHEMA_FORMAT, tools=[WEATHER_TOOL]), context)
    assert [tool["name"] for tool in call.body["tools"]] == ["get_weather", "json_response"]
    assert call.body["tool_choice"] == {"type": "any"}


def test_json_schema_through_a_tool_cannot_combine_with_thinking() -> None:
    """Thinking forbids forced tools, so tool-mode JSON schema plus thinking is refused."""
    context = make_context(json_schema_mode="tool")
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_messages_body(chat_request(response_format=JSON_SCHEMA_FORMAT, reasoning_effort="low"), context)
    assert caught.value.field == "response_format"


def test_json_object_adds_an_instruction_to_the_system_prompt() -> None:
    """Claude has no JSON-object switch; the system prompt asks for one object."""
    body = _body(messages=[{"role": "system", "content": "Be brief."}, *USER], response_format={"type": "json_object"})
    assert body["system"] == "Be brief.\n\nRespond with a single valid JSON object and nothing else."


# --- refusals and options ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n": 2}, "n"),
        ({"logprobs": True}, "logprobs"),
        ({"seed": 7}, "seed"),
        ({"logit_bias": {"50256": -100}}, "logit_bias"),
        ({"presence_penalty": 0.5}, "presence_penalty"),
        ({"frequency_penalty": -0.5}, "frequency_penalty"),
        ({"functions": [WEATHER_TOOL["function"]]}, "functions"),
        ({"messages": [{"role": "user", "content": "Hi", "name": "ann"}]}, "messages.0.name"),
    ],
)
def test_fields_claude_cannot_express_are_refused_naming_the_field(params: dict[str, Any], field: str) -> None:
    """n>1, logprobs, seed, logit_bias, penalties, legacy functions and names fail before sending."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _body(**params)
    assert caught.value.field == field


def test_default_valued_fields_are_accepted() -> None:
    """n=1, logprobs=False and zero penalties mean nothing and pass."""
    body = _body(n=1, logprobs=False, presence_penalty=0, frequency_penalty=0)
    assert set(body) == {"model", "max_tokens", "messages"}


def test_provider_options_extend_tools_and_may_not_set_core_fields() -> None:
    """Server tools in provider_options join the tools; setting system there is refused."""
    server_tool = {"type": "web_search_20250305", "name": "web_search"}
    context = make_context(options={"tools": [server_tool], "service_tier": "standard_only"})
    body = build_messages_body(chat_request(tools=[WEATHER_TOOL]), context).body
    assert [tool["name"] for tool in body["tools"]] == ["get_weather", "web_search"]
    assert body["service_tier"] == "standard_only"
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_messages_body(chat_request(), make_context(options={"system": "x"}))
    assert caught.value.field == "provider_options.system"


def test_newer_api_version_leaves_out_sampling_parameters() -> None:
    """anthropic-version 2026-10-21 rejects temperature; it is left out with a notice."""
    context = make_context(anthropic_version="2026-10-21")
    with structlog.testing.capture_logs() as logs:
        body = build_messages_body(chat_request(temperature=0.5), context).body
    assert "temperature" not in body
    assert "temperature" in _adjustments(logs)


# --- the flow's request --------------------------------------------------------------------------


def test_flow_posts_to_v1_messages_with_key_version_and_beta_headers() -> None:
    """One POST to /v1/messages with x-api-key, anthropic-version and the configured betas."""
    context = make_context(anthropic_beta=["interleaved-thinking-2025-05-14"], options={"betas": ["extra-beta"]})
    request = next(chat(chat_request(stream=True), context))
    assert isinstance(request, HttpRequest)
    assert (request.method, request.url, request.stream) == ("POST", "https://api.anthropic.com/v1/messages", "sse")
    assert request.headers["x-api-key"] == context.api_key
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["anthropic-beta"] == "interleaved-thinking-2025-05-14,extra-beta"
    assert request.json["stream"] is True
    assert "betas" not in request.json


def test_bearer_auth_and_a_base_url_ending_in_v1_are_supported() -> None:
    """auth_scheme=bearer sends Authorization; a base URL with /v1 is not doubled."""
    context = make_context(auth_scheme="bearer", base_url="https://gateway.example.com/anthropic/v1/")
    request = next(chat(chat_request(), context))
    assert isinstance(request, HttpRequest)
    assert request.url == "https://gateway.example.com/anthropic/v1/messages"
    assert request.headers["authorization"] == f"Bearer {context.api_key}"
    assert "x-api-key" not in request.headers
