"""OpenAI chat over the Responses API: request translation, response parsing, the event decoder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import HttpRequest, HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_openai._chat import chat
from relaykit_openai._responses import build_responses_body, responses_chat
from relaykit_openai._responses_stream import ResponsesChunkDecoder

from ...helpers import make_context

USER = [{"role": "user", "content": "Pick a colour."}]
LOOKUP_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "lookup_stock",
        "description": "Units in stock for a product code",
        "parameters": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
    },
}


def _request(**params: Any) -> relaykit.ChatRequest:
    return validate_request(relaykit.ChatRequest, {"model": "openai/gpt-5-mini", "messages": USER, **params})


def _ctx(**settings: Any) -> relaykit.plugin.CallContext:
    return make_context(chat_api="responses", **settings)


def _body(request: relaykit.ChatRequest, **settings: Any) -> dict[str, Any]:
    return build_responses_body(request, _ctx(**settings))


def _json(status: int, body: Any, **headers: str) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json", **headers}, content=json.dumps(body).encode()
    )


def _response(*output: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A Responses API ``response`` object holding `output`."""
    return {
        "id": "resp_7a1",
        "object": "response",
        "created_at": 1760000000,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "model": "gpt-5-mini-2025-08-07",
        "output": list(output),
        "parallel_tool_calls": True,
        "service_tier": "default",
        "store": False,
        "usage": {
            "input_tokens": 40,
            "input_tokens_details": {"cached_tokens": 8},
            "output_tokens": 30,
            "output_tokens_details": {"reasoning_tokens": 12},
            "total_tokens": 70,
        },
        "metadata": {},
        **fields,
    }


def _message(*parts: dict[str, Any], item_id: str = "msg_1") -> dict[str, Any]:
    return {"id": item_id, "type": "message", "status": "completed", "role": "assistant", "content": list(parts)}


def _text(text: str, annotations: list[Any] | None = None) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": annotations or [], "logprobs": []}


def _call(call_id: str, arguments: str, *, item_id: str, name: str = "lookup_stock") -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "arguments": arguments,
        "call_id": call_id,
        "name": name,
    }


def _reasoning(item_id: str, *summaries: str, encrypted: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": s} for s in summaries],
    }
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def _parse(payload: dict[str, Any], **headers: str) -> relaykit.ChatCompletion:
    result = run_to_completion(responses_chat(_request(), _ctx()), [_json(200, payload, **headers)])
    assert isinstance(result, relaykit.ChatCompletion)
    return result


# --- request translation -------------------------------------------------------------------------


def test_chat_flow_posts_to_responses_when_chat_api_is_responses() -> None:
    """The chat flow sends POST /responses with the translated body when chat_api is "responses"."""
    flow = chat(_request(), _ctx())
    sent = next(flow)
    assert isinstance(sent, HttpRequest)
    assert sent.method == "POST"
    assert sent.url == "https://api.openai.com/v1/responses"
    assert sent.stream is None
    assert sent.json == {
        "model": "gpt-4o-mini",
        "input": [{"type": "message", "role": "user", "content": "Pick a colour."}],
        "store": False,
    }


def test_messages_become_input_items_in_order() -> None:
    """System, developer, user parts, assistant text and tool calls, and tool results map to input items."""
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": [{"type": "text", "text": "Answer in French."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Stock for this label?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/label.png", "detail": "low"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
                {"type": "file", "file": {"filename": "sheet.pdf", "file_data": "data:application/pdf;base64,JVBE"}},
                {"type": "file", "file": {"file_id": "file-9"}},
            ],
        },
        {
            "role": "assistant",
            "content": "Checking both.",
            "tool_calls": [
                {"id": "call_a", "type": "function", "function": {"name": "lookup_stock", "arguments": '{"sku":"A1"}'}},
                {"id": "call_b", "type": "function", "function": {"name": "lookup_stock", "arguments": '{"sku":"B2"}'}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "4"},
        {"role": "tool", "tool_call_id": "call_b", "content": [{"type": "text", "text": "0"}]},
        {"role": "assistant", "content": "A1 has 4 units; B2 is out."},
        {"role": "user", "content": "Merci, 谢谢"},
    ]
    body = _body(_request(messages=messages, tools=[LOOKUP_TOOL]))
    assert body["input"] == [
        {"type": "message", "role": "system", "content": "Be brief."},
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Answer in French."}]},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Stock for this label?"},
                {"type": "input_image", "image_url": "https://example.com/label.png", "detail": "low"},
                {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"},
                {"type": "input_file", "filename": "sheet.pdf", "file_data": "data:application/pdf;base64,JVBE"},
                {"type": "input_file", "file_id": "file-9"},
            ],
        },
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Checking both.", "annotations": []}],
        },
        {"type": "function_call", "call_id": "call_a", "name": "lookup_stock", "arguments": '{"sku":"A1"}'},
        {"type": "function_call", "call_id": "call_b", "name": "lookup_stock", "arguments": '{"sku":"B2"}'},
        {"type": "function_call_output", "call_id": "call_a", "output": "4"},
        {"type": "function_call_output", "call_id": "call_b", "output": "0"},
        {
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "A1 has 4 units; B2 is out.", "annotations": []}],
        },
        {"type": "message", "role": "user", "content": "Merci, 谢谢"},
    ]


