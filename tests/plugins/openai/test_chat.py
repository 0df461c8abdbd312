"""OpenAI chat: request translation, response parsing, the stream decoder, and the public client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
import structlog

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import HttpRequest, HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_openai._chat import ChatChunkDecoder, build_chat_body, chat, parse_chat_completion

from ...helpers import make_context

USER = [{"role": "user", "content": "Weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _request(**params: Any) -> relaykit.ChatRequest:
    return validate_request(relaykit.ChatRequest, {"model": "openai/gpt-4o-mini", "messages": USER, **params})


def _json(status: int, body: Any, **headers: str) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json", **headers}, content=json.dumps(body).encode()
    )


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1718000000,
    "model": "gpt-4o-mini-2024-07-18",
    "system_fingerprint": "fp_abc",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_abc123",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 82,
        "completion_tokens": 17,
        "total_tokens": 99,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
    "service_tier": "default",
    "moderation": {"flagged": False},
}


# --- request translation -------------------------------------------------------------------------


def test_body_carries_model_id_without_provider_prefix() -> None:
    """The vendor model id is sent, not relaykit's provider/model string."""
    body = build_chat_body(_request(), make_context())
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == USER


def test_openai_gets_max_completion_tokens_and_compatible_servers_max_tokens() -> None:
    """The output limit is sent under the name the upstream understands, never both."""
    openai = build_chat_body(_request(max_tokens=256), make_context())
    compatible = build_chat_body(_request(max_completion_tokens=256), make_context(max_tokens_field="max_tokens"))
    assert openai["max_completion_tokens"] == 256
    assert "max_tokens" not in openai
    assert compatible["max_tokens"] == 256
    assert "max_completion_tokens" not in compatible


def test_developer_role_becomes_system_where_configured() -> None:
    """Compatible servers that reject `developer` receive `system`."""
    request = _request(messages=[{"role": "developer", "content": "Be terse."}, *USER])
    assert build_chat_body(request, make_context())["messages"][0]["role"] == "developer"
    assert build_chat_body(request, make_context(developer_role="system"))["messages"][0]["role"] == "system"


def test_stop_string_becomes_a_list_and_stream_options_only_with_stream() -> None:
    """stop is normalized to a list; include_usage is sent only on streamed requests."""
    body = build_chat_body(_request(stop="END", stream_options={"include_usage": True}), make_context())
    assert body["stop"] == ["END"]
    assert "stream_options" not in body
    streamed = build_chat_body(_request(stream=True, stream_options={"include_usage": True}), make_context())
    assert streamed["stream"] is True
    assert streamed["stream_options"] == {"include_usage": True}


def test_reasoning_is_not_sent_back_to_openai_style_servers() -> None:
    """Assistant reasoning fields stay client-side (DeepSeek rejects them in input)."""
    request = _request(
        messages=[
            *USER,
            {"role": "assistant", "content": "Sunny.", "reasoning_content": "think"},
            {"role": "user", "content": "Thanks"},
        ]
    )
    assistant = build_chat_body(request, make_context())["messages"][1]
    assert assistant == {"role": "assistant", "content": "Sunny."}


def test_provider_options_add_vendor_fields() -> None:
    """provider_options entries for this provider are merged into the body."""
    body = build_chat_body(_request(), make_context(options={"service_tier": "flex", "store": False}))
    assert body["service_tier"] == "flex"
    assert body["store"] is False


