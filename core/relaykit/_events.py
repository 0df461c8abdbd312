"""The events observer hooks receive: plain, frozen values with no secrets in them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorEvent", "FallbackEvent", "RequestEvent", "ResponseEvent"]


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """A request is about to be sent (one HTTP request or WebSocket upgrade)."""

    provider: str
    model: str
    method: str
    url: str
    """The URL with secret query parameters masked."""


@dataclass(frozen=True, slots=True)
class ResponseEvent:
    """An answer arrived (its head: a streamed body is still being read)."""

    provider: str
    model: str
    method: str
    url: str
    status: int
    request_id: str | None
    duration_ms: float
    streamed: bool


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """A call failed; `error` is the relaykit error the caller (or the router) receives."""

    provider: str | None
    model: str | None
    error: BaseException
    route: str | None = None
    """The route being served, when the call was routed."""
    attempt: int | None = None


@dataclass(frozen=True, slots=True)
class FallbackEvent:
    """The router gave up on one deployment of a route and moves to the next."""

    route: str
    from_deployment: str
    to_deployment: str | None
    """None when no deployment is left."""
    error: BaseException
    attempts: int
    """Attempts made so far for this request."""
