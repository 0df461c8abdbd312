"""The two drivers: run one sans-IO flow synchronously or asynchronously.

Like `httpx.Auth.sync_auth_flow` / `async_auth_flow`: the flow states the protocol, a driver
performs each effect it yields (a request, a wait, a `Notify` callback) and sends the outcome
back. A flow that returns `Streaming` hands its decoder the still-open body, wrapped as a `Stream` /
`AsyncStream`; one that returns `Collect` has the whole body decoded here and gets back what its
`reduce` makes of the chunks. Any exception a flow raises that is not a relaykit error (a plugin
tripping over an unexpected vendor shape) becomes `ResponseFormatError` carrying a redacted excerpt
of the last response.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from ._errors import InvalidRequestError, RelaykitError, ResponseFormatError, excerpt
from ._flow import Collect, Flow, HttpRequest, HttpResponse, Notify, StreamEvent, Streaming, Wait, WebSocketRequest
from ._provider import CallContext
from ._streaming import Accumulator, AsyncStream, Stream

__all__ = ["run_async", "run_sync"]

T = TypeVar("T")
AccumulatorFactory = Callable[[], Accumulator[Any]] | None


def _unexpected(exc: Exception, ctx: CallContext, last: HttpResponse | None) -> ResponseFormatError:
    return ResponseFormatError(
        f"could not understand the vendor's answer: {type(exc).__name__}: {exc}",
        provider=ctx.provider,
        model=ctx.model,
        status=last.status if last is not None else None,
        request_id=last.request_id if last is not None else None,
        body_excerpt=excerpt(last.content, ctx.secrets()) if last is not None else None,
    )


def _stream_without_body(ctx: CallContext, last: HttpResponse | None) -> ResponseFormatError:
    return ResponseFormatError(
        f"expected a streamed answer, got {last.content_type if last else 'nothing'}",
        provider=ctx.provider,
        model=ctx.model,
        status=last.status if last else None,
        body_excerpt=excerpt(last.content, ctx.secrets()) if last else None,
    )


_EFFECTS = (HttpRequest, WebSocketRequest, Wait, Notify)
_BODY_RESULTS = (Streaming, Collect)


@dataclass(frozen=True, slots=True)
class _Done:
    result: Any


def _advance(flow: Flow[Any], reply: HttpResponse | None, ctx: CallContext, last: HttpResponse | None) -> Any:
    """Send `reply` into the flow: its next effect, or `_Done` with its result.

    Exceptions a flow raises that are not relaykit errors become `ResponseFormatError`; the
    transport's own exceptions never pass through here.
    """
    try:
        effect = flow.send(reply)
    except StopIteration as stop:
        return _Done(stop.value)
    except RelaykitError:
        raise
    except Exception as exc:
        raise _unexpected(exc, ctx, last) from exc
    if not isinstance(effect, _EFFECTS):
        raise TypeError(f"a flow yielded {effect!r}, not an HttpRequest, WebSocketRequest, Wait or Notify")
    return effect


def _notify_sync(effect: Notify) -> None:
    outcome = effect.callback(effect.value)
    if inspect.isawaitable(outcome):
        close = getattr(outcome, "close", None)
        if close is not None:
            close()  # never awaited: close it so no "coroutine was never awaited" warning follows
        raise InvalidRequestError(
            "the callback is asynchronous; the sync Client calls plain functions (use AsyncClient)", field="on_progress"
        )


def run_sync(
    flow: Flow[Any],
    ctx: CallContext,
    transport: Any,
    accumulator: AccumulatorFactory = None,
) -> Any:
    """Run `flow` to its result on a `SyncTransport`."""
    events: Iterator[StreamEvent] | None = None
    last: HttpResponse | None = None
    try:
        step = _advance(flow, None, ctx, last)
        while not isinstance(step, _Done):
            reply: HttpResponse | None = None
            if isinstance(step, Wait):
                time.sleep(max(step.seconds, 0.0))
            elif isinstance(step, Notify):
                _notify_sync(step)
            else:
                _close_sync(events)
                reply, events = transport.send(step, ctx)
                last = reply
            step = _advance(flow, reply, ctx, last)
    except BaseException:
        _close_sync(events)
        raise
    if isinstance(step.result, _BODY_RESULTS):
        if events is None:
            raise _stream_without_body(ctx, last)
        stream = Stream(step.result.decoder, events, ctx, accumulator() if accumulator else None, last)
        if isinstance(step.result, Streaming):
            return stream
        return _reduce(step.result, list(stream), ctx, last)
    _close_sync(events)
    return step.result


async def run_async(
    flow: Flow[Any],
    ctx: CallContext,
    transport: Any,
    accumulator: AccumulatorFactory = None,
) -> Any:
    """Run `flow` to its result on an `AsyncTransport`."""
    events: AsyncIterator[StreamEvent] | None = None
    last: HttpResponse | None = None
    try:
        step = _advance(flow, None, ctx, last)
        while not isinstance(step, _Done):
            reply: HttpResponse | None = None
            if isinstance(step, Wait):
                await anyio.sleep(max(step.seconds, 0.0))
            elif isinstance(step, Notify):
                outcome = step.callback(step.value)
                if inspect.isawaitable(outcome):
                    await outcome
            else:
                await _close_async(events)
                reply, events = await transport.send(step, ctx)
                last = reply
            step = _advance(flow, reply, ctx, last)
    except BaseException:
        await _close_async(events)
        raise
    if isinstance(step.result, _BODY_RESULTS):
        if events is None:
            raise _stream_without_body(ctx, last)
        stream = AsyncStream(step.result.decoder, events, ctx, accumulator() if accumulator else None, last)
        if isinstance(step.result, Streaming):
            return stream
        return _reduce(step.result, [chunk async for chunk in stream], ctx, last)
    await _close_async(events)
    return step.result


def _reduce(collect: Collect[Any, Any], chunks: list[Any], ctx: CallContext, last: HttpResponse | None) -> Any:
    try:
        return collect.reduce(chunks)
    except RelaykitError:
        raise
    except Exception as exc:
        raise _unexpected(exc, ctx, last) from exc


def _close_sync(events: Iterator[StreamEvent] | None) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _close_async(events: AsyncIterator[StreamEvent] | None) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
