"""Anthropic Messages answers -> ChatCompletion: blocks, stop reasons, usage, leftovers."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, run_to_completion
from relaykit_anthropic._chat import chat
from relaykit_anthropic._response import parse_message

from ._helpers import WEATHER_TOOL, chat_request, json_response, make_context


def _message(content: list[dict[str, Any]], stop_reason: str | None = "end_turn", **extra: Any) -> dict[str, Any]:
    return {
        "id": "msg_01Xyz",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 20,
            "output_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        },
        **extra,
    }


def _parse(payload: dict[str, Any], *, json_tool: str | None = None, **headers: str) -> relaykit.ChatCompletion:
    return parse_message(payload, json_response(200, payload, **headers), make_context(), json_tool=json_tool)


def test_text_answer_parses_with_id_model_request_id_and_usage() -> None:
    """A plain answer keeps Claude's id and model, the request-id header and the totals."""
    payload = _message([{"type": "text", "text": "4200 + 42 = 4242"}])
    completion = _parse(payload, **{"request-id": "req_011abc"})
    assert completion.text == "4200 + 42 = 4242"
    assert (completion.id, completion.model, completion.request_id) == (
        "msg_01Xyz",
        "claude-sonnet-4-5-20250929",
        "req_011abc",
    )
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        20,
        12,
        32,
    )
    assert completion.provider == "anthropic"
    assert completion.vendor_data == {"stop_reason": "end_turn", "stop_sequence": None}


