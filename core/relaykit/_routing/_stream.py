"""The stream contract of routed requests.

An attempt at a streamed request reads chunks until the first one that carries content (text, a
tool call, reasoning, a refusal): role-only and keep-alive chunks are held back. Any failure
before that point — an HTTP error, an error event in the stream, the first-chunk deadline, a cut
connection — is an ordinary attempt failure, so the router retries or falls back and the caller
sees no seam. Once content has reached the caller there is no silent retry: a failure raises
`StreamInterruptedError` carrying exactly what the caller received (assembled) and the deployment
that produced it — unless the route's optional continuation mode is on: then another deployment
is asked to go on from the text received so far (as an assistant prefill) and its chunks follow
(without its opening role chunk: the caller sees one answer), with a ``relaykit.route.continued``
event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from .._errors import RelaykitError, StreamInterruptedError
from .._log import log_event
from .._streaming import AsyncStream, Stream

__all__ = ["AsyncRoutedStream", "RoutedStream", "StreamStart", "aread_until_content", "read_until_content"]


@dataclass
class StreamStart:
    """A stream whose first content has arrived: the chunks read so far and the rest to come."""

    stream: Any
    head: list[Any] = field(default_factory=list)
    is_async: bool = False


def has_content(chunk: Any) -> bool:
    """True when `chunk` carries something the caller would see (not just a role or usage)."""
    for choice in getattr(chunk, "choices", None) or ():
        delta = getattr(choice, "delta", None)
        if delta is None:  # legacy completion chunks carry `text` on the choice
            if getattr(choice, "text", None):
                return True
            continue
        if delta.content or delta.tool_calls or delta.reasoning_content or delta.reasoning:
            return True
        if delta.refusal or delta.function_call:
            return True
    return False


def _is_opening(chunk: Any) -> bool:
    """A chunk before any content that only opens the answer (a role; no finish, no usage)."""
    if has_content(chunk) or getattr(chunk, "usage", None) is not None:
        return False
    return not any(getattr(choice, "finish_reason", None) for choice in getattr(chunk, "choices", None) or ())


def _without_role(chunk: Any) -> Any:
    """`chunk` with the role taken out of its deltas."""
    choices = getattr(chunk, "choices", None) or []
    if not any(getattr(getattr(choice, "delta", None), "role", None) for choice in choices):
        return chunk
    return chunk.model_copy(
        update={
            "choices": [
                choice.model_copy(update={"delta": choice.delta.model_copy(update={"role": None})})
                if getattr(choice, "delta", None) is not None
                else choice
                for choice in choices
            ]
        }
    )


def read_until_content(stream: Stream[Any]) -> StreamStart:
    """Read `stream` up to and including its first content chunk (or its end)."""
    head: list[Any] = []
    try:
        for chunk in stream:
            head.append(chunk)
            if has_content(chunk):
                break
    except BaseException:
        stream.close()
        raise
    return StreamStart(stream, head)


async def aread_until_content(stream: AsyncStream[Any]) -> StreamStart:
    """The async twin of `read_until_content`."""
    head: list[Any] = []
    try:
        async for chunk in stream:
            head.append(chunk)
            if has_content(chunk):
                break
    except BaseException:
        await stream.aclose()
        raise
    return StreamStart(stream, head, is_async=True)


class _RoutedCore:
    def __init__(self, start: StreamStart, info: dict[str, Any], accumulator: Any, resume: Any = None) -> None:
        self._start = start
        self._info = info
        self._accumulator = accumulator
        self._resume = resume
        self._delivered = False
        self._broken: StreamInterruptedError | None = None
        """The interruption this stream raised: raised again instead of a final result."""

    @property
    def route(self) -> Any:
        from .._types._base import RouteInfo

        return RouteInfo(**self._info)

    @property
    def response(self) -> Any:
        """The answering deployment's status and headers, as `Stream.response`."""
        return getattr(self._start.stream, "response", None)

    @property
    def request_id(self) -> str | None:
        """The answering deployment's request id, as `Stream.request_id`."""
        return getattr(self._start.stream, "request_id", None)

    def _deliver(self, chunk: Any) -> Any:
        if self._accumulator is not None:
            self._accumulator.add(chunk)
        self._delivered = self._delivered or has_content(chunk)
        return chunk

    def _interrupted(self, exc: RelaykitError) -> StreamInterruptedError:
        partial = self._accumulator.snapshot(complete=False) if self._accumulator is not None else None
        if partial is not None and hasattr(partial, "model_copy"):
            partial = partial.model_copy(update={"route": self.route})
        return StreamInterruptedError(
            f"the stream from {self._info['deployment']} broke after content reached the caller: "
            f"{type(exc).__name__}: {exc}",
            partial=partial,
            deployment=self._info["deployment"],
            provider=getattr(exc, "provider", None),
            model=getattr(exc, "model", None),
        )

    def _resumed_head(self) -> list[Any]:
        """The head of a continuation: its opening chunks go, their role too (the caller has both)."""
        head = list(self._start.head)
        while head and _is_opening(head[0]):
            head.pop(0)
        return [_without_role(chunk) for chunk in head]

    def _continued(self, interrupted: StreamInterruptedError) -> None:
        log_event(
            "relaykit.route.continued",
            route=self._info["route"],
            interrupted=interrupted.deployment,
            continued_on=self._info["deployment"],
        )

    def get_final_completion(self) -> Any:
        if self._broken is not None:  # a partial answer is never passed off as a final one
            raise self._broken
        if self._accumulator is None:
            raise TypeError("this stream does not assemble a final result")
        result = self._accumulator.snapshot()
        request_id = getattr(self._start.stream, "request_id", None)
        update: dict[str, Any] = {"route": self.route}
        if request_id and "request_id" in type(result).model_fields:
            update["request_id"] = request_id
        return result.model_copy(update=update)


