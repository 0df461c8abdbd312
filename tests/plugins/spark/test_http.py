"""The HTTP API: OpenAI's dialect with Spark's body, answer and stream quirks."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog

import relaykit
from relaykit import ChatCompletion, ChatCompletionChunk
from relaykit.plugin import HttpRequest, HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_spark._http import chat

from ._helpers import API_PASSWORD, WEATHER, chat_request, http_context, user

SID = "cha000b0003@dx1905cd86d6bb86d552"


def sent_body(request: relaykit.ChatRequest, model: str = "spark-max", **context: Any) -> dict[str, Any]:
    effect = next(chat(request, http_context(model, **context)))
    assert isinstance(effect, HttpRequest)
    body: dict[str, Any] = effect.json
    return body


def answered(payload: dict[str, Any], request: relaykit.ChatRequest | None = None, status: int = 200) -> Any:
    response = HttpResponse(
        status=status,
        headers={"content-type": "application/json"},
        content=json.dumps(payload, ensure_ascii=False).encode(),
    )
    return run_to_completion(chat(request or chat_request(user("你好")), http_context()), [response])


def stream_chunks(lines: list[str], request: relaykit.ChatRequest | None = None) -> list[ChatCompletionChunk]:
    """Decode SSE data payloads as the driver would hand them over."""
    request = request or chat_request(user("你好"), stream=True)
    opened = HttpResponse(status=200, headers={"content-type": "text/event-stream"}, streaming=True)
    result = run_to_completion(chat(request, http_context()), [opened])
    assert isinstance(result, Streaming)
    chunks: list[ChatCompletionChunk] = []
    for line in lines:
        chunks.extend(result.decoder.feed(StreamEvent(data=line)))
        if result.decoder.finished:
            break
    chunks.extend(result.decoder.close())
    return chunks


def test_request_goes_to_chat_completions_with_the_password_as_bearer() -> None:
    """POST {base}/chat/completions, Authorization: Bearer <APIPassword>, model resolved."""
    effect = next(chat(chat_request(user("你好")), http_context("spark-v3.5")))
    assert isinstance(effect, HttpRequest)
    assert effect.url == "https://spark-api-open.xf-yun.com/v1/chat/completions"
    assert effect.headers["authorization"] == f"Bearer {API_PASSWORD}"
    assert effect.json == {"model": "generalv3.5", "messages": [{"role": "user", "content": "你好"}]}


def test_tools_ask_for_tool_calls_as_an_array() -> None:
    """tool_calls_switch: true goes with tools, so calls come back as a list."""
    body = sent_body(chat_request(user("北京天气"), tools=[WEATHER], tool_choice="auto"))
    assert body["tool_calls_switch"] is True
    assert body["tools"] == [WEATHER]
    assert body["tool_choice"] == "auto"


def test_tool_messages_keep_their_role_on_http() -> None:
    """The HTTP API has a tool role: tool results are sent as they are."""
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    request = chat_request(
        user("天气"),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "晴"},
        tools=[WEATHER],
    )
    assert sent_body(request)["messages"][2] == {"role": "tool", "content": "晴", "tool_call_id": "call_1"}


def test_developer_is_sent_as_system_and_folded_on_lite() -> None:
    """developer -> system; on Lite the system text leads the first user message."""
    request = chat_request({"role": "developer", "content": "简洁"}, user("你好"))
    assert sent_body(request)["messages"][0] == {"role": "system", "content": "简洁"}
    assert sent_body(request, "spark-lite")["messages"] == [{"role": "user", "content": "简洁\n\n你好"}]


def test_undocumented_fields_are_dropped_and_logged_and_top_k_passes_through_options() -> None:
    """seed is not sent (logged); stop and stream_options never (stop is applied); top_k via options."""
    request = chat_request(user("hi"), stop="。", seed=1, stream=True, stream_options={"include_usage": True})
    with structlog.testing.capture_logs() as logs:
        body = sent_body(request, options={"top_k": 4})
    assert body == {"model": "generalv3.5", "messages": [{"role": "user", "content": "hi"}], "stream": True, "top_k": 4}
    (event,) = [log for log in logs if log["event"] == "relaykit.request.adjusted"]
    assert (event["field"], event["action"], event["provider"]) == ("seed", "dropped", "sparkhttp")


def test_legacy_functions_are_refused_on_http() -> None:
    """The HTTP API takes tools; legacy functions are an InvalidRequestError naming the field."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        sent_body(chat_request(user("hi"), functions=[WEATHER["function"]]))
    assert caught.value.field == "functions"


