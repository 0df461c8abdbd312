"""The normalized media requests: generate, edit, upscale, control (images) and video.

One request type per operation family; the variant is a field (`operation` for edits, `mode` for
upscales and controls), and each variant needs its own `Capability` (``media.edit.inpaint``...), so
the router skips providers that lack it. What holds for every vendor is checked here (a field that
does not apply to the variant, a missing prompt where the variant needs one, `aspect_ratio` and
`size` together); vendor ranges (Stability's ``grow_mask`` 0-20 outside inpaint) are checked by the
plugin. Vendor extras go in `provider_options`, as everywhere.

`size` is a wish: vendors that take aspect ratios use the nearest one they support
(`nearest_aspect_ratio`) and report it in `MediaResult.aspect_ratio`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from .._provider import Capability
from ._aspect import nearest_aspect_ratio
from ._media_input import ImageInput, MediaImage, image_input
from ._options import WithProviderOptions

__all__ = [
    "EditOperation",
    "MediaControlRequest",
    "MediaEditRequest",
    "MediaGenerateRequest",
    "MediaRequest",
    "MediaUpscaleRequest",
    "VideoGenerateRequest",
    "nearest_aspect_ratio",
]

EditOperation = Literal["inpaint", "outpaint", "erase", "search_and_replace", "search_and_recolor", "remove_background"]
_RATIO = r"^[1-9][0-9]*:[1-9][0-9]*$"
_SIZE = r"^[1-9][0-9]*x[1-9][0-9]*$"
_SEED_MAX = 4_294_967_295


def _images(value: Any) -> Any:
    """One image or a list of them, as a list (None: none)."""
    if value is None:
        return []
    return [image_input(item) for item in value] if isinstance(value, list) else [image_input(value)]


class MediaRequest(WithProviderOptions):
    """What every media request has: the model, the output's form, and the image inputs."""

    model: str = Field(min_length=1)
    """`provider/model` or a configured alias."""
    seed: int | None = Field(default=None, ge=0, le=_SEED_MAX)
    """Fixes the randomness (0 or None: the vendor picks)."""
    output_format: Literal["png", "jpeg", "webp"] | None = None
    response_format: Literal["bytes", "b64_json"] | None = None
    """How image bytes travel when the vendor offers a choice: raw bytes (`MediaOutput.content`,
    the default) or base64 JSON (`MediaOutput.b64_json`; keeps the seed and finish reason through
    relays that drop response headers). Vendors that answer with URLs ignore it."""

    image_fields: ClassVar[tuple[str, ...]] = ()
    """The fields holding `ImageInput`s (a single input or a list)."""

    @property
    def capability(self) -> Capability:
        """The capability this request needs (its operation and variant)."""
        raise NotImplementedError

    @property
    def kind(self) -> str:
        """The operation, as `Task.kind` and `MediaResult.kind` name it (the capability's value)."""
        return self.capability.value

    def image_inputs(self) -> list[tuple[str, int | None, ImageInput]]:
        """Every image input as ``(field, index in a list or None, input)``."""
        found: list[tuple[str, int | None, ImageInput]] = []
        for name in self.image_fields:
            value = getattr(self, name)
            if isinstance(value, list):
                found.extend((name, index, item) for index, item in enumerate(value))
            elif value is not None:
                found.append((name, None, value))
        return found

    def _refuse(self, names: Iterable[str], variant: str) -> None:
        for name in names:
            if getattr(self, name) not in (None, []):
                raise ValueError(f"{name}: does not apply to {variant}")


