"""What every Anthropic endpoint shares: settings, URLs, headers, JSON answers, adjustment notices.

Reference: ``shared/dialects/anthropic.md`` section 1. Requests carry ``x-api-key`` (or a bearer
token), ``anthropic-version`` and, when features are asked for, ``anthropic-beta``. Paths live under
``/v1``; a configured base URL that already ends in ``/v1`` is accepted as well.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from relaykit import ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, log_event, malformed_answer

from . import AnthropicSettings
from ._errors import error_from

__all__ = [
    "VENDOR",
    "adjusted",
    "expect_stream",
    "extras",
    "headers",
    "json_object",
    "malformed",
    "now",
    "parse_model",
    "settings",
    "url",
]

VENDOR = "anthropic"
"""The `ReasoningPart.provider` of Claude's thinking blocks, whichever gateway served them."""

M = TypeVar("M", bound=BaseModel)


def settings(ctx: CallContext) -> AnthropicSettings:
    """The call's settings as `AnthropicSettings` (a kind reusing this dialect may have plain ones)."""
    if isinstance(ctx.settings, AnthropicSettings):
        return ctx.settings
    return AnthropicSettings.model_validate(ctx.settings.model_dump())


def url(ctx: CallContext, path: str) -> str:
    """The URL of ``/v1/<path>`` under the configured base URL."""
    base = ctx.settings.base_url.rstrip("/")
    prefix = "" if base.endswith("/v1") else "/v1"
    return f"{base}{prefix}/{path.lstrip('/')}"


def headers(ctx: CallContext, *, json_body: bool = True, betas: Iterable[str] = ()) -> dict[str, str]:
    """Auth, version and beta headers (and the JSON content type when the body is JSON)."""
    config = settings(ctx)
    result: dict[str, str] = {"accept": "application/json", "anthropic-version": config.anthropic_version}
    if json_body:
        result["content-type"] = "application/json"
    if ctx.api_key:
        if config.auth_scheme == "bearer":
            result["authorization"] = f"Bearer {ctx.api_key}"
        else:
            result["x-api-key"] = ctx.api_key
    flags = list(dict.fromkeys(flag for flag in (*config.anthropic_beta, *betas) if flag))
    if flags:
        result["anthropic-beta"] = ",".join(flags)
    return result


def json_object(response: HttpResponse, ctx: CallContext) -> dict[str, Any]:
    """The JSON object of a successful answer; an error envelope inside a 200 raises its error."""
    try:
        payload = response.json()
    except ResponseFormatError as exc:
        raise malformed(response, ctx, "expected a JSON body") from exc
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    if payload.get("type") == "error" or isinstance(payload.get("error"), dict):
        raise error_from(response, ctx, payload)
    return payload


def expect_stream(response: HttpResponse, ctx: CallContext) -> None:
    """Raise unless the stream asked for came (an error envelope raises its own error)."""
    if not response.streaming:
        payload = json_object(response, ctx)
        raise malformed(response, ctx, f"asked for a stream, got a JSON {payload.get('type', 'object')}")


malformed = malformed_answer
"""The error for an answer this plugin cannot read (relaykit's `malformed_answer`)."""


def parse_model(model: type[M], data: Any, response: HttpResponse, ctx: CallContext) -> M:
    """Validate vendor data as `model`, turning a mismatch into `ResponseFormatError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise malformed(response, ctx, f"{where}: {first['msg']}") from exc


def extras(payload: Mapping[str, Any], used: Collection[str]) -> dict[str, Any]:
    """The keys of `payload` no normalized field took (they go to `vendor_data`)."""
    return {key: value for key, value in payload.items() if key not in used}


def adjusted(ctx: CallContext, field: str, action: str, reason: str, **values: Any) -> None:
    """Log that a request field was changed or left out to suit Claude (never silently)."""
    log_event(
        "relaykit.request.adjusted",
        provider=ctx.provider,
        model=ctx.model,
        field=field,
        action=action,
        reason=reason,
        **values,
    )


def now() -> int:
    """Claude's answers carry no creation time; the normalized `created` is when we read them."""
    return int(time.time())