def test_assistant_refusal_and_empty_content_with_tool_calls() -> None:
    """A refusal becomes a refusal part; empty text beside tool calls sends no message item."""
    messages = [
        *USER,
        {"role": "assistant", "content": None, "refusal": "I can't help with that."},
        {"role": "user", "content": "Then count stock."},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup_stock", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "3"},
    ]
    items = _body(_request(messages=messages, tools=[LOOKUP_TOOL]))["input"]
    assert items[1] == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "refusal", "refusal": "I can't help with that."}],
    }
    assert [item["type"] for item in items[3:]] == ["function_call", "function_call_output"]


def test_developer_role_setting_sends_developer_messages_as_system() -> None:
    """With developer_role = "system", developer messages go as system input items."""
    request = _request(messages=[{"role": "developer", "content": "Be brief."}, *USER])
    assert _body(request, developer_role="system")["input"][0]["role"] == "system"


def test_tools_are_flat_and_strict_is_always_sent() -> None:
    """Function tools are flattened; strict defaults to false (the Responses API would default to true)."""
    bare = {"type": "function", "function": {"name": "ping"}}
    strict = {"type": "function", "function": {**LOOKUP_TOOL["function"], "strict": True}}
    body = _body(_request(tools=[LOOKUP_TOOL, bare, strict], tool_choice="required", parallel_tool_calls=False))
    assert body["tools"] == [
        {
            "type": "function",
            "name": "lookup_stock",
            "description": "Units in stock for a product code",
            "parameters": LOOKUP_TOOL["function"]["parameters"],
            "strict": False,
        },
        {"type": "function", "name": "ping", "parameters": {"type": "object", "properties": {}}, "strict": False},
        {**body["tools"][0], "strict": True},
    ]
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False


def test_named_tool_choice_is_flat() -> None:
    """A named tool choice becomes {"type": "function", "name": ...}."""
    choice = {"type": "function", "function": {"name": "lookup_stock"}}
    body = _body(_request(tools=[LOOKUP_TOOL], tool_choice=choice))
    assert body["tool_choice"] == {"type": "function", "name": "lookup_stock"}


def test_json_schema_response_format_becomes_text_format() -> None:
    """response_format json_schema becomes text.format with name, schema, description and strict."""
    schema = {"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "Colour", "schema": schema, "description": "One colour", "strict": True},
    }
    body = _body(_request(response_format=response_format))
    assert body["text"] == {
        "format": {
            "type": "json_schema",
            "name": "Colour",
            "schema": schema,
            "description": "One colour",
            "strict": True,
        }
    }


@pytest.mark.parametrize("kind", ["json_object", "text"])
def test_plain_response_formats_become_text_format(kind: str) -> None:
    """json_object and text formats carry over as text.format types."""
    assert _body(_request(response_format={"type": kind}))["text"] == {"format": {"type": kind}}


def test_limits_sampling_user_and_reasoning_effort_map_to_responses_fields() -> None:
    """Output limit, temperature, top_p, user and reasoning effort use the Responses API names."""
    body = _body(_request(max_completion_tokens=300, temperature=0.4, top_p=0.9, user="u-42", reasoning_effort="low"))
    assert body["max_output_tokens"] == 300
    assert (body["temperature"], body["top_p"], body["user"]) == (0.4, 0.9, "u-42")
    assert body["reasoning"] == {"effort": "low"}
    assert "max_tokens" not in body
    assert "max_completion_tokens" not in body


