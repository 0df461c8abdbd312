"""Edit: ``POST /v2beta/stable-image/edit/{operation}`` (multipart, synchronous).

Reference: ``shared/dialects/stability.md`` section 2.2. Routes: ``erase``, ``inpaint``,
``outpaint``, ``search-and-replace``, ``search-and-recolor``, ``remove-background``. The normalized
request already refuses fields an operation does not take; here are Stability's own limits:
``grow_mask`` 0-100 on inpaint and 0-20 elsewhere, outpaint extents up to 2000 px each, and
remove-background only in PNG or WEBP.
"""

from __future__ import annotations

from typing import Any

from relaykit import InvalidRequestError, MediaEditRequest, MediaResult
from relaykit.plugin import CallContext, FilePart, Flow

from ._common import accept_for, check, form, image_part, parse_output, post

__all__ = ["edit"]

_ROUTES = {
    "inpaint": "inpaint",
    "outpaint": "outpaint",
    "erase": "erase",
    "search_and_replace": "search-and-replace",
    "search_and_recolor": "search-and-recolor",
    "remove_background": "remove-background",
}
_GROW_MASK_MAX = {"inpaint": 100}
_GROW_MASK_DEFAULT_MAX = 20
_EXTENT_MAX = 2000
_MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
_FIELDS = (
    "prompt",
    "negative_prompt",
    "search_prompt",
    "select_prompt",
    "grow_mask",
    "left",
    "right",
    "up",
    "down",
    "creativity",
    "seed",
    "output_format",
    "style_preset",
)


def edit(request: MediaEditRequest, ctx: CallContext) -> Flow[MediaResult]:
    """One edit on the operation's route."""
    _check(request)
    values: dict[str, Any] = {name: getattr(request, name) for name in _FIELDS}
    files: list[FilePart] = [image_part("image", request.image)]
    if request.mask is not None:
        files.append(image_part("mask", request.mask))
    path = f"/v2beta/stable-image/edit/{_ROUTES[request.operation]}"
    response = yield post(ctx, path, form(values, ctx, request), files, accept_for(request))
    response = check(response, ctx)
    mime = _MIME[request.output_format or "png"]
    output, extra = parse_output(response, ctx, as_b64=request.response_format == "b64_json", mime=mime)
    return MediaResult(
        kind=request.kind,
        provider=ctx.provider,
        model=ctx.model,
        images=[output],
        request_id=response.request_id,
        vendor_data=extra,
    )


def _check(request: MediaEditRequest) -> None:
    if request.grow_mask is not None:
        limit = _GROW_MASK_MAX.get(request.operation, _GROW_MASK_DEFAULT_MAX)
        if request.grow_mask > limit:
            raise InvalidRequestError(
                f"grow_mask: Stability's {request.operation} takes 0 to {limit}", field="grow_mask"
            )
    for side in ("left", "right", "up", "down"):
        value = getattr(request, side)
        if value is not None and value > _EXTENT_MAX:
            raise InvalidRequestError(f"{side}: Stability outpaints at most {_EXTENT_MAX} px per side", field=side)
    if request.operation == "remove_background" and request.output_format == "jpeg":
        raise InvalidRequestError(
            "output_format: remove_background keeps transparency: png or webp", field="output_format"
        )
