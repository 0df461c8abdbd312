"""From a vendor's error answer to the right `APIError`: status table, hints, Retry-After.

Plugins extract the vendor's message and code from their own envelope, then call `api_error` to
get the error of the right kind with every common field filled in (and secrets redacted).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContentPolicyError,
    ContextLengthError,
    NotFoundError,
    OverloadedError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
    excerpt,
    redact,
)

if TYPE_CHECKING:
    from ._flow import HttpResponse
    from ._provider import CallContext

__all__ = [
    "api_error",
    "error_class_for",
    "malformed_answer",
    "parse_duration",
    "parse_rate_limit",
    "parse_retry_after",
]

_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: BadRequestError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
    503: OverloadedError,
    529: OverloadedError,
}

# Vendor codes and types that say more than the status does (matched lower-cased). Strong hints win
# over the status; weak hints only decide when there is no error status (an error inside a 200).
_STRONG_HINTS: dict[str, type[APIStatusError]] = {
    "context_length_exceeded": ContextLengthError,
    "string_above_max_length": ContextLengthError,
    "content_filter": ContentPolicyError,
    "content_policy_violation": ContentPolicyError,
    "insufficient_quota": QuotaExceededError,
    "billing_hard_limit_reached": QuotaExceededError,
    "model_not_found": NotFoundError,  # the Responses API says so with a 400
}
_WEAK_HINTS: dict[str, type[APIStatusError]] = {
    "invalid_api_key": AuthenticationError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "rate_limit_exceeded": RateLimitError,
    "rate_limit_error": RateLimitError,
    "overloaded_error": OverloadedError,
    "server_error": ServerError,
    "api_error": ServerError,
}

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def error_class_for(status: int | None, *hints: str | None) -> type[APIStatusError]:
    """The error class for an HTTP status, refined by vendor codes or types.

    `status` None (or a 2xx, for errors reported inside a successful answer) lets the weak hints
    decide, defaulting to `BadRequestError`.
    """
    lowered = [hint.lower() for hint in hints if hint]
    for hint in lowered:
        if (cls := _STRONG_HINTS.get(hint)) is not None:
            return cls
    if status is None or status < 300:
        for hint in lowered:
            if (cls := _WEAK_HINTS.get(hint)) is not None:
                return cls
        return BadRequestError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500 or status == 408:
        return ServerError
    return BadRequestError


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, then `retry-after` (seconds or an HTTP date)."""
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils  # only for an HTTP-date Retry-After: the email package is ~8 ms of cold start

    parsed = email.utils.parsedate_to_datetime(value) if _looks_like_date(value) else None
    if parsed is None:
        return None
    return max(parsed.timestamp() - (time.time() if now is None else now), 0.0)


def _looks_like_date(value: str) -> bool:
    import email.utils

    try:
        return email.utils.parsedate_tz(value) is not None
    except (TypeError, ValueError):
        return False


def parse_duration(value: str) -> float | None:
    """Parse Go-style durations used by rate-limit headers (`12ms`, `1s`, `6m0s`, `1h2m3.5s`)."""
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)


def parse_rate_limit(headers: Mapping[str, str]) -> dict[str, Any]:
    """The `x-ratelimit-*` headers as a dict: limits and remainders as ints, resets in seconds."""
    info: dict[str, Any] = {}
    for name, value in headers.items():
        if not name.startswith("x-ratelimit-"):
            continue
        key = name.removeprefix("x-ratelimit-").replace("-", "_")
        if key.startswith("reset"):
            info[key] = parse_duration(value)
        else:
            try:
                info[key] = int(value)
            except ValueError:
                info[key] = value
    return info


def api_error(
    response: HttpResponse,
    ctx: CallContext,
    message: str,
    *,
    code: str | int | None = None,
    type_: str | None = None,
    status: int | None = None,
) -> APIStatusError:
    """Build the `APIStatusError` for a vendor error answer, with every common field set.

    `status` defaults to the response's; pass it for an error reported inside a 200. `code` and
    `type_` are the vendor's error code and type; they refine the class (e.g. a 429 whose code is
    `insufficient_quota` becomes `QuotaExceededError`).
    """
    http_status = response.status if status is None else status
    code_text = None if code is None else str(code)
    cls = error_class_for(http_status, code_text, type_)
    secrets = ctx.secrets()
    return cls(
        redact(message, secrets),
        provider=ctx.provider,
        model=ctx.model,
        status=response.status,
        request_id=response.request_id,
        retry_after=parse_retry_after(response.headers),
        code=code_text,
        body_excerpt=excerpt(response.content, secrets),
        rate_limit=parse_rate_limit(response.headers),
    )


def malformed_answer(
    response: HttpResponse, ctx: CallContext, why: str, *, request_id: str | None = None
) -> ResponseFormatError:
    """The `ResponseFormatError` for an answer a plugin cannot read: what is wrong, and a redacted
    excerpt of the body. `request_id` overrides the response's own (a vendor that sends it elsewhere)."""
    return ResponseFormatError(
        f"{ctx.provider} answered in an unexpected shape: {why}",
        provider=ctx.provider,
        model=ctx.model,
        status=response.status,
        request_id=request_id or response.request_id,
        body_excerpt=excerpt(response.content, ctx.secrets()),
    )
