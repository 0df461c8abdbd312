"""Embeddings (`POST /v1/embeddings`, OpenAI-shaped): the request and the answer.

relaykit always returns the form the caller asked for, whatever the vendor sent:

- `encoding_format="float"` (the default, also when unset): each `Embedding.embedding` is a list
  of floats; a base64 answer from the vendor is decoded.
- `encoding_format="base64"`: each `embedding` is a base64 string of packed little-endian float32
  values (OpenAI's form); a float answer from the vendor is packed and encoded.

`Embedding.as_floats()` returns the floats whichever form an embedding holds, and
`CreateEmbeddingResponse.in_format()` converts a whole answer; plugins call the latter before
returning. Only the standard library does the packing (`array("f")`, little-endian), no numpy.
"""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Sequence
from typing import Literal, TypeAlias

from pydantic import Field, model_validator

from ._base import ResponseModel, WithVendorData
from ._options import WithProviderOptions

__all__ = [
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingEncoding",
    "EmbeddingRequest",
    "EmbeddingUsage",
    "decode_float32_base64",
    "encode_float32_base64",
]

EmbeddingEncoding: TypeAlias = Literal["float", "base64"]

MAX_INPUT_ITEMS = 2048


class EmbeddingRequest(WithProviderOptions):
    """An embeddings request. `model` is `provider/model` or a configured alias.

    `input` is a string, a list of strings, one token array, or a list of token arrays; a list holds
    1 to 2048 items and no string may be empty. `dimensions` (text-embedding-3 and later) needs a
    provider with the `embeddings.dimensions` capability.
    """

    model: str = Field(min_length=1)
    input: str | list[str] | list[int] | list[list[int]]
    encoding_format: EmbeddingEncoding | None = None
    """The form of the returned embeddings; unset means `float`."""
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = None

    @model_validator(mode="after")
    def _check_input(self) -> EmbeddingRequest:
        if isinstance(self.input, str):
            if not self.input:
                raise ValueError("input: the empty string cannot be embedded")
            return self
        if not self.input:
            raise ValueError("input: an empty list has nothing to embed")
        if len(self.input) > MAX_INPUT_ITEMS:
            raise ValueError(f"input: at most {MAX_INPUT_ITEMS} items per request, got {len(self.input)}")
        for position, item in enumerate(self.input):
            if isinstance(item, str | list) and not item:
                what = "the empty string" if isinstance(item, str) else "an empty token array"
                raise ValueError(f"input.{position}: {what} cannot be embedded")
        return self

    @property
    def encoding(self) -> EmbeddingEncoding:
        """The form the caller gets back: `encoding_format`, defaulting to `float`."""
        return self.encoding_format or "float"


def encode_float32_base64(values: Sequence[float]) -> str:
    """Pack floats as little-endian float32 and base64-encode them (OpenAI's base64 form)."""
    packed = array("f", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def decode_float32_base64(text: str) -> list[float]:
    """Decode OpenAI's base64 form: packed little-endian float32 values.

    Raises:
        ValueError: `text` is not base64, or not a whole number of float32 values.
    """
    raw = base64.b64decode(text, validate=True)
    if len(raw) % 4:
        raise ValueError(f"{len(raw)} bytes is not a whole number of float32 values")
    values = array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


class Embedding(ResponseModel):
    """One embedding vector; `index` is the position of its input in the request."""

    object: Literal["embedding"] = "embedding"
    index: int = 0
    embedding: list[float] | str
    """Floats, or a base64 string of little-endian float32 values (see the module docstring)."""

    def as_floats(self) -> list[float]:
        """The vector as floats, decoding the base64 form when that is what this holds."""
        if isinstance(self.embedding, str):
            return decode_float32_base64(self.embedding)
        return list(self.embedding)

    def as_base64(self) -> str:
        """The vector in base64 form, encoding the floats when that is what this holds."""
        if isinstance(self.embedding, str):
            return self.embedding
        return encode_float32_base64(self.embedding)


class EmbeddingUsage(ResponseModel):
    prompt_tokens: int = 0
    total_tokens: int = 0


class CreateEmbeddingResponse(WithVendorData):
    """An embeddings answer. `provider` names the configured provider that produced it."""

    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage | None = None
    provider: str | None = None
    request_id: str | None = None

    def in_format(self, encoding: EmbeddingEncoding) -> CreateEmbeddingResponse:
        """This answer with every embedding in `encoding` form (self when they all are already).

        Raises:
            ValueError: an embedding holds a malformed base64 string.
        """
        wanted = str if encoding == "base64" else list
        if all(isinstance(item.embedding, wanted) for item in self.data):
            return self
        converted = [
            item.model_copy(update={"embedding": item.as_base64() if encoding == "base64" else item.as_floats()})
            for item in self.data
        ]
        return self.model_copy(update={"data": converted})

    def vectors(self) -> list[list[float]]:
        """Every embedding as floats, in input order."""
        return [item.as_floats() for item in sorted(self.data, key=lambda item: item.index)]