def test_provider_options_may_not_override_core_fields() -> None:
    """Overriding model, messages or stream through provider_options is an InvalidRequestError."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_chat_body(_request(), make_context(options={"stream": True}))
    assert caught.value.field == "provider_options.stream"


def test_tools_json_schema_and_legacy_functions_pass_through() -> None:
    """Tools, tool_choice, response_format (with `schema`) and functions use the wire names."""
    request = _request(
        tools=[WEATHER_TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "w", "schema": {"type": "object"}, "strict": True},
        },
    )
    body = build_chat_body(request, make_context())
    assert body["tools"] == [WEATHER_TOOL]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["response_format"]["json_schema"] == {"name": "w", "schema": {"type": "object"}, "strict": True}
    legacy = build_chat_body(
        _request(functions=[WEATHER_TOOL["function"]], function_call={"name": "get_weather"}), make_context()
    )
    assert legacy["functions"][0]["name"] == "get_weather"
    assert legacy["function_call"] == {"name": "get_weather"}


def test_flow_sends_one_bearer_authenticated_request() -> None:
    """The flow yields one POST to /chat/completions with the bearer key."""
    ctx = make_context(organization="org-1")
    flow = chat(_request(), ctx)
    request = next(flow)
    assert isinstance(request, HttpRequest)
    assert (request.method, request.url) == ("POST", "https://api.openai.com/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {ctx.api_key}"
    assert request.headers["openai-organization"] == "org-1"
    assert request.stream is None


# --- responses -----------------------------------------------------------------------------------


def test_completion_parses_tool_calls_usage_and_keeps_unknown_keys() -> None:
    """A tool-call completion parses; unknown top-level keys land in vendor_data."""
    result = run_to_completion(chat(_request(), make_context()), [_json(200, COMPLETION, **{"x-request-id": "req_1"})])
    assert isinstance(result, relaykit.ChatCompletion)
    call = result.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == (
        "call_abc123",
        "get_weather",
        {"city": "Paris"},
    )
    assert result.choices[0].finish_reason == "tool_calls"
    assert result.usage is not None
    assert result.usage.total_tokens == 99
    assert result.request_id == "req_1"
    assert result.provider == "openai"
    assert result.vendor_data == {"moderation": {"flagged": False}}


@pytest.mark.parametrize(
    ("raw", "normalized"), [("", None), ("eos", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls")]
)
def test_finish_reason_synonyms_from_compatible_servers_are_normalized(raw: str, normalized: str | None) -> None:
    """Compatible servers' finish reasons map onto OpenAI's."""
    payload = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": raw}],
    }
    result = parse_chat_completion(payload, _json(200, payload), make_context())
    assert result.choices[0].finish_reason == normalized


def test_unknown_finish_reason_is_kept_raw_not_guessed() -> None:
    """An unheard-of finish reason becomes None with the raw value in vendor_data."""
    payload = {
        **COMPLETION,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": "abort"}],
    }
    result = parse_chat_completion(json.loads(json.dumps(payload)), _json(200, payload), make_context())
    assert result.choices[0].finish_reason is None
    assert result.vendor_data["finish_reason_raw"] == "abort"


def test_reasoning_text_from_deepseek_style_servers_is_kept() -> None:
    """reasoning_content (and OpenRouter's string `reasoning`) become reasoning_content."""
    for key in ("reasoning_content", "reasoning"):
        message = {"role": "assistant", "content": "42", key: "Let me think"}
        payload = {**COMPLETION, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
        result = parse_chat_completion(json.loads(json.dumps(payload)), _json(200, payload), make_context())
        assert result.choices[0].message.reasoning_content == "Let me think"


def test_error_envelope_maps_to_the_right_error_with_code() -> None:
    """A 404 model_not_found envelope becomes NotFoundError carrying the vendor code."""
    body = {
        "error": {
            "message": "The model `gpt-5o` does not exist",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }
    with pytest.raises(relaykit.NotFoundError) as caught:
        run_to_completion(chat(_request(), make_context()), [_json(404, body)])
    assert caught.value.code == "model_not_found"
    assert "gpt-5o" in caught.value.message


def test_integer_error_codes_from_relays_are_accepted() -> None:
    """Relays may send error.code as an integer; it is kept as text."""
    body = {"error": {"message": "upstream busy", "type": "one_api_error", "code": 429}}
    with pytest.raises(relaykit.RateLimitError) as caught:
        run_to_completion(chat(_request(), make_context()), [_json(429, body, **{"retry-after": "7"})])
    assert caught.value.code == "429"
    assert caught.value.retry_after == 7.0


def test_error_inside_a_200_is_raised_not_returned() -> None:
    """A relay's error envelope with HTTP 200 raises instead of parsing as an empty answer."""
    body = {"error": {"message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"}}
    with pytest.raises(relaykit.QuotaExceededError):
        run_to_completion(chat(_request(), make_context()), [_json(200, body)])


def test_html_error_page_becomes_a_status_error_with_excerpt() -> None:
    """A gateway's HTML 502 page is a ServerError with the page's start as excerpt."""
    page = HttpResponse(status=502, headers={"content-type": "text/html"}, content=b"<html>Bad gateway</html>")
    with pytest.raises(relaykit.ServerError) as caught:
        run_to_completion(chat(_request(), make_context()), [page])
    assert caught.value.body_excerpt == "<html>Bad gateway</html>"


def test_malformed_completion_is_a_response_format_error() -> None:
    """A 200 without choices raises ResponseFormatError, not a KeyError."""
    with pytest.raises(relaykit.ResponseFormatError, match="choices"):
        run_to_completion(chat(_request(), make_context()), [_json(200, {"id": "x"})])


# --- stream decoder ------------------------------------------------------------------------------


def _chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> StreamEvent:
    payload = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return StreamEvent(data=json.dumps(payload))


def _decode(*events: StreamEvent) -> relaykit.ChatCompletion:
    decoder = ChatChunkDecoder(make_context())
    accumulator = relaykit.ChatStreamAccumulator()
    for event in events:
        for chunk in decoder.feed(event):
            accumulator.add(chunk)
    for chunk in decoder.close():
        accumulator.add(chunk)
    completion: relaykit.ChatCompletion = accumulator.snapshot()
    return completion


DONE = StreamEvent(data="[DONE]")


def test_streamed_tool_call_fragments_assemble_by_index() -> None:
    """Argument fragments concatenate per tool-call index."""
    completion = _decode(
        _chunk(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ],
            }
        ),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}),
        _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
        _chunk({}, "tool_calls"),
        DONE,
    )
    (call,) = completion.choices[0].message.tool_calls or []
    assert (call.id, call.function.arguments) == ("call_a", '{"city":"Paris"}')
    assert completion.choices[0].finish_reason == "tool_calls"


