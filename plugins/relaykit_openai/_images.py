"""Images: ``POST /images/generations`` (JSON), ``/images/edits`` and ``/images/variations`` (multipart).

Reference: ``shared/dialects/openai.md`` sections 7.3 and 5 (OpenAI's OpenAPI spec, 2026:
``CreateImageRequest``, ``CreateImageEditRequest``, ``CreateImageVariationRequest``,
``ImagesResponse``). All three answer ``{"created", "data": [{"url"} | {"b64_json"}, ...]}``, with
``revised_prompt`` per image (``dall-e-3``) and ``usage``, ``background``, ``output_format``,
``size``, ``quality`` from GPT image models. One edited image goes up as the ``image`` part, several
as repeated ``image[]`` parts (GPT image models, up to 16), as the official SDK sends them.
Relays sometimes send ``""`` for the field they did not fill; it is read as absent.
"""

from __future__ import annotations

import time
from typing import Any

from relaykit import ImageEditRequest, ImageGenerateRequest, ImagesResponse, ImageVariationRequest
from relaykit.plugin import CallContext, Flow, HttpRequest, HttpResponse

from ._bodies import file_part, form_fields
from ._common import apply_options, check, headers, json_body, malformed, parse_model

__all__ = ["edit", "generate", "parse_images", "variation"]

_NOT_SENT = {"model", "provider_options", "image", "mask"}
# Streamed image generation answers with SSE, which these flows do not decode.
_RESERVED_GENERATE = ("model", "prompt", "stream", "partial_images")
_RESERVED_EDIT = ("model", "prompt", "image", "image[]", "mask", "stream", "partial_images")
_RESERVED_VARIATION = ("model", "image")
_ITEM_FIELDS = ("url", "b64_json", "revised_prompt")


def generate(request: ImageGenerateRequest, ctx: CallContext) -> Flow[ImagesResponse]:
    """Generate images from a prompt."""
    body = apply_options(_fields(request, ctx), ctx, _RESERVED_GENERATE)
    response = yield HttpRequest("POST", ctx.url("/images/generations"), headers=headers(ctx), json=body)
    return parse_images(check(response, ctx), ctx)


def edit(request: ImageEditRequest, ctx: CallContext) -> Flow[ImagesResponse]:
    """Edit (or combine) uploaded images following a prompt, optionally within a mask."""
    fields = apply_options(_fields(request, ctx), ctx, _RESERVED_EDIT)
    name = "image" if len(request.image) == 1 else "image[]"
    files = [file_part(name, upload) for upload in request.image]
    if request.mask is not None:
        files.append(file_part("mask", request.mask))
    response = yield HttpRequest(
        "POST",
        ctx.url("/images/edits"),
        headers=headers(ctx, json_body=False),
        data=form_fields(fields),
        files=files,
    )
    return parse_images(check(response, ctx), ctx)


def variation(request: ImageVariationRequest, ctx: CallContext) -> Flow[ImagesResponse]:
    """Make variations of one uploaded image."""
    fields = apply_options(_fields(request, ctx), ctx, _RESERVED_VARIATION)
    response = yield HttpRequest(
        "POST",
        ctx.url("/images/variations"),
        headers=headers(ctx, json_body=False),
        data=form_fields(fields),
        files=[file_part("image", request.image)],
    )
    return parse_images(check(response, ctx), ctx)


def parse_images(response: HttpResponse, ctx: CallContext) -> ImagesResponse:
    """An `ImagesResponse` from a successful answer, unknown top-level keys kept in `vendor_data`."""
    payload = json_body(response, ctx)
    items = payload.get("data")
    if not isinstance(items, list):
        raise malformed(response, ctx, "no data list")
    data = [_map_image(item, response, ctx) for item in items]
    return parse_model(
        ImagesResponse,
        {
            **payload,
            "created": payload.get("created") or int(time.time()),
            "data": data,
            "provider": ctx.provider,
            "request_id": response.request_id,
        },
        response,
        ctx,
    )


def _fields(
    request: ImageGenerateRequest | ImageEditRequest | ImageVariationRequest, ctx: CallContext
) -> dict[str, Any]:
    return {"model": ctx.model, **request.model_dump(exclude_none=True, exclude=_NOT_SENT)}


def _map_image(item: Any, response: HttpResponse, ctx: CallContext) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise malformed(response, ctx, "an image item is not an object")
    image = {**item, **{key: item.get(key) or None for key in _ITEM_FIELDS}}
    if image["url"] is None and image["b64_json"] is None:
        raise malformed(response, ctx, "an image item has neither url nor b64_json")
    return image
