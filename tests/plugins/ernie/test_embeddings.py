"""Embeddings: v1 batches of 16 with one token, renumbered and summed; v2 on the OpenAI shape."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit.plugin import run_to_completion
from relaykit_ernie._embeddings import BATCH_SIZE, embedding
from relaykit_ernie._qianfan import embedding as qianfan_embedding

from ._helpers import (
    QIANFAN_KEY,
    TOKEN,
    FlowDriver,
    embedding_request,
    error_body,
    json_response,
    make_context,
    qianfan_context,
    token_response,
)


def _answer(count: int, start: float = 0.0, answer_id: str = "as-gjs275mj6s") -> dict[str, Any]:
    data = [{"object": "embedding", "embedding": [start + i, 0.5, -0.25], "index": i} for i in range(count)]
    return {
        "id": answer_id,
        "object": "embedding_list",
        "created": 1687155816,
        "data": data,
        "usage": {"prompt_tokens": count * 3, "total_tokens": count * 3},
    }


def test_single_text_is_sent_as_a_list_to_its_endpoint() -> None:
    """A string becomes a one-item list, sent to .../embeddings/embedding-v1 with the token."""
    driver = FlowDriver(
        embedding(embedding_request(input="你好，世界", user="u-1"), make_context(model="Embedding-V1"))
    )
    driver.start()
    call = driver.send(token_response())
    assert call.url == "https://aip.baidubce.com/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/embedding-v1"
    assert call.json == {"input": ["你好，世界"], "user_id": "u-1"}
    assert call.params == {"access_token": TOKEN}
    driver.send(json_response(_answer(1)))
    result = driver.result
    assert isinstance(result, relaykit.CreateEmbeddingResponse)
    assert result.data[0].embedding == [0.0, 0.5, -0.25]
    assert result.model == "Embedding-V1"
    assert result.usage is not None
    assert result.usage.total_tokens == 3
    assert result.vendor_data["ids"] == ["as-gjs275mj6s"]


def test_more_than_sixteen_texts_go_in_batches_with_one_token() -> None:
    """35 texts: batches of 16, 16 and 3, indexes renumbered across them, usage summed."""
    texts = [f"文本{i}" for i in range(35)]
    driver = FlowDriver(embedding(embedding_request(input=texts), make_context(model="bge-large-zh")))
    driver.start()
    first = driver.send(token_response())
    assert first.url.endswith("/embeddings/bge_large_zh")
    assert first.json["input"] == texts[:16]
    second = driver.send(json_response(_answer(16, 0, "as-1")))
    assert second.json["input"] == texts[16:32]
    assert second.params == {"access_token": TOKEN}
    third = driver.send(json_response(_answer(16, 100, "as-2")))
    assert third.json["input"] == texts[32:]
    driver.send(json_response(_answer(3, 200, "as-3")))
    result = driver.result
    assert [item.index for item in result.data] == list(range(35))
    assert [item.embedding[0] for item in result.data][15:18] == [15.0, 100.0, 101.0]
    assert result.usage.prompt_tokens == 105
    assert result.vendor_data["ids"] == ["as-1", "as-2", "as-3"]
    assert len(driver.requests) == 1 + 35 // BATCH_SIZE + 1


def test_base64_is_made_locally_when_asked() -> None:
    """encoding_format base64 returns base64 strings that decode to the floats."""
    result = run_to_completion(
        embedding(embedding_request(input=["甲"], encoding_format="base64"), make_context(model="embedding-v1")),
        [token_response(), json_response(_answer(1))],
    )
    assert isinstance(result.data[0].embedding, str)
    assert result.data[0].as_floats() == [0.0, 0.5, -0.25]


def test_token_arrays_are_refused() -> None:
    """ERNIE embeds text only."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        run_to_completion(embedding(embedding_request(input=[1, 2, 3]), make_context(model="embedding-v1")), [])
    assert caught.value.field == "input"


def test_unknown_embedding_model_is_refused_naming_model() -> None:
    """No guessed endpoint: an InvalidRequestError before anything is sent."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        run_to_completion(embedding(embedding_request(input="x"), make_context(model="text-embedding-3-small")), [])
    assert caught.value.field == "model"


def test_expired_token_during_embeddings_is_refreshed() -> None:
    """111 on an embeddings call refreshes the token like chat does."""
    result = run_to_completion(
        embedding(embedding_request(input="甲"), make_context(model="tao-8k")),
        [token_response(), json_response(error_body(111)), token_response("24.new"), json_response(_answer(1))],
    )
    assert len(result.data) == 1


def test_embedding_error_is_mapped() -> None:
    """An error_code answer raises its kind."""
    with pytest.raises(relaykit.BadRequestError):
        run_to_completion(
            embedding(embedding_request(input="甲"), make_context(model="embedding-v1")),
            [token_response(), json_response(error_body(336003, "the max input size is 16"))],
        )


def test_answer_with_the_wrong_number_of_vectors_is_a_format_error() -> None:
    """One vector per input is required."""
    with pytest.raises(relaykit.ResponseFormatError):
        run_to_completion(
            embedding(embedding_request(input=["甲", "乙"]), make_context(model="embedding-v1")),
            [token_response(), json_response(_answer(1))],
        )


def test_qianfan_embeddings_use_the_openai_shape_with_bearer_auth() -> None:
    """v2: POST /v2/embeddings with model and input, bearer key; no encoding_format is sent."""
    flow = qianfan_embedding(
        embedding_request(input=["甲", "乙"], encoding_format="base64"), qianfan_context(model="embedding-v1")
    )
    request = next(flow)
    assert request.url == "https://qianfan.baidubce.com/v2/embeddings"
    assert request.headers["authorization"] == f"Bearer {QIANFAN_KEY}"
    assert request.json == {"model": "embedding-v1", "input": ["甲", "乙"]}
    payload = {
        "object": "list",
        "data": [{"object": "embedding", "embedding": [0.25], "index": i} for i in range(2)],
        "model": "embedding-v1",
        "usage": {"prompt_tokens": 2, "total_tokens": 2},
    }
    with pytest.raises(StopIteration) as stop:
        flow.send(json_response(payload))
    result = stop.value.value
    assert [item.as_floats() for item in result.data] == [[0.25], [0.25]]
    assert isinstance(result.data[0].embedding, str)
