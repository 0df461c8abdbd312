"""EmbeddingRequest validation, and the float32/base64 forms of an embedding."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest

import relaykit
from relaykit import CreateEmbeddingResponse, Embedding, EmbeddingRequest
from relaykit._types._base import validate_request
from relaykit._types._embeddings import decode_float32_base64, encode_float32_base64


def _request(**fields: Any) -> EmbeddingRequest:
    return validate_request(EmbeddingRequest, {"model": "openai/text-embedding-3-small", "input": "hi", **fields})


def _field_of_error(**fields: Any) -> str | None:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _request(**fields)
    return caught.value.field


@pytest.mark.parametrize("value", ["Hello, world!", ["a", "b"], [9906, 11], [[9906], [11, 1917]], "你好"], ids=repr)
def test_every_input_form_validates(value: Any) -> None:
    """A string, strings, one token array or token arrays are all inputs (as given)."""
    assert _request(input=value).input == value


def test_unknown_field_is_named() -> None:
    """An unknown field is refused, naming it."""
    assert _field_of_error(truncate="END") == "truncate"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"encoding_format": "int8"}, "encoding_format"),
        ({"dimensions": "256"}, "dimensions"),
        ({"user": 7}, "user"),
        ({"input": [1.5]}, "input.0"),
        ({"input": ["a", 2]}, "input.1"),
        ({"provider_options": {"openai": 1}}, "provider_options.openai"),
    ],
)
def test_ill_typed_field_is_named(fields: dict[str, Any], field: str) -> None:
    """A value of the wrong type is refused, naming the dotted field."""
    assert _field_of_error(**fields) == field


@pytest.mark.parametrize(
    ("value", "field"),
    [("", "input"), ([], "input"), (["ok", ""], "input.1"), ([[1], []], "input.1")],
)
def test_empty_inputs_are_refused_at_their_position(value: Any, field: str) -> None:
    """The empty string, an empty list and an empty token array cannot be embedded."""
    assert _field_of_error(input=value) == field


def test_at_most_2048_items() -> None:
    """2048 inputs are accepted; 2049 are refused."""
    assert len(_request(input=["x"] * 2048).input) == 2048
    with pytest.raises(relaykit.InvalidRequestError, match="at most 2048"):
        _request(input=["x"] * 2049)


def test_dimensions_must_be_positive() -> None:
    """dimensions is an int >= 1."""
    assert _field_of_error(dimensions=0) == "dimensions"
    assert _request(dimensions=1).dimensions == 1


def test_encoding_defaults_to_float() -> None:
    """Unset encoding_format means the caller gets floats."""
    assert _request().encoding == "float"
    assert _request(encoding_format="base64").encoding == "base64"


def test_base64_form_is_packed_little_endian_float32() -> None:
    """Encoding matches struct's '<f' packing, and decoding inverts it."""
    values = [0.5, -2.0, 1.25]
    encoded = encode_float32_base64(values)
    assert base64.b64decode(encoded) == struct.pack("<3f", *values)
    assert decode_float32_base64(encoded) == values


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"\x00\x00\x80").decode()])
def test_malformed_base64_raises_value_error(text: str) -> None:
    """Non-base64 text, or bytes not a multiple of four, are refused."""
    with pytest.raises(ValueError, match=r"."):
        decode_float32_base64(text)


def test_as_floats_reads_either_form() -> None:
    """Embedding.as_floats() returns floats whether it holds floats or base64."""
    packed = base64.b64encode(struct.pack("<2f", 1.0, 2.0)).decode()
    assert Embedding(index=0, embedding=packed).as_floats() == [1.0, 2.0]
    assert Embedding(index=0, embedding=[1.0, 2.0]).as_floats() == [1.0, 2.0]
    assert Embedding(index=0, embedding=[1.0, 2.0]).as_base64() == packed


def test_in_format_converts_every_embedding_both_ways() -> None:
    """A float answer converts to base64 and back without loss for float32 values."""
    answer = CreateEmbeddingResponse(
        model="m", data=[Embedding(index=1, embedding=[0.25]), Embedding(index=0, embedding=[-1.5, 3.0])]
    )
    as_base64 = answer.in_format("base64")
    assert all(isinstance(item.embedding, str) for item in as_base64.data)
    assert as_base64.in_format("float").data[1].embedding == [-1.5, 3.0]
    assert answer.in_format("float") is answer
    assert answer.vectors() == [[-1.5, 3.0], [0.25]]
