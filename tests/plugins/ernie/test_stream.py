"""ERNIE v1 streams: sentence events ending with is_end, function calls, errors, the JSON-error gotcha."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit.plugin import StreamEvent, Streaming, run_to_completion
from relaykit_ernie._chat import chat
from relaykit_ernie._stream import ErnieChunkDecoder

from ._helpers import (
    TOKEN,
    WEATHER_TOOL,
    chat_request,
    error_body,
    events,
    json_response,
    make_context,
    stream_opened,
    token_response,
)


def _event(sentence: int, result: str, *, is_end: bool = False, **fields: Any) -> dict[str, Any]:
    usage = {"prompt_tokens": 2, "completion_tokens": 36 if is_end else 0, "total_tokens": 38 if is_end else 2}
    return {
        "id": "as-414fqwb8p3",
        "object": "chat.completion",
        "created": 1707245236 + sentence,
        "sentence_id": sentence,
        "is_end": is_end,
        "is_truncated": False,
        "result": result,
        "need_clear_history": False,
        "finish_reason": "normal",
        "usage": usage,
        **fields,
    }


def _decode(*payloads: dict[str, Any], legacy: bool = False) -> tuple[list[relaykit.ChatCompletionChunk], Any]:
    decoder = ErnieChunkDecoder(make_context(), legacy=legacy)
    accumulator = relaykit.ChatStreamAccumulator()
    chunks = [chunk for event in events(*payloads) for chunk in decoder.feed(event)]
    chunks.extend(decoder.close())
    for chunk in chunks:
        accumulator.add(chunk)
    return chunks, accumulator.snapshot()


TEXT_STREAM = (
    _event(0, "你好，"),
    _event(1, "我是文心一言。"),
    _event(2, "", is_end=True),
)


def test_text_stream_assembles_with_usage_from_the_last_event() -> None:
    """Sentences become content deltas; usage and finish come from the is_end event only."""
    chunks, final = _decode(*TEXT_STREAM)
    assert [chunk.text for chunk in chunks] == ["你好，", "我是文心一言。", ""]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[1].choices[0].delta.role is None
    assert [chunk.usage for chunk in chunks[:2]] == [None, None]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert final.text == "你好，我是文心一言。"
    assert final.usage is not None
    assert final.usage.completion_tokens == 36
    assert final.choices[0].finish_reason == "stop"


def test_sentence_ids_are_kept_in_vendor_data() -> None:
    """sentence_id travels with each chunk."""
    chunks, _ = _decode(*TEXT_STREAM)
    assert [chunk.vendor_data["sentence_id"] for chunk in chunks] == [0, 1, 2]
    assert "result" not in chunks[0].vendor_data


def test_function_call_arrives_as_one_tool_call_delta() -> None:
    """The single is_end event with function_call becomes one complete tool-call delta."""
    call = {"name": "query_score", "thoughts": "先查询成绩。", "arguments": '{"name":"李四"}'}
    chunks, final = _decode(_event(0, "", is_end=True, function_call=call, finish_reason="function_call"))
    (chunk,) = chunks
    delta = chunk.choices[0].delta
    assert delta.tool_calls is not None
    assert delta.tool_calls[0].index == 0
    assert delta.tool_calls[0].id == "call_as-414fqwb8p3"
    assert delta.reasoning_content == "先查询成绩。"
    assert chunk.choices[0].finish_reason == "tool_calls"
    assert final.choices[0].message.tool_calls[0].function.arguments == '{"name":"李四"}'


def test_legacy_function_call_streams_as_function_call_delta() -> None:
    """With legacy functions the call arrives as a function_call delta."""
    call = {"name": "echo", "arguments": '{"words":"你好"}'}
    chunks, final = _decode(_event(0, "", is_end=True, function_call=call), legacy=True)
    assert chunks[0].choices[0].delta.function_call is not None
    assert final.choices[0].finish_reason == "function_call"
    assert final.choices[0].message.function_call.name == "echo"


def test_unsafe_flag_anywhere_finishes_with_content_filter() -> None:
    """need_clear_history in any event makes the finish content_filter."""
    _, final = _decode(_event(0, "抱歉。", need_clear_history=True, ban_round=-1), _event(1, "", is_end=True))
    assert final.choices[0].finish_reason == "content_filter"


def test_error_event_raises_the_mapped_error() -> None:
    """An error_code inside the stream raises, like one in a JSON answer."""
    decoder = ErnieChunkDecoder(make_context())
    first, error = events(_event(0, "你好"), error_body(336501, "Rate limit reached for RPM"))
    decoder.feed(first)
    with pytest.raises(relaykit.RateLimitError):
        decoder.feed(error)


def test_stream_without_is_end_is_interrupted() -> None:
    """A body that ends before is_end raises StreamInterruptedError."""
    decoder = ErnieChunkDecoder(make_context())
    for event in events(_event(0, "你好")):
        decoder.feed(event)
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()


def test_non_json_event_is_a_response_format_error() -> None:
    """A data line that is not JSON raises ResponseFormatError with an excerpt."""
    decoder = ErnieChunkDecoder(make_context())
    with pytest.raises(relaykit.ResponseFormatError) as caught:
        decoder.feed(StreamEvent(data='r_code":336006}'))
    assert caught.value.body_excerpt is not None


def test_blank_events_and_events_after_the_end_are_ignored() -> None:
    """Keep-alive blanks produce nothing; nothing is emitted after is_end."""
    decoder = ErnieChunkDecoder(make_context())
    assert decoder.feed(StreamEvent(data="  ")) == []
    for event in events(*TEXT_STREAM):
        decoder.feed(event)
    assert decoder.finished
    assert decoder.feed(events(_event(9, "迟到"))[0]) == []


def test_stream_flow_returns_a_decoder_for_an_sse_answer() -> None:
    """A stream request answered with SSE returns Streaming (the token goes as a secret parameter)."""
    flow = chat(chat_request(stream=True, tools=[WEATHER_TOOL]), make_context())
    first = next(flow)
    assert first.url.endswith("/oauth/2.0/token")
    request = flow.send(token_response())
    assert request.stream == "sse"
    assert request.params == {"access_token": TOKEN}
    assert request.secret_params == frozenset({"access_token"})
    assert request.json["stream"] is True
    with pytest.raises(StopIteration) as stop:
        flow.send(stream_opened())
    assert isinstance(stop.value.value, Streaming)


def test_stream_request_answered_with_plain_json_error_raises_it() -> None:
    """The gotcha: a JSON error body (no SSE) to a stream request is read and mapped, not misparsed."""
    flow = chat(chat_request(stream=True), make_context())
    with pytest.raises(relaykit.BadRequestError) as caught:
        run_to_completion(
            flow,
            [token_response(), json_response(error_body(336006, "the length of messages must be an odd number"))],
        )
    assert caught.value.code == "336006"
    assert caught.value.status == 200


def test_stream_request_answered_with_a_whole_answer_is_a_format_error() -> None:
    """A complete JSON answer where SSE was asked for is reported, not silently accepted."""
    flow = chat(chat_request(stream=True), make_context())
    with pytest.raises(relaykit.ResponseFormatError):
        run_to_completion(flow, [token_response(), json_response({"id": "as-1", "result": "你好"})])
