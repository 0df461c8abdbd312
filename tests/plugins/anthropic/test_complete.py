"""Legacy Text Completions (/v1/complete): prompt rendering, chat and client.completions, streams."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import relaykit
from relaykit._types._base import validate_request
from relaykit.plugin import HttpRequest, HttpResponse, StreamEvent, Streaming, run_to_completion
from relaykit_anthropic._chat import chat
from relaykit_anthropic._complete import ChatCompletionEvents, CompletionEvents, completion, render_prompt

from ._helpers import KEY, WEATHER_TOOL, Recorder, chat_request, event, json_response, make_context, sse_body

LEGACY = "claude-2.1"
ANSWER = {
    "type": "completion",
    "id": "compl_01A",
    "completion": " Hello! How can I help?",
    "stop_reason": "stop_sequence",
    "stop": "\n\nHuman:",
    "model": "claude-2.1",
}


def _context(**settings: Any) -> Any:
    return make_context(model=LEGACY, **settings)


def _completion_request(**params: Any) -> relaykit.CompletionRequest:
    return validate_request(relaykit.CompletionRequest, {"model": f"anthropic/{LEGACY}", "prompt": "Hi", **params})


def test_messages_render_as_a_human_assistant_prompt() -> None:
    """System text leads, same-role turns merge, and the prompt ends with an open Assistant turn."""
    request = chat_request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "user", "content": [{"type": "text", "text": "你好"}]},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Weather?"},
        ]
    )
    assert render_prompt(request, _context()) == (
        "Be brief.\n\nHuman: Hi\n\n你好\n\nAssistant: Hello!\n\nHuman: Weather?\n\nAssistant:"
    )


def test_a_final_assistant_message_is_a_prefill_and_a_leading_one_gets_a_human_turn() -> None:
    """A last assistant message stays open (trailing space removed); Claude 2 needs Human first."""
    request = chat_request(
        messages=[
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "JSON?"},
            {"role": "assistant", "content": "{ "},
        ]
    )
    assert render_prompt(request, _context()) == "\n\nHuman: .\n\nAssistant: Hi.\n\nHuman: JSON?\n\nAssistant: {"


def test_legacy_model_chat_posts_to_v1_complete() -> None:
    """A claude-2 chat goes to /v1/complete with prompt, max_tokens_to_sample and stop sequences."""
    flow = chat(chat_request(max_tokens=300, stop="END", temperature=1.4, user="u-1"), _context())
    request = next(flow)
    assert isinstance(request, HttpRequest)
    assert request.url == "https://api.anthropic.com/v1/complete"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.json == {
        "model": LEGACY,
        "prompt": "\n\nHuman: Weather in Paris?\n\nAssistant:",
        "max_tokens_to_sample": 300,
        "stop_sequences": ["END"],
        "temperature": 1.0,
        "metadata": {"user_id": "u-1"},
    }


def test_legacy_chat_answer_loses_its_leading_space_and_maps_stop_reason() -> None:
    """The completion becomes message content without the leading space; stop_sequence is stop."""
    result = run_to_completion(
        chat(chat_request(), _context()), [json_response(200, ANSWER, **{"request-id": "req_1"})]
    )
    assert isinstance(result, relaykit.ChatCompletion)
    assert result.text == "Hello! How can I help?"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is None
    assert result.request_id == "req_1"
    assert result.vendor_data["stop"] == "\n\nHuman:"


def test_legacy_models_setting_selects_the_endpoint() -> None:
    """legacy_models prefixes decide; an empty list sends claude-2 names to /v1/messages."""
    messages_flow = chat(chat_request(), _context(legacy_models=[]))
    assert next(messages_flow).url.endswith("/v1/messages")  # type: ignore[union-attr]
    gateway = make_context(model="anthropic.claude-v2", legacy_models=["anthropic.claude-v2"])
    assert next(chat(chat_request(), gateway)).url.endswith("/v1/complete")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("params", "capability"),
    [
        ({"tools": [WEATHER_TOOL]}, "chat.tools"),
        ({"response_format": {"type": "json_object"}}, "chat.json_object"),
        (
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}
                ]
            },
            "chat.vision",
        ),
    ],
)
def test_what_legacy_models_cannot_take_is_an_unsupported_capability(params: dict[str, Any], capability: str) -> None:
    """Tools, JSON modes and images fail before sending on the Text Completions path."""
    with pytest.raises(relaykit.UnsupportedCapabilityError) as caught:
        next(chat(chat_request(**params), _context()))
    assert caught.value.capability == capability


def test_legacy_chat_stream_yields_text_and_finishes_on_the_stop_reason() -> None:
    """completion events carry new text only; the one with a stop_reason ends the stream."""
    decoder = ChatCompletionEvents(make_context(model=LEGACY))
    accumulator = relaykit.ChatStreamAccumulator()
    events = [
        event("completion", {"completion": " Hello", "stop_reason": None, "model": "claude-2.1"}),
        StreamEvent(data='{"type": "ping"}', event="ping"),
        event("completion", {"completion": " there", "stop_reason": None, "model": "claude-2.1"}),
        event("completion", {"completion": "", "stop_reason": "max_tokens", "model": "claude-2.1"}),
    ]
    for item in events:
        for chunk in decoder.feed(item):
            accumulator.add(chunk)
    assert decoder.finished
    assert decoder.close() == []
    result = accumulator.snapshot()
    assert result.text == "Hello there"
    assert result.choices[0].finish_reason == "length"


def test_legacy_stream_errors_raise_and_a_cut_stream_is_interrupted() -> None:
    """An error event raises its class; a stream ending before a stop_reason is interrupted."""
    decoder = CompletionEvents(make_context(model=LEGACY))
    decoder.feed(event("completion", {"completion": " Hi", "stop_reason": None}))
    with pytest.raises(relaykit.StreamInterruptedError):
        decoder.close()
    with pytest.raises(relaykit.OverloadedError):
        decoder.feed(event("error", {"error": {"type": "overloaded_error", "message": "Overloaded"}}))


def test_completions_wrap_a_plain_prompt_and_keep_a_formatted_one() -> None:
    """A bare prompt becomes one Human turn; a prompt with Human: turns is sent as written."""
    plain = next(completion(_completion_request(max_tokens=50), _context()))
    assert isinstance(plain, HttpRequest)
    assert plain.json["prompt"] == "\n\nHuman: Hi\n\nAssistant:"
    assert plain.json["max_tokens_to_sample"] == 50
    written = "\n\nHuman: Count to 3\n\nAssistant: 1,"
    formatted = next(completion(_completion_request(prompt=[written]), _context()))
    assert formatted.json["prompt"] == written  # type: ignore[union-attr]


def test_completion_answer_keeps_the_text_exactly() -> None:
    """client.completions returns Claude's text as written, leading space included."""
    result = run_to_completion(completion(_completion_request(), _context()), [json_response(200, ANSWER)])
    assert isinstance(result, relaykit.Completion)
    assert result.text == " Hello! How can I help?"
    assert result.choices[0].finish_reason == "stop"
    assert result.id == "compl_01A"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n": 2}, "n"),
        ({"logprobs": 1}, "logprobs"),
        ({"echo": True}, "echo"),
        ({"suffix": "end"}, "suffix"),
        ({"best_of": 3}, "best_of"),
        ({"seed": 1}, "seed"),
        ({"prompt": ["a", "b"]}, "prompt"),
        ({"prompt": [1, 2, 3]}, "prompt"),
    ],
)
def test_completion_fields_claude_cannot_serve_are_refused(params: dict[str, Any], field: str) -> None:
    """Legacy-completion fields with no Claude equivalent fail before sending, naming the field."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(completion(_completion_request(**params), _context()))
    assert caught.value.field == field


def test_completion_stream_flow_returns_the_event_decoder() -> None:
    """A streamed completion returns Streaming with the completion-event decoder."""
    result = run_to_completion(
        completion(_completion_request(stream=True), _context()),
        [HttpResponse(200, {"content-type": "text/event-stream"}, streaming=True)],
    )
    assert isinstance(result, Streaming)
    assert isinstance(result.decoder, CompletionEvents)


def test_client_completions_stream_through_the_public_client() -> None:
    """client.completions streams Claude 2 text chunks over /v1/complete."""
    body = sse_body(
        event("completion", {"completion": " 1, 2", "stop_reason": None, "model": "claude-2.1"}),
        event("completion", {"completion": ", 3", "stop_reason": "stop_sequence", "model": "claude-2.1"}),
    )
    recorder = Recorder(lambda r: httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body))
    client = relaykit.Client(
        providers={"anthropic": {"api_key": KEY}}, http_client=httpx2.Client(transport=httpx2.MockTransport(recorder))
    )
    with client:
        stream = client.completions.create(model="anthropic/claude-2.1", prompt="Count to 3", stream=True)
        texts = [chunk.text for chunk in stream]
        final = stream.get_final_completion()
    assert "".join(texts) == " 1, 2, 3"
    assert final.choices[0].finish_reason == "stop"
    assert json.loads(recorder.requests[0].content)["stream"] is True


def test_client_completions_on_a_messages_only_model_sends_nothing() -> None:
    """claude-sonnet-4-5 has no /v1/complete: UnsupportedCapabilityError before sending."""
    recorder = Recorder(lambda r: httpx2.Response(200, json=ANSWER))
    client = relaykit.Client(
        providers={"anthropic": {"api_key": KEY}}, http_client=httpx2.Client(transport=httpx2.MockTransport(recorder))
    )
    with client, pytest.raises(relaykit.UnsupportedCapabilityError):
        client.completions.create(model="anthropic/claude-sonnet-4-5", prompt="Hi")
    assert recorder.requests == []
