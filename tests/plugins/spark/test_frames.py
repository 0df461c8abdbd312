"""Answer frames: status 0/1/2 assembled into a completion or streamed as chunks; calls; in-band errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit import ChatCompletion, ChatCompletionChunk
from relaykit.plugin import Collect, StreamEvent, Streaming, run_to_completion
from relaykit_spark._chat import chat

from ._helpers import WEATHER, chat_request, error_frame, frame, upgraded, user, ws_context

SID = "cht000cb087@dx18793cd421fb894542"
USAGE = {"question_tokens": 4, "prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14}
WEATHER_CALL = {"name": "天气查询", "arguments": '{"datetime":"今天","location":"合肥"}'}


def answer_frames() -> list[StreamEvent]:
    return [
        frame(SID, 0, "我可以", seq=0),
        frame(SID, 1, "帮助你", seq=1, index="0"),
        frame(SID, 2, "的吗？", seq=2, usage=USAGE),
    ]


def collected(events: list[StreamEvent], request: relaykit.ChatRequest | None = None) -> ChatCompletion:
    """Drive the flow to its Collect and reduce the events as the driver would."""
    result = run_to_completion(chat(request or chat_request(user("你好")), ws_context()), [upgraded()])
    assert isinstance(result, Collect)
    chunks: list[Any] = []
    for event in events:
        chunks.extend(result.decoder.feed(event))
        if result.decoder.finished:
            break
    chunks.extend(result.decoder.close())
    completion: ChatCompletion = result.reduce(chunks)
    return completion


def streamed(events: list[StreamEvent], request: relaykit.ChatRequest | None = None) -> list[ChatCompletionChunk]:
    """Drive the flow to its Streaming and decode the events."""
    request = request or chat_request(user("你好"), stream=True)
    result = run_to_completion(chat(request, ws_context()), [upgraded()])
    assert isinstance(result, Streaming)
    chunks: list[ChatCompletionChunk] = []
    for event in events:
        chunks.extend(result.decoder.feed(event))
        if result.decoder.finished:
            break
    chunks.extend(result.decoder.close())
    return chunks


def test_frames_are_assembled_into_one_completion() -> None:
    """Content deltas join in order; sid is the id; usage from the last frame; finish stop."""
    completion = collected(answer_frames())
    assert completion.text == "我可以帮助你的吗？"
    assert completion.id == SID
    assert completion.request_id == SID
    assert completion.model == "generalv3.5"
    assert completion.provider == "spark"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        5,
        9,
        14,
    )


def test_frames_stream_as_chunks_with_role_first_and_finish_last() -> None:
    """One chunk per frame; the role on the first, the finish reason and usage on the last."""
    chunks = streamed(answer_frames())
    assert [chunk.text for chunk in chunks] == ["我可以", "帮助你", "的吗？"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[1].choices[0].delta.role is None
    assert [chunk.choices[0].finish_reason for chunk in chunks] == [None, None, "stop"]
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 14


def test_include_usage_sends_the_usage_in_a_chunk_without_choices() -> None:
    """With stream_options.include_usage the usage comes last, alone, as OpenAI sends it."""
    request = chat_request(user("你好"), stream=True, stream_options={"include_usage": True})
    chunks = streamed(answer_frames(), request)
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-2].usage is None


def test_the_decoder_stops_after_the_status_2_frame() -> None:
    """After the last frame the decoder is finished: reading past the server's close is not needed."""
    result = run_to_completion(chat(chat_request(user("hi"), stream=True), ws_context()), [upgraded()])
    assert isinstance(result, Streaming)
    result.decoder.feed(frame(SID, 2, "好", usage=USAGE))
    assert result.decoder.finished


def test_usage_is_taken_from_the_last_frame_only() -> None:
    """question_tokens is ignored; prompt_tokens includes the history."""
    completion = collected([frame(SID, 0, "秋"), frame(SID, 2, "天", usage={**USAGE, "question_tokens": 21})])
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 5


def test_a_function_call_frame_becomes_a_tool_call() -> None:
    """A single status-2 frame with function_call: a tool call with a generated id, content None."""
    request = chat_request(user("合肥天气"), tools=[WEATHER])
    completion = collected([frame(SID, 2, "", function_call=WEATHER_CALL, usage=USAGE)], request)
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id == f"call_{SID}_0"
    assert call.function.name == "天气查询"
    assert json.loads(call.function.arguments) == {"datetime": "今天", "location": "合肥"}


