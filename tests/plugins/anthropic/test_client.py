"""The Anthropic plugin through the public sync and async clients (httpx2.MockTransport)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit.plugin import StreamEvent

from ._helpers import KEY, WEATHER_TOOL, Recorder, async_client, event, sse_body, sync_client

MODEL = "anthropic/claude-sonnet-4-5"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
MESSAGES = [
    {"role": "system", "content": "Answer briefly."},
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "Where was this photo taken, and what is the weather there?"},
            {"type": "image_url", "image_url": {"url": PNG}},
        ],
    },
]
ANSWER = {
    "id": "msg_01Cli",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "Looks like Paris.", "signature": "EqQBsig"},
        {"type": "text", "text": "That is Paris; checking the weather."},
        {"type": "tool_use", "id": "toolu_01W", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 1500,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 60,
    },
}


def _json_reply(payload: Any, status: int = 200, **headers: str) -> Recorder:
    return Recorder(
        lambda request: httpx2.Response(status, json=payload, headers={"request-id": "req_011cli", **headers})
    )


def _stream_events() -> list[StreamEvent]:
    message = {**ANSWER, "content": [], "stop_reason": None, "usage": {**ANSWER["usage"], "output_tokens": 1}}
    return [
        event("message_start", {"message": message}),
        event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}),
        StreamEvent(data='{"type": "ping"}', event="ping"),
        event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": "Checking both cities."}}),
        event("content_block_stop", {"index": 0}),
        *(
            item
            for position, city in enumerate(("Paris", "Lyon"), start=1)
            for item in (
                event(
                    "content_block_start",
                    {
                        "index": position,
                        "content_block": {
                            "type": "tool_use",
                            "id": f"toolu_{city}",
                            "name": "get_weather",
                            "input": {},
                        },
                    },
                ),
                event(
                    "content_block_delta",
                    {"index": position, "delta": {"type": "input_json_delta", "partial_json": '{"city": '}},
                ),
                event(
                    "content_block_delta",
                    {"index": position, "delta": {"type": "input_json_delta", "partial_json": f'"{city}"}}'}},
                ),
                event("content_block_stop", {"index": position}),
            )
        ),
        event(
            "message_delta",
            {"delta": {"stop_reason": "tool_use", "stop_sequence": None}, "usage": {"output_tokens": 70}},
        ),
        event("message_stop"),
    ]


def _stream_reply(*events: StreamEvent) -> Recorder:
    body = sse_body(*events)
    return Recorder(
        lambda request: httpx2.Response(
            200, headers={"content-type": "text/event-stream", "request-id": "req_011str"}, content=body
        )
    )


def _check_sent(recorder: Recorder) -> dict[str, Any]:
    (request,) = recorder.requests
    assert str(request.url) == "https://api.anthropic.com/v1/messages"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    body: dict[str, Any] = json.loads(request.content)
    assert body["system"] == "Answer briefly."
    assert body["messages"][0]["content"][1]["source"]["type"] == "base64"
    assert body["tools"][0]["input_schema"] == WEATHER_TOOL["function"]["parameters"]
    return body


def _check_tool_stream(chunks: list[relaykit.ChatCompletionChunk], final: relaykit.ChatCompletion) -> None:
    indexes = [call.index for chunk in chunks for choice in chunk.choices for call in choice.delta.tool_calls or []]
    assert sorted(set(indexes)) == [0, 1]
    assert final.text == "Checking both cities."
    assert [(c.id, json.loads(c.function.arguments)) for c in final.choices[0].message.tool_calls or []] == [
        ("toolu_Paris", {"city": "Paris"}),
        ("toolu_Lyon", {"city": "Lyon"}),
    ]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (1500, 70)
    assert final.request_id == "req_011str"


# --- sync ----------------------------------------------------------------------------------------


def test_sync_chat_with_tools_and_an_image_returns_tool_calls_and_reasoning() -> None:
    """A tools + image chat is one Messages request; the answer has text, a tool call and reasoning."""
    recorder = _json_reply(ANSWER)
    with sync_client(recorder) as client:
        result = client.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL])
    _check_sent(recorder)
    message = result.choices[0].message
    assert message.content == "That is Paris; checking the weather."
    assert [(c.id, c.function.name) for c in message.tool_calls or []] == [("toolu_01W", "get_weather")]
    assert message.reasoning_content == "Looks like Paris."
    assert result.choices[0].finish_reason == "tool_calls"
    assert (result.provider, result.request_id) == ("anthropic", "req_011cli")


def test_sync_stream_of_text_then_two_tools_indexes_calls_from_zero() -> None:
    """A streamed multi-tool answer that starts with text yields tool calls indexed 0 and 1."""
    recorder = _stream_reply(*_stream_events())
    with sync_client(recorder) as client:
        stream = client.chat.completions.create(
            model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL], stream=True, stream_options={"include_usage": True}
        )
        with stream:
            chunks = list(stream)
        final = stream.get_final_completion()
    assert _check_sent(recorder)["stream"] is True
    _check_tool_stream(chunks, final)


def test_reasoning_round_trips_on_the_next_turn() -> None:
    """Thinking returned by Claude goes back, signed and first, when the conversation continues."""
    recorder = _json_reply(ANSWER)
    with sync_client(recorder) as client:
        first = client.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL])
        message = first.choices[0].message
        follow_up = [
            *MESSAGES,
            {
                "role": "assistant",
                "content": message.content,
                "reasoning": [part.model_dump(exclude_none=True) for part in message.reasoning or []],
                "tool_calls": [call.model_dump() for call in message.tool_calls or []],
            },
            {"role": "tool", "tool_call_id": "toolu_01W", "content": "18°C, sunny"},
        ]
        client.chat.completions.create(model=MODEL, messages=follow_up, tools=[WEATHER_TOOL])
    sent = recorder.body["messages"]
    assert sent[1]["content"][0] == {"type": "thinking", "thinking": "Looks like Paris.", "signature": "EqQBsig"}
    assert sent[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_01W", "content": "18°C, sunny"}],
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [({"temprature": 0.2}, "temprature"), ({"n": 3}, "n"), ({"seed": 1}, "seed")],
)
def test_sync_invalid_request_sends_nothing(params: dict[str, Any], field: str) -> None:
    """Unknown fields and fields Claude cannot take raise InvalidRequestError before any request."""
    recorder = _json_reply(ANSWER)
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.chat.completions.create(model=MODEL, messages=MESSAGES, **params)
    assert caught.value.field == field
    assert recorder.requests == []


def test_sync_overloaded_529_raises_overloaded_error_with_retry_after() -> None:
    """A 529 overloaded_error is OverloadedError, retryable, honouring retry-after."""
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    with (
        sync_client(_json_reply(body, 529, **{"retry-after": "3"})) as client,
        pytest.raises(relaykit.OverloadedError) as caught,
    ):
        client.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert (caught.value.retry_after, caught.value.retryable, caught.value.request_id) == (3.0, True, "req_011cli")


def test_sync_stream_error_event_raises_the_typed_error_mid_stream() -> None:
    """An overloaded_error event after some text raises OverloadedError, not a clean end."""
    events = _stream_events()[:4]
    events.append(event("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}}))
    with sync_client(_stream_reply(*events)) as client:
        stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        texts: list[str] = []
        with pytest.raises(relaykit.OverloadedError):
            texts.extend(chunk.text for chunk in stream)
    assert "".join(texts) == "Checking both cities."


def test_sync_stream_cut_before_message_stop_is_interrupted_with_the_partial() -> None:
    """A body that ends early raises StreamInterruptedError carrying what arrived."""
    with sync_client(_stream_reply(*_stream_events()[:5])) as client:
        stream = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)
        with pytest.raises(relaykit.StreamInterruptedError) as caught:
            list(stream)
    assert caught.value.partial.text == "Checking both cities."


def test_sync_model_listing_reads_every_page() -> None:
    """client.models.list follows has_more/last_id and keeps display names in vendor_data."""
    pages = [
        {
            "data": [
                {
                    "type": "model",
                    "id": "claude-sonnet-4-5-20250929",
                    "display_name": "Claude Sonnet 4.5",
                    "created_at": "2025-09-29T00:00:00Z",
                }
            ],
            "has_more": True,
            "first_id": "claude-sonnet-4-5-20250929",
            "last_id": "claude-sonnet-4-5-20250929",
        },
        {
            "data": [
                {
                    "type": "model",
                    "id": "claude-3-haiku-20240307",
                    "display_name": "Claude Haiku 3",
                    "created_at": "2024-03-07T00:00:00Z",
                }
            ],
            "has_more": False,
            "first_id": "claude-3-haiku-20240307",
            "last_id": "claude-3-haiku-20240307",
        },
    ]
    recorder = Recorder(lambda request: httpx2.Response(200, json=pages[len(recorder.requests) - 1]))
    with sync_client(recorder) as client:
        listing = client.models.list("anthropic")
    assert listing.ids == ["claude-sonnet-4-5-20250929", "claude-3-haiku-20240307"]
    assert listing.data[0].address == "anthropic/claude-sonnet-4-5-20250929"
    assert listing.data[0].created == 1759104000
    assert listing.data[0].owned_by == "anthropic"
    assert listing.data[0].vendor_data["display_name"] == "Claude Sonnet 4.5"
    assert [dict(r.url.params) for r in recorder.requests] == [
        {"limit": "1000"},
        {"limit": "1000", "after_id": "claude-sonnet-4-5-20250929"},
    ]


# --- async ---------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_chat_with_tools_and_an_image_matches_sync() -> None:
    """AsyncClient sends the same request and returns the same completion."""
    recorder = _json_reply(ANSWER)
    async with async_client(recorder) as client:
        result = await client.chat.completions.create(model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL])
    _check_sent(recorder)
    assert result.choices[0].message.tool_calls is not None
    assert result.choices[0].finish_reason == "tool_calls"


@pytest.mark.anyio
async def test_async_stream_of_text_then_two_tools_indexes_calls_from_zero() -> None:
    """The async stream yields the same chunks and final completion as the sync one."""
    recorder = _stream_reply(*_stream_events())
    async with async_client(recorder) as client:
        stream = await client.chat.completions.create(
            model=MODEL, messages=MESSAGES, tools=[WEATHER_TOOL], stream=True, stream_options={"include_usage": True}
        )
        async with stream:
            chunks = [chunk async for chunk in stream]
        final = await stream.get_final_completion()
    _check_tool_stream(chunks, final)


@pytest.mark.anyio
async def test_async_invalid_request_sends_nothing() -> None:
    """An unsupported image type fails validation in the flow before the async transport is used."""
    recorder = _json_reply(ANSWER)
    bad = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/tiff;base64,SUkq"}}]}]
    async with async_client(recorder) as client:
        with pytest.raises(relaykit.InvalidRequestError) as caught:
            await client.chat.completions.create(model=MODEL, messages=bad)
    assert caught.value.field == "messages.0.content.0.image_url.url"
    assert recorder.requests == []


@pytest.mark.anyio
async def test_async_model_retrieve_reads_one_model() -> None:
    """client.models.retrieve reads GET /v1/models/{id}."""
    model = {
        "type": "model",
        "id": "claude-opus-4-1-20250805",
        "display_name": "Claude Opus 4.1",
        "created_at": "2025-08-05T00:00:00Z",
    }
    recorder = _json_reply(model)
    async with async_client(recorder) as client:
        info = await client.models.retrieve("anthropic/claude-opus-4-1-20250805")
    assert info.id == "claude-opus-4-1-20250805"
    assert str(recorder.requests[0].url) == "https://api.anthropic.com/v1/models/claude-opus-4-1-20250805"