def test_stream_request_asks_for_sse_without_stream_options() -> None:
    """stream=True sets stream in the body and SSE framing; include_usage is handled by the decoder."""
    flow = responses_chat(_request(stream=True, stream_options={"include_usage": True}), _ctx())
    sent = next(flow)
    assert isinstance(sent, HttpRequest)
    assert sent.stream == "sse"
    assert sent.json["stream"] is True
    assert "stream_options" not in sent.json


def test_store_is_false_unless_provider_options_set_it() -> None:
    """The request is stateless by default; provider_options may turn storage on."""
    assert _body(_request())["store"] is False
    stored = build_responses_body(_request(), make_context(chat_api="responses", options={"store": True}))
    assert stored["store"] is True


def test_provider_options_merge_into_nested_fields() -> None:
    """Option dicts merge into the body's dicts, lists extend its lists, other values replace."""
    options = {
        "reasoning": {"summary": "auto"},
        "tools": [{"type": "web_search"}],
        "include": ["reasoning.encrypted_content"],
        "service_tier": "flex",
    }
    ctx = make_context(chat_api="responses", options=options)
    body = build_responses_body(_request(reasoning_effort="high", tools=[LOOKUP_TOOL]), ctx)
    assert body["reasoning"] == {"effort": "high", "summary": "auto"}
    assert [tool["type"] for tool in body["tools"]] == ["function", "web_search"]
    assert body["include"] == ["reasoning.encrypted_content"]
    assert body["service_tier"] == "flex"


@pytest.mark.parametrize("name", ["input", "model", "stream"])
def test_provider_options_may_not_set_request_fields(name: str) -> None:
    """Options cannot override the translated input, the model or streaming."""
    ctx = make_context(chat_api="responses", options={name: "x"})
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_responses_body(_request(), ctx)
    assert caught.value.field == f"provider_options.{name}"


def _refused(request: relaykit.ChatRequest) -> relaykit.InvalidRequestError:
    """Start the chat flow; it must raise before yielding any request."""
    flow = chat(request, _ctx())
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(flow)
    return caught.value


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n": 2}, "n"),
        ({"stop": "END"}, "stop"),
        ({"stop": ["a", "b"]}, "stop"),
        ({"logprobs": True, "top_logprobs": 2}, "logprobs"),
        ({"presence_penalty": 0.5}, "presence_penalty"),
        ({"frequency_penalty": -1.0}, "frequency_penalty"),
        ({"seed": 7}, "seed"),
        ({"logit_bias": {"50256": -100}}, "logit_bias"),
        ({"functions": [{"name": "ping"}]}, "functions"),
        ({"function_call": "auto"}, "function_call"),
    ],
)
def test_inexpressible_fields_are_refused_before_anything_is_sent(params: dict[str, Any], field: str) -> None:
    """Fields the Responses API cannot carry raise InvalidRequestError naming them; nothing is sent."""
    error = _refused(_request(**params))
    assert error.field == field
    assert "Responses API" in str(error)


def test_default_valued_fields_are_accepted() -> None:
    """n=1, zero penalties and logprobs=False change nothing, so they are not refused."""
    body = _body(_request(n=1, presence_penalty=0, frequency_penalty=0.0, logprobs=False, stop=[]))
    assert set(body) == {"model", "input", "store"}


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"role": "user", "content": "Hi", "name": "ana"}, "messages.0.name"),
        (
            {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}}]},
            "messages.0.content.0",
        ),
        ({"role": "function", "name": "ping", "content": "pong"}, "messages.0.role"),
        ({"role": "assistant", "function_call": {"name": "ping", "arguments": "{}"}}, "messages.0.function_call"),
        ({"role": "assistant", "audio": {"id": "audio_1"}}, "messages.0.audio"),
    ],
)
def test_inexpressible_messages_are_refused(message: dict[str, Any], field: str) -> None:
    """Names, audio input, legacy function messages and assistant audio raise naming the field."""
    assert _refused(_request(messages=[message])).field == field


