"""Moderation (`POST /v1/moderations`, OpenAI-shaped): the request and the answer.

Which model answers: `model` is `provider/model`, an alias, or a bare model name served by the
configured `default_provider`. When `model` is left out, the `default_provider` serves the request
with its own default moderation model (OpenAI: `omni-moderation-latest`); with neither, the request
is invalid (field `model`) and nothing is sent.
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field, model_validator

from ._base import RequestModel, ResponseModel, WithVendorData
from ._messages import TextContentPart
from ._options import WithProviderOptions

__all__ = [
    "DEFAULT_MODERATION_MODEL",
    "ModerationImageURL",
    "ModerationImageURLInput",
    "ModerationInputPart",
    "ModerationRequest",
    "ModerationResponse",
    "ModerationResult",
]

DEFAULT_MODERATION_MODEL = "omni-moderation-latest"
"""OpenAI's default moderation model, used when the request names none."""


class ModerationImageURL(RequestModel):
    url: str = Field(min_length=1)
    """An https URL or a `data:image/...;base64,...` URI."""


class ModerationImageURLInput(RequestModel):
    type: Literal["image_url"] = "image_url"
    image_url: ModerationImageURL


ModerationInputPart: TypeAlias = Annotated[TextContentPart | ModerationImageURLInput, Field(discriminator="type")]


class ModerationRequest(WithProviderOptions):
    """A moderation request: text, a list of texts, or a list of text and image parts.

    See the module docstring for how `model` (optional) picks the provider.
    """

    input: str | list[str] | list[ModerationInputPart]
    model: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _check_input(self) -> ModerationRequest:
        if isinstance(self.input, list) and not self.input:
            raise ValueError("input: an empty list has nothing to moderate")
        return self


class ModerationResult(ResponseModel):
    """The verdict on one input (or on all parts of a multi-modal input)."""

    flagged: bool
    categories: dict[str, bool] = Field(default_factory=dict)
    """Category name (`hate`, `self-harm/intent`, ...) to whether it was flagged."""
    category_scores: dict[str, float] = Field(default_factory=dict)
    category_applied_input_types: dict[str, list[str]] | None = None
    """Category name to the input types (`text`, `image`) the verdict applies to."""


class ModerationResponse(WithVendorData):
    """A moderation answer: one result per input. `provider` names the provider that answered."""

    id: str
    model: str
    results: list[ModerationResult]
    provider: str | None = None
    request_id: str | None = None

    @property
    def flagged(self) -> bool:
        """True when any input was flagged."""
        return any(result.flagged for result in self.results)
