"""`Stream` and `AsyncStream`: what a streamed call returns.

Both iterate typed chunks decoded from the open body, close the connection when exhausted, closed
or left through `with`/`async with`, and (for chat) assemble what arrived so that
`get_final_completion()` returns the answer the same request would have given unstreamed. A stream
that breaks raises `StreamInterruptedError` carrying the partial result; malformed events raise
`ResponseFormatError` with a redacted excerpt.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from ._errors import APIError, RelaykitError, ResponseFormatError, StreamInterruptedError, excerpt
from ._flow import HttpResponse, StreamDecoder, StreamEvent
from ._provider import CallContext

__all__ = ["AsyncStream", "Stream"]

T = TypeVar("T")


T_contra = TypeVar("T_contra", contravariant=True)


class Accumulator(Protocol[T_contra]):
    def add(self, chunk: T_contra) -> None: ...

    def snapshot(self, *, complete: bool = True) -> Any: ...


class _StreamCore(Generic[T]):
    def __init__(
        self,
        decoder: StreamDecoder[T],
        ctx: CallContext,
        accumulator: Accumulator[T] | None,
        response: HttpResponse | None,
    ) -> None:
        self._decoder = decoder
        self._ctx = ctx
        self._accumulator = accumulator
        self._done = False
        self.response = response
        """The answer's status and headers (its body is what the stream iterates)."""

    @property
    def request_id(self) -> str | None:
        """The vendor's request id for this stream, from the response headers."""
        return self.response.request_id if self.response is not None else None

    def _decode(self, event: StreamEvent) -> Iterable[T]:
        try:
            fed = self._decoder.feed(event)
            chunks = fed if isinstance(fed, list) else list(fed)  # no copy per event: streams are the hot path
        except RelaykitError as exc:
            self._attach_partial(exc)
            raise
        except Exception as exc:
            raise ResponseFormatError(
                f"could not decode a stream event: {type(exc).__name__}: {exc}",
                provider=self._ctx.provider,
                model=self._ctx.model,
                body_excerpt=excerpt(event.data, self._ctx.secrets()),
            ) from exc
        return self._record(chunks)

    def _finish(self) -> Iterable[T]:
        self._done = True
        try:
            chunks = list(self._decoder.close())
        except StreamInterruptedError as exc:
            self._attach_partial(exc)
            raise
        return self._record(chunks)

    def _record(self, chunks: list[T]) -> list[T]:
        if self._accumulator is not None:
            for chunk in chunks:
                self._accumulator.add(chunk)
        return chunks

    def _attach_partial(self, exc: RelaykitError) -> None:
        if isinstance(exc, StreamInterruptedError) and exc.partial is None and self._accumulator is not None:
            exc.partial = self._accumulator.snapshot(complete=False)
        if isinstance(exc, APIError) and exc.provider is None:
            exc.provider = self._ctx.provider
            exc.model = self._ctx.model

    def get_final_completion(self) -> Any:
        """Raise unless the stream is consumed; subclasses consume first."""
        if self._accumulator is None:
            raise TypeError("this stream does not assemble a final result")
        result = self._accumulator.snapshot()
        if isinstance(result, BaseModel) and "request_id" in type(result).model_fields and self.request_id:
            result = result.model_copy(update={"request_id": self.request_id})
        return result


class Stream(_StreamCore[T], Iterator[T]):
    """A synchronous stream of chunks; iterate it, or use it as a context manager."""

    def __init__(
        self,
        decoder: StreamDecoder[T],
        events: Iterator[StreamEvent],
        ctx: CallContext,
        accumulator: Accumulator[T] | None = None,
        response: HttpResponse | None = None,
    ) -> None:
        super().__init__(decoder, ctx, accumulator, response)
        self._events = events
        self._iterator = self._iterate()

    def _iterate(self) -> Iterator[T]:
        try:
            for event in self._events:
                yield from self._decode(event)
                if self._decoder.finished:
                    break
            yield from self._finish()
        except StreamInterruptedError as exc:
            self._attach_partial(exc)
            raise
        finally:
            self.close()

    def __next__(self) -> T:
        return next(self._iterator)

    def __iter__(self) -> Iterator[T]:
        return self._iterator  # a `for` loop reads the generator itself: no extra call per chunk

    def close(self) -> None:
        """Close the connection (safe to call more than once)."""
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def get_final_completion(self) -> Any:
        """Consume what is left and return the assembled result."""
        for _ in self:
            pass
        return super().get_final_completion()


class AsyncStream(_StreamCore[T], AsyncIterator[T]):
    """An asynchronous stream of chunks; `async for` it, or use it as an async context manager."""

    def __init__(
        self,
        decoder: StreamDecoder[T],
        events: AsyncIterator[StreamEvent],
        ctx: CallContext,
        accumulator: Accumulator[T] | None = None,
        response: HttpResponse | None = None,
    ) -> None:
        super().__init__(decoder, ctx, accumulator, response)
        self._events = events
        self._iterator = self._iterate()

    async def _iterate(self) -> AsyncIterator[T]:
        try:
            async for event in self._events:
                for chunk in self._decode(event):
                    yield chunk
                if self._decoder.finished:
                    break
            for chunk in self._finish():
                yield chunk
        except StreamInterruptedError as exc:
            self._attach_partial(exc)
            raise
        finally:
            await self.aclose()

    def __anext__(self) -> Awaitable[T]:
        return self._iterator.__anext__()  # the generator's own awaitable: no coroutine frame per chunk

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterator  # an `async for` loop reads the generator itself: no extra call per chunk

    async def aclose(self) -> None:
        """Close the connection (safe to call more than once)."""
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def get_final_completion(self) -> Any:
        """Consume what is left and return the assembled result."""
        async for _ in self:
            pass
        return super().get_final_completion()
