"""Models: ``GET /v1/models`` (cursor-paged) and ``GET /v1/models/{model_id}``, JSON.

Reference: ``shared/dialects/anthropic.md`` section 1. A page is ``{"data": [{"type": "model",
"id", "display_name", "created_at"}], "has_more", "first_id", "last_id"}``; every page is read
(``limit=1000``, then ``after_id=<last_id>``) so that the listing is complete. ``created_at``
(RFC 3339) becomes ``created`` (Unix seconds), ``owned_by`` is ``"anthropic"``, and the other
fields (``display_name``...) stay in ``vendor_data``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from relaykit import ModelInfo, ModelList, ModelListRequest, ModelRetrieveRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import extras, headers, json_object, malformed, parse_model, url
from ._errors import check

__all__ = ["model_list", "model_retrieve", "parse_model_info"]

_PAGE_SIZE = "1000"
_USED = frozenset({"id", "object"})


def model_list(request: ModelListRequest, ctx: CallContext) -> Flow[ModelList]:
    """The listing flow: every page of this provider's models."""
    models: list[ModelInfo] = []
    after: str | None = None
    while True:
        params = {"limit": _PAGE_SIZE} if after is None else {"limit": _PAGE_SIZE, "after_id": after}
        response = yield HttpRequest("GET", url(ctx, "models"), headers=headers(ctx, json_body=False), params=params)
        response = check(response, ctx)
        payload = json_object(response, ctx)
        items = payload.get("data")
        if not isinstance(items, list):
            raise malformed(response, ctx, "no list of models")
        models.extend(parse_model_info(item, response, ctx) for item in items)
        last = payload.get("last_id")
        if not payload.get("has_more") or not isinstance(last, str) or not last or last == after:
            return ModelList(data=models, provider=ctx.provider)
        after = last


def model_retrieve(request: ModelRetrieveRequest, ctx: CallContext) -> Flow[ModelInfo]:
    """The retrieval flow: one model, by its vendor id."""
    response = yield HttpRequest(
        "GET", url(ctx, f"models/{quote(ctx.model, safe=':@')}"), headers=headers(ctx, json_body=False)
    )
    response = check(response, ctx)
    payload = json_object(response, ctx)
    payload.setdefault("id", ctx.model)
    return parse_model_info(payload, response, ctx)


def parse_model_info(item: Any, response: HttpResponse, ctx: CallContext) -> ModelInfo:
    """A `ModelInfo` from one model object, keeping the other fields in `vendor_data`."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise malformed(response, ctx, "a model without an id")
    data = {
        "id": item["id"],
        "created": _timestamp(item.get("created_at")),
        "owned_by": item.get("owned_by") or "anthropic",
        "provider": ctx.provider,
        "vendor_data": extras(item, _USED),
    }
    return parse_model(ModelInfo, data, response, ctx)


def _timestamp(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return int(moment.timestamp()) if moment.tzinfo is not None else None