def test_json_schema_without_schema_is_refused() -> None:
    """The Responses API needs a schema for json_schema output."""
    request = _request(response_format={"type": "json_schema", "json_schema": {"name": "Colour"}})
    assert _refused(request).field == "response_format.json_schema.schema"


def test_openai_reasoning_blocks_go_back_as_reasoning_items() -> None:
    """Reasoning parts from this API return as reasoning items; other vendors' and bare ids are dropped."""
    reasoning = [
        {"text": "Need stock first.", "signature": "rs_1", "redacted_data": "gAAAenc", "provider": "openai"},
        {"text": "thinking", "signature": "sig-anthropic", "provider": "anthropic"},
        {"signature": "rs_2", "provider": "openai"},
    ]
    messages = [
        *USER,
        {"role": "assistant", "content": "Red.", "reasoning": reasoning, "reasoning_content": "Need stock first."},
    ]
    items = _body(_request(messages=messages))["input"]
    assert items[1] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "Need stock first."}],
        "encrypted_content": "gAAAenc",
    }
    assert [item["type"] for item in items] == ["message", "reasoning", "message"]
    stored = build_responses_body(
        _request(messages=messages), make_context(chat_api="responses", options={"store": True})
    )
    assert [item.get("id") for item in stored["input"]] == [None, "rs_1", "rs_2", None]


# --- the JSON answer -----------------------------------------------------------------------------


def test_text_answer_parses_with_usage_and_vendor_data() -> None:
    """Text, id, model, time, usage details, request id and unknown keys come through."""
    completion = _parse(_response(_message(_text("Blue "), _text("it is."))), **{"x-request-id": "req_9"})
    assert completion.text == "Blue it is."
    assert completion.id == "resp_7a1"
    assert completion.model == "gpt-5-mini-2025-08-07"
    assert completion.created == 1760000000
    assert completion.request_id == "req_9"
    assert completion.provider == "openai"
    assert completion.service_tier == "default"
    assert completion.choices[0].finish_reason == "stop"
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (40, 30, 70)
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 8
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 12
    assert completion.vendor_data["status"] == "completed"
    assert completion.vendor_data["store"] is False
    assert "output" not in completion.vendor_data


def test_function_calls_parse_with_call_ids_and_tool_calls_finish() -> None:
    """function_call items become tool calls keyed by call_id, finishing with tool_calls."""
    payload = _response(
        _call("call_x1", '{"sku":"A1"}', item_id="fc_1"),
        _call("call_x2", '{"sku":"B2"}', item_id="fc_2"),
    )
    completion = _parse(payload)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_x1", "lookup_stock", '{"sku":"A1"}'),
        ("call_x2", "lookup_stock", '{"sku":"B2"}'),
    ]


def test_reasoning_summary_becomes_reasoning_content_and_parts() -> None:
    """Reasoning summaries join into reasoning_content; each item gives a ReasoningPart to send back."""
    payload = _response(
        _reasoning("rs_a", "Checking stock.", "Two items.", encrypted="gAAAone"),
        _call("call_1", '{"sku":"A1"}', item_id="fc_1"),
        _reasoning("rs_b"),
        _message(_text("Done.")),
    )
    message = _parse(payload).choices[0].message
    assert message.reasoning_content == "Checking stock.\n\nTwo items."
    assert message.reasoning == [
        relaykit.ReasoningPart(
            text="Checking stock.\n\nTwo items.", signature="rs_a", redacted_data="gAAAone", provider="openai"
        ),
        relaykit.ReasoningPart(signature="rs_b", provider="openai"),
    ]
    assert message.content == "Done."


def test_refusal_part_parses_as_refusal() -> None:
    """A refusal content part fills message.refusal, not the text."""
    message = _parse(_response(_message({"type": "refusal", "refusal": "I can't do that."}))).choices[0].message
    assert message.refusal == "I can't do that."
    assert message.content is None


@pytest.mark.parametrize(("reason", "finish"), [("max_output_tokens", "length"), ("content_filter", "content_filter")])
def test_incomplete_response_finish_reason(reason: str, finish: str) -> None:
    """An incomplete response finishes with length or content_filter per its reason."""
    payload = _response(_message(_text("Blu")), status="incomplete", incomplete_details={"reason": reason})
    completion = _parse(payload)
    assert completion.choices[0].finish_reason == finish
    assert completion.vendor_data["incomplete_details"] == {"reason": reason}