def test_sparse_tool_call_indexes_from_relays_become_dense() -> None:
    """A relay that numbers the first tool call 1 still yields tool call 0."""
    decoder = ChatChunkDecoder(make_context())
    (chunk,) = decoder.feed(
        _chunk({"tool_calls": [{"index": 1, "id": "call_a", "function": {"name": "f", "arguments": "{}"}}]})
    )
    assert chunk.choices[0].delta.tool_calls[0].index == 0  # type: ignore[index]


def test_parallel_calls_reusing_one_index_with_new_ids_stay_separate() -> None:
    """Servers that send every call at index 0 but with distinct ids produce distinct calls."""
    completion = _decode(
        _chunk({"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "f", "arguments": '{"x":1}'}}]}),
        _chunk({"tool_calls": [{"index": 0, "id": "call_b", "function": {"name": "g", "arguments": '{"y":2}'}}]}),
        _chunk({}, "tool_calls"),
        DONE,
    )
    calls = completion.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("call_a", "f", '{"x":1}'),
        ("call_b", "g", '{"y":2}'),
    ]


def test_object_arguments_are_serialized_and_empty_ones_become_braces() -> None:
    """Object-valued arguments are JSON-encoded; a call without arguments gets '{}'."""
    completion = _decode(
        _chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": {"城市": "北京"}}}]}),
        _chunk({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g"}}]}),
        DONE,
    )
    calls = completion.choices[0].message.tool_calls or []
    assert json.loads(calls[0].function.arguments) == {"城市": "北京"}
    assert calls[1].function.arguments == "{}"


def test_done_without_finish_reason_synthesizes_one() -> None:
    """[DONE] after no finish_reason yields stop (or tool_calls when tools were called)."""
    assert _decode(_chunk({"content": "hi"}), DONE).choices[0].finish_reason == "stop"


def test_usage_chunk_with_empty_choices_is_kept() -> None:
    """The include_usage chunk (choices: []) carries the totals."""
    usage = StreamEvent(
        data=json.dumps(
            {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "m",
                "choices": [],
                "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11},
            }
        )
    )
    completion = _decode(_chunk({"content": "hi"}, "stop"), usage, DONE)
    assert completion.usage is not None
    assert completion.usage.total_tokens == 11


def test_keep_alive_comments_and_blank_events_are_ignored() -> None:
    """Empty data lines produce no chunks."""
    assert ChatChunkDecoder(make_context()).feed(StreamEvent(data="")) == []


def test_error_event_inside_the_stream_raises_the_mapped_error() -> None:
    """data: {"error": ...} mid-stream raises like the official SDK does."""
    decoder = ChatChunkDecoder(make_context())
    with pytest.raises(relaykit.ServerError):
        decoder.feed(StreamEvent(data=json.dumps({"error": {"message": "boom", "type": "server_error"}})))


def test_stream_that_stops_without_done_or_finish_is_interrupted() -> None:
    """A stream cut before any finish raises StreamInterruptedError at close."""
    decoder = ChatChunkDecoder(make_context())
    decoder.feed(_chunk({"content": "par"}))
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()


def test_stream_that_finishes_without_done_is_accepted() -> None:
    """A proper finish_reason without [DONE] (some servers) is a complete stream."""
    assert _decode(_chunk({"content": "ok"}, "stop")).choices[0].message.content == "ok"


def test_non_json_event_is_a_response_format_error_with_excerpt() -> None:
    """A garbled event raises ResponseFormatError carrying the event text."""
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        ChatChunkDecoder(make_context()).feed(StreamEvent(data="{not json"))
    assert caught.value.body_excerpt == "{not json"


def test_stream_flow_returns_a_decoder_for_an_event_stream() -> None:
    """A streamed request returns Streaming with the chunk decoder."""
    result = run_to_completion(
        chat(_request(stream=True), make_context()),
        [HttpResponse(200, {"content-type": "text/event-stream"}, streaming=True)],
    )
    assert isinstance(result, Streaming)


def test_stream_request_answered_with_json_is_a_format_error() -> None:
    """A server that ignores stream=true and answers JSON is reported, not mis-decoded."""
    with pytest.raises(relaykit.ResponseFormatError, match="stream"):
        run_to_completion(chat(_request(stream=True), make_context()), [_json(200, COMPLETION)])


# --- through the public client -------------------------------------------------------------------

Handler = Callable[[httpx2.Request], httpx2.Response]


def _client(handler: Handler) -> relaykit.Client:
    return relaykit.Client(
        providers={"openai": {"api_key": "sk-test-key-123456"}},
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )


def _async_client(handler: Handler) -> relaykit.AsyncClient:
    return relaykit.AsyncClient(
        providers={"openai": {"api_key": "sk-test-key-123456"}},
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
    )


def _sse(*payloads: Any) -> httpx2.Response:
    body = "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads)
    return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body.encode())


STREAM = [
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {"content": "你好"}, "finish_reason": None}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    },
    {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    },
    "[DONE]",
]


