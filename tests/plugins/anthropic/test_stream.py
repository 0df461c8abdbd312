"""Anthropic streams: named SSE events -> chunks, tool-call indexes, reasoning, errors, interruption."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_anthropic._chat import chat
from relaykit_anthropic._response import parse_message
from relaykit_anthropic._stream import MessagesStreamDecoder

from ._helpers import chat_request, event, json_response, make_context

START = event(
    "message_start",
    {
        "message": {
            "id": "msg_01S",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5-20250929",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {
                "input_tokens": 412,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 8,
                "output_tokens": 1,
            },
        }
    },
)
STOP = event("message_stop")
PING = StreamEvent(data='{"type": "ping"}', event="ping")


def _start(index: int, block: dict[str, Any]) -> StreamEvent:
    return event("content_block_start", {"index": index, "content_block": block})


def _delta(index: int, delta: dict[str, Any]) -> StreamEvent:
    return event("content_block_delta", {"index": index, "delta": delta})


def _text(index: int, text: str) -> StreamEvent:
    return _delta(index, {"type": "text_delta", "text": text})


def _json(index: int, fragment: str) -> StreamEvent:
    return _delta(index, {"type": "input_json_delta", "partial_json": fragment})


def _block_stop(index: int) -> StreamEvent:
    return event("content_block_stop", {"index": index})


def _finish(stop_reason: str, output_tokens: int, **usage: int) -> StreamEvent:
    return event(
        "message_delta",
        {
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": {**usage, "output_tokens": output_tokens},
        },
    )


def _tool(index: int, call_id: str, name: str) -> StreamEvent:
    return _start(index, {"type": "tool_use", "id": call_id, "name": name, "input": {}})


def _run(*events: StreamEvent, **options: Any) -> tuple[list[relaykit.ChatCompletionChunk], relaykit.ChatCompletion]:
    decoder = MessagesStreamDecoder(make_context(), **options)
    accumulator = relaykit.ChatStreamAccumulator()
    chunks: list[relaykit.ChatCompletionChunk] = []
    for item in events:
        chunks.extend(decoder.feed(item))
    chunks.extend(decoder.close())
    for chunk in chunks:
        accumulator.add(chunk)
    completion: relaykit.ChatCompletion = accumulator.snapshot()
    return chunks, completion


def test_text_stream_yields_role_then_text_then_finish_and_usage() -> None:
    """message_start opens with the role, text deltas follow, message_delta finishes, usage comes last."""
    padded = StreamEvent(
        data='{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}    }'
    )
    chunks, completion = _run(
        START,
        _start(0, {"type": "text", "text": ""}),
        PING,
        padded,
        _text(0, ", 世界"),
        _block_stop(0),
        _finish("end_turn", 15, input_tokens=412, cache_read_input_tokens=8),
        STOP,
        include_usage=True,
    )
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [chunk.text for chunk in chunks if chunk.choices] == ["", "Hello", ", 世界", ""]
    assert chunks[-1].choices == []
    assert completion.id == "msg_01S"
    assert completion.model == "claude-sonnet-4-5-20250929"
    assert completion.text == "Hello, 世界"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        420,
        15,
        435,
    )


def test_usage_chunk_only_when_include_usage_is_set() -> None:
    """Without stream_options.include_usage no usage chunk is sent (as at OpenAI)."""
    chunks, completion = _run(
        START, _start(0, {"type": "text", "text": "Hi"}), _block_stop(0), _finish("end_turn", 2), STOP
    )
    assert all(chunk.choices for chunk in chunks)
    assert completion.usage is None
    assert completion.text == "Hi"


def test_tool_call_indexes_count_tool_calls_only_after_a_leading_text_block() -> None:
    """A text block at Anthropic index 0 does not shift the tool calls: they are 0 and 1."""
    chunks, completion = _run(
        START,
        _start(0, {"type": "text", "text": ""}),
        _text(0, "I'll check both."),
        _block_stop(0),
        _tool(1, "toolu_A", "lookup"),
        _json(1, ""),
        _json(1, '{"q": "ca'),
        _json(1, 't"}'),
        _block_stop(1),
        _tool(2, "toolu_B", "lookup"),
        _json(2, '{"q": "dog"}'),
        _block_stop(2),
        _finish("tool_use", 38),
        STOP,
    )
    indexes = [call.index for chunk in chunks for choice in chunk.choices for call in choice.delta.tool_calls or []]
    assert sorted(set(indexes)) == [0, 1]
    calls = completion.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        ("toolu_A", "lookup", '{"q": "cat"}'),
        ("toolu_B", "lookup", '{"q": "dog"}'),
    ]
    assert completion.text == "I'll check both."
    assert completion.choices[0].finish_reason == "tool_calls"


def test_thinking_before_a_tool_call_streams_reasoning_and_keeps_index_zero() -> None:
    """Thinking deltas are reasoning_content; the signed block arrives at its end; the tool call is index 0."""
    chunks, completion = _run(
        START,
        _start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _delta(0, {"type": "thinking_delta", "thinking": "Need the "}),
        _delta(0, {"type": "thinking_delta", "thinking": "country."}),
        _delta(0, {"type": "signature_delta", "signature": "EqQBCgIYAh"}),
        _block_stop(0),
        _tool(1, "toolu_C", "get_user_country"),
        _block_stop(1),
        _finish("tool_use", 50),
        STOP,
    )
    message = completion.choices[0].message
    assert message.reasoning_content == "Need the country."
    assert [(p.text, p.signature, p.provider) for p in message.reasoning or []] == [
        ("Need the country.", "EqQBCgIYAh", "anthropic")
    ]
    (call,) = message.tool_calls or []
    assert (call.id, call.function.arguments) == ("toolu_C", "{}")
    first_call = next(c for chunk in chunks for choice in chunk.choices for c in choice.delta.tool_calls or [])
    assert first_call.index == 0


def test_two_thinking_blocks_are_separated_like_the_unstreamed_answer() -> None:
    """Stream and non-stream join thinking blocks with a blank line."""
    _, completion = _run(
        START,
        _start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _delta(0, {"type": "thinking_delta", "thinking": "First."}),
        _block_stop(0),
        _start(1, {"type": "thinking", "thinking": "", "signature": ""}),
        _delta(1, {"type": "thinking_delta", "thinking": "Second."}),
        _block_stop(1),
        _finish("end_turn", 5),
        STOP,
    )
    assert completion.choices[0].message.reasoning_content == "First.\n\nSecond."


def test_redacted_thinking_block_becomes_a_reasoning_part() -> None:
    """A redacted_thinking block (no deltas) is kept with its opaque data."""
    _, completion = _run(
        START,
        _start(0, {"type": "redacted_thinking", "data": "EqkECkYIBx"}),
        _block_stop(0),
        _start(1, {"type": "text", "text": ""}),
        _text(1, "Hello."),
        _block_stop(1),
        _finish("end_turn", 9),
        STOP,
    )
    (part,) = completion.choices[0].message.reasoning or []
    assert (part.redacted_data, part.provider, part.text) == ("EqkECkYIBx", "anthropic", None)
    assert completion.text == "Hello."


def test_server_tool_blocks_and_citation_deltas_produce_no_tool_calls() -> None:
    """server_tool_use input fragments and citations_delta are not client tool calls or text."""
    _, completion = _run(
        START,
        _start(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}),
        _json(0, '{"query": "sf"}'),
        _block_stop(0),
        _start(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}),
        _block_stop(1),
        _start(2, {"type": "text", "text": "", "citations": []}),
        _delta(2, {"type": "citations_delta", "citation": {"type": "web_search_result_location", "url": "https://x"}}),
        _text(2, "Rain."),
        _delta(2, {"type": "future_delta", "value": 1}),
        _block_stop(2),
        event("future_event", {"anything": True}),
        _finish("end_turn", 40),
        STOP,
    )
    assert completion.choices[0].message.tool_calls is None
    assert completion.text == "Rain."


def test_json_tool_input_streams_as_content() -> None:
    """In tool mode the json_response tool's input fragments are the answer's text."""
    _, completion = _run(
        START,
        _tool(0, "toolu_J", "json_response"),
        _json(0, '{"name": '),
        _json(0, '"Biscuit"}'),
        _block_stop(0),
        _finish("tool_use", 20),
        STOP,
        json_tool="json_response",
    )
    assert json.loads(completion.text) == {"name": "Biscuit"}
    assert completion.choices[0].message.tool_calls is None
    assert completion.choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    ("error_type", "error_class"),
    [
        ("overloaded_error", relaykit.OverloadedError),
        ("api_error", relaykit.ServerError),
        ("rate_limit_error", relaykit.RateLimitError),
        ("invalid_request_error", relaykit.BadRequestError),
    ],
)
def test_error_event_raises_the_typed_error(error_type: str, error_class: type[Exception]) -> None:
    """An in-stream error event raises its mapped error; it never ends the stream cleanly."""
    decoder = MessagesStreamDecoder(make_context())
    decoder.feed(START)
    with pytest.raises(error_class) as caught:
        decoder.feed(event("error", {"error": {"type": error_type, "message": "Overloaded"}}))
    assert isinstance(caught.value, relaykit.APIStatusError)
    assert caught.value.code == error_type
    assert not decoder.finished


def test_stream_finishes_only_on_message_stop() -> None:
    """A stream cut after message_delta but before message_stop is interrupted."""
    decoder = MessagesStreamDecoder(make_context())
    for item in (START, _start(0, {"type": "text", "text": "Hi"}), _block_stop(0), _finish("end_turn", 2)):
        decoder.feed(item)
    assert not decoder.finished
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()
    decoder.feed(STOP)
    assert decoder.finished
    assert decoder.close() == []


def test_malformed_events_are_response_format_errors_with_excerpt() -> None:
    """Non-JSON data, or a delta for a block never started, raise ResponseFormatError."""
    decoder = MessagesStreamDecoder(make_context())
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        decoder.feed(StreamEvent(data="{not json", event="content_block_delta"))
    assert caught.value.body_excerpt == "{not json"
    with pytest.raises(relaykit.ResponseFormatError):
        decoder.feed(_text(3, "orphan"))
    assert decoder.feed(StreamEvent(data="")) == []


def test_streamed_answer_assembles_like_the_unstreamed_one() -> None:
    """Text, tool calls, reasoning and finish reason agree between stream and JSON answers."""
    message = {
        "id": "msg_01S",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [
            {"type": "thinking", "thinking": "Two lookups.", "signature": "sig"},
            {"type": "text", "text": "Looking up."},
            {"type": "tool_use", "id": "toolu_A", "name": "lookup", "input": {"q": "cat"}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 412,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 8,
            "output_tokens": 30,
        },
    }
    unstreamed = parse_message(message, json_response(200, message), make_context())
    _, streamed = _run(
        START,
        _start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _delta(0, {"type": "thinking_delta", "thinking": "Two lookups."}),
        _delta(0, {"type": "signature_delta", "signature": "sig"}),
        _block_stop(0),
        _start(1, {"type": "text", "text": ""}),
        _text(1, "Looking up."),
        _block_stop(1),
        _tool(2, "toolu_A", "lookup"),
        _json(2, '{"q": "cat"}'),
        _block_stop(2),
        _finish("tool_use", 30),
        STOP,
        include_usage=True,
    )
    assert streamed.choices[0].model_dump() == unstreamed.choices[0].model_dump()
    assert streamed.usage == unstreamed.usage


def test_stream_flow_returns_a_decoder_and_a_json_answer_is_refused() -> None:
    """A streamed request returns Streaming; a JSON answer to it is a ResponseFormatError."""
    result = run_to_completion(
        chat(chat_request(stream=True), make_context()),
        [HttpResponse(200, {"content-type": "text/event-stream"}, streaming=True)],
    )
    assert isinstance(result, Streaming)
    assert isinstance(result.decoder, MessagesStreamDecoder)
    with pytest.raises(relaykit.ResponseFormatError, match="stream"):
        run_to_completion(
            chat(chat_request(stream=True), make_context()),
            [json_response(200, {"id": "msg_1", "type": "message", "content": []})],
        )


def test_stream_request_rejected_before_streaming_raises_the_json_error() -> None:
    """A 401 JSON error to a stream request raises AuthenticationError, not a stream."""
    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
    with pytest.raises(relaykit.AuthenticationError):
        run_to_completion(chat(chat_request(stream=True), make_context()), [json_response(401, body)])
