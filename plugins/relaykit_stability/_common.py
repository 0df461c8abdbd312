"""What every Stability route shares: auth, multipart forms, the image answer, the error envelope.

Reference: ``shared/dialects/stability.md`` sections 2 (transport), 3 (answers) and 5 (errors).
Every v2beta POST is ``multipart/form-data``, even without a file (the flows give ``files=[]``,
which core sends as multipart). ``Accept: image/*`` gets raw bytes with ``finish-reason`` and
``seed`` headers; ``Accept: application/json`` gets ``{"image": <base64>, "finish_reason", "seed"}``.
Errors are ``{"id", "name", "errors": [...]}`` (v1 and some relays: ``message``), with
``content_moderation`` (403) and ``public_figure`` (422) refusals mapped to `ContentPolicyError`,
402 to `QuotaExceededError`, and the statuses 413/422 (bad request), 429 (rate limit) and 5xx
(server) to theirs by the core's status table.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from relaykit import (
    APIStatusError,
    ImageInput,
    InvalidRequestError,
    MediaOutput,
    MediaRequest,
    ResponseFormatError,
)
from relaykit.plugin import (
    CallContext,
    FilePart,
    HttpRequest,
    HttpResponse,
    api_error,
    malformed_answer,
    nearest_aspect_ratio,
)

__all__ = [
    "ASPECT_RATIOS",
    "STYLE_PRESETS",
    "accept_for",
    "aspect_ratio",
    "check",
    "envelope",
    "error_from",
    "form",
    "headers",
    "image_part",
    "malformed",
    "parse_output",
    "post",
    "refuse",
]

ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
STYLE_PRESETS = frozenset(
    {
        "enhance",
        "anime",
        "photographic",
        "digital-art",
        "comic-book",
        "fantasy-art",
        "line-art",
        "analog-film",
        "neon-punk",
        "isometric",
        "low-poly",
        "origami",
        "modeling-compound",
        "cinematic",
        "3d-model",
        "pixel-art",
        "tile-texture",
    }
)
MAX_PROMPT = 10_000
_FINISH_FILTERED = "CONTENT_FILTERED"
_CONTENT_POLICY = {"content_moderation", "public_figure"}
# Request fields every flow fills itself: provider_options may not set them.
_CORE_FIELDS = frozenset(
    {"prompt", "negative_prompt", "image", "mask", "seed", "output_format", "aspect_ratio", "model", "mode"}
)


def accept_for(request: MediaRequest, binary: str = "image/*") -> str:
    """The ``Accept`` header for the output the request asks for: bytes, or base64 in JSON."""
    return "application/json" if request.response_format == "b64_json" else binary


def headers(ctx: CallContext, accept: str) -> dict[str, str]:
    result = {"accept": accept}
    if ctx.api_key:
        result["authorization"] = f"Bearer {ctx.api_key}"
    return result


def form(values: Mapping[str, Any], ctx: CallContext, request: MediaRequest) -> dict[str, str]:
    """Multipart text fields: `values` without None, numbers as decimal strings, plus this
    provider's `provider_options` (which may not set what the request already carries)."""
    clash = sorted((_CORE_FIELDS | set(values)) & set(ctx.options))
    if clash:
        raise InvalidRequestError(
            f"provider_options may not set {clash[0]!r}; use the request field", field=f"provider_options.{clash[0]}"
        )
    fields: dict[str, str] = {}
    for name, value in {**values, **ctx.options}.items():
        if value is None:
            continue
        if isinstance(value, bool):
            fields[name] = "true" if value else "false"
        elif isinstance(value, int | float | str):
            fields[name] = str(value)
        else:
            raise InvalidRequestError(
                f"provider_options.{name}: a form field must be a string, number or bool",
                field=f"provider_options.{name}",
            )
    _check_prompts(request)
    return fields


def _check_prompts(request: MediaRequest) -> None:
    for name in ("prompt", "negative_prompt", "search_prompt", "select_prompt"):
        value = getattr(request, name, None)
        if isinstance(value, str) and len(value) > MAX_PROMPT:
            raise InvalidRequestError(f"{name}: Stability takes at most {MAX_PROMPT} characters", field=name)
    preset = getattr(request, "style_preset", None)
    if preset is not None and preset not in STYLE_PRESETS:
        raise InvalidRequestError(
            f"style_preset: {preset!r} is not one of Stability's ({', '.join(sorted(STYLE_PRESETS))})",
            field="style_preset",
        )


