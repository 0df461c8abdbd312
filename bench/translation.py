"""The pure translation cost of relaykit: a 20-message conversation with tools, per dialect.

No socket: the request is validated, the dialect's flow builds its wire body (the first effect it
yields), and a canned vendor answer is parsed into a `ChatCompletion` by sending it into the flow.
Each part is timed on its own, in microseconds per conversation.
"""

from __future__ import annotations

import json
import time
from typing import Any

import relaykit
from relaykit._resources._chat import chat_needs
from relaykit._types._base import validate_request
from relaykit.plugin import HttpResponse, Operation

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}
SEARCH = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    },
}


def conversation() -> list[dict[str, Any]]:
    """20 messages: a system prompt, four tool-using turns (user, tool call, tool result, answer), three more."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful travel assistant."}]
    for turn in range(4):
        call = {
            "id": f"call_{turn}",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"x"}'},
        }
        messages += [
            {"role": "user", "content": f"What is the weather in city number {turn}? 请用中文回答。"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"call_{turn}", "content": '{"temperature": 21, "sky": "clear"}'},
            {"role": "assistant", "content": f"城市 {turn}：21°C，晴。"},
        ]
    messages += [
        {"role": "user", "content": "And tomorrow?"},
        {"role": "assistant", "content": "Tomorrow looks the same everywhere."},
        {"role": "user", "content": "Then check Paris for me."},
    ]
    return messages


OPENAI_ANSWER = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_x",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 420, "completion_tokens": 18, "total_tokens": 438},
}
ANTHROPIC_ANSWER = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "text", "text": "Let me check."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 420, "output_tokens": 18},
}


def measure(client: relaykit.Client, dialect: str, n: int) -> dict[str, float]:
    """Microseconds per conversation: request validation, body translation, answer parsing."""
    model = "openai/gpt-4o-mini" if dialect == "openai" else "anthropic/claude-sonnet-4-5"
    answer = json.dumps(OPENAI_ANSWER if dialect == "openai" else ANTHROPIC_ANSWER).encode()
    reply = HttpResponse(200, {"content-type": "application/json", "x-request-id": "req_1"}, answer)
    params = {"model": model, "messages": conversation(), "tools": [WEATHER, SEARCH], "temperature": 0.2}
    request = validate_request(relaykit.ChatRequest, dict(params))
    target = client.resolver.target(model, Operation.CHAT, chat_needs(request))
    flow_function = target.spec.load(Operation.CHAT)
    ctx = target.context({})
    totals = {"validate": 0.0, "request": 0.0, "response": 0.0}
    for _ in range(n):
        started = time.perf_counter()
        request = validate_request(relaykit.ChatRequest, dict(params))
        validated = time.perf_counter()
        flow = flow_function(request, ctx)
        effect = next(flow)
        json.dumps(effect.json, ensure_ascii=False)
        built = time.perf_counter()
        try:
            flow.send(reply)
        except StopIteration as stop:
            completion = stop.value
        parsed = time.perf_counter()
        assert completion.choices[0].finish_reason == "tool_calls"
        totals["validate"] += validated - started
        totals["request"] += built - validated
        totals["response"] += parsed - built
    result = {key: value / n * 1e6 for key, value in totals.items()}
    result["total"] = sum(result.values())
    return result
