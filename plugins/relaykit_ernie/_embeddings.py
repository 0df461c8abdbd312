"""Embeddings on Qianfan v1: ``POST {base_url}/rpc/2.0/ai_custom/v1/wenxinworkshop/embeddings/{endpoint}``.

Reference: ``shared/dialects/ernie.md`` section A6 and gotcha 15. The body is ``{"input": [texts],
"user_id"?}``; the answer ``{"id", "object": "embedding_list", "created", "data": [{"object":
"embedding", "embedding": [floats], "index"}], "usage": {"prompt_tokens", "total_tokens"}}``, or an
``error_code`` answer. v1 takes at most `BATCH_SIZE` texts per call, so a longer input is sent in
batches (one flow, one access token) and the answers joined: indexes renumbered across batches,
usage summed, the answer ids kept in ``vendor_data["ids"]``. A single string is sent as a list;
token arrays are refused (``input``), as are ``dimensions`` (by capability). Vectors come back as
floats, or as base64 when the caller asked for it (converted here).
"""

from __future__ import annotations

from typing import Any

from relaykit import APIError, CreateEmbeddingResponse, EmbeddingRequest, InvalidRequestError
from relaykit.plugin import CallContext, Flow, HttpRequest

from ._auth import TOKEN_PARAM, send_with_token
from ._errors import apply_options, json_object, malformed, request_id, scrubbed
from ._models import embedding_path

__all__ = ["BATCH_SIZE", "embedding"]

BATCH_SIZE = 16
_RESERVED_OPTIONS = {"input"}
_JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}
_SECRET = frozenset({TOKEN_PARAM})


def embedding(request: EmbeddingRequest, ctx: CallContext) -> Flow[CreateEmbeddingResponse]:
    """The v1 embeddings flow: one request per batch of 16 texts, joined into one answer."""
    url = ctx.url(embedding_path(ctx.model, getattr(ctx.settings, "endpoints", {})))
    texts = _texts(request)
    data: list[dict[str, Any]] = []
    usage = {"prompt_tokens": 0, "total_tokens": 0}
    ids: list[str] = []
    last_request_id: str | None = None
    for offset in range(0, len(texts), BATCH_SIZE):
        body: dict[str, Any] = {"input": texts[offset : offset + BATCH_SIZE]}
        if request.user is not None:
            body["user_id"] = request.user
        body = apply_options(body, ctx, _RESERVED_OPTIONS)

        def build(token: str, body: dict[str, Any] = body) -> HttpRequest:
            return HttpRequest(
                "POST", url, headers=_JSON_HEADERS, params={TOKEN_PARAM: token}, json=body, secret_params=_SECRET
            )

        response, token = yield from send_with_token(ctx, build)
        try:
            payload = json_object(response, ctx)
            items = payload.get("data")
            if not isinstance(items, list) or len(items) != len(body["input"]):
                raise malformed(response, ctx, "the answer does not hold one embedding per input")
            for position, item in enumerate(items):
                if not isinstance(item, dict) or not isinstance(item.get("embedding"), list):
                    raise malformed(response, ctx, f"data.{position}.embedding is not a list of floats")
                index = item["index"] if isinstance(item.get("index"), int) else position
                data.append({"object": "embedding", "index": offset + index, "embedding": item["embedding"]})
        except APIError as exc:
            scrubbed(exc, token)
            raise
        for key in usage:
            usage[key] += int((payload.get("usage") or {}).get(key) or 0)
        if isinstance(payload.get("id"), str):
            ids.append(payload["id"])
        last_request_id = request_id(response) or last_request_id
    result = CreateEmbeddingResponse.model_validate(
        {
            "data": sorted(data, key=lambda item: item["index"]),
            "model": ctx.model,
            "usage": usage,
            "provider": ctx.provider,
            "request_id": last_request_id,
            "vendor_data": {"ids": ids},
        }
    )
    return result.in_format(request.encoding)


def _texts(request: EmbeddingRequest) -> list[str]:
    if isinstance(request.input, str):
        return [request.input]
    if not all(isinstance(item, str) for item in request.input):
        raise InvalidRequestError("input: ERNIE embeds text only, not token arrays", field="input")
    return [str(item) for item in request.input]
