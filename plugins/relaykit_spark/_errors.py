"""Spark's errors into relaykit's tree: ``header.code`` frames, refused upgrades, HTTP API bodies.

Reference: ``shared/dialects/spark.md`` sections A2 (handshake refusals), A4-A5 (error frames and
the code table), B5 (HTTP API errors) and C2. One table serves both APIs, because the HTTP API
reports the same codes, and not always with a telling status: ``AppIdNoAuthError`` (11200) was
captured as an HTTP 500, so an answer carrying a Spark code is classed by its code, never its
status. Without a code (the HTTP API's 401 ``invalid user``) the OpenAI dialect's mapping applies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from relaykit import APIStatusError, ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, api_error, excerpt, redact
from relaykit_openai._common import error_from

__all__ = ["CONTENT_FILTER_CODES", "SPARK_CODES", "handshake_error", "http_error", "spark_code", "spark_error"]

# code -> (the HTTP status it is classed as, a vendor hint that overrides the status).
SPARK_CODES: Mapping[int, tuple[int, str | None]] = {
    10000: (500, None),  # upgrade to WebSocket failed
    10001: (500, None),  # error reading the user's WebSocket messages
    10002: (500, None),  # error sending WebSocket messages
    10003: (400, None),  # malformed user message (also "invalid model domain")
    10004: (400, None),  # schema error in the user data
    10005: (400, None),  # invalid parameter value
    10006: (429, None),  # the same user is connected elsewhere (concurrency)
    10007: (429, None),  # still answering the previous question on this connection
    10008: (503, None),  # service capacity insufficient
    10009: (500, None),  # engine connection error
    10010: (503, None),  # engine receive error ("Engine Busy")
    10011: (500, None),  # engine send error
    10012: (500, None),  # engine internal error ("The system is busy")
    10013: (400, "content_filter"),  # the input failed moderation
    10014: (400, "content_filter"),  # the output failed moderation
    10015: (403, None),  # appid blacklisted
    10016: (403, None),  # appid authorization error (feature or version not enabled...)
    10017: (500, None),  # clearing history failed
    10019: (400, "content_filter"),  # the session tends toward violating content
    10021: (400, "content_filter"),  # input moderation failed
    10022: (400, "content_filter"),  # generated image failed moderation
    10110: (503, None),  # service busy
    10163: (400, None),  # engine parameter schema check failed
    10222: (500, None),  # engine network error
    10907: (400, "context_length_exceeded"),  # history + question over the token limit
    11200: (403, None),  # no licence for the feature (or, by its message, quota used up)
    11201: (429, "insufficient_quota"),  # daily limit reached: retrying today will not help
    11202: (429, None),  # per-second rate limit
    11203: (429, None),  # concurrency limit
}
CONTENT_FILTER_CODES = frozenset(code for code, (_, hint) in SPARK_CODES.items() if hint == "content_filter")
_UNKNOWN = (500, None)
_QUOTA_WORDS = re.compile(r"limit|quota|exhaust|insufficient", re.IGNORECASE)
_MODEL_WORDS = re.compile(r"model domain|param model|invalid model", re.IGNORECASE)
_SID_IN_MESSAGE = re.compile(r"\(sid: ([^)\s]+)\)")
_SKEW = re.compile(r"date", re.IGNORECASE)


def spark_code(value: Any) -> int | None:
    """A Spark error code from a frame or body (an int, or a string as the HTTP API sends it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def spark_error(
    response: HttpResponse, ctx: CallContext, code: int, message: str, *, sid: str | None = None
) -> APIStatusError:
    """The relaykit error for Spark code `code` (see `SPARK_CODES`), whatever `response`'s status.

    11200 whose message speaks of a limit is `QuotaExceededError` ("AppIdNoAuthError: tokens.total
    limit"); 10003/10005 about the model or domain is `NotFoundError` (an unknown model, as OpenAI
    reports it).
    """
    status, hint = SPARK_CODES.get(code, _UNKNOWN)
    if code == 11200 and _QUOTA_WORDS.search(message):
        hint = "insufficient_quota"
    elif code in {10003, 10005} and _MODEL_WORDS.search(message):
        hint = "model_not_found"
    error = api_error(response, ctx, message or f"Spark error {code}", code=code, type_=hint, status=status)
    found = sid or _sid_in(message)
    if found:
        error.request_id = found
    return error


def handshake_error(response: HttpResponse, ctx: CallContext) -> APIStatusError | ResponseFormatError:
    """The error for a WebSocket upgrade the server refused (any answer but 101).

    Every signature problem is a 401 and the clock-skew refusal a 403; both mean the credentials or
    the signing went wrong, so both are `AuthenticationError`.
    """
    message = _handshake_message(response)
    if response.status < 400:
        return ResponseFormatError(
            redact(f"{ctx.provider} did not upgrade to a WebSocket (HTTP {response.status}): {message}", ctx.secrets()),
            provider=ctx.provider,
            model=ctx.model,
            status=response.status,
            request_id=response.request_id,
            body_excerpt=excerpt(response.content, ctx.secrets()),
        )
    if response.status == 401 or (response.status == 403 and _SKEW.search(message)):
        hint = "clock skew over 300 s? " if response.status == 403 else ""
        return api_error(response, ctx, f"{message} ({hint}check APIKey, APISecret and the clock)", status=401)
    return api_error(response, ctx, message)


def http_error(response: HttpResponse, ctx: CallContext, payload: Any = None) -> APIStatusError:
    """The error of an HTTP API answer: by its Spark code when it has one, else as OpenAI's."""
    if payload is None:
        try:
            payload = response.json()
        except ResponseFormatError:
            payload = None
    code, message, sid = _spark_fields(payload)
    if code is not None and code != 0:
        return spark_error(response, ctx, code, message, sid=sid)
    return error_from(response, ctx, payload)


def _spark_fields(payload: Any) -> tuple[int | None, str, str | None]:
    """(code, message, sid) from the flat ``{"code", "message"|"msg", "sid"|"Sid"}`` form or the
    nested ``{"error": {...}}`` one (whose code is often a string)."""
    if not isinstance(payload, dict):
        return None, "", None
    inner = payload.get("error")
    source = inner if isinstance(inner, dict) else payload
    code = spark_code(source.get("code"))
    message = source.get("message") or source.get("msg") or ""
    sid = source.get("sid") or source.get("Sid") or payload.get("sid") or payload.get("Sid")
    return code, str(message), str(sid) if sid else None


def _sid_in(message: str) -> str | None:
    found = _SID_IN_MESSAGE.search(message)
    return found.group(1) if found else None


def _handshake_message(response: HttpResponse) -> str:
    try:
        payload = response.json()
    except ResponseFormatError:
        return response.text.strip()[:200] or f"HTTP {response.status}"
    if isinstance(payload, dict):
        inner = payload.get("error")
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if payload.get("message"):
            return str(payload["message"])
    return f"HTTP {response.status}"
