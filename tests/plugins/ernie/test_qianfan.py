"""Qianfan v2 chat on the OpenAI dialect: bearer key, appid, model ids, choice flags, streams."""

from __future__ import annotations

import json
from typing import Any

import pytest

import relaykit
from relaykit.plugin import StreamEvent, Streaming
from relaykit_ernie._qianfan import QianfanChunkDecoder, chat

from ._helpers import QIANFAN_KEY, WEATHER_TOOL, chat_request, json_response, qianfan_context, stream_opened


def _completion(**choice: Any) -> dict[str, Any]:
    message = {"role": "assistant", "content": "北京是中国的首都。"}
    return {
        "id": "as-v2answer01",
        "object": "chat.completion",
        "created": 1735000000,
        "model": "ernie-4.0-8k",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", **choice}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 8, "total_tokens": 12},
    }


def _finish(flow: Any, response: Any) -> Any:
    with pytest.raises(StopIteration) as stop:
        flow.send(response)
    return stop.value.value


def test_request_is_openai_shaped_with_v2_specifics() -> None:
    """Bearer key verbatim, appid header, max_completion_tokens, system role, legacy name translated."""
    messages = [{"role": "developer", "content": "简洁"}, {"role": "user", "content": "你好"}]
    flow = chat(
        chat_request(messages=messages, max_tokens=100, tools=[WEATHER_TOOL]),
        qianfan_context(model="ERNIE-Bot-4", app_id="app-123"),
    )
    request = next(flow)
    assert request.url == "https://qianfan.baidubce.com/v2/chat/completions"
    assert request.headers["authorization"] == f"Bearer {QIANFAN_KEY}"
    assert request.headers["appid"] == "app-123"
    assert request.json["model"] == "ernie-4.0-8k"
    assert request.json["max_completion_tokens"] == 100
    assert request.json["messages"][0] == {"role": "system", "content": "简洁"}
    assert request.json["tools"] == [WEATHER_TOOL]


def test_answer_parses_like_openai_and_chinese_round_trips() -> None:
    """The OpenAI parser reads v2 answers; text is unchanged byte for byte."""
    flow = chat(chat_request(), qianfan_context())
    next(flow)
    result = _finish(flow, json_response(_completion()))
    assert isinstance(result, relaykit.ChatCompletion)
    assert result.text.encode() == "北京是中国的首都。".encode()
    assert result.model == "ernie-4.0-8k"
    assert result.provider == "qianfan"


def test_flagged_choice_finishes_with_content_filter_and_keeps_the_flags() -> None:
    """flag / ban_round / need_clear_history inside a choice: content_filter, kept in vendor_data."""
    flow = chat(chat_request(), qianfan_context())
    next(flow)
    result = _finish(flow, json_response(_completion(flag=1, ban_round=-1, need_clear_history=True)))
    assert result.choices[0].finish_reason == "content_filter"
    assert result.vendor_data["choice_flags"] == [{"index": 0, "flag": 1, "ban_round": -1, "need_clear_history": True}]


def test_unflagged_choice_keeps_its_finish_reason() -> None:
    """flag 0 is normal."""
    flow = chat(chat_request(), qianfan_context())
    next(flow)
    assert _finish(flow, json_response(_completion(flag=0))).choices[0].finish_reason == "stop"


def test_tool_call_answer_is_read() -> None:
    """v2 tool calls have ids like OpenAI's."""
    call = {"id": "call_v2", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"北京"}'}}
    body = _completion(finish_reason="tool_calls")
    body["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [call]}
    flow = chat(chat_request(tools=[WEATHER_TOOL]), qianfan_context())
    next(flow)
    result = _finish(flow, json_response(body))
    assert result.choices[0].message.tool_calls[0].id == "call_v2"
    assert result.choices[0].finish_reason == "tool_calls"


def _chunk(delta: dict[str, Any], finish: str | None = None, **choice: Any) -> StreamEvent:
    payload = {
        "id": "as-v2stream",
        "object": "chat.completion.chunk",
        "created": 1735000000,
        "model": "ernie-3.5-8k",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, **choice}],
    }
    return StreamEvent(data=json.dumps(payload, ensure_ascii=False))


def test_stream_decodes_with_done_and_reasoning() -> None:
    """OpenAI chunks, reasoning_content deltas and [DONE] are decoded."""
    flow = chat(chat_request(stream=True), qianfan_context(model="deepseek-r1"))
    assert next(flow).json["model"] == "deepseek-r1"
    streaming = _finish(flow, stream_opened())
    assert isinstance(streaming, Streaming)
    decoder = streaming.decoder
    accumulator = relaykit.ChatStreamAccumulator()
    for event in (
        _chunk({"role": "assistant", "reasoning_content": "思考"}),
        _chunk({"content": "你好"}),
        _chunk({}, "stop"),
        StreamEvent(data="[DONE]"),
    ):
        for chunk in decoder.feed(event):
            accumulator.add(chunk)
    assert decoder.finished
    final = accumulator.snapshot()
    assert final.text == "你好"
    assert final.choices[0].message.reasoning_content == "思考"


def test_flagged_stream_finishes_with_content_filter() -> None:
    """A flag seen in a stream chunk turns the finish into content_filter."""
    decoder = QianfanChunkDecoder(qianfan_context())
    chunks = decoder.feed(_chunk({"content": "抱歉"}, None, flag=1))
    chunks += decoder.feed(_chunk({}, "stop"))
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    assert chunks[0].vendor_data["choice_flags"][0]["flag"] == 1


def test_error_inside_the_stream_is_mapped() -> None:
    """A v2 error object or a flat rate-limit body inside the stream raises its kind."""
    decoder = QianfanChunkDecoder(qianfan_context())
    flat = StreamEvent(data='{"code": "tpm_rate_limit_exceeded", "msg": "Rate limit reached for TPM"}')
    with pytest.raises(relaykit.RateLimitError):
        decoder.feed(flat)
    envelope = StreamEvent(data='{"error": {"code": "tokens_too_long", "message": "too long", "type": "x"}}')
    with pytest.raises(relaykit.ContextLengthError):
        QianfanChunkDecoder(qianfan_context()).feed(envelope)


def test_stream_request_answered_with_json_error_raises_it() -> None:
    """The plain-JSON error to a stream request is mapped (not a format error)."""
    flow = chat(chat_request(stream=True), qianfan_context())
    next(flow)
    body = {"error": {"code": "invalid_model", "message": "model is empty", "type": "invalid_request_error"}}
    with pytest.raises(relaykit.BadRequestError):
        flow.send(json_response(body, 400))


def test_non_ernie_model_ids_are_sent_as_given() -> None:
    """Hosted models and self-deployed paths keep their spelling."""
    assert next(chat(chat_request(), qianfan_context(model="DeepSeek-V3"))).json["model"] == "DeepSeek-V3"
    assert next(chat(chat_request(), qianfan_context(model="ERNIE-Speed-8K"))).json["model"] == "ernie-speed-8k"