class MediaGenerateRequest(MediaRequest):
    """Make images from a prompt, optionally guided by input images (image-to-image, references)."""

    prompt: str = Field(min_length=1, max_length=32000)
    negative_prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    aspect_ratio: str | None = Field(default=None, pattern=_RATIO)
    """``W:H`` such as ``16:9``."""
    size: str | None = Field(default=None, pattern=_SIZE)
    """``WIDTHxHEIGHT``; vendors that take aspect ratios use the nearest one they support."""
    style_preset: str | None = Field(default=None, min_length=1)
    n: int | None = Field(default=None, ge=1, le=10)
    image: Annotated[list[ImageInput], BeforeValidator(_images), Field(max_length=16)] = Field(default_factory=list)
    """Input images: one for image-to-image, or several references where the vendor takes them."""
    strength: float | None = Field(default=None, ge=0, le=1)
    """How far to move from the input image (0 keeps it, 1 ignores it)."""

    image_fields: ClassVar[tuple[str, ...]] = ("image",)

    @model_validator(mode="after")
    def _check(self) -> MediaGenerateRequest:
        if self.aspect_ratio is not None and self.size is not None:
            raise ValueError("size: give aspect_ratio or size, not both")
        if self.strength is not None and not self.image:
            raise ValueError("strength: applies only with an input image")
        return self

    @property
    def capability(self) -> Capability:
        return Capability.MEDIA_GENERATE


_EDIT_PROMPTS: dict[str, tuple[str, ...]] = {
    "inpaint": ("prompt",),
    "search_and_replace": ("prompt", "search_prompt"),
    "search_and_recolor": ("prompt", "select_prompt"),
}
_EDIT_FIELDS: dict[str, frozenset[str]] = {
    "inpaint": frozenset({"mask", "prompt", "negative_prompt", "grow_mask", "style_preset"}),
    "outpaint": frozenset({"prompt", "negative_prompt", "left", "right", "up", "down", "creativity", "style_preset"}),
    "erase": frozenset({"mask", "grow_mask"}),
    "search_and_replace": frozenset({"prompt", "negative_prompt", "search_prompt", "grow_mask", "style_preset"}),
    "search_and_recolor": frozenset({"prompt", "negative_prompt", "select_prompt", "grow_mask", "style_preset"}),
    "remove_background": frozenset(),
}
_EDIT_OPTIONAL = frozenset().union(*_EDIT_FIELDS.values())


class MediaEditRequest(MediaRequest):
    """Change an image: ``inpaint`` / ``erase`` (within `mask`), ``outpaint`` (by `left`, `right`,
    `up`, `down` pixels), ``search_and_replace`` / ``search_and_recolor`` (what `search_prompt` /
    `select_prompt` finds), ``remove_background``. A field that does not apply to `operation`
    is refused, naming it."""

    operation: EditOperation
    image: MediaImage
    mask: MediaImage | None = None
    """White where the image changes, black where it stays (an alpha channel in `image` also works)."""
    prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    negative_prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    search_prompt: str | None = Field(default=None, min_length=1)
    """``search_and_replace``: what to replace."""
    select_prompt: str | None = Field(default=None, min_length=1)
    """``search_and_recolor``: what to recolor."""
    grow_mask: int | None = Field(default=None, ge=0)
    """Pixels to grow the mask's edges by, softening them."""
    left: int | None = Field(default=None, ge=0)
    right: int | None = Field(default=None, ge=0)
    up: int | None = Field(default=None, ge=0)
    down: int | None = Field(default=None, ge=0)
    creativity: float | None = Field(default=None, ge=0, le=1)
    """``outpaint``: how freely the new area is invented."""
    style_preset: str | None = Field(default=None, min_length=1)

    image_fields: ClassVar[tuple[str, ...]] = ("image", "mask")

    @model_validator(mode="after")
    def _check(self) -> MediaEditRequest:
        allowed = _EDIT_FIELDS[self.operation]
        self._refuse(sorted(_EDIT_OPTIONAL - allowed), f"operation {self.operation!r}")
        for name in _EDIT_PROMPTS.get(self.operation, ()):
            if getattr(self, name) is None:
                raise ValueError(f"{name}: required for operation {self.operation!r}")
        if self.operation == "outpaint" and not any((self.left, self.right, self.up, self.down)):
            raise ValueError("left: outpaint needs at least one of left, right, up, down above 0")
        return self

    @property
    def capability(self) -> Capability:
        return Capability(f"media.edit.{self.operation}")