def test_url_citations_take_the_chat_shape_with_whole_text_offsets() -> None:
    """url_citation annotations are nested as in Chat Completions, indexes relative to the joined text."""
    citation = {"type": "url_citation", "start_index": 0, "end_index": 4, "url": "https://e.com", "title": "E"}
    payload = _response(_message(_text("See: "), _text("here", [citation])))
    annotations = _parse(payload).choices[0].message.annotations
    assert annotations == [
        {
            "type": "url_citation",
            "url_citation": {"start_index": 5, "end_index": 9, "url": "https://e.com", "title": "E"},
        }
    ]


def test_unknown_output_items_are_kept_in_vendor_data() -> None:
    """Output items of built-in tools are kept, unmapped, in vendor_data."""
    search = {"id": "ws_1", "type": "web_search_call", "status": "completed", "action": {"type": "search"}}
    completion = _parse(_response(search, _message(_text("Found it."))))
    assert completion.text == "Found it."
    assert completion.vendor_data["unmapped_output"] == [search]


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("server_error", relaykit.ServerError),
        ("rate_limit_exceeded", relaykit.RateLimitError),
        ("image_content_policy_violation", relaykit.ContentPolicyError),
        ("invalid_prompt", relaykit.BadRequestError),
    ],
)
def test_failed_response_raises_mapped_error(code: str, error_class: type[relaykit.APIStatusError]) -> None:
    """A 200 answer whose status is failed raises the error its code names."""
    payload = _response(status="failed", error={"code": code, "message": "It went wrong."}, output=[])
    with pytest.raises(error_class) as caught:
        _parse(payload, **{"x-request-id": "req_f"})
    assert caught.value.message == "It went wrong."
    assert caught.value.code == code
    assert caught.value.request_id == "req_f"


@pytest.mark.parametrize(
    ("status", "code", "error_class"),
    [
        (400, "model_not_found", relaykit.NotFoundError),  # an unknown model, whatever the status
        (401, "invalid_api_key", relaykit.AuthenticationError),
        (429, "rate_limit_exceeded", relaykit.RateLimitError),
        (500, None, relaykit.ServerError),
    ],
)
def test_http_errors_map_by_status(status: int, code: str | None, error_class: type[relaykit.APIStatusError]) -> None:
    """An error envelope with an error status maps to the class of that status."""
    body = {"error": {"message": "No.", "type": "invalid_request_error", "param": None, "code": code}}
    with pytest.raises(error_class) as caught:
        run_to_completion(responses_chat(_request(stream=True), _ctx()), [_json(status, body)])
    assert caught.value.status == status


def test_output_that_is_not_a_list_is_a_format_error() -> None:
    """A response object without an output list is reported as malformed."""
    with pytest.raises(relaykit.ResponseFormatError, match="output"):
        _parse({"id": "resp_1", "object": "response", "status": "completed", "output": "nope"})


def test_stream_request_answered_with_json_is_a_format_error() -> None:
    """A server that ignores stream=true and answers JSON is reported, not mis-decoded."""
    with pytest.raises(relaykit.ResponseFormatError, match="stream"):
        run_to_completion(responses_chat(_request(stream=True), _ctx()), [_json(200, _response())])


# --- the event stream ----------------------------------------------------------------------------


def _events(*payloads: dict[str, Any]) -> list[StreamEvent]:
    return [StreamEvent(data=json.dumps(payload), event=payload["type"]) for payload in payloads]


def _decoder(*, include_usage: bool = False, headers: dict[str, str] | None = None) -> ResponsesChunkDecoder:
    request = _request(stream=True, stream_options={"include_usage": include_usage})
    streamed = HttpResponse(
        status=200, headers={"content-type": "text/event-stream", **(headers or {})}, streaming=True
    )
    result = run_to_completion(responses_chat(request, _ctx()), [streamed])
    assert isinstance(result, Streaming)
    decoder = result.decoder
    assert isinstance(decoder, ResponsesChunkDecoder)
    return decoder


def _feed(decoder: ResponsesChunkDecoder, events: Iterable[StreamEvent]) -> list[relaykit.ChatCompletionChunk]:
    return [chunk for event in events for chunk in decoder.feed(event)]