def test_client_chat_returns_a_typed_completion() -> None:
    """client.chat.completions.create returns ChatCompletion with the provider set."""
    with _client(lambda r: httpx2.Response(200, json=COMPLETION)) as client:
        result = client.chat.completions.create(model="openai/gpt-4o-mini", messages=USER, tools=[WEATHER_TOOL])
    assert result.choices[0].message.tool_calls is not None
    assert result.provider == "openai"


def test_client_stream_yields_chunks_and_the_final_completion() -> None:
    """A stream iterates chunks; get_final_completion assembles text and usage."""
    with _client(lambda r: _sse(*STREAM)) as client:
        stream = client.chat.completions.create(
            model="openai/gpt-4o-mini", messages=USER, stream=True, stream_options={"include_usage": True}
        )
        texts = [chunk.text for chunk in stream]
        final = stream.get_final_completion()
    assert "".join(texts) == "你好"
    assert final.text == "你好"
    assert final.usage is not None
    assert final.usage.total_tokens == 4


def test_invalid_request_sends_nothing() -> None:
    """An unknown field raises InvalidRequestError naming it; the transport is never called."""
    calls: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(200, json=COMPLETION)

    with _client(handler) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=USER, temprature=0.2)
    assert caught.value.field == "temprature"
    assert calls == []


