"""`client.embeddings`: embedding vectors, in the form the caller asked for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._provider import Capability, Operation
from .._types._base import validate_request
from .._types._embeddings import CreateEmbeddingResponse, EmbeddingRequest

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncEmbeddings", "Embeddings", "embedding_needs"]


def embedding_needs(request: EmbeddingRequest) -> frozenset[Capability]:
    """The capabilities a provider needs to serve `request`."""
    needs = {Capability.EMBEDDINGS}
    if request.dimensions is not None:
        needs.add(Capability.EMBEDDING_DIMENSIONS)
    return frozenset(needs)


class Embeddings:
    """`client.embeddings`; the keyword arguments are the fields of `EmbeddingRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> CreateEmbeddingResponse:
        """Embed `input`; each embedding comes back as floats, or base64 when that was asked for.

        Raises `InvalidRequestError` (nothing sent) when a field is unknown or invalid,
        `UnsupportedCapabilityError` when the provider cannot serve the request, and an `APIError`
        subclass when the vendor fails.
        """
        request = validate_request(EmbeddingRequest, params)
        result: CreateEmbeddingResponse = self._client._execute(
            Operation.EMBEDDING, request, embedding_needs(request), timeout=timeout
        )
        return result


class AsyncEmbeddings:
    """`async_client.embeddings`; the keyword arguments are the fields of `EmbeddingRequest`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> CreateEmbeddingResponse:
        """Embed `input`; each embedding comes back as floats, or base64 when that was asked for."""
        request = validate_request(EmbeddingRequest, params)
        result: CreateEmbeddingResponse = await self._client._execute(
            Operation.EMBEDDING, request, embedding_needs(request), timeout=timeout
        )
        return result
