"""`client.chat.completions`: chat, streamed or not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from .._provider import Capability, Operation
from .._streaming import AsyncStream, Stream
from .._types._base import validate_request
from .._types._chat import ChatCompletion, ChatRequest
from .._types._chat_stream import ChatCompletionChunk, ChatStreamAccumulator

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncChat", "AsyncChatCompletions", "Chat", "ChatCompletions", "chat_needs"]


_CHAT = frozenset({Capability.CHAT})
_CHAT_STREAM = frozenset({Capability.CHAT, Capability.CHAT_STREAM})


def chat_needs(request: ChatRequest) -> frozenset[Capability]:
    """The capabilities a provider needs to serve `request`.

    A plain request (text only, no tools, no response format) shares one frozenset, whose hash is
    computed once: the resolver's cache key, per call, then costs nothing new.
    """
    extra: list[Capability] = []
    if request.tools or request.functions:
        extra.append(Capability.TOOLS)
    for message in request.messages:
        if message.role == "user" and isinstance(message.content, list):
            for part in message.content:
                if part.type == "image_url":
                    extra.append(Capability.VISION)
                elif part.type == "input_audio":
                    extra.append(Capability.AUDIO_INPUT)
    if request.response_format is not None:
        if request.response_format.type == "json_schema":
            extra.append(Capability.JSON_SCHEMA)
        elif request.response_format.type == "json_object":
            extra.append(Capability.JSON_OBJECT)
    needs = _CHAT_STREAM if request.stream else _CHAT
    return needs.union(extra) if extra else needs


def _prepare(params: dict[str, Any]) -> ChatRequest:
    params.pop("timeout", None)
    return validate_request(ChatRequest, params)


class ChatCompletions:
    """`client.chat.completions`; the keyword arguments are the fields of `ChatRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    @overload
    def create(
        self, *, stream: Literal[True], timeout: float | None = None, **params: Any
    ) -> Stream[ChatCompletionChunk]: ...

    @overload
    def create(
        self, *, stream: Literal[False] = False, timeout: float | None = None, **params: Any
    ) -> ChatCompletion: ...

    @overload
    def create(
        self, *, stream: bool, timeout: float | None = None, **params: Any
    ) -> ChatCompletion | Stream[ChatCompletionChunk]: ...

    def create(
        self, *, stream: bool = False, timeout: float | None = None, **params: Any
    ) -> ChatCompletion | Stream[ChatCompletionChunk]:
        """Create a chat completion; with `stream=True`, a `Stream` of chunks.

        Raises `InvalidRequestError` (nothing sent) when a field is unknown or invalid,
        `UnsupportedCapabilityError` when the provider cannot serve the request, and an `APIError`
        subclass when the vendor fails.
        """
        params["stream"] = stream  # `params` is this call's own dict
        request = _prepare(params)
        result: ChatCompletion | Stream[ChatCompletionChunk] = self._client._execute(
            Operation.CHAT, request, chat_needs(request), timeout=timeout, accumulator=ChatStreamAccumulator
        )
        return result


class Chat:
    def __init__(self, client: Client) -> None:
        self.completions = ChatCompletions(client)


class AsyncChatCompletions:
    """`async_client.chat.completions`; the keyword arguments are the fields of `ChatRequest`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def create(
        self, *, stream: Literal[True], timeout: float | None = None, **params: Any
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def create(
        self, *, stream: Literal[False] = False, timeout: float | None = None, **params: Any
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self, *, stream: bool, timeout: float | None = None, **params: Any
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]: ...

    async def create(
        self, *, stream: bool = False, timeout: float | None = None, **params: Any
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        """Create a chat completion; with `stream=True`, an `AsyncStream` of chunks."""
        params["stream"] = stream  # `params` is this call's own dict
        request = _prepare(params)
        result: ChatCompletion | AsyncStream[ChatCompletionChunk] = await self._client._execute(
            Operation.CHAT, request, chat_needs(request), timeout=timeout, accumulator=ChatStreamAccumulator
        )
        return result


class AsyncChat:
    def __init__(self, client: AsyncClient) -> None:
        self.completions = AsyncChatCompletions(client)
