"""The Anthropic emulator over real sockets, spoken to with raw httpx2 (Messages, legacy, models, faults)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from relaykit.testing import FAULT_HEADER, Fault
from relaykit_anthropic.emulator import AnthropicEmulator

HEADERS = {"x-api-key": "test-key", "anthropic-version": "2023-06-01"}
HELLO = [{"role": "user", "content": "Hello there"}]
WEATHER = {
    "name": "get_weather",
    "description": "Current weather",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
    },
}
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06").decode()
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00").decode()


@pytest.fixture(scope="module")
def server() -> Iterator[AnthropicEmulator]:
    with AnthropicEmulator() as emulator:
        yield emulator


@pytest.fixture
def emu(server: AnthropicEmulator) -> AnthropicEmulator:
    server.reset()
    server.strict_models = False
    return server


@pytest.fixture
def http(emu: AnthropicEmulator) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=emu.base_url, headers=HEADERS, timeout=5) as raw:
        yield raw


def message(http: httpx2.Client, **body: Any) -> httpx2.Response:
    """POST /v1/messages with a default model, max_tokens and conversation."""
    payload = {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": HELLO, **body}
    return http.post("/v1/messages", json=payload)


def events(response: httpx2.Response) -> list[tuple[str, dict[str, Any]]]:
    """The (event name, data) pairs of an SSE body; each event's data type repeats its name."""
    parsed = []
    for frame in response.text.split("\n\n"):
        if not frame.strip():
            continue
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        data = json.loads(lines["data"])
        assert data["type"] == lines["event"]
        parsed.append((lines["event"], data))
    return parsed


def error_of(response: httpx2.Response) -> tuple[int, str, str]:
    """(status, error type, message) of an Anthropic error envelope, checking its request id."""
    body = response.json()
    assert body["type"] == "error"
    assert body["request_id"] == response.headers["request-id"]
    return response.status_code, body["error"]["type"], body["error"]["message"]


def tool_turns(results: list[dict[str, Any]], *, calls: tuple[str, ...] = ("toolu_1",)) -> list[dict[str, Any]]:
    """A user question, an assistant turn calling `calls`, and a user turn holding `results`."""
    uses = [{"type": "tool_use", "id": call, "name": "get_weather", "input": {"city": "Paris"}} for call in calls]
    return [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "text", "text": "Let me check."}, *uses]},
        {"role": "user", "content": results},
    ]


# -- answers -------------------------------------------------------------------------------------


def test_plain_message_echoes_the_last_user_text_with_usage(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """A generated answer is one text block; the alias resolves; usage has the cache fields; ids are set."""
    response = message(http)
    body = response.json()
    assert response.headers["request-id"].startswith("req_")
    assert body["id"].startswith("msg_")
    assert (body["type"], body["role"], body["model"]) == ("message", "assistant", "claude-sonnet-4-5-20250929")
    assert body["content"] == [{"type": "text", "text": "You said: Hello there"}]
    assert (body["stop_reason"], body["stop_sequence"]) == ("end_turn", None)
    usage = body["usage"]
    assert (usage["input_tokens"], usage["output_tokens"]) == (2, 4)
    assert (usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]) == (0, 0)
    assert emu.last_request.header("x-api-key") == "test-key"