def test_answer_without_id_model_or_finish_reason_is_completed() -> None:
    """The documented answer: id from sid, model sent, finish stop, sid kept in vendor_data."""
    payload = {
        "code": 0,
        "message": "Success",
        "sid": SID,
        "choices": [{"message": {"role": "assistant", "content": "你好，我是讯飞星火。"}, "index": 0}],
        "usage": {"prompt_tokens": 6, "completion_tokens": 42, "total_tokens": 48},
    }
    completion = answered(payload)
    assert isinstance(completion, ChatCompletion)
    assert (completion.id, completion.model, completion.request_id) == (SID, "generalv3.5", SID)
    assert completion.text == "你好，我是讯飞星火。"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.vendor_data == {"sid": SID}
    assert completion.usage is not None
    assert completion.usage.total_tokens == 48


@pytest.mark.parametrize("as_array", [True, False])
def test_tool_calls_as_an_object_or_an_array_without_ids_are_normalized(as_array: bool) -> None:
    """Without tool_calls_switch the call is one object; ids are generated from the sid."""
    call = {"type": "function", "function": {"name": "get_weather", "arguments": '{"city":"北京"}'}}
    message = {"role": "assistant", "content": "", "tool_calls": [call] if as_array else call}
    payload = {"code": 0, "message": "Success", "sid": SID, "choices": [{"message": message, "index": 0}]}
    completion = answered(payload, chat_request(user("天气"), tools=[WEATHER]))
    (tool_call,) = completion.choices[0].message.tool_calls
    assert tool_call.id == f"call_{SID}_0"
    assert json.loads(tool_call.function.arguments) == {"city": "北京"}
    assert completion.choices[0].finish_reason == "tool_calls"


def test_a_code_in_a_200_body_is_an_error() -> None:
    """{"code": 10013, ...} with HTTP 200 raises ContentPolicyError."""
    with pytest.raises(relaykit.ContentPolicyError) as caught:
        answered({"code": 10013, "message": "input failed moderation", "sid": SID})
    assert caught.value.request_id == SID


def test_an_http_500_with_code_11200_is_a_permission_error() -> None:
    """AppIdNoAuthError arrives as a 500; the code, not the status, decides."""
    body = {"error": {"message": f"AppIdNoAuthError (sid: {SID})", "type": "api_error", "param": None, "code": "11200"}}
    with pytest.raises(relaykit.PermissionDeniedError) as caught:
        answered(body, status=500)
    assert (caught.value.status, caught.value.code, caught.value.request_id) == (500, "11200", SID)
    assert not caught.value.retryable


def sse(delta: dict[str, Any], **extra: Any) -> str:
    chunk = {"code": 0, "message": "Success", "sid": SID, "id": SID, "created": 1719546385}
    return json.dumps({**chunk, "choices": [{"delta": delta, "index": 0}], **extra}, ensure_ascii=False)


def test_stream_without_finish_reason_gets_stop_at_done_and_keeps_usage() -> None:
    """Chunks repeat role, the last has empty content and usage, [DONE] closes with stop."""
    lines = [
        sse({"role": "assistant", "content": "你好"}),
        sse({"role": "assistant", "content": "，很高兴"}),
        sse(
            {"role": "assistant", "content": ""},
            usage={"prompt_tokens": 6, "completion_tokens": 68, "total_tokens": 74},
        ),
        "[DONE]",
    ]
    chunks = stream_chunks(lines)
    assert "".join(chunk.text for chunk in chunks) == "你好，很高兴"
    assert {chunk.id for chunk in chunks} == {SID}
    assert {chunk.model for chunk in chunks} == {"generalv3.5"}
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-2].usage is not None
    assert chunks[-2].usage.total_tokens == 74


def test_a_streamed_tool_call_object_becomes_a_tool_call_delta_with_an_id() -> None:
    """A tool call sent as one object without id streams as index 0 with a generated id."""
    call = {"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    chunks = stream_chunks([sse({"role": "assistant", "content": "", "tool_calls": call}), "[DONE]"])
    (delta,) = chunks[0].choices[0].delta.tool_calls or []
    assert (delta.index, delta.id) == (0, f"call_{SID}_0")
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_moderation_in_the_stream_after_text_ends_with_content_filter() -> None:
    """A {"code": 10014} chunk after text closes the answer with content_filter."""
    lines = [sse({"role": "assistant", "content": "这是"}), json.dumps({"code": 10014, "message": "x", "sid": SID})]
    chunks = stream_chunks(lines)
    assert chunks[-1].choices[0].finish_reason == "content_filter"


def test_an_engine_error_chunk_in_the_stream_raises() -> None:
    """A code chunk that is not moderation raises its mapped error."""
    lines = [json.dumps({"code": 10012, "message": "EngineInternalError", "sid": SID})]
    with pytest.raises(relaykit.ServerError):
        stream_chunks(lines)


def test_a_stream_request_answered_with_a_code_body_raises_the_code() -> None:
    """A JSON error body instead of a stream maps by its code."""
    body = json.dumps({"code": 11202, "message": "rate", "sid": SID}).encode()
    response = HttpResponse(status=200, headers={"content-type": "application/json"}, content=body)
    with pytest.raises(relaykit.RateLimitError):
        run_to_completion(chat(chat_request(user("hi"), stream=True), http_context()), [response])