def _assemble(chunks: Iterable[relaykit.ChatCompletionChunk]) -> relaykit.ChatCompletion:
    accumulator = relaykit.ChatStreamAccumulator()
    for chunk in chunks:
        accumulator.add(chunk)
    return accumulator.snapshot()


def _created() -> dict[str, Any]:
    return {"type": "response.created", "sequence_number": 0, "response": _response(status="in_progress", usage=None)}


def _done(final: dict[str, Any], kind: str = "response.completed") -> dict[str, Any]:
    return {"type": kind, "sequence_number": 99, "response": final}


def _text_delta(delta: str, *, output_index: int = 0, item_id: str = "msg_1") -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "item_id": item_id,
        "output_index": output_index,
        "content_index": 0,
        "delta": delta,
        "obfuscation": "xyz",
    }


TEXT_STREAM = [
    _created(),
    {"type": "response.in_progress", "response": _response(status="in_progress", usage=None)},
    {"type": "response.output_item.added", "output_index": 0, "item": {**_message(), "status": "in_progress"}},
    {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 0, "part": _text("")},
    _text_delta("Gre"),
    _text_delta("en, 绿色."),
    {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "text": "Green, 绿色."},
    {"type": "response.output_item.done", "output_index": 0, "item": _message(_text("Green, 绿色."))},
    _done(_response(_message(_text("Green, 绿色.")))),
]


def test_text_stream_decodes_to_role_text_finish_and_usage_chunks() -> None:
    """A text stream gives a role chunk, text deltas, a finish chunk and the usage chunk."""
    decoder = _decoder(include_usage=True)
    chunks = _feed(decoder, _events(*TEXT_STREAM))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.text for c in chunks[1:3]] == ["Gre", "en, 绿色."]
    assert chunks[3].choices[0].finish_reason == "stop"
    assert chunks[3].vendor_data == {"status": "completed"}
    assert chunks[4].choices == []
    assert chunks[4].usage is not None
    assert chunks[4].usage.total_tokens == 70
    assert len(chunks) == 5
    assert all(c.id == "resp_7a1" and c.model == "gpt-5-mini-2025-08-07" for c in chunks)
    assert decoder.finished
    assert decoder.close() == []
    assert _assemble(chunks).text == "Green, 绿色."


def test_stream_sends_no_usage_chunk_unless_asked() -> None:
    """Without stream_options.include_usage the stream ends with the finish chunk."""
    chunks = _feed(_decoder(), _events(*TEXT_STREAM))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.usage is None for c in chunks)


def test_parallel_function_calls_get_dense_indexes() -> None:
    """Function calls are indexed by position among the calls, not by output_index."""
    first = _call("call_p", '{"sku":"A1"}', item_id="fc_p")
    second = _call("call_q", '{"sku":"B2"}', item_id="fc_q")
    reasoning = _reasoning("rs_1", encrypted="gAAAx")

    def arguments(item_id: str, index: int, delta: str) -> dict[str, Any]:
        return {
            "type": "response.function_call_arguments.delta",
            "item_id": item_id,
            "output_index": index,
            "delta": delta,
        }

    events = _events(
        _created(),
        {"type": "response.output_item.added", "output_index": 0, "item": {**reasoning, "summary": []}},
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
        {"type": "response.output_item.added", "output_index": 1, "item": {**first, "arguments": ""}},
        arguments("fc_p", 1, '{"sku"'),
        {"type": "response.output_item.added", "output_index": 2, "item": {**second, "arguments": ""}},
        arguments("fc_q", 2, '{"sku":"B2"}'),
        arguments("fc_p", 1, ':"A1"}'),
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_p",
            "output_index": 1,
            "arguments": '{"sku":"A1"}',
        },
        {"type": "response.output_item.done", "output_index": 1, "item": first},
        {
            "type": "response.function_call_arguments.done",
            "item_id": "fc_q",
            "output_index": 2,
            "arguments": '{"sku":"B2"}',
        },
        {"type": "response.output_item.done", "output_index": 2, "item": second},
        _done(_response(reasoning, first, second)),
    )
    chunks = _feed(_decoder(), events)
    deltas = [call for c in chunks if c.choices for call in c.choices[0].delta.tool_calls or []]
    assert [(d.index, d.id) for d in deltas if d.id] == [(0, "call_p"), (1, "call_q")]
    assert {d.index for d in deltas} == {0, 1}
    completion = _assemble(chunks)
    assert completion.choices[0].finish_reason == "tool_calls"
    calls = completion.choices[0].message.tool_calls or []
    assert [(c.id, c.function.arguments) for c in calls] == [("call_p", '{"sku":"A1"}'), ("call_q", '{"sku":"B2"}')]
    assert completion.choices[0].message.reasoning == [
        relaykit.ReasoningPart(signature="rs_1", redacted_data="gAAAx", provider="openai")
    ]


