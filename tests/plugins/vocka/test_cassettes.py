"""Hand-written Vocka exchanges (cassettes/vocka) replayed through the sync and async clients."""

from __future__ import annotations

from typing import Any

import pytest

from relaykit import ChatCompletion, Task

from ...cassette_support import call
from .relay_cassettes import both

pytestmark = pytest.mark.cassette


def test_chat_answers_the_openai_object() -> None:
    """Vocka's chat completion (seed 000's model) parses into a ChatCompletion."""

    async def scenario(client: Any) -> ChatCompletion:
        return await call(
            client.chat.completions.create(
                model="vocka/gpt-3.5-turbo-0613", messages=[{"role": "user", "content": "Hello"}]
            )
        )

    for completion in both("vocka", "chat_plain.yaml", scenario):
        assert completion.choices[0].message.content == "Hello! How can I help you today?"
        assert completion.usage is not None
        assert completion.usage.total_tokens == 18


def test_midjourney_imagine_then_fetch_through_mj_root() -> None:
    """imagine on <relay>/mj answers a queued Task; one fetch returns the finished grid with buttons."""

    async def scenario(client: Any) -> tuple[Task, Task]:
        task = await call(client.midjourney.imagine(model="vocka/midjourney", prompt="a paper boat"))
        return task, await call(client.tasks.get(task))

    for submitted, done in both("vocka", "mj_imagine_fetch.yaml", scenario):
        assert (submitted.status, submitted.id) == ("queued", "1731000000123456")
        assert done.status == "succeeded"
        assert done.result is not None
        assert done.result.images[0].url == "https://cdn.example-relay.test/attachments/1731000000123456/grid.png"
        assert [button["label"] for button in done.vendor_data["buttons"]] == ["U1", "V1"]
