"""Tool calling, vision input and JSON-schema output checks."""

from __future__ import annotations

import json
from typing import Any

import relaykit

from ..._provider import Capability
from ._inputs import CITY_SCHEMA, CLOCK_TOOL, PNG_B64, WEATHER_TOOL, user
from ._meta import check
from ._run import KitRun

__all__ = ["JSONSchemaChecks", "ToolChecks", "VisionChecks"]

CHAT = Capability.CHAT
TOOLS = Capability.TOOLS
_ASK = [user("What is the weather in Paris and in 北京?")]
_CALLS = [
    {"name": "get_weather", "arguments": {"city": "Paris"}},
    {"name": "get_weather", "arguments": {"city": "北京"}},
]


def _arguments(call: relaykit.ToolCall) -> Any:
    try:
        return json.loads(call.function.arguments)
    except ValueError:
        raise AssertionError(
            f"the arguments of {call.function.name!r} are not JSON: {call.function.arguments!r}; "
            "send them as a JSON object string ('{}' when there are none)"
        ) from None


def _calls(answer: relaykit.ChatCompletion) -> list[relaykit.ToolCall]:
    calls = answer.choices[0].message.tool_calls or []
    assert calls, f"no tool call in the answer (text {answer.text!r})"
    return calls


class ToolChecks:
    """Function tools: calls, parallel calls, calls without arguments, streamed calls, results."""

    @check("tools", CHAT, TOOLS)
    def test_tool_call_is_returned_with_id_name_and_json_arguments(self, kit: KitRun) -> None:
        """An offered tool comes back as one call with an id, the tool's name and JSON object arguments.

        Fix: send `tools` in the vendor's shape (name, description, JSON schema) and map each
        vendor call to `ToolCall(id, function=ToolCallFunction(name, arguments))`, where
        `arguments` is a JSON object *string*; finish_reason must be "tool_calls".
        """
        scripted = kit.script_chat(tool_calls=_CALLS[:1])
        answer = kit.client.chat.completions.create(
            model=kit.address(TOOLS), messages=[user("What is the weather in Paris?")], tools=[WEATHER_TOOL]
        )
        calls = _calls(answer)
        assert all(call.id for call in calls), "a tool call has no id"
        assert calls[0].function.name == "get_weather", f"called {calls[0].function.name!r}"
        arguments = _arguments(calls[0])
        assert isinstance(arguments, dict), f"arguments {arguments!r} are not a JSON object"
        if scripted:
            assert len(calls) == 1, f"{len(calls)} calls for one scripted call"
            assert arguments == {"city": "Paris"}, f"arguments came back as {arguments!r}"
        assert answer.choices[0].finish_reason == "tool_calls", f"finish_reason {answer.choices[0].finish_reason!r}"

    @check("tools", CHAT, TOOLS, needs=("script",))
    def test_parallel_tool_calls_keep_their_order_and_ids(self, kit: KitRun) -> None:
        """Two calls in one answer come back as two ToolCalls, in order, with distinct ids.

        Fix: map every call of the vendor's answer (not only the first), keep their order, and
        keep the vendor's ids (they are what tool results answer).
        """
        kit.script_chat(tool_calls=_CALLS)
        answer = kit.client.chat.completions.create(model=kit.address(TOOLS), messages=_ASK, tools=[WEATHER_TOOL])
        calls = _calls(answer)
        assert [_arguments(call) for call in calls] == [c["arguments"] for c in _CALLS], "calls lost or reordered"
        assert len({call.id for call in calls}) == 2, "the two calls do not have distinct ids"

    @check("tools", CHAT, TOOLS)
    def test_tool_without_parameters_is_accepted_and_called_with_empty_arguments(self, kit: KitRun) -> None:
        """A tool declared without `parameters` is accepted, and its call's arguments are "{}".

        Fix: when `parameters` is missing, send the empty object schema the vendor expects
        (``{"type": "object", "properties": {}}``); map a call with no (or empty) arguments to
        ``arguments="{}"``, never "" or "null".
        """
        kit.script_chat(tool_calls=[{"name": "get_time", "arguments": {}}])
        answer = kit.client.chat.completions.create(
            model=kit.address(TOOLS), messages=[user("What time is it?")], tools=[CLOCK_TOOL]
        )
        calls = _calls(answer)
        assert calls[0].function.name == "get_time", f"called {calls[0].function.name!r}"
        assert calls[0].function.arguments == "{}", f"arguments {calls[0].function.arguments!r}; expected '{{}}'"

    @check("tools", CHAT, TOOLS, Capability.CHAT_STREAM, needs=("script",))
    def test_streamed_tool_calls_have_dense_indexes_and_assemble(self, kit: KitRun) -> None:
        """Streamed calls after some text use tool-call indexes 0 and 1 and assemble to the calls.

        Fix: number `ToolCallDelta.index` from 0 over tool calls only (not over the vendor's
        content blocks: text before the calls does not count); send the id and the name in the
        first delta of each call, then argument fragments under the same index.
        """
        kit.script_chat("Let me check both cities.", tool_calls=_CALLS)
        stream = kit.client.chat.completions.create(
            model=kit.address(TOOLS), messages=_ASK, tools=[WEATHER_TOOL], stream=True
        )
        with stream:
            chunks = list(stream)
            final = stream.get_final_completion()
        deltas = [d for c in chunks for choice in c.choices for d in choice.delta.tool_calls or ()]
        indexes = sorted({delta.index for delta in deltas})
        assert indexes == [0, 1], f"tool-call indexes {indexes}; expected [0, 1]"
        for index in indexes:
            first = next(delta for delta in deltas if delta.index == index)
            assert first.id, f"the first delta of call {index} has no id"
            assert first.function is not None, f"the first delta of call {index} has no function"
            assert first.function.name == "get_weather", f"the first delta of call {index} has no name"
        assert [_arguments(call) for call in _calls(final)] == [c["arguments"] for c in _CALLS], "bad assembly"
        assert final.choices[0].finish_reason == "tool_calls", f"finish_reason {final.choices[0].finish_reason!r}"

    @check("tools", CHAT, TOOLS)
    def test_tool_results_reach_the_vendor_and_get_an_answer(self, kit: KitRun) -> None:
        """A conversation with two calls and their results reaches the vendor, results included.

        Fix: map assistant `tool_calls` and `role="tool"` messages to the vendor's shapes (results
        may have to be grouped in one turn), keeping each result's `tool_call_id` where the vendor
        has call ids.
        """
        messages: list[dict[str, Any]] = [
            *_ASK,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": f"call_kit_{i}", "type": "function", "function": {"name": c["name"], "arguments": a}}
                    for i, c in enumerate(_CALLS)
                    for a in [json.dumps(c["arguments"], ensure_ascii=False)]
                ],
            },
            {"role": "tool", "tool_call_id": "call_kit_0", "content": "Paris: 18°C, sunny"},
            {"role": "tool", "tool_call_id": "call_kit_1", "content": "北京: 25°C, 多云"},
        ]
        scripted = kit.script_chat("Paris is sunny; 北京 is cloudy.")
        answer = kit.client.chat.completions.create(model=kit.address(TOOLS), messages=messages, tools=[WEATHER_TOOL])
        assert answer.text, "no text after the tool results"
        if scripted:
            assert answer.text == "Paris is sunny; 北京 is cloudy.", f"answer {answer.text!r}"
        strings = kit.sent[-1].json_strings()
        if strings:
            for expected in ("Paris: 18°C, sunny", "北京: 25°C, 多云"):
                assert any(expected in text for text in strings), f"{expected!r} did not reach the vendor"


