"""Qianfan v1 errors: ``{"error_code", "error_msg", "id"}``, usually inside an HTTP 200.

Reference: ``shared/dialects/ernie.md`` section A5 and gotchas 3-5. Every answer is checked for
``error_code`` whatever its status, and the code decides the kind of error through `ERROR_CODES`,
which follows the reference's suggested HTTP statuses:

====================================================  ======  ===========================
codes                                                  status  relaykit error
====================================================  ======  ===========================
13, 14, 100 and 110 / 111 (token invalid / expired)    401     AuthenticationError
6, 336004                                              403     PermissionDeniedError
3, 336005 (no such API / endpoint)                     404     NotFoundError
4, 18 (QPS), 336501 (RPM), 336502 (TPM)                429     RateLimitError
17 (daily limit / billing), 19 (total quota)           429     QuotaExceededError
336001-336003, 336006, 336101, 336104, 336105          400     BadRequestError
1, 15, 336000                                          500     ServerError
2, 336100 (high load)                                  503     OverloadedError
====================================================  ======  ===========================

A parameter error (or an unknown code) whose message speaks of input length becomes
`ContextLengthError`, and one that speaks of unsafe or sensitive content `ContentPolicyError`
(content safety otherwise shows in successful answers, as ``need_clear_history``; see ``_chat``).
Codes not in the table follow the HTTP status when it is an error, else `BadRequestError`. An
answer that is not JSON (an HTML gateway page) is a `ResponseFormatError`, or the status's error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from relaykit import APIError, APIStatusError, InvalidRequestError, ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, api_error, log_event, malformed_answer, redact

__all__ = [
    "ERROR_CODES",
    "TOKEN_ERROR_CODES",
    "adjusted",
    "apply_options",
    "error_from",
    "json_object",
    "malformed",
    "request_id",
    "scrubbed",
]

ERROR_CODES: dict[int, tuple[int, str | None]] = {
    1: (500, None),
    2: (503, None),
    3: (404, None),
    4: (429, None),
    6: (403, None),
    13: (401, None),
    14: (401, None),
    15: (500, None),
    17: (429, "insufficient_quota"),
    18: (429, None),
    19: (429, "insufficient_quota"),
    100: (401, None),
    110: (401, None),
    111: (401, None),
    336000: (500, None),
    336001: (400, None),
    336002: (400, None),
    336003: (400, None),
    336004: (403, None),
    336005: (404, None),
    336006: (400, None),
    336100: (503, None),
    336101: (400, None),
    336104: (400, None),
    336105: (400, None),
    336501: (429, None),
    336502: (429, None),
}
"""Vendor error code -> (the HTTP status it stands for, a refining hint for `api_error`)."""

TOKEN_ERROR_CODES = frozenset({110, 111})
""""Access token invalid or no longer valid" and "Access token expired": refresh and retry once."""

_TOO_LONG = re.compile(
    r"(?i)too long|max(imum)? (input )?length|max input|exceeds? the max|过长|超过.*(长度|限制)|长度.*超"
)
_UNSAFE = re.compile(r"(?i)unsafe|sensitive|safety|敏感|违规|不安全")
_REQUEST_ID_HEADER = "x-baidu-request-id"


def error_from(response: HttpResponse, ctx: CallContext, payload: Any = None) -> APIStatusError:
    """The relaykit error for a v1 error answer (``error_code`` in any status, or an HTTP error)."""
    if payload is None:
        try:
            payload = json.loads(response.content)
        except ValueError:
            payload = None
    if isinstance(payload, Mapping) and payload.get("error_code") not in (None, 0):
        code = payload["error_code"]
        message = str(payload.get("error_msg") or f"error code {code}")
        status, hint = _classify(code, message, response.status)
        error = api_error(response, ctx, message, code=code, type_=hint, status=status)
    else:
        message = _text(payload) or f"HTTP {response.status} from {ctx.provider}"
        error = api_error(response, ctx, message)
    error.request_id = error.request_id or request_id(response, payload)
    return error


def _classify(code: Any, message: str, http_status: int) -> tuple[int, str | None]:
    try:
        known = ERROR_CODES.get(int(code))
    except (TypeError, ValueError):
        known = None
    status, hint = known if known is not None else (max(http_status, 400), None)
    if status == 400 and hint is None:
        if _TOO_LONG.search(message):
            hint = "context_length_exceeded"
        elif _UNSAFE.search(message):
            hint = "content_filter"
    return status, hint


def _text(payload: Any) -> str | None:
    if isinstance(payload, Mapping):
        for key in ("error_msg", "error_description", "message", "error"):
            if isinstance(payload.get(key), str) and payload[key]:
                return str(payload[key])
    return None


def json_object(response: HttpResponse | None, ctx: CallContext) -> dict[str, Any]:
    """The JSON object of a successful answer; raises the mapped error for an error answer."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    try:
        payload = json.loads(response.content)
    except ValueError as exc:
        if response.status >= 400:
            raise error_from(response, ctx) from exc
        raise malformed(response, ctx, "the body is not JSON") from exc
    if response.status >= 400 or (isinstance(payload, dict) and payload.get("error_code") not in (None, 0)):
        raise error_from(response, ctx, payload)
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    return payload


def malformed(response: HttpResponse, ctx: CallContext, why: str) -> ResponseFormatError:
    """A `ResponseFormatError` for an answer we cannot read, with a redacted excerpt (Baidu's request id)."""
    return malformed_answer(response, ctx, why, request_id=request_id(response))


def request_id(response: HttpResponse, payload: Any = None) -> str | None:
    """Baidu's request id: the usual headers, ``X-Baidu-Request-Id``, else the body's ``id``."""
    found = response.request_id or response.headers.get(_REQUEST_ID_HEADER)
    if found is None and isinstance(payload, Mapping) and isinstance(payload.get("id"), str):
        found = payload["id"]
    return found


def scrubbed(error: APIError, *secrets: str) -> APIError:
    """`error` with `secrets` (an access token) masked in its message and body excerpt."""
    values = tuple(value for value in secrets if value)
    if values:
        error.message = redact(error.message, values)
        error.args = (error.message, *error.args[1:])
        if error.body_excerpt:
            error.body_excerpt = redact(error.body_excerpt, values)
    return error


def apply_options(body: dict[str, Any], ctx: CallContext, reserved: Collection[str]) -> dict[str, Any]:
    """Merge this provider's `provider_options` into `body`; they may not set a `reserved` field."""
    clash = sorted(set(reserved) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    body.update(ctx.options)
    return body


def adjusted(ctx: CallContext, field: str, action: str, reason: str, **values: Any) -> None:
    """Log that a request field was changed or left out to suit ERNIE (never silently)."""
    log_event(
        "relaykit.request.adjusted",
        provider=ctx.provider,
        model=ctx.model,
        field=field,
        action=action,
        reason=reason,
        **values,
    )
