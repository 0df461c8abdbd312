"""Embeddings: the wire body, float/base64 conversion, errors, and the public clients."""

from __future__ import annotations

import base64
import dataclasses
import json
import struct
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit import EmbeddingRequest
from relaykit._types._base import validate_request
from relaykit.plugin import CallContext, HttpResponse, run_to_completion
from relaykit_openai._embeddings import build_embedding_body, embedding

from ...helpers import make_context
from ._clients import MODEL_NOT_FOUND, Recorder, async_client, json_reply, sync_client

MODEL = "text-embedding-3-small"
VECTOR = [0.0234375, -0.5, 1.25, -0.0009765625]
PACKED = base64.b64encode(struct.pack("<4f", *VECTOR)).decode()


def _answer(*embeddings: Any, **extra: Any) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(embeddings)],
        "model": MODEL,
        "usage": {"prompt_tokens": 4, "total_tokens": 4},
        **extra,
    }


def _ctx(kind: str = "openai", **options: Any) -> CallContext:
    return dataclasses.replace(make_context(options=options), model=MODEL, kind=kind)


def _request(**fields: Any) -> EmbeddingRequest:
    return validate_request(EmbeddingRequest, {"model": f"openai/{MODEL}", "input": ["Hello, world!"], **fields})


def _reply(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        status=status, headers={"content-type": "application/json"}, content=json.dumps(payload).encode()
    )


def test_openai_is_asked_for_base64_when_the_caller_chose_no_format() -> None:
    """Like the official SDK, api.openai.com gets encoding_format=base64 by default."""
    assert build_embedding_body(_request(), _ctx()) == {
        "model": MODEL,
        "input": ["Hello, world!"],
        "encoding_format": "base64",
    }


def test_compatible_servers_get_no_format_unless_the_caller_chose_one() -> None:
    """An openai-compatible server answers in its default form unless asked."""
    assert "encoding_format" not in build_embedding_body(_request(), _ctx("openai-compatible"))
    body = build_embedding_body(
        _request(encoding_format="float", dimensions=256, user="u-1"), _ctx("openai-compatible")
    )
    assert body == {
        "model": MODEL,
        "input": ["Hello, world!"],
        "encoding_format": "float",
        "dimensions": 256,
        "user": "u-1",
    }


def test_provider_options_merge_but_may_not_set_the_format() -> None:
    """Vendor extras are merged; encoding_format must go through the request field."""
    assert build_embedding_body(_request(), _ctx(input_type="query"))["input_type"] == "query"
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        build_embedding_body(_request(), _ctx(encoding_format="float"))
    assert caught.value.field == "provider_options.encoding_format"


def test_base64_embeddings_decode_to_floats() -> None:
    """A base64 answer reaches a caller who chose no format as floats."""
    result = run_to_completion(embedding(_request(), _ctx()), [_reply(_answer(PACKED))])
    assert result.data[0].embedding == VECTOR
    assert result.usage is not None
    assert result.usage.prompt_tokens == 4
    assert result.provider == "openai"


def test_float_embeddings_encode_when_base64_was_asked_for() -> None:
    """A float answer reaches a caller who asked for base64 as little-endian float32 base64."""
    result = run_to_completion(embedding(_request(encoding_format="base64"), _ctx()), [_reply(_answer(VECTOR))])
    assert result.data[0].embedding == PACKED
    assert result.data[0].as_floats() == VECTOR


def test_answer_in_the_asked_form_is_kept_as_sent() -> None:
    """Floats asked and floats sent (or base64 and base64) pass through unchanged."""
    result = run_to_completion(embedding(_request(encoding_format="float"), _ctx()), [_reply(_answer(VECTOR, VECTOR))])
    assert [item.index for item in result.data] == [0, 1]
    assert result.vectors() == [VECTOR, VECTOR]
    result = run_to_completion(embedding(_request(encoding_format="base64"), _ctx()), [_reply(_answer(PACKED))])
    assert result.data[0].embedding == PACKED


def test_unknown_top_level_keys_go_to_vendor_data() -> None:
    """Keys the normalized answer has no field for are kept."""
    result = run_to_completion(embedding(_request(), _ctx()), [_reply(_answer(VECTOR, id="emb-1"))])
    assert result.vendor_data == {"id": "emb-1"}


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "list", "model": MODEL},
        _answer({"values": [1.0]}),
        _answer("this is not base64!"),
        _answer(base64.b64encode(b"\x00\x00\x80").decode()),
    ],
    ids=["no-data", "object-embedding", "bad-base64", "partial-float"],
)
def test_malformed_answers_raise_response_format_error(payload: dict[str, Any]) -> None:
    """Missing data, a non-vector embedding or broken base64 raise ResponseFormatError."""
    with pytest.raises(relaykit.ResponseFormatError):
        run_to_completion(embedding(_request(), _ctx()), [_reply(payload)])