class MediaUpscaleRequest(MediaRequest):
    """Make an image larger: ``conservative`` (faithful), ``creative`` (re-imagines detail; often a
    `Task`) or ``fast``. Which of `prompt` and `creativity` a mode requires is the vendor's call."""

    mode: Literal["conservative", "creative", "fast"]
    image: MediaImage
    prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    negative_prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    creativity: float | None = Field(default=None, ge=0, le=1)
    style_preset: str | None = Field(default=None, min_length=1)

    image_fields: ClassVar[tuple[str, ...]] = ("image",)

    @model_validator(mode="after")
    def _check(self) -> MediaUpscaleRequest:
        if self.mode == "fast":
            self._refuse(("prompt", "negative_prompt", "creativity", "style_preset", "seed"), "mode 'fast'")
        return self

    @property
    def capability(self) -> Capability:
        return Capability(f"media.upscale.{self.mode}")


class MediaControlRequest(MediaRequest):
    """Make an image guided by another: its ``sketch``, its ``structure``, or its ``style``."""

    mode: Literal["sketch", "structure", "style"]
    image: MediaImage
    """The control image: the sketch, the structure source, or the style reference."""
    prompt: str = Field(min_length=1, max_length=32000)
    negative_prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    control_strength: float | None = Field(default=None, ge=0, le=1)
    """``sketch`` / ``structure``: how closely the result follows the control image."""
    fidelity: float | None = Field(default=None, ge=0, le=1)
    """``style``: how closely the result follows the reference's style."""
    aspect_ratio: str | None = Field(default=None, pattern=_RATIO)
    """``style``: the result's aspect ratio."""
    size: str | None = Field(default=None, pattern=_SIZE)
    """``style``: converted to the nearest supported aspect ratio."""
    style_preset: str | None = Field(default=None, min_length=1)

    image_fields: ClassVar[tuple[str, ...]] = ("image",)

    @model_validator(mode="after")
    def _check(self) -> MediaControlRequest:
        if self.mode == "style":
            self._refuse(("control_strength",), "mode 'style'")
        else:
            self._refuse(("fidelity", "aspect_ratio", "size"), f"mode {self.mode!r}")
        if self.aspect_ratio is not None and self.size is not None:
            raise ValueError("size: give aspect_ratio or size, not both")
        return self

    @property
    def capability(self) -> Capability:
        return Capability(f"media.control.{self.mode}")


class VideoGenerateRequest(MediaRequest):
    """Make a video from a prompt (text-to-video) or from a first frame (image-to-video)."""

    prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    negative_prompt: str | None = Field(default=None, min_length=1, max_length=32000)
    image: MediaImage | None = None
    """The first frame; with it the request is image-to-video."""
    last_frame: MediaImage | None = None
    duration: float | None = Field(default=None, gt=0)
    """Seconds."""
    aspect_ratio: str | None = Field(default=None, pattern=_RATIO)
    size: str | None = Field(default=None, pattern=_SIZE)
    resolution: str | None = Field(default=None, min_length=1)
    """E.g. ``720p``."""
    fps: int | None = Field(default=None, ge=1)
    generate_audio: bool | None = None

    image_fields: ClassVar[tuple[str, ...]] = ("image", "last_frame")

    @model_validator(mode="after")
    def _check(self) -> VideoGenerateRequest:
        if self.prompt is None and self.image is None:
            raise ValueError("prompt: a video needs a prompt, a first frame (image), or both")
        if self.last_frame is not None and self.image is None:
            raise ValueError("last_frame: needs a first frame (image) too")
        if self.aspect_ratio is not None and self.size is not None:
            raise ValueError("size: give aspect_ratio or size, not both")
        return self

    @property
    def mode(self) -> Literal["image_to_video", "text_to_video"]:
        return "image_to_video" if self.image is not None else "text_to_video"

    @property
    def capability(self) -> Capability:
        return Capability(f"video.{self.mode}")
