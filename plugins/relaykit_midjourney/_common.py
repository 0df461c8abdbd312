"""What every midjourney-proxy call shares: auth headers, URLs, the three error shapes, the code table.

Reference: ``shared/dialects/midjourney.md`` sections 1 (auth), 3 (submit codes) and 6 (errors).
The proxy answers most errors as HTTP 200 with an envelope ``{code, description, result,
properties}`` whose ``code`` is not 1; a relay's Midjourney handler answers HTTP 400 (429 for its
code 30) with ``{description, type, code}``; a relay's auth/routing layer answers OpenAI's
``{"error": {...}}``; a proxy refusing the secret answers 401 with an empty body. All are read.

=====================================  ==================================================
answer                                 error
=====================================  ==================================================
code 23 (queue full), relay code 30    `RateLimitError` (retryable)
code 24 (banned prompt)                `ContentPolicyError` (``bannedWord`` in the message)
code 3, ``task_no_found`` / 404        `NotFoundError`
code 4 (validation)                    `BadRequestError`
code 9, 5 and other codes              `ServerError`
``quota_not_enough``                   `QuotaExceededError`
HTTP status >= 400 otherwise           by status (401 `AuthenticationError`...)
=====================================  ==================================================
"""

from __future__ import annotations

from typing import Any

from relaykit import APIStatusError, ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, api_error, malformed_answer

__all__ = ["check", "code_error", "headers", "malformed", "mj_url", "payload"]

_NOT_FOUND = ("task_no_found", "task_not_found")
_STATUS_FOR_CODE = {3: 404, 4: 400, 23: 429, 24: 400, 30: 429}


def headers(ctx: CallContext) -> dict[str, str]:
    """The key as the `auth` setting says (``mj-api-secret``, ``bearer`` or ``both``), and JSON."""
    result = {"accept": "application/json", "content-type": "application/json"}
    key = ctx.api_key
    if key:
        auth = getattr(ctx.settings, "auth", "both")
        if auth in ("mj-api-secret", "both"):
            result["mj-api-secret"] = key
        if auth in ("bearer", "both"):
            result["authorization"] = f"Bearer {key}"
    return result


def mj_url(ctx: CallContext, path: str) -> str:
    """`path` under the ``/mj`` root (the configured ``base_url``)."""
    return ctx.url(path)


def payload(response: HttpResponse) -> Any:
    """The JSON body, or None for an empty body (the proxy's "no such task")."""
    if not response.content.strip():
        return None
    return response.json()


def code_error(response: HttpResponse, ctx: CallContext, code: Any, description: str, **facts: Any) -> APIStatusError:
    """The error for an envelope whose `code` is not an acceptance (see the module docstring)."""
    number = code if isinstance(code, int) and not isinstance(code, bool) else None
    message = description.strip() or f"midjourney-proxy code {code}"
    details = "; ".join(f"{key}: {value}" for key, value in facts.items() if value not in (None, ""))
    if details:
        message = f"{message} ({details})"
    lowered = message.lower()
    if number == 24:
        return api_error(response, ctx, message, code="24", type_="content_policy_violation", status=400)
    if any(marker in lowered for marker in _NOT_FOUND):
        return api_error(response, ctx, message, code=str(code), status=404)
    if "quota_not_enough" in lowered:
        return api_error(response, ctx, message, code=str(code), type_="insufficient_quota", status=429)
    status = _STATUS_FOR_CODE.get(number or 0)
    if status is None:
        status = response.status if response.status >= 400 else 500
    return api_error(response, ctx, message, code=None if code is None else str(code), status=status)


def check(response: HttpResponse | None, ctx: CallContext) -> HttpResponse:
    """Raise the mapped error for an HTTP error answer (any of the three shapes); return it otherwise."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if response.status < 400:
        return response
    try:
        body = payload(response)
    except ResponseFormatError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or f"HTTP {response.status}")
            raise api_error(response, ctx, message, code=error.get("code") or None, type_=error.get("type"))
        if "description" in body or "code" in body:
            description = str(body.get("description") or "").strip() or f"HTTP {response.status}"
            code = body.get("code")
            if code == 24 or any(marker in description.lower() for marker in (*_NOT_FOUND, "quota_not_enough")):
                raise code_error(response, ctx, code, description)
            raise api_error(response, ctx, description, code=None if code is None else str(code))
    text = response.text.strip()[:300] or f"HTTP {response.status} from {ctx.provider}"
    raise api_error(response, ctx, text)


malformed = malformed_answer
"""The error for an answer this plugin cannot read (relaykit's `malformed_answer`)."""