def aspect_ratio(requested: str | None, size: str | None, field: str = "aspect_ratio") -> str | None:
    """The ``aspect_ratio`` to send: the requested one (checked), or the nearest to `size`."""
    if size is not None:
        return nearest_aspect_ratio(size, ASPECT_RATIOS)
    if requested is not None and requested not in ASPECT_RATIOS:
        raise InvalidRequestError(
            f"{field}: Stability supports {', '.join(ASPECT_RATIOS)}; pass size= for the nearest one", field=field
        )
    return requested


def image_part(name: str, image: ImageInput) -> FilePart:
    """The file part of an image input (core has downloaded URLs: Stability fetches none)."""
    upload = image.file
    if upload is None:
        raise InvalidRequestError(f"{name}: Stability needs the image's bytes, not a URL", field=name)
    return FilePart(field=name, filename=upload.filename, content=upload.content, content_type=upload.content_type)


def post(ctx: CallContext, path: str, fields: Mapping[str, str], files: Sequence[FilePart], accept: str) -> HttpRequest:
    """A multipart POST (multipart even when `files` is empty, as every v2beta route requires)."""
    return HttpRequest("POST", ctx.url(path), headers=headers(ctx, accept), data=dict(fields), files=list(files))


def envelope(response: HttpResponse) -> tuple[str | None, str | None]:
    """The error envelope's ``name`` and message (``errors`` joined, else ``message``)."""
    try:
        payload = response.json()
    except ResponseFormatError:
        return None, response.text.strip() or None
    if not isinstance(payload, dict):
        return None, None
    name = payload.get("name")
    errors = payload.get("errors")
    if isinstance(errors, list) and errors:
        message: str | None = "; ".join(str(item) for item in errors)
    else:
        message = payload.get("message") if isinstance(payload.get("message"), str) else None
    return (str(name) if name else None), message


def error_from(response: HttpResponse, ctx: CallContext) -> APIStatusError:
    """The relaykit error for a Stability error answer."""
    name, message = envelope(response)
    hint = None
    if name in _CONTENT_POLICY:
        hint = "content_filter"
    elif response.status == 402:
        hint = "insufficient_quota"
    text = message or name or f"HTTP {response.status} from {ctx.provider}"
    return api_error(response, ctx, text, code=name, type_=hint)


def check(response: HttpResponse | None, ctx: CallContext) -> HttpResponse:
    """Raise the mapped error for a failed answer; return the response otherwise."""
    assert response is not None, "the driver sends an HttpResponse back for every HttpRequest"
    if response.status >= 400:
        raise error_from(response, ctx)
    return response


malformed = malformed_answer
"""The error for an answer this plugin cannot read (relaykit's `malformed_answer`)."""


def parse_output(
    response: HttpResponse, ctx: CallContext, *, as_b64: bool, key: str = "image", mime: str | None = None
) -> tuple[MediaOutput, dict[str, Any]]:
    """The output of a successful answer (raw bytes with headers, or JSON), and its leftovers.

    `as_b64` keeps JSON base64 as ``b64_json`` (otherwise decoded into ``content``); `key` is the
    JSON field of the file (``image`` or ``video``); `mime` is the type when the answer is JSON.
    """
    if response.content_type == "application/json":
        payload = response.json()
        if not isinstance(payload, dict) or not isinstance(payload.get(key), str) or not payload[key]:
            raise malformed(response, ctx, f"no {key} in the JSON answer")
        finish, seed = payload.get("finish_reason"), payload.get("seed")
        encoded = payload[key]
        content = None if as_b64 else _decoded(encoded, response, ctx)
        extra = {k: v for k, v in payload.items() if k not in (key, "finish_reason", "seed")}
        file_type = mime
    else:
        if not response.content:
            raise malformed(response, ctx, "an empty body")
        finish, seed = response.headers.get("finish-reason"), response.headers.get("seed")
        encoded = base64.b64encode(response.content).decode("ascii") if as_b64 else None
        content = None if as_b64 else response.content
        extra = {}
        file_type = response.content_type or mime
    if finish is not None:
        extra["finish_reason"] = str(finish)
    output = MediaOutput(
        content=content,
        b64_json=encoded if as_b64 else None,
        mime_type=file_type,
        seed=_seed(seed),
        content_filtered=str(finish).upper() == _FINISH_FILTERED,
    )
    return output, extra


def _decoded(encoded: str, response: HttpResponse, ctx: CallContext) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise malformed(response, ctx, "the base64 data does not decode") from exc


def _seed(value: Any) -> int | None:
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except ValueError:
        return None


def refuse(request: MediaRequest, names: Collection[str], why: str) -> None:
    """Raise `InvalidRequestError` for the first of `names` the request sets."""
    for name in names:
        if getattr(request, name, None) not in (None, []):
            raise InvalidRequestError(f"{name}: {why}", field=name)
