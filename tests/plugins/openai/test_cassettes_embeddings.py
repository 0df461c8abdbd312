"""Recorded embeddings exchanges replayed through the public sync and async clients (one cassette each)."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette

GREETINGS = ["Hello, world!", "你好，世界！"]
# The float32 values packed into the base64 cassette (exact in float32, so they decode back equal).
HELLO_VECTOR = [0.015625, -0.0234375, 0.04296875, -0.0078125, 0.0625, -0.03125]
NIHAO_VECTOR = [-0.01171875, 0.0546875, 0.00390625, -0.046875, 0.02734375, 0.009765625]


def _embed_sync(params: dict[str, Any]) -> relaykit.CreateEmbeddingResponse:
    return replay_sync("openai/embeddings/base64.yaml", lambda c: c.embeddings.create(**params))


def _embed_async(params: dict[str, Any]) -> relaykit.CreateEmbeddingResponse:
    async def run(c: relaykit.AsyncClient) -> relaykit.CreateEmbeddingResponse:
        return await c.embeddings.create(**params)

    return replay_async("openai/embeddings/base64.yaml", run)


def test_float_embeddings_with_dimensions_replay_sync_and_async() -> None:
    """Float vectors, their indexes, the model, usage and request id parse the same from both clients."""
    params: dict[str, Any] = {
        "model": "openai/text-embedding-3-small",
        "input": ["The food was delicious.", "服务很快。"],
        "encoding_format": "float",
        "dimensions": 4,
    }

    async def run(c: relaykit.AsyncClient) -> relaykit.CreateEmbeddingResponse:
        return await c.embeddings.create(**params)

    for result in (
        replay_sync("openai/embeddings/float.yaml", lambda c: c.embeddings.create(**params)),
        replay_async("openai/embeddings/float.yaml", run),
    ):
        assert (result.object, result.model, result.provider) == ("list", "text-embedding-3-small", "openai")
        assert result.request_id == "req_9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
        assert [(item.object, item.index) for item in result.data] == [("embedding", 0), ("embedding", 1)]
        assert result.data[0].embedding == [0.5132287, -0.27416766, 0.6890012, -0.43981504]
        assert result.vectors() == [
            [0.5132287, -0.27416766, 0.6890012, -0.43981504],
            [-0.08120451, 0.7741935, 0.3362101, -0.52619875],
        ]
        assert result.usage is not None
        assert (result.usage.prompt_tokens, result.usage.total_tokens) == (9, 9)


def test_base64_answer_decodes_to_floats_when_no_format_was_asked() -> None:
    """Without encoding_format relaykit asks for base64 on the wire and hands back the decoded floats."""
    params: dict[str, Any] = {"model": "openai/text-embedding-3-small", "input": GREETINGS}
    for result in (_embed_sync(params), _embed_async(params)):
        assert [item.embedding for item in result.data] == [HELLO_VECTOR, NIHAO_VECTOR]
        assert [item.index for item in result.data] == [0, 1]
        assert result.request_id == "req_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"
        assert result.usage is not None
        assert (result.usage.prompt_tokens, result.usage.total_tokens) == (11, 11)


def test_base64_answer_stays_base64_when_base64_was_asked() -> None:
    """encoding_format="base64" returns the vendor's strings unchanged, and as_floats() decodes them."""
    params: dict[str, Any] = {"model": "openai/text-embedding-3-small", "input": GREETINGS, "encoding_format": "base64"}
    for result in (_embed_sync(params), _embed_async(params)):
        assert [item.embedding for item in result.data] == [
            "AACAPAAAwLwAADA9AAAAvAAAgD0AAAC9",
            "AABAvAAAYD0AAIA7AABAvQAA4DwAACA8",
        ]
        assert [item.as_floats() for item in result.data] == [HELLO_VECTOR, NIHAO_VECTOR]
        assert result.vectors() == [HELLO_VECTOR, NIHAO_VECTOR]


def test_unknown_embedding_model_replays_as_not_found() -> None:
    """A 404 model_not_found raises NotFoundError with status, code, message and request id."""
    params: dict[str, Any] = {"model": "openai/text-embedding-4-tiny", "input": "ping"}
    with pytest.raises(relaykit.NotFoundError) as sync_error:
        replay_sync("openai/embeddings/model_not_found.yaml", lambda c: c.embeddings.create(**params))

    async def run(c: relaykit.AsyncClient) -> object:
        return await c.embeddings.create(**params)

    with pytest.raises(relaykit.NotFoundError) as async_error:
        replay_async("openai/embeddings/model_not_found.yaml", run)
    for error in (sync_error.value, async_error.value):
        assert (error.status, error.code) == (404, "model_not_found")
        assert error.message == "The model `text-embedding-4-tiny` does not exist or you do not have access to it."
        assert error.request_id == "req_f0e1d2c3b4a5968778695a4b3c2d1e0f"
        assert (error.provider, error.model) == ("openai", "text-embedding-4-tiny")
