"""Models: ``GET /models`` and ``GET /models/{model}``, JSON.

Reference: ``shared/dialects/openai.md`` section 7.6. The list is ``{"object": "list", "data":
[{"id", "object": "model", "created", "owned_by"}]}``; one model is that object alone, and an
unknown id answers 404 (``NotFoundError``). Compatible servers vary, so the list is read
tolerantly: a bare JSON array, a ``models`` key instead of ``data``, plain id strings, and ``name``
or ``model`` in place of ``id`` are all accepted. Many compatible servers do not implement these
routes at all: their 404 becomes ``NotFoundError`` like any other.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from relaykit import ModelInfo, ModelList, ModelListRequest, ModelRetrieveRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import check, headers, json_body, json_value, malformed, parse_model

__all__ = ["model_list", "model_retrieve", "parse_model_info"]

_ID_KEYS = ("id", "name", "model")


def model_list(request: ModelListRequest, ctx: CallContext) -> Flow[ModelList]:
    """The listing flow: the models this provider offers."""
    response = yield HttpRequest("GET", ctx.url("/models"), headers=headers(ctx, json_body=False))
    response = check(response, ctx)
    payload = json_value(response, ctx)
    items = payload.get("data", payload.get("models")) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise malformed(response, ctx, "no list of models")
    models = [parse_model_info({"id": item} if isinstance(item, str) else item, response, ctx) for item in items]
    return ModelList(data=models, provider=ctx.provider, request_id=response.request_id)


def model_retrieve(request: ModelRetrieveRequest, ctx: CallContext) -> Flow[ModelInfo]:
    """The retrieval flow: one model, by its vendor id."""
    response = yield HttpRequest(
        "GET", ctx.url(f"/models/{quote(ctx.model, safe=':@')}"), headers=headers(ctx, json_body=False)
    )
    response = check(response, ctx)
    payload = json_body(response, ctx)
    if not any(isinstance(payload.get(key), str) and payload[key] for key in _ID_KEYS):
        payload["id"] = ctx.model
    return parse_model_info(payload, response, ctx).model_copy(update={"request_id": response.request_id})


def parse_model_info(item: Any, response: HttpResponse, ctx: CallContext) -> ModelInfo:
    """A `ModelInfo` from one vendor model object, keeping unknown keys in `vendor_data`."""
    if not isinstance(item, dict):
        raise malformed(response, ctx, "a model is neither an object nor an id")
    model_id = next((item[key] for key in _ID_KEYS if isinstance(item.get(key), str) and item[key]), None)
    if model_id is None:
        raise malformed(response, ctx, "a model without an id")
    data = {
        **item,
        "id": model_id,
        "object": "model",
        "provider": ctx.provider,
    }
    return parse_model(ModelInfo, data, response, ctx)
