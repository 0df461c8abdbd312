"""Recorded model listings replayed through the public sync and async clients (one cassette each)."""

from __future__ import annotations

import pytest

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette


def test_model_list_replays_sync_and_async() -> None:
    """Every listed model keeps its id, created time and owner, addressed under the provider."""

    async def run(c: relaykit.AsyncClient) -> relaykit.ModelList:
        return await c.models.list("openai")

    for listing in (
        replay_sync("openai/models/list.yaml", lambda c: c.models.list("openai")),
        replay_async("openai/models/list.yaml", run),
    ):
        assert (listing.object, listing.provider) == ("list", "openai")
        assert listing.request_id == "req_8e0a2c4b6d8f0e2a4c6b8d0f2e4a6c8b"
        assert listing.ids == [
            "gpt-4o-mini",
            "text-embedding-3-small",
            "whisper-1",
            "dall-e-3",
            "omni-moderation-latest",
        ]
        assert [(m.created, m.owned_by) for m in listing.data] == [
            (1721172717, "system"),
            (1705948997, "system"),
            (1677532384, "openai-internal"),
            (1698785189, "system"),
            (1731689265, "system"),
        ]
        assert all(m.object == "model" and m.provider == "openai" for m in listing.data)
        assert listing.data[2].address == "openai/whisper-1"


def test_model_retrieve_replays_sync_and_async() -> None:
    """One model object parses with its id, created time, owner and address."""

    async def run(c: relaykit.AsyncClient) -> relaykit.ModelInfo:
        return await c.models.retrieve("openai/gpt-4o-mini")

    for model in (
        replay_sync("openai/models/retrieve.yaml", lambda c: c.models.retrieve("openai/gpt-4o-mini")),
        replay_async("openai/models/retrieve.yaml", run),
    ):
        assert (model.id, model.object, model.created, model.owned_by) == ("gpt-4o-mini", "model", 1721172717, "system")
        assert (model.provider, model.address) == ("openai", "openai/gpt-4o-mini")
        assert model.request_id == "req_9f1b3d5c7e9a1f3d5b7c9e1a3f5d7b9c"
        assert model.vendor_data == {}


def test_unknown_model_retrieve_replays_as_not_found() -> None:
    """A 404 model_not_found on retrieve raises NotFoundError with code, message and request id."""
    with pytest.raises(relaykit.NotFoundError) as sync_error:
        replay_sync("openai/models/retrieve_not_found.yaml", lambda c: c.models.retrieve("openai/gpt-4o-nonexistent"))

    async def run(c: relaykit.AsyncClient) -> object:
        return await c.models.retrieve("openai/gpt-4o-nonexistent")

    with pytest.raises(relaykit.NotFoundError) as async_error:
        replay_async("openai/models/retrieve_not_found.yaml", run)
    for error in (sync_error.value, async_error.value):
        assert (error.status, error.code) == (404, "model_not_found")
        assert error.message == "The model 'gpt-4o-nonexistent' does not exist"
        assert error.request_id == "req_0a2c4e6d8f0b2a4e6c8d0f2b4a6e8c0d"
        assert (error.provider, error.model) == ("openai", "gpt-4o-nonexistent")
