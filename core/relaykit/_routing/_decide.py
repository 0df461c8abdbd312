"""The decision table: what the router does with each kind of failure.

| error kind                                               | decision                          |
|----------------------------------------------------------|-----------------------------------|
| rate limit (429), overloaded (503/529), server (5xx)      | retry the same deployment         |
| timeout, connection error, stream broken before content   | retry the same deployment         |
| quota exhausted                                           | move on (retrying will not help)  |
| authentication, permission, not-found model               | move on                           |
| content policy, context too long, other bad request       | move on; if every deployment says |
|                                                           | the request is bad, stop with it  |
| the plugin refused the request (InvalidRequestError),     | move on                           |
| cannot serve it (UnsupportedCapabilityError), or the      |                                   |
| deployment is misconfigured (ConfigurationError)          |                                   |
| malformed answer (ResponseFormatError)                    | move on                           |
| anything else (a bug)                                     | stop                              |

A retry honours the error's Retry-After (up to the policy's ``max_retry_after``; a longer wait
moves on instead), else backs off exponentially with jitter.
"""

from __future__ import annotations

from enum import Enum

from .._errors import (
    APIConnectionError,
    APIError,
    BadRequestError,
    ConfigurationError,
    InvalidRequestError,
    OverloadedError,
    QuotaExceededError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    UnsupportedCapabilityError,
)

__all__ = ["Decision", "decide", "is_bad_request"]


class Decision(Enum):
    RETRY = "retry"
    MOVE_ON = "move_on"
    STOP = "stop"


def decide(exc: BaseException) -> Decision:
    """What to do after `exc` (see the table in the module docstring)."""
    if isinstance(exc, QuotaExceededError):
        return Decision.MOVE_ON
    if isinstance(exc, RateLimitError | OverloadedError | ServerError | APIConnectionError):
        return Decision.RETRY
    if isinstance(
        exc, APIError | InvalidRequestError | UnsupportedCapabilityError | ConfigurationError | ResponseFormatError
    ):
        return Decision.MOVE_ON
    return Decision.STOP


def is_bad_request(exc: BaseException) -> bool:
    """True when `exc` says the request itself is wrong (as opposed to the deployment failing)."""
    return isinstance(exc, BadRequestError | InvalidRequestError)


def retry_wait(exc: BaseException, max_retry_after: float) -> float | bool:
    """stamina's backoff hook value for a retryable `exc`: its Retry-After, or True (backoff)."""
    retry_after = exc.retry_after if isinstance(exc, APIError) else None
    if retry_after is None:
        return True
    if retry_after > max_retry_after:
        return False
    return retry_after