def test_unknown_model_is_echoed_unless_strict(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """Any model is answered as sent; strict_models answers 404 not_found_error 'model: <id>'."""
    assert message(http, model="claude-custom").json()["model"] == "claude-custom"
    emu.strict_models = True
    assert error_of(message(http, model="claude-custom")) == (404, "not_found_error", "model: claude-custom")


def test_chinese_text_round_trips(http: httpx2.Client) -> None:
    """Non-ASCII text comes back untouched."""
    body = message(http, messages=[{"role": "user", "content": "你好，世界"}]).json()
    assert body["content"][0]["text"] == "You said: 你好，世界"


def test_tools_with_auto_choice_answer_text_then_tool_use(http: httpx2.Client) -> None:
    """With tools offered, a short text block precedes the tool_use, whose input follows the schema."""
    body = message(http, tools=[WEATHER]).json()
    text, call = body["content"]
    assert text == {"type": "text", "text": "I'll use the get_weather tool."}
    assert (call["type"], call["name"], call["input"]) == ("tool_use", "get_weather", {"city": "example", "days": 1})
    assert call["id"].startswith("toolu_")
    assert body["stop_reason"] == "tool_use"


def test_forced_tool_choice_answers_the_tool_use_alone(http: httpx2.Client) -> None:
    """tool_choice any (or a named tool) gets no preamble text, as Claude does."""
    other = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}
    body = message(http, tools=[WEATHER, other], tool_choice={"type": "tool", "name": "lookup"}).json()
    assert [(b["type"], b.get("name")) for b in body["content"]] == [("tool_use", "lookup")]
    assert body["content"][0]["input"] == {}
    assert [b["type"] for b in message(http, tools=[WEATHER], tool_choice={"type": "any"}).json()["content"]] == [
        "tool_use"
    ]


def test_tool_choice_none_answers_in_text(http: httpx2.Client) -> None:
    """tool_choice none keeps the answer in text."""
    body = message(http, tools=[WEATHER], tool_choice={"type": "none"}).json()
    assert body["content"] == [{"type": "text", "text": "You said: Hello there"}]


def test_tool_results_are_answered_in_text(http: httpx2.Client) -> None:
    """After grouped tool_result blocks the answer quotes every result."""
    results: list[dict[str, Any]] = [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
        {"type": "tool_result", "tool_use_id": "toolu_2", "content": [{"type": "text", "text": "sunny"}]},
    ]
    body = message(http, tools=[WEATHER], messages=tool_turns(results, calls=("toolu_1", "toolu_2"))).json()
    assert body["content"] == [{"type": "text", "text": "The tool returned: 18C; sunny"}]
    assert body["stop_reason"] == "end_turn"


def test_stop_sequences_and_max_tokens_cut_the_text(http: httpx2.Client) -> None:
    """A stop sequence ends with stop_sequence (named); max_tokens counts words and ends with max_tokens."""
    stopped = message(http, stop_sequences=["Hello"]).json()
    assert (stopped["content"][0]["text"], stopped["stop_reason"], stopped["stop_sequence"]) == (
        "You said: ",
        "stop_sequence",
        "Hello",
    )
    limited = message(http, max_tokens=2).json()
    assert (limited["content"][0]["text"], limited["stop_reason"]) == ("You said:", "max_tokens")


def test_output_config_json_schema_answers_matching_json(http: httpx2.Client) -> None:
    """output_config.format json_schema gets JSON built from the schema."""
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    body = message(http, output_config={"format": {"type": "json_schema", "schema": schema}}).json()
    assert json.loads(body["content"][0]["text"]) == {"name": "example"}


def test_thinking_comes_first_with_a_signature_that_round_trips(http: httpx2.Client) -> None:
    """With thinking on, a signed thinking block leads; sent back unchanged in a tool loop, it is accepted."""
    thinking = {"type": "enabled", "budget_tokens": 1024}
    first = message(http, max_tokens=2048, thinking=thinking, tools=[WEATHER]).json()
    assert [b["type"] for b in first["content"]] == ["thinking", "text", "tool_use"]
    assert first["content"][0]["signature"]
    call = first["content"][2]
    follow_up = [
        *HELLO,
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "18C"}]},
    ]
    second = message(http, max_tokens=2048, thinking=thinking, tools=[WEATHER], messages=follow_up).json()
    assert [b["type"] for b in second["content"]] == ["thinking", "text"]
    assert second["content"][1]["text"] == "The tool returned: 18C"


