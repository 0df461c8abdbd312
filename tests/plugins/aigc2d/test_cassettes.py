"""Hand-written AIGC2D exchanges (cassettes/aigc2d) replayed through the sync and async clients."""

from __future__ import annotations

from typing import Any

import pytest

from relaykit import ChatCompletion

from ...cassette_support import call
from ..vocka.relay_cassettes import both

pytestmark = pytest.mark.cassette


def test_ernie_chat_answers_the_openai_object() -> None:
    """ERNIE through AIGC2D's OpenAI schema parses into a ChatCompletion."""

    async def scenario(client: Any) -> ChatCompletion:
        return await call(
            client.chat.completions.create(
                model="aigc2d/ernie-bot-4", messages=[{"role": "user", "content": "Hello"}], max_tokens=64
            )
        )

    for completion in both("aigc2d", "chat_ernie.yaml", scenario):
        assert completion.choices[0].message.content == "你好！有什么可以帮你的吗？"
        assert completion.model == "ernie-bot-4"