def test_text_then_tool_uses_become_content_and_tool_calls_in_order() -> None:
    """A leading text block is content; each tool_use a tool call with JSON-encoded input."""
    payload = _message(
        [
            {"type": "text", "text": "I'll look both up."},
            {"type": "tool_use", "id": "toolu_01A", "name": "lookup", "input": {"q": "cat"}},
            {"type": "tool_use", "id": "toolu_01B", "name": "lookup", "input": {"q": "北京"}},
        ],
        "tool_use",
    )
    message = _parse(payload).choices[0].message
    assert message.content == "I'll look both up."
    assert [(c.id, c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []] == [
        ("toolu_01A", "lookup", {"q": "cat"}),
        ("toolu_01B", "lookup", {"q": "北京"}),
    ]
    assert "北京" in (message.tool_calls or [])[1].function.arguments
    assert _parse(payload).choices[0].finish_reason == "tool_calls"


def test_tool_only_answer_has_null_content_and_empty_input_gives_braces() -> None:
    """No text block means content None; a tool_use with {} input has arguments '{}'."""
    payload = _message([{"type": "tool_use", "id": "toolu_1", "name": "ping", "input": {}}], "tool_use")
    message = _parse(payload).choices[0].message
    assert message.content is None
    assert (message.tool_calls or [])[0].function.arguments == "{}"


def test_thinking_and_redacted_thinking_become_reasoning_parts() -> None:
    """Thinking text becomes reasoning_content; blocks keep signature or data, tagged anthropic."""
    payload = _message(
        [
            {"type": "thinking", "thinking": "The user asks about streets.", "signature": "EqQBsig=="},
            {"type": "redacted_thinking", "data": "EmwKopaque"},
            {"type": "thinking", "thinking": "Safety first.", "signature": "EqQBsig2=="},
            {"type": "text", "text": "Look both ways."},
        ]
    )
    message = _parse(payload).choices[0].message
    assert message.content == "Look both ways."
    assert message.reasoning_content == "The user asks about streets.\n\nSafety first."
    assert [(p.text, p.signature, p.redacted_data, p.provider) for p in message.reasoning or []] == [
        ("The user asks about streets.", "EqQBsig==", None, "anthropic"),
        (None, None, "EmwKopaque", "anthropic"),
        ("Safety first.", "EqQBsig2==", None, "anthropic"),
    ]


@pytest.mark.parametrize(
    ("stop_reason", "finish"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("pause_turn", "stop"),
        ("refusal", "content_filter"),
        ("model_context_window_exceeded", "length"),
    ],
)
def test_stop_reasons_map_by_table(stop_reason: str, finish: str) -> None:
    """Each documented stop_reason has its normalized finish reason; the raw value stays in vendor_data."""
    completion = _parse(_message([{"type": "text", "text": "x"}], stop_reason))
    assert completion.choices[0].finish_reason == finish
    assert completion.vendor_data["stop_reason"] == stop_reason


def test_unknown_stop_reason_is_kept_raw_not_guessed() -> None:
    """A stop_reason added later gives no finish reason and finish_reason_raw in vendor_data."""
    completion = _parse(_message([{"type": "text", "text": "x"}], "compaction"))
    assert completion.choices[0].finish_reason is None
    assert completion.vendor_data["finish_reason_raw"] == "compaction"


def test_stop_sequence_and_stop_details_are_kept() -> None:
    """The matched stop sequence and newer stop_details stay in vendor_data."""
    payload = _message([{"type": "text", "text": "def f():"}], "stop_sequence", stop_details=None)
    payload["stop_sequence"] = "```"
    completion = _parse(payload)
    assert completion.vendor_data["stop_sequence"] == "```"
    assert "stop_details" in completion.vendor_data


def test_cache_tokens_count_as_prompt_tokens_with_details() -> None:
    """Input, cache writes and cache reads add up to prompt_tokens; reads are cached_tokens."""
    payload = _message([{"type": "text", "text": "Hello there!"}])
    payload["usage"] = {
        "input_tokens": 12,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 4000,
        "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 350,
        "service_tier": "standard",
    }
    completion = _parse(payload)
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (4112, 350, 4462)
    assert usage.prompt_tokens_details is not None
    assert (usage.prompt_tokens_details.cached_tokens, usage.prompt_tokens_details.cache_write_tokens) == (4000, 100)
    assert completion.service_tier == "standard"
    assert completion.vendor_data["usage"]["cache_creation"] == {
        "ephemeral_5m_input_tokens": 100,
        "ephemeral_1h_input_tokens": 0,
    }


def test_server_tool_blocks_are_kept_and_web_citations_become_annotations() -> None:
    """server_tool_use / web_search_tool_result go to vendor_data; citations to url_citation annotations."""
    citation = {
        "type": "web_search_result_location",
        "cited_text": "Highs near 63F.",
        "url": "https://weather.example.com/sf",
        "title": "SF forecast",
        "encrypted_index": "Eo8B",
    }
    payload = _message(
        [
            {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "sf weather"}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
            {"type": "text", "text": "Today: "},
            {"type": "text", "text": "63°F", "citations": [citation]},
        ]
    )
    completion = _parse(payload)
    message = completion.choices[0].message
    assert message.content == "Today: 63°F"
    assert message.tool_calls is None
    assert message.annotations == [
        {
            "type": "url_citation",
            "url_citation": {
                "url": "https://weather.example.com/sf",
                "title": "SF forecast",
                "start_index": 7,
                "end_index": 11,
            },
        }
    ]
    assert [block["type"] for block in completion.vendor_data["unmapped_content"]] == [
        "server_tool_use",
        "web_search_tool_result",
    ]


def test_forced_json_tool_answer_becomes_the_content() -> None:
    """In tool mode the json_response tool's input is the JSON answer, finish reason stop."""
    payload = _message(
        [{"type": "tool_use", "id": "toolu_1", "name": "json_response", "input": {"name": "Biscuit", "age": 4}}],
        "tool_use",
    )
    choice = _parse(payload, json_tool="json_response").choices[0]
    assert json.loads(choice.message.content or "") == {"name": "Biscuit", "age": 4}
    assert choice.message.tool_calls is None
    assert choice.finish_reason == "stop"


def test_flow_parses_the_answer_and_raises_for_an_error_envelope_in_a_200() -> None:
    """The chat flow returns the ChatCompletion; a type=error body with 200 raises its error."""
    payload = _message([{"type": "text", "text": "Hi"}])
    result = run_to_completion(chat(chat_request(tools=[WEATHER_TOOL]), make_context()), [json_response(200, payload)])
    assert isinstance(result, relaykit.ChatCompletion)
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with pytest.raises(relaykit.OverloadedError):
        run_to_completion(chat(chat_request(), make_context()), [json_response(200, error)])


def test_answer_without_content_list_is_a_response_format_error() -> None:
    """A 200 whose content is not a list of blocks raises ResponseFormatError with an excerpt."""
    with pytest.raises(relaykit.ResponseFormatError, match="content blocks") as caught:
        run_to_completion(chat(chat_request(), make_context()), [json_response(200, {"id": "msg_1", "content": "hi"})])
    assert caught.value.body_excerpt is not None


def test_non_json_answer_is_a_response_format_error() -> None:
    """An HTML page with 200 is reported, not mis-parsed."""
    page = HttpResponse(status=200, headers={"content-type": "text/html"}, content=b"<html>maintenance</html>")
    with pytest.raises(relaykit.ResponseFormatError):
        run_to_completion(chat(chat_request(), make_context()), [page])
