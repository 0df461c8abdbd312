"""What every OpenAI endpoint shares: auth headers, the error envelope, JSON parsing, the merging
of ``provider_options`` and finish-reason tables (unknown top-level keys reach
``vendor_data`` through the types themselves).

Errors: ``{"error": {"message", "type", "param", "code"}}`` with a meaningful HTTP status; relays
may send ``code`` as an integer, or a bare string body. Reference: the dialect file's section 5.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from relaykit import APIStatusError, InvalidRequestError, ResponseFormatError
from relaykit.plugin import CallContext, HttpResponse, api_error, excerpt, malformed_answer

__all__ = [
    "apply_options",
    "check",
    "error_from",
    "headers",
    "json_value",
    "map_finish_reason",
    "parse_model",
]

M = TypeVar("M", bound=BaseModel)


def headers(ctx: CallContext, *, json_body: bool = True) -> dict[str, str]:
    """Auth and organization headers (and the JSON content type when the body is JSON)."""
    result: dict[str, str] = {"accept": "application/json"}
    if json_body:
        result["content-type"] = "application/json"
    if ctx.api_key:
        result["authorization"] = f"Bearer {ctx.api_key}"
    organization = getattr(ctx.settings, "organization", None)
    if organization is not None:
        result["openai-organization"] = organization.get_secret_value()
    project = getattr(ctx.settings, "project", None)
    if project is not None:
        result["openai-project"] = project.get_secret_value()
    return result


def error_from(response: HttpResponse, ctx: CallContext, payload: Any = None) -> APIStatusError:
    """The relaykit error for an OpenAI-style error answer (any status, or an error in a 200)."""
    if payload is None:
        try:
            payload = response.json()
        except ResponseFormatError:
            payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or error.get("type") or f"HTTP {response.status}")
        code = error.get("code")
        return api_error(
            response, ctx, message, code=code if code not in ("", None) else None, type_=_str(error.get("type"))
        )
    if isinstance(error, str):
        return api_error(response, ctx, error)
    if isinstance(payload, dict) and isinstance(payload.get("message"), str):
        return api_error(response, ctx, payload["message"], code=_str(payload.get("code")))
    return api_error(response, ctx, f"HTTP {response.status} from {ctx.provider}")


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def check(response: HttpResponse | None, ctx: CallContext) -> HttpResponse:
    """Raise the mapped error for a failed answer; return the response otherwise."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if response.status >= 400:
        raise error_from(response, ctx)
    return response


def json_value(response: HttpResponse, ctx: CallContext) -> Any:
    """The parsed JSON of a successful answer (any JSON value), raising for an error envelope."""
    try:
        payload = response.json()
    except ResponseFormatError as exc:
        exc.provider, exc.model = ctx.provider, ctx.model
        exc.body_excerpt = excerpt(response.content, ctx.secrets())
        raise
    if isinstance(payload, dict) and payload.get("error"):
        raise error_from(response, ctx, payload)
    return payload


def json_body(response: HttpResponse, ctx: CallContext) -> dict[str, Any]:
    """The JSON object of a successful answer, raising for an error envelope inside a 200."""
    payload = json_value(response, ctx)
    if not isinstance(payload, dict):
        raise malformed(response, ctx, "expected a JSON object")
    return payload


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


# Finish reasons seen from compatible servers and relays, and what they mean in OpenAI's terms.
FINISH_SYNONYMS: dict[str, str | None] = {
    "": None,
    "null": None,
    "eos": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_length": "length",
    "sensitive": "content_filter",
    "safety": "content_filter",
}


def apply_options(body: dict[str, Any], ctx: CallContext, reserved: Collection[str]) -> dict[str, Any]:
    """Merge this provider's `provider_options` into `body`; they may not set a `reserved` field."""
    clash = sorted(set(reserved) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    body.update(ctx.options)
    return body


def map_finish_reason(value: Any, table: Mapping[str, str | None], payload: dict[str, Any]) -> str | None:
    """The normalized finish reason for a vendor's; an unknown one is kept as `finish_reason_raw`."""
    if value is None:
        return None
    text = str(value)
    if text in table:
        return table[text]
    payload.setdefault("finish_reason_raw", text)
    return None