def test_unsupported_capability_sends_nothing() -> None:
    """Asking an embedding model for tool calls fails before sending."""
    calls: list[httpx2.Request] = []
    with (
        _client(lambda r: calls.append(r) or httpx2.Response(200)) as client,
        pytest.raises(relaykit.UnsupportedCapabilityError),
    ):  # type: ignore[func-returns-value]
        client.chat.completions.create(model="openai/text-embedding-3-small", messages=USER, tools=[WEATHER_TOOL])
    assert calls == []


def test_per_call_timeout_reaches_the_transport() -> None:
    """timeout= on create overrides the provider's read timeout for that call."""
    seen: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"])
        return httpx2.Response(200, json=COMPLETION)

    with _client(handler) as client:
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=USER, timeout=3.5)
    assert seen[0]["read"] == 3.5


def test_openai_compatible_provider_from_configuration_alone() -> None:
    """A provider declared only in configuration talks to its base URL with its own key."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=COMPLETION)

    client = relaykit.Client(
        providers={
            "relay": {
                "kind": "openai-compatible",
                "base_url": "https://relay.example.com/v1",
                "api_key_env": "RELAY_KEY",
            }
        },
        environ={"RELAY_KEY": "sk-relay-123456789"},
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with client:
        result = client.chat.completions.create(model="relay/qwen-max", messages=USER, max_tokens=5)
    assert result.provider == "relay"
    assert str(seen[0].url) == "https://relay.example.com/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer sk-relay-123456789"
    assert json.loads(seen[0].content)["max_tokens"] == 5


@pytest.mark.anyio
async def test_async_client_chat_matches_sync() -> None:
    """AsyncClient returns the same typed completion."""
    async with _async_client(lambda r: httpx2.Response(200, json=COMPLETION)) as client:
        result = await client.chat.completions.create(model="openai/gpt-4o-mini", messages=USER)
    assert result.choices[0].finish_reason == "tool_calls"


@pytest.mark.anyio
async def test_async_stream_assembles_like_sync() -> None:
    """An AsyncStream yields the same chunks and final completion."""
    async with _async_client(lambda r: _sse(*STREAM)) as client:
        stream = await client.chat.completions.create(model="openai/gpt-4o-mini", messages=USER, stream=True)
        async with stream:
            texts = [chunk.text async for chunk in stream]
        final = await stream.get_final_completion()
    assert "".join(texts) == "你好"
    assert final.choices[0].finish_reason == "stop"


def test_signed_reasoning_from_another_vendor_is_dropped_with_a_notice() -> None:
    """Claude thinking blocks in history are not sent to OpenAI, and a structured notice says so."""
    request = _request(
        messages=[
            *USER,
            {
                "role": "assistant",
                "content": "Sunny.",
                "reasoning": [{"text": "hmm", "signature": "sig", "provider": "anthropic"}],
            },
            {"role": "user", "content": "Thanks"},
        ]
    )
    with structlog.testing.capture_logs() as logs:
        body = build_chat_body(request, make_context())
    assert "reasoning" not in body["messages"][1]
    (notice,) = [log for log in logs if log["event"] == "relaykit.reasoning.dropped"]
    assert notice["blocks"] == 1
    assert notice["from_providers"] == ["anthropic"]
