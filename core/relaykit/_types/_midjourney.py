"""Midjourney's own operations (the midjourney-proxy task API), as typed requests and button helpers.

Midjourney has no official API; relaykit speaks the midjourney-proxy protocol that self-hosted
proxies and relays (Vocka, EZLink...) serve under ``/mj`` (``shared/dialects/midjourney.md``).
Every submit answers a `Task` (``kind`` ``midjourney.<op>``) that `client.tasks.wait` follows; a
finished task carries the buttons Midjourney offers next (`buttons`), each one a follow-up
`client.midjourney.action`.

Images go as data URLs: `ImageInput`'s forms (bytes, a path, base64, a data URI) are accepted and
encoded; a URL is refused (the proxy wants the bytes).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ._base import RequestModel
from ._media_input import ImageInput, image_input
from ._options import WithProviderOptions
from ._task import Task

__all__ = [
    "MidjourneyAccountFilter",
    "MidjourneyActionRequest",
    "MidjourneyBlendRequest",
    "MidjourneyButton",
    "MidjourneyChangeRequest",
    "MidjourneyDescribeRequest",
    "MidjourneyImagineRequest",
    "MidjourneyListRequest",
    "MidjourneyModalRequest",
    "MidjourneyRequest",
    "MidjourneySeedRequest",
    "MidjourneyShortenRequest",
    "MidjourneySwapFaceRequest",
    "buttons",
    "describe_prompts",
]

BotType = Literal["MID_JOURNEY", "NIJI_JOURNEY"]


def _bytes_image(value: Any) -> Any:
    converted = image_input(value)
    if isinstance(converted, ImageInput) and converted.url is not None:
        raise ValueError("Midjourney takes the image's bytes (a data URL), not a URL")
    return converted


MjImage = Annotated[ImageInput, BeforeValidator(_bytes_image)]


class MidjourneyAccountFilter(RequestModel):
    """Which proxy account may run the job (relays drop it unless their operator allows it)."""

    instance_id: str | None = None
    channel_id: str | None = None
    modes: list[Literal["FAST", "RELAX", "TURBO"]] | None = None
    remix: bool | None = None
    niji_remix: bool | None = None
    remix_auto_considered: bool | None = None
    remark: str | None = None


class MidjourneyRequest(WithProviderOptions):
    """What every Midjourney call has; `op` names the proxy operation."""

    op: ClassVar[str] = ""
    task_fields: ClassVar[bool] = True
    """Whether the common submit fields (bot type, account filter, state, hook) apply."""

    bot_type: BotType | None = None
    """``MID_JOURNEY`` (the proxy's default) or ``NIJI_JOURNEY``."""
    account_filter: MidjourneyAccountFilter | None = None
    state: str | None = Field(default=None, max_length=255)
    """Opaque text echoed back on the task."""
    notify_hook: str | None = Field(default=None, pattern=r"^https?://", max_length=2000)
    """A callback URL the proxy posts task updates to (relays usually drop it)."""

    @property
    def kind(self) -> str:
        """`Task.kind` of the task this request makes."""
        return f"midjourney.{self.op}"


class MidjourneyImagineRequest(MidjourneyRequest):
    """``/imagine``: a 4-image grid from `prompt` (Midjourney parameters like ``--ar 16:9`` inline)."""

    op: ClassVar[str] = "imagine"
    model: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    base64_array: list[MjImage] = Field(default_factory=list, max_length=5)
    """Reference images."""


class MidjourneyBlendRequest(MidjourneyRequest):
    """``/blend``: 2-5 images into one."""

    op: ClassVar[str] = "blend"
    model: str = Field(min_length=1)
    base64_array: list[MjImage] = Field(min_length=2, max_length=5)
    dimensions: Literal["PORTRAIT", "SQUARE", "LANDSCAPE"] | None = None


class MidjourneyDescribeRequest(MidjourneyRequest):
    """``/describe``: four prompts for an image (`describe_prompts` of the finished task)."""

    op: ClassVar[str] = "describe"
    model: str = Field(min_length=1)
    base64: MjImage


class MidjourneyShortenRequest(MidjourneyRequest):
    """``/shorten``: Midjourney's analysis of `prompt`'s tokens (in the finished task's ``final_prompt``)."""

    op: ClassVar[str] = "shorten"
    model: str = Field(min_length=1)
    prompt: str = Field(min_length=1)


class MidjourneySwapFaceRequest(MidjourneyRequest):
    """InsightFace: put the face of `source` onto `target`."""

    op: ClassVar[str] = "swap_face"
    model: str = Field(min_length=1)
    source: MjImage
    target: MjImage


class MidjourneyActionRequest(MidjourneyRequest):
    """Press a button (`custom_id`) of finished task `task_id`."""

    op: ClassVar[str] = "action"
    task_id: str = Field(min_length=1)
    custom_id: str = Field(min_length=1)
    enable_remix: bool | None = None


class MidjourneyChangeRequest(MidjourneyRequest):
    """The open-source forms: ``change`` (action + index) or, with `simple`, ``simple-change``."""

    op: ClassVar[str] = "change"
    task_id: str = Field(min_length=1, pattern=r"^\S+$")
    action: Literal["UPSCALE", "VARIATION", "REROLL"]
    index: int | None = Field(default=None, ge=1, le=4)
    simple: bool = False

    @model_validator(mode="after")
    def _index(self) -> MidjourneyChangeRequest:
        if self.action != "REROLL" and self.index is None:
            raise ValueError(f"index: {self.action} needs an index 1-4")
        if self.action == "REROLL" and self.index is not None:
            raise ValueError("index: REROLL takes no index")
        return self


class MidjourneyModalRequest(MidjourneyRequest):
    """Confirm the modal an action opened (vary region with `mask`, custom zoom or remix `prompt`)."""

    op: ClassVar[str] = "modal"
    task_id: str = Field(min_length=1)
    prompt: str | None = None
    mask: MjImage | None = None


class MidjourneyListRequest(MidjourneyRequest):
    """Several tasks at once, by id."""

    op: ClassVar[str] = "list"
    task_fields: ClassVar[bool] = False
    model: str = Field(min_length=1)
    ids: list[str] = Field(min_length=1)

    @field_validator("ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for index, item in enumerate(value):
            if not item:
                raise ValueError(f"ids.{index}: empty id")
        return value


class MidjourneySeedRequest(MidjourneyRequest):
    """The seed of a finished image task."""

    op: ClassVar[str] = "seed"
    task_fields: ClassVar[bool] = False
    task_id: str = Field(min_length=1)


class MidjourneyButton(BaseModel):
    """One button of a finished task: press it with ``client.midjourney.action(task, button)``."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    custom_id: str = Field(alias="customId", min_length=1)
    label: str = ""
    emoji: str = ""
    style: int | None = None
    type: int | None = None

    @property
    def name(self) -> str:
        """The button's label, else its emoji, else its custom id."""
        return self.label or self.emoji or self.custom_id

    @property
    def job(self) -> str:
        """What it does, read from the custom id (``upsample``, ``variation``, ``reroll``, ``pan_left``,
        ``Inpaint``, ``Outpaint``, ``CustomZoom``...)."""
        parts = self.custom_id.split("::")
        if len(parts) >= 3 and parts[1] == "JOB":
            return parts[2]
        return parts[1] if len(parts) >= 2 else self.custom_id

    @property
    def opens_modal(self) -> bool:
        """True for buttons that wait for `client.midjourney.modal` (vary region, custom zoom)."""
        return self.job in ("Inpaint", "CustomZoom")


def buttons(task: Task) -> list[MidjourneyButton]:
    """The buttons of a Midjourney `task` (empty while it runs, or for another vendor's task)."""
    found = task.vendor_data.get("buttons") or []
    return [MidjourneyButton.model_validate(item) for item in found if isinstance(item, dict) and item.get("customId")]


def describe_prompts(task: Task) -> list[str]:
    """The prompts a finished ``describe`` task proposed (empty for other tasks)."""
    prompts = task.vendor_data.get("prompts") or []
    return [str(item) for item in prompts]