class VisionChecks:
    """Image input in user messages."""

    @check("vision", Capability.CHAT, Capability.VISION)
    def test_image_part_reaches_the_vendor(self, kit: KitRun) -> None:
        """A user message with text and a base64 image reaches the vendor with the image's data.

        Fix: map `image_url` parts (data URLs: media type plus base64 data; or http URLs) to the
        vendor's image input, keeping the text part beside it.
        """
        messages = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What colour is this pixel?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
                ],
            }
        ]
        kit.script_chat("It is transparent.")
        answer = kit.client.chat.completions.create(model=kit.address(Capability.VISION), messages=messages)
        assert answer.text, "no answer to a message with an image"
        strings = kit.sent[-1].json_strings()
        if strings:
            assert any(PNG_B64 in text for text in strings), "the image data did not reach the vendor"


class JSONSchemaChecks:
    """`response_format={"type": "json_schema", ...}`."""

    @check("json_schema", Capability.CHAT, Capability.JSON_SCHEMA)
    def test_json_schema_answer_parses_and_has_the_required_fields(self, kit: KitRun) -> None:
        """With a JSON schema, the answer text is a JSON object with the schema's required fields.

        Fix: send the schema as the vendor's structured-output option (or a forced tool whose
        input is the answer) and return the JSON as the message text. Your emulator should build
        its answer from the schema.
        """
        answer = kit.client.chat.completions.create(
            model=kit.address(Capability.JSON_SCHEMA),
            messages=[user("Name a large city and its population, as JSON.")],
            response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": CITY_SCHEMA}},
        )
        try:
            value = json.loads(answer.text)
        except ValueError:
            raise AssertionError(f"the answer is not JSON: {answer.text[:200]!r}") from None
        assert isinstance(value, dict), f"the answer is not a JSON object: {value!r}"
        assert isinstance(value.get("city"), str), f"no string 'city' in {value!r}"
        assert isinstance(value.get("population"), int), f"no integer 'population' in {value!r}"
