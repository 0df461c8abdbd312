"""The normalized image requests and response (`POST /v1/images/generations|edits|variations`).

OpenAI-shaped: `ImageGenerateRequest`, `ImageEditRequest` and `ImageVariationRequest` carry the
fields of the three endpoints; all three answer with an `ImagesResponse`. Model-specific limits
(`dall-e-3` makes one image at a time, `response_format` is for the DALL-E models only, sizes per
model) are left to the vendor, because relays map the same fields onto other models; what holds
for every model is checked here. Streaming image generation (`stream`, `partial_images`) is not
part of the normalized form.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ._base import ResponseModel, WithVendorData
from ._media import FileUpload, ImageUpload, decode_b64
from ._options import WithProviderOptions

__all__ = [
    "ImageData",
    "ImageEditRequest",
    "ImageGenerateRequest",
    "ImageVariationRequest",
    "ImagesResponse",
    "ImagesUsage",
]

_SIZE = r"^(auto|[1-9][0-9]*x[1-9][0-9]*)$"


class _ImageRequest(WithProviderOptions):
    model: str = Field(min_length=1)
    """`provider/model` or a configured alias."""
    n: int | None = Field(default=None, ge=1, le=10)
    """How many images to make (`dall-e-3` accepts only 1)."""
    size: str | None = Field(default=None, pattern=_SIZE)
    """`WIDTHxHEIGHT` (e.g. `1024x1024`) or `auto`; which sizes a model accepts is the vendor's call."""
    response_format: Literal["url", "b64_json"] | None = None
    """DALL-E models only: GPT image models always answer with base64."""
    user: str | None = None


class _ImageRenderRequest(_ImageRequest):
    """Fields of the two prompt-driven endpoints (generate and edit)."""

    prompt: str = Field(min_length=1, max_length=32000)
    quality: Literal["standard", "hd", "low", "medium", "high", "auto"] | None = None
    """`standard`/`hd` for `dall-e-3`; `low`/`medium`/`high`/`auto` for GPT image models."""
    background: Literal["transparent", "opaque", "auto"] | None = None
    output_format: Literal["png", "jpeg", "webp"] | None = None
    output_compression: int | None = Field(default=None, ge=0, le=100)
    """Percent, for `jpeg` and `webp` output (GPT image models)."""

    @model_validator(mode="after")
    def _check_output(self) -> _ImageRenderRequest:
        if self.output_compression is not None and self.output_format not in ("jpeg", "webp"):
            raise ValueError("output_compression: applies only with output_format 'jpeg' or 'webp'")
        if self.background == "transparent" and self.output_format == "jpeg":
            raise ValueError("background: a transparent background needs output_format 'png' or 'webp'")
        return self


class ImageGenerateRequest(_ImageRenderRequest):
    """Generate images from a prompt. `model` is `provider/model` or a configured alias."""

    style: Literal["vivid", "natural"] | None = None
    """`dall-e-3` only."""
    moderation: Literal["low", "auto"] | None = None
    """GPT image models only."""


def _one_or_many(value: Any) -> Any:
    """A list is several images; anything else is one (so a tuple is a `(filename, bytes)` file)."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else [FileUpload.from_source(value, stem="image")]


class ImageEditRequest(_ImageRenderRequest):
    """Edit one image (or, with GPT image models, combine up to 16) following a prompt.

    `image` takes one upload or a list of them; it is always a list once validated. `mask` is a PNG
    the size of the (first) image, transparent where the edit goes.
    """

    image: Annotated[list[ImageUpload], BeforeValidator(_one_or_many), Field(min_length=1, max_length=16)]
    mask: ImageUpload | None = None


class ImageVariationRequest(_ImageRequest):
    """Make variations of one image (`dall-e-2`: a square PNG under 4 MB)."""

    image: ImageUpload


class ImageData(ResponseModel):
    """One generated image: a URL (valid for about an hour at OpenAI) or base64 data."""

    url: str | None = None
    b64_json: str | None = Field(default=None, repr=False)
    revised_prompt: str | None = None
    """The prompt the vendor actually used (`dall-e-3` rewrites prompts)."""

    def to_bytes(self) -> bytes:
        """The image's bytes, decoded from `b64_json`.

        Raises:
            ValueError: the image came as a URL only (relaykit never downloads on its own).
        """
        return decode_b64(self.b64_json, self.url)


class ImagesUsage(ResponseModel):
    """Token usage reported by GPT image models."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    input_tokens_details: dict[str, int] | None = None
    """E.g. `{"text_tokens": 10, "image_tokens": 0}`."""


class ImagesResponse(WithVendorData):
    """The answer of every image endpoint. `provider` names the configured provider that made it."""

    created: int
    data: list[ImageData]
    usage: ImagesUsage | None = None
    background: str | None = None
    output_format: str | None = None
    size: str | None = None
    quality: str | None = None
    provider: str | None = None
    request_id: str | None = None

    def to_bytes(self) -> list[bytes]:
        """Every image's bytes, in order (see `ImageData.to_bytes`)."""
        return [image.to_bytes() for image in self.data]