def test_404_model_not_found_raises_not_found_error() -> None:
    """An unknown embedding model answers 404 model_not_found: NotFoundError."""
    with pytest.raises(relaykit.NotFoundError) as caught:
        run_to_completion(embedding(_request(), _ctx()), [_reply(MODEL_NOT_FOUND, status=404)])
    assert caught.value.code == "model_not_found"
    assert "nonexistent" in str(caught.value)


# Public clients ------------------------------------------------------------------------------


def test_sync_client_sends_the_body_and_returns_floats() -> None:
    """client.embeddings.create posts to /embeddings and returns decoded floats."""
    recorder = Recorder(json_reply(_answer(PACKED)))
    with sync_client(recorder) as client:
        result = client.embeddings.create(model=f"openai/{MODEL}", input=["Hello, world!"], dimensions=4)
    assert recorder.requests[0].method == "POST"
    assert recorder.requests[0].url.path == "/v1/embeddings"
    assert recorder.body == {"model": MODEL, "input": ["Hello, world!"], "encoding_format": "base64", "dimensions": 4}
    assert isinstance(result, relaykit.CreateEmbeddingResponse)
    assert result.data[0].embedding == VECTOR


def test_sync_404_raises_not_found_error() -> None:
    """A 404 model_not_found answer raises NotFoundError naming provider and model."""
    client = sync_client(Recorder(json_reply(MODEL_NOT_FOUND, status=404)))
    with client, pytest.raises(relaykit.NotFoundError) as caught:
        client.embeddings.create(model="openai/nonexistent", input="Hello, world!")
    assert (caught.value.provider, caught.value.model) == ("openai", "nonexistent")


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"input": ""}, "input"), ({"input": ["a"] * 2049}, "input"), ({"input": "a", "format": "float"}, "format")],
)
def test_invalid_request_sends_nothing(fields: dict[str, Any], field: str) -> None:
    """A request failing validation raises InvalidRequestError and never reaches the transport."""
    recorder = Recorder(json_reply(_answer(VECTOR)))
    with sync_client(recorder) as client, pytest.raises(relaykit.InvalidRequestError) as caught:
        client.embeddings.create(model=f"openai/{MODEL}", **fields)
    assert caught.value.field == field
    assert recorder.requests == []


def test_dimensions_on_a_model_without_the_capability_is_refused_before_sending() -> None:
    """dimensions adds the embeddings.dimensions need; a model lacking it is refused, nothing sent."""
    recorder = Recorder(json_reply(_answer(VECTOR)))
    with sync_client(recorder) as client, pytest.raises(relaykit.UnsupportedCapabilityError, match=r"dimensions"):
        client.embeddings.create(model="openai/dall-e-3", input="x", dimensions=8)
    assert recorder.requests == []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_client_returns_base64_when_asked() -> None:
    """AsyncClient: a float answer comes back as base64 when the caller asked for it."""
    recorder = Recorder(json_reply(_answer(VECTOR)))
    async with async_client(recorder) as client:
        result = await client.embeddings.create(model=f"openai/{MODEL}", input=[[9906, 11]], encoding_format="base64")
    assert recorder.body == {"model": MODEL, "input": [[9906, 11]], "encoding_format": "base64"}
    assert result.data[0].embedding == PACKED


@pytest.mark.anyio
async def test_async_404_and_invalid_request() -> None:
    """Async: 404 raises NotFoundError; an invalid request sends nothing."""
    recorder = Recorder(json_reply(MODEL_NOT_FOUND, status=404))
    async with async_client(recorder) as client:
        with pytest.raises(relaykit.NotFoundError):
            await client.embeddings.create(model="openai/nonexistent", input="Hello, world!")
        with pytest.raises(relaykit.InvalidRequestError):
            await client.embeddings.create(model=f"openai/{MODEL}", input=[])
    assert len(recorder.requests) == 1


# Real recorded exchanges, read in place (not part of this repository) --------------------------

CAPTURES = Path(__file__).resolve().parents[3].parent / "shared" / "real-responses" / "openai"


def _capture(name: str) -> dict[str, Any]:
    path = CAPTURES / name
    if not path.is_file():
        pytest.skip(f"real capture not found at {path}")
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def test_real_base64_answer_decodes_to_a_unit_vector() -> None:
    """OpenAI's recorded base64 answer decodes to 1536 little-endian float32 values of norm 1."""
    case = _capture("pydai--testopenai-test-query--0.json")
    assert build_embedding_body(_request(), _ctx()) == case["request"]["body"]
    result = run_to_completion(embedding(_request(), _ctx()), [_reply(case["response"]["body"])])
    vector = result.data[0].as_floats()
    assert len(vector) == 1536
    assert sum(value * value for value in vector) == pytest.approx(1.0, abs=1e-4)


def test_real_unknown_model_answer_raises_not_found_error() -> None:
    """OpenAI's recorded 404 for an unknown embedding model maps to NotFoundError."""
    case = _capture("pydai--testopenai-test-embed-error--0.json")
    with pytest.raises(relaykit.NotFoundError, match="nonexistent"):
        run_to_completion(
            embedding(_request(), _ctx()), [_reply(case["response"]["body"], status=case["response"]["status"])]
        )
