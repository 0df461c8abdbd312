"""Every real recorded ERNIE exchange in ../shared/real-responses/ernie parses to the right normalized result.

The captures are read in place at test time (they are not part of this repository); the module is
skipped where that folder is absent. Expected values are computed here from the raw bodies,
independently of the plugin's parser. The captured requests (which ERNIE accepted) are also
checked against what relaykit's translation sends for the same normalized conversation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import StreamEvent, run_to_completion
from relaykit_ernie._chat import chat
from relaykit_ernie._messages import map_messages
from relaykit_ernie._stream import ErnieChunkDecoder

from ._helpers import chat_request, json_response, make_context, token_response

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "ernie"

pytestmark = pytest.mark.skipif(not CAPTURES.is_dir(), reason=f"real captures not found at {CAPTURES}")

_FINISH = {"normal": "stop", "function_call": "tool_calls"}


def _cases(*formats: str) -> list[Any]:
    if not CAPTURES.is_dir():
        return []
    cases = [
        json.loads(path.read_text(encoding="utf-8")) | {"_file": path.stem} for path in sorted(CAPTURES.glob("*.json"))
    ]
    return [pytest.param(case, id=case["_file"]) for case in cases if case["response"]["body_format"] in formats]


def _normalized(case: dict[str, Any]) -> dict[str, Any]:
    """The normalized request matching a captured wire request: functions as tools, calls with ids."""
    wire = case["request"]["body"]
    messages: list[dict[str, Any]] = []
    for number, message in enumerate(wire.get("messages", [])):
        call = message.get("function_call")
        if message["role"] == "assistant" and call:
            tool_call = {
                "id": f"call_{number}",
                "type": "function",
                "function": {"name": call["name"], "arguments": call["arguments"]},
            }
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [tool_call],
                    "reasoning_content": call.get("thoughts"),
                }
            )
        elif message["role"] == "function":
            messages.append({"role": "tool", "tool_call_id": f"call_{number - 1}", "content": message["content"]})
        else:
            messages.append({"role": message["role"], "content": message["content"]})
    params: dict[str, Any] = {"messages": messages, "stream": bool(wire.get("stream"))}
    functions = {f["name"]: f for f in wire.get("functions", [])}
    if functions:
        params["tools"] = [
            {"type": "function", "function": {k: f[k] for k in ("name", "description", "parameters")}}
            for f in functions.values()
        ]
    return params


@pytest.mark.parametrize("case", _cases("json"))
def test_json_answers_parse(case: dict[str, Any]) -> None:
    """Chat, function-call and error answers become the completion (or error) their raw body says."""
    raw = case["response"]["body_raw"]
    body = json.loads(raw)
    response = json_response(raw.encode("utf-8"), case["response"]["status"] or 200)
    request = chat_request(**(_normalized(case) if "messages" in case["request"]["body"] else {}))
    flow = chat(request, make_context(model="ernie-4.0-8k"))
    if "error_code" in body:
        with pytest.raises(relaykit.BadRequestError) as caught:
            run_to_completion(flow, [token_response(), response])
        assert caught.value.code == str(body["error_code"])
        assert caught.value.message == body["error_msg"]
        assert caught.value.request_id == body["id"]
        return
    result = run_to_completion(flow, [token_response(), response])
    message = result.choices[0].message
    assert result.id == body["id"]
    assert result.created == body["created"]
    assert result.choices[0].finish_reason == _FINISH[body["finish_reason"]]
    assert result.usage is not None
    assert result.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}) == body["usage"]
    if "function_call" in body:
        assert message.content is None
        assert message.tool_calls is not None
        assert message.tool_calls[0].function.name == body["function_call"]["name"]
        assert message.tool_calls[0].function.arguments == body["function_call"]["arguments"]
        assert message.reasoning_content == body["function_call"]["thoughts"]
    else:
        assert message.content is not None
        assert message.content.encode("utf-8") == body["result"].encode("utf-8")
        assert message.tool_calls is None


@pytest.mark.parametrize("case", _cases("event-payload-list"))
def test_streams_assemble(case: dict[str, Any]) -> None:
    """Each logged stream decodes event by event and assembles to its text, call and final usage."""
    payloads = [json.loads(raw) for raw in case["response"]["body_raw"]]
    decoder = ErnieChunkDecoder(make_context())
    accumulator = relaykit.ChatStreamAccumulator()
    for raw in case["response"]["body_raw"]:
        for chunk in decoder.feed(StreamEvent(data=raw)):
            accumulator.add(chunk)
    decoder.close()
    final = accumulator.snapshot()
    last = payloads[-1]
    assert decoder.finished
    assert final.usage is not None
    assert final.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}) == last["usage"]
    call = next((p["function_call"] for p in payloads if "function_call" in p), None)
    message = final.choices[0].message
    if call is not None:
        assert message.tool_calls is not None
        assert message.tool_calls[0].function.arguments == call["arguments"]
        assert message.reasoning_content == call["thoughts"]
        assert final.choices[0].finish_reason == "tool_calls"
    else:
        assert message.content == "".join(p["result"] for p in payloads)
        assert final.choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    "case", [c for c in _cases("json", "event-payload-list") if "messages" in c.values[0]["request"]["body"]]
)
def test_translation_sends_the_messages_ernie_accepted(case: dict[str, Any]) -> None:
    """The same conversation, normalized, translates to exactly the captured wire messages."""
    params = _normalized(case)
    _, messages = map_messages(chat_request(**params), make_context())
    assert messages == case["request"]["body"]["messages"]
