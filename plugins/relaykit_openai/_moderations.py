"""Moderation: ``POST /moderations``, JSON.

Reference: ``shared/dialects/openai.md`` section 7.5. The request is ``{"model", "input"}``, where
``input`` is a string, a list of strings, or a list of ``text`` / ``image_url`` parts; the answer
is ``{"id", "model", "results": [{"flagged", "categories", "category_scores",
"category_applied_input_types"}]}``. A request that names no model (``ctx.model`` is empty: the
default provider was chosen) is sent with OpenAI's default, ``omni-moderation-latest``.
"""

from __future__ import annotations

from typing import Any

from relaykit import ModerationRequest, ModerationResponse
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import apply_options, check, headers, json_body, malformed, parse_model

__all__ = ["DEFAULT_MODEL", "build_moderation_body", "moderation", "parse_moderation"]

DEFAULT_MODEL = "omni-moderation-latest"
_RESERVED_OPTIONS = {"model", "input"}


def moderation(request: ModerationRequest, ctx: CallContext) -> Flow[ModerationResponse]:
    """The moderation flow: one request, one result per input."""
    response = yield HttpRequest(
        "POST", ctx.url("/moderations"), headers=headers(ctx), json=build_moderation_body(request, ctx)
    )
    response = check(response, ctx)
    return parse_moderation(json_body(response, ctx), response, ctx)


def build_moderation_body(request: ModerationRequest, ctx: CallContext) -> dict[str, Any]:
    """The wire body for `request`; the model is the vendor's id, or OpenAI's default."""
    body: dict[str, Any] = {
        "model": ctx.model or DEFAULT_MODEL,
        "input": request.model_dump(include={"input"})["input"],
    }
    return apply_options(body, ctx, _RESERVED_OPTIONS)


def parse_moderation(payload: dict[str, Any], response: HttpResponse, ctx: CallContext) -> ModerationResponse:
    """A `ModerationResponse` from the vendor's JSON, keeping unknown top-level keys in `vendor_data`."""
    results = payload.get("results")
    if not isinstance(results, list) or not all(isinstance(result, dict) for result in results):
        raise malformed(response, ctx, "no list of results")
    data = {
        **payload,
        "id": payload.get("id") or "",
        "model": payload.get("model") or ctx.model or DEFAULT_MODEL,
        "provider": ctx.provider,
        "request_id": response.request_id,
    }
    return parse_model(ModerationResponse, data, response, ctx)