class RoutedStream(_RoutedCore, Iterator[Any]):
    """A routed synchronous stream: the chunks of the deployment that answered."""

    def __init__(self, start: StreamStart, info: dict[str, Any], accumulator: Any, resume: Any = None) -> None:
        super().__init__(start, info, accumulator, resume)
        self._iterator = self._iterate()

    def _iterate(self) -> Iterator[Any]:
        while True:
            for chunk in self._start.head:
                yield self._deliver(chunk)
            try:
                for chunk in self._start.stream:
                    yield self._deliver(chunk)
                return
            except RelaykitError as exc:
                if self._resume is None:
                    self._broken = self._interrupted(exc)
                    raise self._broken from exc
                interrupted = self._interrupted(exc)
                try:
                    self._start, self._info = self._resume(interrupted.partial)
                except RelaykitError as second:
                    self._broken = interrupted
                    raise interrupted from second
                self._start.head = self._resumed_head()
                self._continued(interrupted)

    def __next__(self) -> Any:
        return next(self._iterator)

    def __iter__(self) -> Iterator[Any]:
        return self

    def close(self) -> None:
        self._start.stream.close()

    def __enter__(self) -> RoutedStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def get_final_completion(self) -> Any:
        """Consume what is left and return the assembled result, with its `route`."""
        for _ in self:
            pass
        return super().get_final_completion()


class AsyncRoutedStream(_RoutedCore, AsyncIterator[Any]):
    """A routed asynchronous stream."""

    def __init__(self, start: StreamStart, info: dict[str, Any], accumulator: Any, resume: Any = None) -> None:
        super().__init__(start, info, accumulator, resume)
        self._iterator = self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        while True:
            for chunk in self._start.head:
                yield self._deliver(chunk)
            try:
                async for chunk in self._start.stream:
                    yield self._deliver(chunk)
                return
            except RelaykitError as exc:
                if self._resume is None:
                    self._broken = self._interrupted(exc)
                    raise self._broken from exc
                interrupted = self._interrupted(exc)
                try:
                    self._start, self._info = await self._resume(interrupted.partial)
                except RelaykitError as second:
                    self._broken = interrupted
                    raise interrupted from second
                self._start.head = self._resumed_head()
                self._continued(interrupted)

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def aclose(self) -> None:
        await self._start.stream.aclose()

    async def __aenter__(self) -> AsyncRoutedStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def get_final_completion(self) -> Any:
        """Consume what is left and return the assembled result, with its `route`."""
        async for _ in self:
            pass
        return super().get_final_completion()
