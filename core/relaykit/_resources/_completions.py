"""`client.completions`: legacy text completions, streamed or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from .._provider import Capability, Operation
from .._streaming import AsyncStream, Stream
from .._types._base import validate_request
from .._types._completions import Completion, CompletionChunk, CompletionRequest, CompletionStreamAccumulator

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncCompletions", "Completions", "completion_needs"]


def completion_needs(request: CompletionRequest) -> frozenset[Capability]:
    """The capabilities a provider needs to serve `request`."""
    return _COMPLETIONS


_COMPLETIONS = frozenset({Capability.COMPLETIONS})


class Completions:
    """`client.completions`; the keyword arguments are the fields of `CompletionRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def create(
        self, *, stream: Literal[True], timeout: float | None = None, **params: Any
    ) -> Stream[CompletionChunk]: ...

    @overload
    def create(self, *, stream: Literal[False] = False, timeout: float | None = None, **params: Any) -> Completion: ...

    @overload
    def create(
        self, *, stream: bool, timeout: float | None = None, **params: Any
    ) -> Completion | Stream[CompletionChunk]: ...

    def create(
        self, *, stream: bool = False, timeout: float | None = None, **params: Any
    ) -> Completion | Stream[CompletionChunk]:
        """Create a completion; with `stream=True`, a `Stream` of chunks.

        Raises `InvalidRequestError` (nothing sent) when a field is unknown or invalid,
        `UnsupportedCapabilityError` when the provider cannot serve the request, and an `APIError`
        subclass when the vendor fails.
        """
        request = validate_request(CompletionRequest, {**params, "stream": stream})
        result: Completion | Stream[CompletionChunk] = self._client._execute(
            Operation.COMPLETION,
            request,
            completion_needs(request),
            timeout=timeout,
            accumulator=CompletionStreamAccumulator,
        )
        return result


class AsyncCompletions:
    """`async_client.completions`; the keyword arguments are the fields of `CompletionRequest`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(
        self, *, stream: Literal[True], timeout: float | None = None, **params: Any
    ) -> AsyncStream[CompletionChunk]: ...

    @overload
    async def create(
        self, *, stream: Literal[False] = False, timeout: float | None = None, **params: Any
    ) -> Completion: ...

    @overload
    async def create(
        self, *, stream: bool, timeout: float | None = None, **params: Any
    ) -> Completion | AsyncStream[CompletionChunk]: ...

    async def create(
        self, *, stream: bool = False, timeout: float | None = None, **params: Any
    ) -> Completion | AsyncStream[CompletionChunk]:
        """Create a completion; with `stream=True`, an `AsyncStream` of chunks."""
        request = validate_request(CompletionRequest, {**params, "stream": stream})
        result: Completion | AsyncStream[CompletionChunk] = await self._client._execute(
            Operation.COMPLETION,
            request,
            completion_needs(request),
            timeout=timeout,
            accumulator=CompletionStreamAccumulator,
        )
        return result
