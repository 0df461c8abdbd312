"""The literal inputs the checks send: messages, tools, schemas, a PNG and a WAV."""

from __future__ import annotations

import base64
import io
import json
import wave
from typing import Any

from ..._types._chat import ChatCompletion

__all__ = [
    "CHINESE_ANSWER",
    "CHINESE_PROMPT",
    "CITY_SCHEMA",
    "CLOCK_TOOL",
    "IMAGE_MAGIC",
    "PNG",
    "PNG_B64",
    "WEATHER_TOOL",
    "normalized",
    "user",
    "wav",
]

CHINESE_PROMPT = '请用一句话介绍巴黎。🗼 «guillemets», "quotes", back\\slash, tab\tand é'
"""A user text that must reach the vendor exactly: Chinese, an emoji, quotes, escapes, accents."""
CHINESE_ANSWER = '巴黎是法国的首都，以埃菲尔铁塔闻名。🗼 Ünïcödé ✓ "引号" \\ 完'
"""A scripted answer that must come back exactly."""

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
CLOCK_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {"name": "get_time", "description": "The current time; takes no arguments"},
}
"""A tool declared without `parameters`: a plugin must still send a schema its vendor accepts."""

CITY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "population": {"type": "integer"}},
    "required": ["city", "population"],
    "additionalProperties": False,
}

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
"""A 1x1 PNG."""
PNG = base64.b64decode(PNG_B64)
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF", b"GIF8")


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def wav(seconds: float = 0.25, rate: int = 16_000) -> bytes:
    """A silent mono 16-bit WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def normalized(completion: ChatCompletion) -> dict[str, Any]:
    """What must be equal between two answers to the same request (no ids, no timestamps)."""
    message = completion.choices[0].message if completion.choices else None
    calls = [
        (call.function.name, json.loads(call.function.arguments or "{}"))
        for call in (message.tool_calls or [] if message else [])
    ]
    usage = completion.usage
    return {
        "provider": completion.provider,
        "text": message.content if message else None,
        "reasoning": message.reasoning_content if message else None,
        "finish_reason": completion.choices[0].finish_reason if completion.choices else None,
        "tool_calls": calls,
        "usage": (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) if usage else None,
    }
