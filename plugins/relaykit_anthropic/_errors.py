"""Claude's error envelope, mapped into relaykit's error tree.

Reference: ``shared/dialects/anthropic.md`` section 5 and https://docs.claude.com/en/api/errors.
Errors are ``{"type": "error", "error": {"type", "message"}, "request_id"}``, with an HTTP status,
or as an ``error`` event inside a 200 stream. The error ``type`` decides the class (it is what
Anthropic documents per status, and the only signal inside a stream); a status the table does not
explain falls back to relaykit's status table. The type is kept as the error's ``code``.

| ``error.type`` | HTTP | relaykit error |
|---|---|---|
| ``invalid_request_error`` | 400 | `BadRequestError` (or `ContextLengthError`, `ContentPolicyError`) |
| ``authentication_error`` | 401 | `AuthenticationError` |
| ``permission_error`` | 403 | `PermissionDeniedError` |
| ``not_found_error`` | 404 | `NotFoundError` |
| ``request_too_large`` | 413 | `BadRequestError` (Cloudflare may answer without the envelope) |
| ``rate_limit_error`` | 429 | `RateLimitError` (``retry-after`` honoured) |
| ``api_error`` | 500 | `ServerError` |
| ``overloaded_error`` | 529 | `OverloadedError` (retryable, its own kind; any 529 or 503 is one) |
| ``timeout_error`` | 504 | `ServerError` |
| ``billing_error`` | 402 | `QuotaExceededError` |

``anthropic-ratelimit-*`` headers fill ``error.rate_limit`` (resets in seconds, measured from the
answer's ``date``); ``x-should-retry`` overrides ``error.retryable``. A 400 whose message says the
prompt is too long is a `ContextLengthError`; one saying content filtering blocked the output is a
`ContentPolicyError`.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from relaykit import (
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
)
from relaykit.plugin import CallContext, HttpResponse, api_error

__all__ = ["ERROR_TYPES", "check", "error_event", "error_from", "rate_limit"]

ERROR_TYPES: dict[str, type[APIStatusError]] = {
    "invalid_request_error": BadRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "not_found_error": NotFoundError,
    "request_too_large": BadRequestError,
    "rate_limit_error": RateLimitError,
    "api_error": ServerError,
    "overloaded_error": OverloadedError,
    "timeout_error": ServerError,
    "billing_error": QuotaExceededError,
}
_CONTEXT_LENGTH = re.compile(r"prompt is too long|exceeds? (?:the )?context (?:limit|window)", re.IGNORECASE)
_CONTENT_POLICY = re.compile(r"content filtering policy|output blocked", re.IGNORECASE)
_RATE_LIMIT_HEADER = re.compile(r"^anthropic-ratelimit-(.+)-(limit|remaining|reset)$")


def check(response: HttpResponse | None, ctx: CallContext) -> HttpResponse:
    """Raise the mapped error for a failed answer; return the response otherwise."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if response.status >= 400:
        raise error_from(response, ctx)
    return response


def error_from(response: HttpResponse, ctx: CallContext, payload: Any = None) -> APIStatusError:
    """The relaykit error for a Claude error answer (any status, or an error inside a 200)."""
    if payload is None:
        try:
            payload = response.json()
        except ResponseFormatError:
            payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        error_type = str(error["type"]) if error.get("type") else None
        message = str(error.get("message") or error_type or f"HTTP {response.status}")
    elif isinstance(error, str):
        error_type, message = None, error
    elif response.status == 413:
        error_type, message = "request_too_large", "request too large (Claude accepts at most 32 MB)"
    else:
        error_type, message = None, f"HTTP {response.status} from {ctx.provider}"
    result = api_error(response, ctx, message, code=error_type, type_=error_type)
    cls = _error_class(response.status, error_type, message)
    if cls is not None and type(result) is not cls:
        result = _recast(result, cls)
    if result.request_id is None and isinstance(payload, dict) and isinstance(payload.get("request_id"), str):
        result.request_id = payload["request_id"]
    result.rate_limit.update(rate_limit(response.headers))
    should_retry = response.headers.get("x-should-retry")
    if should_retry in ("true", "false"):
        result.retryable = should_retry == "true"
    return result


def error_event(payload: dict[str, Any], raw: str, response: HttpResponse | None, ctx: CallContext) -> APIStatusError:
    """The error an ``event: error`` inside a 200 stream stands for (never a clean end)."""
    headers: Mapping[str, str] = response.headers if response is not None else {}
    carrier = HttpResponse(status=response.status if response else 200, headers=headers, content=raw.encode())
    return error_from(carrier, ctx, payload)


def rate_limit(headers: Mapping[str, str], *, now: float | None = None) -> dict[str, Any]:
    """The ``anthropic-ratelimit-*`` headers, keyed like OpenAI's (``remaining_tokens``...).

    Limits and remainders become ints; resets (RFC 3339 timestamps) become seconds from the answer's
    ``date`` header (or from now when it has none).
    """
    info: dict[str, Any] = {}
    reference = _date(headers.get("date")) if now is None else now
    for name, value in headers.items():
        found = _RATE_LIMIT_HEADER.match(name)
        if found is None:
            continue
        what, measure = found.group(1).replace("-", "_"), found.group(2)
        key = f"{measure}_{what}"
        if measure == "reset":
            info[key] = _seconds_until(value, reference)
        else:
            try:
                info[key] = int(value)
            except ValueError:
                info[key] = value
    return info


def _error_class(status: int, error_type: str | None, message: str) -> type[APIStatusError] | None:
    if status in (503, 529):  # unavailable or overloaded, whatever the type says (relaykit's status table)
        return OverloadedError
    cls = ERROR_TYPES.get(error_type or "")
    if cls is BadRequestError or (cls is None and status == 400):
        if _CONTEXT_LENGTH.search(message):
            return ContextLengthError
        if _CONTENT_POLICY.search(message):
            return ContentPolicyError
    return cls


def _recast(error: APIStatusError, cls: type[APIStatusError]) -> APIStatusError:
    return cls(
        error.message,
        provider=error.provider,
        model=error.model,
        status=error.status,
        request_id=error.request_id,
        retry_after=error.retry_after,
        code=error.code,
        body_excerpt=error.body_excerpt,
        rate_limit=error.rate_limit,
    )


def _date(value: str | None) -> float:
    if value:
        try:
            return email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            pass
    return time.time()


def _seconds_until(value: str, reference: float) -> float | None:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return max(moment.timestamp() - reference, 0.0)