def test_a_function_call_frame_streams_as_one_tool_call_delta() -> None:
    """Streamed, the call is one chunk with index 0, id, name and the whole arguments."""
    request = chat_request(user("合肥天气"), tools=[WEATHER], stream=True)
    (chunk,) = streamed([frame(SID, 2, "", function_call=WEATHER_CALL)], request)
    (delta,) = chunk.choices[0].delta.tool_calls or []
    assert (delta.index, delta.id, delta.type) == (0, f"call_{SID}_0", "function")
    assert delta.function is not None
    assert delta.function.arguments == WEATHER_CALL["arguments"]
    assert chunk.choices[0].finish_reason == "tool_calls"


def test_legacy_functions_get_a_legacy_function_call_back() -> None:
    """A request with `functions` is answered with message.function_call and finish function_call."""
    request = chat_request(user("合肥天气"), functions=[WEATHER["function"]])
    completion = collected([frame(SID, 2, "", function_call=WEATHER_CALL)], request)
    message = completion.choices[0].message
    assert message.tool_calls is None
    assert message.function_call is not None
    assert message.function_call.name == "天气查询"
    assert completion.choices[0].finish_reason == "function_call"


def test_object_arguments_are_json_encoded() -> None:
    """Arguments sent as an object (not the documented string) still arrive as a JSON string."""
    call = {"name": "get_weather", "arguments": {"city": "北京"}}
    completion = collected([frame(SID, 2, "", function_call=call)], chat_request(user("x"), tools=[WEATHER]))
    (tool_call,) = completion.choices[0].message.tool_calls or []
    assert tool_call.function.arguments == '{"city": "北京"}'


def test_an_empty_answer_is_an_empty_string() -> None:
    """A lone status-2 frame with no text gives content "" and finish stop."""
    completion = collected([frame(SID, 2, "", usage=USAGE)])
    assert completion.choices[0].message.content == ""


def test_search_plugins_are_kept_in_vendor_data() -> None:
    """payload.plugins (web search references) is not dropped."""
    plugins = {"text": [{"name": "ifly_search", "content": '[{"index":1,"url":"https://x","title":"t"}]'}]}
    body = json.loads(frame(SID, 0, "").data)
    body["payload"]["plugins"] = plugins
    completion = collected([StreamEvent(data=json.dumps(body, ensure_ascii=False)), frame(SID, 2, "好")])
    assert completion.vendor_data["plugins"] == plugins


def test_a_session_closed_before_the_last_frame_is_interrupted() -> None:
    """No status-2 frame: StreamInterruptedError, not a silently short answer."""
    with pytest.raises(relaykit.StreamInterruptedError, match="status 2"):
        collected([frame(SID, 0, "我"), frame(SID, 1, "可以")])


def test_an_error_frame_raises_the_mapped_error_with_the_sid() -> None:
    """10003 invalid model domain -> NotFoundError, code and sid kept, never an empty 'stop' answer."""
    with pytest.raises(relaykit.NotFoundError) as caught:
        collected([error_frame(10003, "ClientMsgError:(23:02:32.721) invalid model domain")])
    error = caught.value
    assert (error.code, error.request_id, error.status) == ("10003", "cht000b0c24@dx1916602ea10b808550", 101)
    assert "invalid model domain" in str(error)


def test_output_moderation_after_text_ends_with_content_filter() -> None:
    """10014 after streamed text: what was streamed stands, finish_reason content_filter."""
    chunks = streamed([frame(SID, 0, "这是"), error_frame(10014, "output failed moderation", SID)])
    assert [chunk.text for chunk in chunks] == ["这是", ""]
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    completion = collected([frame(SID, 0, "这是"), error_frame(10014, "output failed moderation", SID)])
    assert completion.text == "这是"
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.vendor_data["filtered"]["code"] == 10014


def test_input_moderation_before_any_text_is_a_content_policy_error() -> None:
    """10013 before output starts raises ContentPolicyError."""
    with pytest.raises(relaykit.ContentPolicyError):
        streamed([error_frame(10013, "input failed moderation")])


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '{"header": {"code": "x"}}'])
def test_a_malformed_frame_is_a_response_format_error(data: str) -> None:
    """Frames that are not JSON objects, or carry a non-numeric code, are ResponseFormatErrors."""
    with pytest.raises(relaykit.ResponseFormatError):
        collected([StreamEvent(data=data)])
