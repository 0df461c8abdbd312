"""A recorded moderation exchange replayed through the public sync and async clients (one cassette)."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette

THREAT: dict[str, Any] = {
    "model": "openai/omni-moderation-latest",
    "input": "Hand over the keys or I will break your arm.",
}
FLAGGED = {"harassment", "harassment/threatening", "illicit/violent", "violence"}
CATEGORIES = {
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
}


def test_flagged_moderation_replays_sync_and_async() -> None:
    """Flag, every category, its score and applied input types parse the same from both clients."""

    async def run(c: relaykit.AsyncClient) -> relaykit.ModerationResponse:
        return await c.moderations.create(**THREAT)

    for response in (
        replay_sync("openai/moderations/flagged.yaml", lambda c: c.moderations.create(**THREAT)),
        replay_async("openai/moderations/flagged.yaml", run),
    ):
        assert (response.id, response.model) == ("modr-8472c1d9e35f4a6b", "omni-moderation-latest")
        assert (response.provider, response.request_id) == ("openai", "req_7d9f1b3a5c7e9d1f3b5a7c9e1d3f5b7a")
        assert response.flagged is True
        (result,) = response.results
        assert result.flagged is True
        assert set(result.categories) == CATEGORIES
        assert {name for name, hit in result.categories.items() if hit} == FLAGGED
        assert result.category_scores["violence"] == 0.9312
        assert result.category_scores["harassment/threatening"] == 0.7208
        assert result.category_scores["self-harm/instructions"] == 1.3e-06
        assert set(result.category_scores) == CATEGORIES
        assert result.category_applied_input_types is not None
        assert result.category_applied_input_types == {name: ["text"] for name in CATEGORIES}
        assert response.vendor_data == {}
