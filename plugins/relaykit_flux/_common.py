"""What every BFL call shares: the ``x-key`` header, the error envelopes, body helpers, notices.

Reference: ``shared/dialects/flux.md`` sections 1 (auth) and 5 (errors). BFL's API is FastAPI:
errors are ``{"detail": "..."}``, validation errors ``{"detail": [{"loc", "msg", "type"}]}``. BFL's
guide also shows ``{"error": "<code>", "message", "details"?, "retry_after"?}``, and EZLink answers
OpenAI-like ``{"error": {"message", "type", "code"}}``; all three are read.

======  =======================================================
status  error
======  =======================================================
401     `AuthenticationError` (a bad key)
403     `AuthenticationError` (FastAPI's "Not authenticated": no key)
402     `QuotaExceededError` (out of credits)
400/422 `BadRequestError`, the message naming the fields
429     `RateLimitError` (too many active tasks), ``Retry-After`` or the body's ``retry_after``
5xx     `ServerError` (`OverloadedError` for 503)
======  =======================================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from relaykit import APIStatusError, ImageInput, InvalidRequestError, MediaRequest, ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, api_error, log_event, malformed_answer

__all__ = [
    "MIME_TYPES",
    "adjusted",
    "check",
    "envelope",
    "error_from",
    "headers",
    "image_value",
    "malformed",
    "merge_options",
    "refuse",
]

MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}
_QUOTA_CODES = frozenset({"insufficient_credits", "insufficient_quota", "payment_required"})


def headers(ctx: CallContext) -> dict[str, str]:
    """BFL's auth header (no Bearer scheme) and JSON."""
    result = {"accept": "application/json"}
    if ctx.api_key:
        result["x-key"] = ctx.api_key
    return result


def envelope(response: HttpResponse) -> tuple[str | None, str | None]:
    """The error's code (when the envelope has one) and message, from any of the three envelopes."""
    try:
        payload = response.json()
    except ResponseFormatError:
        return None, response.text.strip()[:500] or None
    if not isinstance(payload, dict):
        return None, None
    detail, error = payload.get("detail"), payload.get("error")
    code: str | None = None
    message: str | None = None
    if isinstance(detail, str):
        message = detail
    elif isinstance(detail, list):
        message = "; ".join(_validation_item(item) for item in detail) or None
    if isinstance(error, dict):
        message = message or _text(error.get("message"))
        code = _text(error.get("code")) or _text(error.get("type"))
    elif isinstance(error, str):
        code = error
    message = message or _text(payload.get("message")) or code
    details = payload.get("details")
    if isinstance(details, dict) and details and message is not None:
        message += " (" + "; ".join(f"{key}: {value}" for key, value in details.items()) + ")"
    return code, message


def error_from(response: HttpResponse, ctx: CallContext) -> APIStatusError:
    """The relaykit error for a BFL error answer (see the module docstring)."""
    code, message = envelope(response)
    text = message or f"HTTP {response.status} from {ctx.provider}"
    hint = "insufficient_quota" if response.status == 402 or (code or "").lower() in _QUOTA_CODES else None
    response = _with_body_retry_after(response)
    # FastAPI answers a missing x-key with 403 "Not authenticated": a key problem, not a permission one.
    status = 401 if response.status == 403 else None
    return api_error(response, ctx, text, code=code, type_=hint, status=status)


def check(response: HttpResponse | None, ctx: CallContext) -> HttpResponse:
    """Raise the mapped error for a failed answer; return the response otherwise."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if response.status >= 400:
        raise error_from(response, ctx)
    return response


malformed = malformed_answer
"""The error for an answer this plugin cannot read (relaykit's `malformed_answer`)."""


def image_value(name: str, image: ImageInput, *, urls: bool) -> str:
    """An image input as BFL takes it: raw base64 (no data-URI prefix), or the URL when `urls`."""
    if image.url is not None:
        if not urls:
            raise InvalidRequestError(f"{name}: this FLUX model needs the image's bytes, not a URL", field=name)
        return image.url
    return image.to_base64()


def merge_options(body: dict[str, Any], ctx: CallContext, owned: Collection[str], safety_max: int) -> dict[str, Any]:
    """`body` plus this provider's `provider_options`, which may not set what the request owns;
    ``safety_tolerance`` is clamped to the model family's range (with a notice)."""
    clash = sorted((set(owned) | set(body)) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    merged = {**{k: v for k, v in body.items() if v is not None}, **ctx.options}
    tolerance = merged.get("safety_tolerance")
    if tolerance is not None:
        if not isinstance(tolerance, int) or isinstance(tolerance, bool):
            raise InvalidRequestError(
                "provider_options.safety_tolerance: a whole number", field="provider_options.safety_tolerance"
            )
        clamped = min(max(tolerance, 0), safety_max)
        if clamped != tolerance:
            adjusted(ctx, "safety_tolerance", "clamped", f"this FLUX family takes 0-{safety_max}", sent=clamped)
            merged["safety_tolerance"] = clamped
    return merged


def refuse(request: MediaRequest, names: Collection[str], why: str) -> None:
    """Raise `InvalidRequestError` for the first of `names` the request sets."""
    for name in names:
        if getattr(request, name, None) not in (None, []):
            raise InvalidRequestError(f"{name}: {why}", field=name)


def adjusted(ctx: CallContext, field: str, action: str, reason: str, **values: Any) -> None:
    """Log that a request field was changed or left out to suit BFL (never silently)."""
    log_event(
        "relaykit.request.adjusted",
        provider=ctx.provider,
        model=ctx.model,
        field=field,
        action=action,
        reason=reason,
        **values,
    )


def _validation_item(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    location = [str(part) for part in item.get("loc") or () if part != "body"]
    message = _text(item.get("msg")) or "invalid"
    return f"{'.'.join(location)}: {message}" if location else message


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _with_body_retry_after(response: HttpResponse) -> HttpResponse:
    """`response`, with the body's ``retry_after`` (BFL's guide) as a header when none was sent."""
    if response.status != 429 or "retry-after" in response.headers:
        return response
    try:
        payload = response.json()
    except ResponseFormatError:
        return response
    seconds = payload.get("retry_after") if isinstance(payload, dict) else None
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        return response
    return dataclasses.replace(response, headers={**response.headers, "retry-after": str(seconds)})
