"""Embeddings: ``POST /embeddings``, JSON.

Reference: ``shared/dialects/openai.md`` section 7.2 and gotcha 14. The answer is ``{"object":
"list", "model", "data": [{"object": "embedding", "index", "embedding"}], "usage": {"prompt_tokens",
"total_tokens"}}``, where ``embedding`` is a list of floats or, with ``encoding_format: "base64"``,
a base64 string of packed little-endian float32 values.

On the wire: the caller's ``encoding_format`` is sent when set. When it is not, api.openai.com (the
``openai`` kind) is asked for base64, a quarter of the bytes, as the official SDK does; compatible
servers are sent no format and answer with their default (floats). Either way the caller gets the
form they asked for (floats unless they asked for base64): the answer is converted when needed.
"""

from __future__ import annotations

from typing import Any

from relaykit import CreateEmbeddingResponse, EmbeddingRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._common import apply_options, check, headers, json_body, malformed, parse_model

__all__ = ["build_embedding_body", "embedding", "parse_embeddings"]

_RESERVED_OPTIONS = {"model", "input", "encoding_format"}
_BASE64_BY_DEFAULT = {"openai"}
"""Provider kinds asked for base64 when the caller chose no format (known to support it)."""


def embedding(request: EmbeddingRequest, ctx: CallContext) -> Flow[CreateEmbeddingResponse]:
    """The embeddings flow: one request, then the vectors in the form the caller asked for."""
    response = yield HttpRequest(
        "POST", ctx.url("/embeddings"), headers=headers(ctx), json=build_embedding_body(request, ctx)
    )
    response = check(response, ctx)
    result = parse_embeddings(json_body(response, ctx), response, ctx)
    try:
        return result.in_format(request.encoding)
    except ValueError as exc:
        raise malformed(response, ctx, f"an embedding is not valid base64 float32: {exc}") from exc


def build_embedding_body(request: EmbeddingRequest, ctx: CallContext) -> dict[str, Any]:
    """The wire body for `request` (see the module docstring for `encoding_format`)."""
    body: dict[str, Any] = {"model": ctx.model, "input": request.input}
    wire_format = request.encoding_format or ("base64" if ctx.kind in _BASE64_BY_DEFAULT else None)
    if wire_format is not None:
        body["encoding_format"] = wire_format
    if request.dimensions is not None:
        body["dimensions"] = request.dimensions
    if request.user is not None:
        body["user"] = request.user
    return apply_options(body, ctx, _RESERVED_OPTIONS)


def parse_embeddings(payload: dict[str, Any], response: HttpResponse, ctx: CallContext) -> CreateEmbeddingResponse:
    """A `CreateEmbeddingResponse` from the vendor's JSON, vectors as sent (floats or base64)."""
    data = payload.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise malformed(response, ctx, "no list of embeddings")
    for position, item in enumerate(data):
        if not isinstance(item.get("embedding"), list | str):
            raise malformed(response, ctx, f"data.{position}.embedding is neither floats nor base64")
        if item.get("index") is None:
            item["index"] = position
    fields = {
        **payload,
        "model": payload.get("model") or ctx.model,
        "provider": ctx.provider,
        "request_id": response.request_id,
    }
    return parse_model(CreateEmbeddingResponse, fields, response, ctx)