def test_reasoning_summary_stream_separates_parts_like_the_json_answer() -> None:
    """Reasoning summary deltas assemble to the same reasoning_content as the non-streamed answer."""
    reasoning = _reasoning("rs_1", "Look up A1.", "Then answer.")

    def summary(index: int, delta: str) -> dict[str, Any]:
        return {
            "type": "response.reasoning_summary_text.delta",
            "item_id": "rs_1",
            "output_index": 0,
            "summary_index": index,
            "delta": delta,
        }

    final = _response(reasoning, _message(_text("Red."), item_id="msg_2"))
    events = _events(
        _created(),
        summary(0, "Look up "),
        summary(0, "A1."),
        summary(1, "Then answer."),
        {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
        _text_delta("Red.", output_index=1, item_id="msg_2"),
        _done(final),
    )
    assembled = _assemble(_feed(_decoder(), events)).choices[0].message
    parsed = _parse(final).choices[0].message
    assert assembled.reasoning_content == parsed.reasoning_content == "Look up A1.\n\nThen answer."
    assert assembled.reasoning == parsed.reasoning
    assert assembled.content == parsed.content == "Red."


def test_stream_fills_in_what_deltas_left_out() -> None:
    """Text, arguments and reasoning present only in done events or the final response still arrive once."""
    call = _call("call_z", '{"sku":"Z9"}', item_id="fc_z")
    reasoning = _reasoning("rs_z", "Short.")
    final = _response(reasoning, _message(_text("All of it."), item_id="msg_z"), call)
    events = _events(
        _created(),
        _text_delta("All ", output_index=1, item_id="msg_z"),
        {"type": "response.output_text.done", "item_id": "msg_z", "output_index": 1, "text": "All of it."},
        _done(final),
    )
    chunks = _feed(_decoder(), events)
    assembled = _assemble(chunks)
    parsed = _parse(final)
    assert assembled.choices[0].message == parsed.choices[0].message.model_copy(update={"annotations": None})
    assert assembled.choices[0].finish_reason == "tool_calls"


def test_refusal_stream_decodes_to_refusal() -> None:
    """Refusal deltas fill the refusal, not the text."""
    refusal = {"type": "refusal", "refusal": "I can't."}
    events = _events(
        _created(),
        {
            "type": "response.refusal.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "I can't.",
        },
        _done(_response(_message(refusal))),
    )
    message = _assemble(_feed(_decoder(), events)).choices[0].message
    assert (message.refusal, message.content) == ("I can't.", None)


def test_incomplete_stream_finishes_with_length() -> None:
    """response.incomplete for the output-token limit ends the stream with finish_reason length."""
    final = _response(_message(_text("Gre")), status="incomplete", incomplete_details={"reason": "max_output_tokens"})
    decoder = _decoder()
    chunks = _feed(decoder, _events(_created(), _text_delta("Gre"), _done(final, "response.incomplete")))
    assert chunks[-1].choices[0].finish_reason == "length"
    assert chunks[-1].vendor_data["incomplete_details"] == {"reason": "max_output_tokens"}
    assert decoder.finished


def test_close_before_completion_raises_stream_interrupted() -> None:
    """A stream that ends before response.completed is an interruption."""
    decoder = _decoder()
    _feed(decoder, _events(_created(), _text_delta("Gre")))
    assert not decoder.finished
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()


@pytest.mark.parametrize(
    ("event", "error_class", "code"),
    [
        (
            {"type": "error", "code": "rate_limit_exceeded", "message": "Slow down.", "param": None},
            relaykit.RateLimitError,
            "rate_limit_exceeded",
        ),
        (
            {
                "type": "error",
                "error": {"type": "invalid_request_error", "code": "context_length_exceeded", "message": "Too long."},
            },
            relaykit.ContextLengthError,
            "context_length_exceeded",
        ),
        (
            {
                "type": "response.failed",
                "response": _response(status="failed", error={"code": "server_error", "message": "Oops."}, output=[]),
            },
            relaykit.ServerError,
            "server_error",
        ),
    ],
)
def test_error_events_raise_mapped_errors(
    event: dict[str, Any], error_class: type[relaykit.APIStatusError], code: str
) -> None:
    """error and response.failed events raise the mapped APIStatusError with the stream's request id."""
    decoder = _decoder(headers={"x-request-id": "req_s"})
    _feed(decoder, _events(_created()))
    with pytest.raises(error_class) as caught:
        decoder.feed(StreamEvent(data=json.dumps(event), event=event["type"]))
    assert caught.value.code == code
    assert caught.value.request_id == "req_s"
    assert caught.value.provider == "openai"


def test_malformed_event_is_a_format_error() -> None:
    """An event whose data is not JSON is reported with an excerpt."""
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        _decoder().feed(StreamEvent(data="{not json", event="response.output_text.delta"))
    assert caught.value.body_excerpt == "{not json"


def test_unknown_events_and_done_marker_are_ignored() -> None:
    """Events the decoder does not use, and a stray [DONE], produce no chunks."""
    decoder = _decoder()
    assert decoder.feed(StreamEvent(data=json.dumps({"type": "response.web_search_call.searching"}))) == []
    assert decoder.feed(StreamEvent(data="[DONE]")) == []
    assert not decoder.finished


# --- through the public client -------------------------------------------------------------------

Handler = Callable[[httpx2.Request], httpx2.Response]
PROVIDERS = {"openai": {"api_key": "sk-test-key-123456", "chat_api": "responses"}}


def _handler(seen: list[httpx2.Request], response: httpx2.Response) -> Handler:
    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return response

    return handle


def _sse(*payloads: dict[str, Any]) -> httpx2.Response:
    body = "".join(f"event: {p['type']}\ndata: {json.dumps(p)}\n\n" for p in payloads)
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


def test_client_chat_over_responses_api() -> None:
    """client.chat.completions.create goes to /v1/responses and returns a ChatCompletion."""
    seen: list[httpx2.Request] = []
    answer = httpx2.Response(200, json=_response(_message(_text("Teal."))), headers={"x-request-id": "req_c"})
    client = relaykit.Client(
        providers=PROVIDERS, http_client=httpx2.Client(transport=httpx2.MockTransport(_handler(seen, answer)))
    )
    with client:
        completion = client.chat.completions.create(model="openai/gpt-5-mini", messages=USER, max_tokens=50)
    assert completion.text == "Teal."
    assert completion.request_id == "req_c"
    assert seen[0].url.path == "/v1/responses"
    assert json.loads(seen[0].content)["max_output_tokens"] == 50


def test_client_stream_over_responses_api_assembles_final_completion() -> None:
    """A streamed call decodes typed events and assembles the final completion."""
    seen: list[httpx2.Request] = []
    client = relaykit.Client(
        providers=PROVIDERS,
        http_client=httpx2.Client(transport=httpx2.MockTransport(_handler(seen, _sse(*TEXT_STREAM)))),
    )
    with client:
        stream = client.chat.completions.create(
            model="openai/gpt-5-mini", messages=USER, stream=True, stream_options={"include_usage": True}
        )
        completion = stream.get_final_completion()
    assert completion.text == "Green, 绿色."
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 40


@pytest.mark.anyio
async def test_async_client_chat_over_responses_api() -> None:
    """The async client runs the same flow and refuses inexpressible fields without sending."""
    seen: list[httpx2.Request] = []
    answer = httpx2.Response(200, json=_response(_message(_text("Teal."))))
    client = relaykit.AsyncClient(
        providers=PROVIDERS, http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(_handler(seen, answer)))
    )
    async with client:
        completion = await client.chat.completions.create(model="openai/gpt-5-mini", messages=USER)
        with pytest.raises(relaykit.InvalidRequestError):
            await client.chat.completions.create(model="openai/gpt-5-mini", messages=USER, seed=1)
    assert completion.text == "Teal."
    assert len(seen) == 1