def test_thinking_tool_loop_without_the_thinking_block_is_rejected(http: httpx2.Client) -> None:
    """With thinking on, an assistant tool turn that lost its thinking block is a 400."""
    results = [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"}]
    response = message(
        http,
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        tools=[WEATHER],
        messages=tool_turns(results),
    )
    status, kind, text = error_of(response)
    assert (status, kind) == (400, "invalid_request_error")
    assert text.startswith("messages.1.content.0.type: Expected `thinking` or `redacted_thinking`")


def test_a_forged_thinking_signature_is_rejected(http: httpx2.Client) -> None:
    """A thinking block whose signature was not given by the emulator is a 400."""
    turns = [
        *HELLO,
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hmm.", "signature": "forged"}]},
        {"role": "user", "content": "And?"},
    ]
    assert error_of(message(http, messages=turns))[2] == "messages.1.content.0: Invalid `signature` in `thinking` block"


# -- the checks Claude makes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"max_tokens": None}, "max_tokens: Field required"),
        ({"n": 2}, "n: Extra inputs are not permitted"),
        ({"temperature": 1.5}, "temperature: Input should be less than or equal to 1"),
        ({"stop_sequences": ["  "]}, "stop_sequences: each stop sequence must contain non-whitespace"),
        ({"metadata": {"user_id": "u", "email": "x"}}, "metadata.email: Extra inputs are not permitted"),
        ({"messages": [{"role": "assistant", "content": "Hi"}]}, 'messages: first message must use the "user" role'),
        (
            {"messages": [*HELLO, {"role": "user", "content": "Again"}]},
            'messages: roles must alternate between "user" and "assistant", but found multiple "user" roles in a row',
        ),
        ({"messages": [{"role": "system", "content": "x"}]}, "messages.0.role: Input should be 'user' or 'assistant'"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
            "messages: text content blocks must be non-empty",
        ),
        (
            {"messages": [{"role": "user", "content": " \n"}]},
            "messages: text content blocks must contain non-whitespace text",
        ),
        (
            {"messages": [*HELLO, {"role": "assistant", "content": "Sure "}]},
            "messages: final assistant content cannot end with trailing whitespace",
        ),
        (
            {"tools": [{"name": "t", "input_schema": {"type": "array"}}]},
            "tools.0.custom.input_schema.type: Input should be 'object'",
        ),
        ({"tool_choice": {"type": "any"}}, "tool_choice: may only be specified while providing tools"),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 512}},
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 1024}},
            "`max_tokens` must be greater than `thinking.budget_tokens`",
        ),
        (
            {
                "max_tokens": 2048,
                "thinking": {"type": "enabled", "budget_tokens": 1024},
                "tools": [WEATHER],
                "tool_choice": {"type": "any"},
            },
            "Thinking may not be enabled when tool_choice forces tool use.",
        ),
        (
            {"max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024}, "temperature": 0.2},
            "`temperature` may only be set to 1 when thinking is enabled.",
        ),
    ],
)
def test_invalid_bodies_answer_400_invalid_request_error(
    http: httpx2.Client, body: dict[str, Any], expected: str
) -> None:
    """Each rule Claude enforces answers 400 invalid_request_error naming the field in the message."""
    payload = {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": HELLO, **body}
    payload = {key: value for key, value in payload.items() if value is not None}
    assert error_of(http.post("/v1/messages", json=payload)) == (400, "invalid_request_error", expected)


def test_tool_results_must_answer_the_previous_tool_uses(http: httpx2.Client) -> None:
    """Unknown tool_use_id, missing results, results after text, or no tools defined: each a 400."""
    unknown = [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"},
        {"type": "tool_result", "tool_use_id": "toolu_9", "content": "y"},
    ]
    assert (
        "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9"
        in error_of(message(http, tools=[WEATHER], messages=tool_turns(unknown)))[2]
    )
    missing = [{"type": "text", "text": "Never mind."}]
    assert (
        "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"
        in error_of(message(http, tools=[WEATHER], messages=tool_turns(missing)))[2]
    )
    late = [{"type": "text", "text": "Here:"}, {"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}]
    assert (
        "`tool_result` blocks must come before any other content"
        in error_of(message(http, tools=[WEATHER], messages=tool_turns(late)))[2]
    )
    fine = [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "x"}]
    assert error_of(message(http, messages=tool_turns(fine)))[2] == (
        "Requests which include `tool_use` or `tool_result` blocks must define tools."
    )


def test_images_must_be_bare_base64_of_the_declared_type(http: httpx2.Client) -> None:
    """A PNG declared as PNG passes; a data URI prefix or a JPEG declared as PNG is a 400; URLs pass."""

    def ask(source: dict[str, Any]) -> httpx2.Response:
        content = [{"type": "text", "text": "What is this?"}, {"type": "image", "source": source}]
        return message(http, messages=[{"role": "user", "content": content}])

    assert ask({"type": "base64", "media_type": "image/png", "data": PNG}).status_code == 200
    assert ask({"type": "url", "url": "https://example.com/cat.png"}).status_code == 200
    prefixed = ask({"type": "base64", "media_type": "image/png", "data": f"data:image/png;base64,{PNG}"})
    assert "without the data: URI prefix" in error_of(prefixed)[2]
    mismatched = error_of(ask({"type": "base64", "media_type": "image/png", "data": JPEG}))
    assert mismatched[2].endswith(
        "The image was specified using the image/png media type, but the image appears to be a image/jpeg image"
    )
    assert "media_type: Input should be" in error_of(ask({"type": "base64", "media_type": "image/bmp", "data": PNG}))[2]


def test_pdf_documents_are_checked(http: httpx2.Client) -> None:
    """A base64 PDF document passes; bytes that are not a PDF are a 400."""

    def ask(data: bytes) -> httpx2.Response:
        source = {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(data).decode()}
        content = [{"type": "document", "source": source}, {"type": "text", "text": "Summarize."}]
        return message(http, messages=[{"role": "user", "content": content}])

    assert ask(b"%PDF-1.4\n%\xe2\xe3").status_code == 200
    assert error_of(ask(b"hello"))[2].endswith("The PDF specified was not valid.")


# -- headers and errors --------------------------------------------------------------------------


def test_missing_or_wrong_key_is_401_authentication_error(emu: AnthropicEmulator) -> None:
    """No x-api-key, a wrong one, or a bearer token instead: 401 authentication_error with x-should-retry false."""
    version = {"anthropic-version": "2023-06-01"}
    missing = httpx2.get(emu.url("/v1/models"), headers=version)
    assert error_of(missing) == (401, "authentication_error", "x-api-key header is required")
    wrong = httpx2.get(emu.url("/v1/models"), headers={**version, "x-api-key": "sk-ant-wrong"})
    assert error_of(wrong) == (401, "authentication_error", "invalid x-api-key")
    assert wrong.headers["x-should-retry"] == "false"
    bearer = httpx2.get(emu.url("/v1/models"), headers={**version, "authorization": "Bearer test-key"})
    assert bearer.status_code == 401


def test_anthropic_version_header_is_required_and_checked(emu: AnthropicEmulator) -> None:
    """No anthropic-version or an unknown one is a 400; 2026-10-21 refuses sampling parameters."""
    body = {"model": "claude-sonnet-4-5", "max_tokens": 10, "messages": HELLO}
    bare = httpx2.post(emu.url("/v1/messages"), json=body, headers={"x-api-key": "test-key"})
    assert error_of(bare) == (400, "invalid_request_error", "anthropic-version: header is required")
    odd = httpx2.post(emu.url("/v1/messages"), json=body, headers={**HEADERS, "anthropic-version": "2020-01-01"})
    assert error_of(odd)[0] == 400
    new = {**HEADERS, "anthropic-version": "2026-10-21"}
    assert httpx2.post(emu.url("/v1/messages"), json=body, headers=new).status_code == 200
    refused = httpx2.post(emu.url("/v1/messages"), json={**body, "top_k": 5}, headers=new)
    assert error_of(refused)[2] == "top_k: is not supported with anthropic-version 2026-10-21"


def test_unknown_route_and_bad_json_answer_the_envelope(http: httpx2.Client) -> None:
    """An unknown route is 404 not_found_error; a body that is not JSON is a 400."""
    assert error_of(http.post("/v1/nowhere", json={})) == (404, "not_found_error", "Not Found")
    assert error_of(http.post("/v1/messages", content=b"{oops"))[:2] == (400, "invalid_request_error")


def test_429_fault_has_retry_after_rate_limit_headers_and_type(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """Fault.status(429, retry_after=2): rate_limit_error, retry-after, anthropic-ratelimit-*, x-should-retry true."""
    emu.inject(Fault.status(429, retry_after=2))
    response = message(http)
    assert error_of(response)[:2] == (429, "rate_limit_error")
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-should-retry"] == "true"
    assert response.headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert response.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
    assert message(http).status_code == 200


@pytest.mark.parametrize(
    ("status", "kind"),
    [(500, "api_error"), (529, "overloaded_error"), (403, "permission_error"), (413, "request_too_large")],
)
def test_status_faults_use_anthropic_error_types(
    emu: AnthropicEmulator, http: httpx2.Client, status: int, kind: str
) -> None:
    """Each status fault answers the Anthropic error type of its status."""
    emu.inject(Fault.status(status))
    assert error_of(message(http))[:2] == (status, kind)


def test_fault_error_code_overrides_the_error_type_and_headers_work(http: httpx2.Client) -> None:
    """error_code sets error.type (Anthropic has no codes); the x-relaykit-fault header applies too."""
    payload = {"model": "claude-sonnet-4-5", "max_tokens": 9, "messages": HELLO}
    response = http.post("/v1/messages", json=payload, headers={FAULT_HEADER: "status=400; error_code=billing_error"})
    assert error_of(response)[:2] == (400, "billing_error")


def test_drop_malformed_and_cut_faults(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """A dropped connection fails the transport; malformed JSON does not parse; a cut stream stops mid-event."""
    emu.inject(Fault.drop())
    with pytest.raises(httpx2.TransportError):
        message(http)
    emu.inject(Fault.malformed_json())
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        message(http).json()
    emu.inject(Fault.cut_stream(after_events=2))
    received: list[bytes] = []
    body = {"model": "m", "max_tokens": 9, "messages": HELLO, "stream": True}
    with http.stream("POST", "/v1/messages", json=body) as cut, pytest.raises(httpx2.TransportError):
        received.extend(cut.iter_bytes())
    assert b"".join(received).count(b"\n\n") == 2
    assert b"event: message_start" in b"".join(received)


# -- streams -------------------------------------------------------------------------------------


def test_stream_sends_the_named_event_sequence(http: httpx2.Client) -> None:
    """message_start, ping, per-block start/delta/stop, message_delta with cumulative usage, message_stop."""
    response = message(http, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    names = [name for name, _ in events(response)]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 4,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    parsed = dict(events(response))
    start = parsed["message_start"]["message"]
    assert (start["content"], start["stop_reason"], start["usage"]["output_tokens"]) == ([], None, 1)
    assert start["usage"]["input_tokens"] == 2
    text = "".join(d["delta"]["text"] for n, d in events(response) if n == "content_block_delta")
    assert text == "You said: Hello there"
    delta = parsed["message_delta"]
    assert delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert (delta["usage"]["output_tokens"], delta["usage"]["input_tokens"]) == (4, 2)
    assert "[DONE]" not in response.text


def test_stream_of_thinking_text_and_tool_use_indexes_every_block(http: httpx2.Client) -> None:
    """Block indexes count all blocks; thinking ends with one signature_delta; tool input fragments join to JSON."""
    response = message(
        http, stream=True, max_tokens=4096, thinking={"type": "enabled", "budget_tokens": 2048}, tools=[WEATHER]
    )
    parsed = events(response)
    starts = [(d["index"], d["content_block"]["type"]) for n, d in parsed if n == "content_block_start"]
    assert starts == [(0, "thinking"), (1, "text"), (2, "tool_use")]
    thinking = [d["delta"] for n, d in parsed if n == "content_block_delta" and d["index"] == 0]
    assert {d["type"] for d in thinking[:-1]} == {"thinking_delta"}
    assert thinking[-1]["type"] == "signature_delta"
    fragments = [d["delta"]["partial_json"] for n, d in parsed if n == "content_block_delta" and d["index"] == 2]
    assert fragments[0] == ""
    assert len(fragments) > 2
    assert json.loads("".join(fragments)) == {"city": "example", "days": 1}
    tool_start = next(d["content_block"] for n, d in parsed if n == "content_block_start" and d["index"] == 2)
    assert (tool_start["name"], tool_start["input"]) == ("get_weather", {})
    assert parsed[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_empty_tool_input_streams_only_an_empty_fragment(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """A call without input sends a single empty input_json_delta (clients must read it as {})."""
    emu.script_message(tool_calls=[{"name": "now", "input": {}}])
    tools = [{"name": "now", "input_schema": {"type": "object", "properties": {}}}]
    parsed = events(message(http, stream=True, tools=tools))
    assert [d["delta"] for n, d in parsed if n == "content_block_delta"] == [
        {"type": "input_json_delta", "partial_json": ""}
    ]


def test_scripted_messages_come_first_streamed_or_not(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """Scripted answers are served in order, exactly; then generation resumes."""
    emu.script_message(
        "Let me check both.",
        tool_calls=[
            {"name": "get_weather", "arguments": {"city": "Paris"}},
            {"id": "toolu_fixed", "function": {"name": "get_weather", "arguments": '{"city": "北京"}'}},
        ],
    )
    emu.script_message("Bonjour !", thinking="A greeting.", redacted_thinking="RWRhY3RlZA==", stop_reason="max_tokens")
    first = events(message(http, stream=True, tools=[WEATHER]))
    starts = [d["content_block"] for n, d in first if n == "content_block_start"]
    assert [s["type"] for s in starts] == ["text", "tool_use", "tool_use"]
    assert starts[2]["id"] == "toolu_fixed"
    assert starts[1]["id"].startswith("toolu_emu")
    assert first[-2][1]["delta"]["stop_reason"] == "tool_use"
    second = message(http).json()
    assert [b["type"] for b in second["content"]] == ["thinking", "redacted_thinking", "text"]
    assert second["content"][1]["data"] == "RWRhY3RlZA=="
    assert (second["content"][2]["text"], second["stop_reason"]) == ("Bonjour !", "max_tokens")
    assert message(http).json()["content"][0]["text"] == "You said: Hello there"


def test_scripted_usage_replaces_the_counted_fields(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """usage= in a script reports cache fields as given, in message_start and message_delta."""
    emu.script_message("Cached.", usage={"input_tokens": 5, "cache_read_input_tokens": 400, "output_tokens": 2})
    parsed = dict(events(message(http, stream=True)))
    assert parsed["message_start"]["message"]["usage"]["cache_read_input_tokens"] == 400
    assert parsed["message_delta"]["usage"] == {
        "input_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 400,
        "output_tokens": 2,
    }


def test_stream_error_event_ends_the_stream_without_message_stop(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """inject_stream_error: after N events an overloaded_error event arrives and the stream ends; JSON calls keep it queued."""
    emu.inject_stream_error(after_events=4)
    assert message(http).status_code == 200
    parsed = events(message(http, stream=True))
    assert [n for n, _ in parsed] == ["message_start", "content_block_start", "ping", "content_block_delta", "error"]
    assert parsed[-1][1]["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    assert [n for n, _ in events(message(http, stream=True))][-1] == "message_stop"


def test_stream_error_beyond_the_end_replaces_message_stop(emu: AnthropicEmulator, http: httpx2.Client) -> None:
    """An error asked for after more events than the stream has comes in place of message_stop."""
    emu.inject_stream_error("api_error", "Internal server error", after_events=999)
    names = [n for n, _ in events(message(http, stream=True))]
    assert names[-2:] == ["message_delta", "error"]


# -- legacy text completions and models ------------------------------------------------------------


def complete(http: httpx2.Client, **body: Any) -> httpx2.Response:
    payload = {"model": "claude-2.1", "max_tokens_to_sample": 64, "prompt": "\n\nHuman: Hi there\n\nAssistant:", **body}
    return http.post("/v1/complete", json=payload)


def test_legacy_complete_answers_json_with_a_leading_space(http: httpx2.Client) -> None:
    """/v1/complete answers the last Human turn, stop_reason stop_sequence, no usage."""
    body = complete(http, prompt="Be brief.\n\nHuman: Hi\n\nAssistant: Hello.\n\nHuman: Hi there\n\nAssistant:").json()
    assert (body["type"], body["completion"], body["stop_reason"], body["model"]) == (
        "completion",
        " You said: Hi there",
        "stop_sequence",
        "claude-2.1",
    )
    assert body["id"].startswith("compl_")
    assert "usage" not in body
    limited = complete(http, max_tokens_to_sample=2).json()
    assert (limited["completion"], limited["stop_reason"]) == (" You said:", "max_tokens")


def test_legacy_complete_streams_completion_events(http: httpx2.Client) -> None:
    """Streamed completions are `completion` events of new text, a ping, and a final stop reason."""
    parsed = events(complete(http, stream=True))
    assert [n for n, _ in parsed].count("ping") == 1
    pieces = [d for n, d in parsed if n == "completion"]
    assert "".join(d["completion"] for d in pieces) == " You said: Hi there"
    assert [d["stop_reason"] for d in pieces[:-1]] == [None] * (len(pieces) - 1)
    assert (pieces[-1]["completion"], pieces[-1]["stop_reason"]) == ("", "stop_sequence")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"model": "claude-sonnet-4-5"},
            '"claude-sonnet-4-5" is not supported on this API. Please use the Messages API instead.',
        ),
        ({"prompt": "Hi"}, 'prompt: must contain a "\\n\\nHuman:" turn, after an optional system prompt'),
        ({"prompt": "\n\nHuman: Hi"}, 'prompt: must end with "\\n\\nAssistant:" turn'),
        ({"max_tokens": 5}, "max_tokens: Extra inputs are not permitted"),
    ],
)
def test_legacy_complete_checks_the_prompt_and_model(http: httpx2.Client, body: dict[str, Any], expected: str) -> None:
    """The legacy API refuses Messages-era models and prompts without proper turns."""
    assert error_of(complete(http, **body)) == (400, "invalid_request_error", expected)


def test_models_are_listed_newest_first_with_cursor_paging(http: httpx2.Client) -> None:
    """GET /v1/models pages with limit/after_id/before_id; has_more, first_id and last_id are set."""
    first = http.get("/v1/models", params={"limit": 2}).json()
    assert [m["id"] for m in first["data"]] == ["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"]
    assert (first["has_more"], first["first_id"], first["last_id"]) == (
        True,
        first["data"][0]["id"],
        first["data"][1]["id"],
    )
    assert first["data"][0] == {
        "type": "model",
        "id": "claude-haiku-4-5-20251001",
        "display_name": "Claude Haiku 4.5",
        "created_at": "2025-10-15T00:00:00Z",
    }
    after = http.get("/v1/models", params={"limit": 2, "after_id": first["last_id"]}).json()
    assert after["data"][0]["id"] == "claude-opus-4-1-20250805"
    before = http.get("/v1/models", params={"before_id": after["first_id"]}).json()
    assert [m["id"] for m in before["data"]] == [m["id"] for m in first["data"]]
    assert before["has_more"] is False


def test_model_retrieve_resolves_aliases_and_404s_unknown_ids(http: httpx2.Client) -> None:
    """GET /v1/models/{id} accepts dated ids and aliases; an unknown id is 404 not_found_error."""
    assert http.get("/v1/models/claude-sonnet-4-0").json()["id"] == "claude-sonnet-4-20250514"
    assert http.get("/v1/models/claude-3-7-sonnet-20250219").json()["display_name"] == "Claude Sonnet 3.7"
    assert error_of(http.get("/v1/models/claude-nope")) == (404, "not_found_error", "model: claude-nope")
