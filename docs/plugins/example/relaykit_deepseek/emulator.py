"""`DeepSeekEmulator`: the OpenAI emulator, speaking as DeepSeek does.

It serves the OpenAI dialect under ``/v1`` (DeepSeek accepts ``https://api.deepseek.com/v1`` as
well as the bare origin), with DeepSeek's model catalogue, ``reasoning_content`` in the generated
answers of ``deepseek-reasoner`` (in the message, and as stream deltas before the content), and
DeepSeek's messages for its own statuses (402 Insufficient Balance, 422 Invalid Parameters). It
implements `relaykit.testing.ChatScripting` (inherited), so the conformance kit can script it::

    with DeepSeekEmulator() as emu:
        client = relaykit.Client(providers={"deepseek": {"api_key": "test-key", "base_url": emu.base_url}})
        answer = client.chat.completions.create(model="deepseek/deepseek-reasoner", messages=[...])
        answer.choices[0].message.reasoning_content   # "The user wrote 3 words. ..."
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from relaykit.testing import Reply
from relaykit_openai.emulator import OpenAIEmulator

from . import REASONER

__all__ = ["MODELS", "DeepSeekEmulator"]

MODELS = ("deepseek-chat", REASONER)
_MESSAGES = {402: "Insufficient Balance", 422: "Invalid Parameters", 503: "Server Overloaded"}


class DeepSeekEmulator(OpenAIEmulator):
    """DeepSeek's flavour of the OpenAI dialect, on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        *,
        api_key: str | None = "test-key",
        host: str = "127.0.0.1",
        port: int = 0,
        models: Iterable[str] = MODELS,
    ) -> None:
        super().__init__(api_key=api_key, host=host, port=port, models=models)

    def generated_reasoning(self, body: Mapping[str, Any]) -> str | None:
        """``deepseek-reasoner`` thinks aloud before answering; the other models do not."""
        if body.get("model") != REASONER:
            return None
        last = body["messages"][-1].get("content")
        words = len(last.split()) if isinstance(last, str) else 0
        return f"The user wrote {words} words. I will repeat them back."

    def error_reply(
        self,
        status: int,
        message: str | None = None,
        *,
        error_code: str | None = None,
        error_type: str | None = None,
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """OpenAI's envelope, with DeepSeek's message for its own statuses."""
        message = message or _MESSAGES.get(status)
        return super().error_reply(
            status, message, error_code=error_code, error_type=error_type, param=param, headers=headers
        )
