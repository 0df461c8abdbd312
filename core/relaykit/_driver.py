"""The two drivers: run one sans-IO flow synchronously or asynchronously.

Like `httpx.Auth.sync_auth_flow` / `async_auth_flow`: the flow states the protocol, a driver
performs each effect it yields and sends the outcome back. A flow that returns `Streaming` hands
its decoder the still-open body, wrapped as a `Stream` / `AsyncStream`. Any exception a flow raises
that is not a relaykit error (a plugin tripping over an unexpected vendor shape) becomes
`ResponseFormatError` carrying a redacted excerpt of the last response.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

import anyio

from ._errors import RelaykitError, ResponseFormatError, excerpt
from ._flow import Flow, HttpRequest, HttpResponse, StreamEvent, Streaming, Wait
from ._provider import CallContext
from ._streaming import Accumulator, AsyncStream, Stream

__all__ = ["run_async", "run_sync"]

T = TypeVar("T")
AccumulatorFactory = Callable[[], Accumulator[Any]] | None


def _unexpected(exc: Exception, ctx: CallContext, last: HttpResponse | None) -> ResponseFormatError:
    error = ResponseFormatError(
        f"could not understand the vendor's answer: {type(exc).__name__}: {exc}",
        provider=ctx.provider,
        model=ctx.model,
        status=last.status if last is not None else None,
        request_id=last.request_id if last is not None else None,
        body_excerpt=excerpt(last.content, ctx.secrets()) if last is not None else None,
    )
    return error


def _stream_without_body(ctx: CallContext, last: HttpResponse | None) -> ResponseFormatError:
    return ResponseFormatError(
        f"expected a streamed answer, got {last.content_type if last else 'nothing'}",
        provider=ctx.provider,
        model=ctx.model,
        status=last.status if last else None,
        body_excerpt=excerpt(last.content, ctx.secrets()) if last else None,
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
    reply: HttpResponse | None = None
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Wait):
                time.sleep(max(effect.seconds, 0.0))
                reply = None
            elif isinstance(effect, HttpRequest):
                _close_sync(events)
                reply, events = transport.send(effect, ctx)
                last = reply
            else:
                raise TypeError(f"a flow yielded {effect!r}, not an HttpRequest or Wait")
            effect = flow.send(reply)
    except StopIteration as stop:
        result = stop.value
    except RelaykitError:
        _close_sync(events)
        raise
    except Exception as exc:
        _close_sync(events)
        raise _unexpected(exc, ctx, last) from exc
    if isinstance(result, Streaming):
        if events is None:
            raise _stream_without_body(ctx, last)
        return Stream(result.decoder, events, ctx, accumulator() if accumulator else None)
    _close_sync(events)
    return result


async def run_async(
    flow: Flow[Any],
    ctx: CallContext,
    transport: Any,
    accumulator: AccumulatorFactory = None,
) -> Any:
    """Run `flow` to its result on an `AsyncTransport`."""
    events: AsyncIterator[StreamEvent] | None = None
    last: HttpResponse | None = None
    reply: HttpResponse | None = None
    try:
        effect = next(flow)
        while True:
            if isinstance(effect, Wait):
                await anyio.sleep(max(effect.seconds, 0.0))
                reply = None
            elif isinstance(effect, HttpRequest):
                await _close_async(events)
                reply, events = await transport.send(effect, ctx)
                last = reply
            else:
                raise TypeError(f"a flow yielded {effect!r}, not an HttpRequest or Wait")
            effect = flow.send(reply)
    except StopIteration as stop:
        result = stop.value
    except RelaykitError:
        await _close_async(events)
        raise
    except Exception as exc:
        await _close_async(events)
        raise _unexpected(exc, ctx, last) from exc
    if isinstance(result, Streaming):
        if events is None:
            raise _stream_without_body(ctx, last)
        return AsyncStream(result.decoder, events, ctx, accumulator() if accumulator else None)
    await _close_async(events)
    return result


def _close_sync(events: Iterator[StreamEvent] | None) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _close_async(events: AsyncIterator[StreamEvent] | None) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
