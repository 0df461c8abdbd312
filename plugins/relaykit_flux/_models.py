"""The BFL model table: which route each model id takes, and the rules of its family.

Reference: ``shared/dialects/flux.md`` sections 1 (routes) and 2 (fields). The route, not a body
field, selects the model (``flux/flux-pro-1.1`` posts to ``/v1/flux-pro-1.1``), so the mapping is
data: one `FluxModel` per id BFL lists, and prefix rules for ids of a known family that the table
does not name yet (a new ``flux-2-*`` model works before relaykit lists it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from relaykit.plugin import Capability

__all__ = ["MODELS", "FluxModel", "PixelRules", "flux_model", "model_capabilities"]

Operation = Literal["generate", "inpaint", "outpaint"]
ImageStyle = Literal["image_prompt", "input_image", "none"]


@dataclass(frozen=True)
class PixelRules:
    """How a family takes ``width`` / ``height``: multiples of `step`, sides within `low`..`high`,
    at most `max_pixels` in all (0: no limit besides the sides)."""

    step: int
    low: int
    high: int
    max_pixels: int = 0


FLUX1_PIXELS = PixelRules(step=32, low=256, high=1440)
FLUX2_PIXELS = PixelRules(step=16, low=64, high=4096, max_pixels=2048 * 2048)


@dataclass(frozen=True)
class FluxModel:
    """One BFL model: its route and what its body takes.

    A generate model with `pixels` takes ``width`` / ``height``; one without takes ``aspect_ratio``
    (BFL's default when none is sent: `ratio_default`, or the input image's). `images` says how
    input images travel (``image_prompt``: one base64 remix image; ``input_image``:
    ``input_image``, ``input_image_2``... up to `max_images`, base64 or a URL BFL fetches).
    `safety_max` is the top of the family's ``safety_tolerance`` range.
    """

    path: str
    operation: Operation = "generate"
    pixels: PixelRules | None = None
    ratio_default: str | None = None
    images: ImageStyle = "none"
    max_images: int = 0
    image_strength: bool = False
    """True when ``image_prompt_strength`` exists (ultra): `strength` is sent as its complement."""
    safety_max: int = 6

    @property
    def fetches_urls(self) -> bool:
        """True when BFL downloads URL inputs itself (Kontext and FLUX.2 ``input_image``)."""
        return self.images == "input_image"


def _pro(path: str) -> FluxModel:
    return FluxModel(path, pixels=FLUX1_PIXELS, images="image_prompt", max_images=1)


def _kontext(path: str) -> FluxModel:
    return FluxModel(path, images="input_image", max_images=4)


def _flux2(path: str, max_images: int = 8) -> FluxModel:
    return FluxModel(path, pixels=FLUX2_PIXELS, images="input_image", max_images=max_images, safety_max=5)


MODELS: dict[str, FluxModel] = {
    "flux-pro-1.1": _pro("/v1/flux-pro-1.1"),
    "flux-pro-1.1-ultra": FluxModel(
        "/v1/flux-pro-1.1-ultra",
        ratio_default="16:9",
        images="image_prompt",
        max_images=1,
        image_strength=True,
    ),
    "flux-pro": _pro("/v1/flux-pro"),
    "flux-dev": _pro("/v1/flux-dev"),
    "flux-kontext-pro": _kontext("/v1/flux-kontext-pro"),
    "flux-kontext-max": _kontext("/v1/flux-kontext-max"),
    "flux-pro-1.0-fill": FluxModel("/v1/flux-pro-1.0-fill", operation="inpaint"),
    "flux-pro-1.0-expand": FluxModel("/v1/flux-pro-1.0-expand", operation="outpaint"),
    "flux-2-pro": _flux2("/v1/flux-2-pro"),
    "flux-2-pro-preview": _flux2("/v1/flux-2-pro-preview"),
    "flux-2-max": _flux2("/v1/flux-2-max"),
    "flux-2-flex": _flux2("/v1/flux-2-flex"),
    "flux-2-klein-4b": _flux2("/v1/flux-2-klein-4b", max_images=4),
    "flux-2-klein-9b": _flux2("/v1/flux-2-klein-9b", max_images=4),
    "flux-2-klein-9b-preview": _flux2("/v1/flux-2-klein-9b-preview", max_images=4),
}
"""Every model id of the reference's route table, by id."""

# Ids the table does not name, by family: the first matching prefix gives the rules.
_FAMILIES: tuple[tuple[str, FluxModel], ...] = (
    ("flux-2-klein-", _flux2("", max_images=4)),
    ("flux-2-", _flux2("")),
    ("flux-kontext-", _kontext("")),
)

_CAPABILITIES: dict[Operation, frozenset[Capability]] = {
    "generate": frozenset({Capability.MEDIA_GENERATE}),
    "inpaint": frozenset({Capability.MEDIA_EDIT_INPAINT}),
    "outpaint": frozenset({Capability.MEDIA_EDIT_OUTPAINT}),
}


def flux_model(model: str) -> FluxModel | None:
    """The rules and route of `model`: from the table, else by family prefix; None when unknown."""
    if model in MODELS:
        return MODELS[model]
    for prefix, family in _FAMILIES:
        if model.startswith(prefix) and len(model) > len(prefix):
            return replace(family, path=f"/v1/{model}")
    return None


def model_capabilities(model: str) -> frozenset[Capability] | None:
    """The capabilities of `model`: its operation's, plus `MEDIA_URL_INPUT` where BFL fetches URLs.

    None for an unknown id, so the flow refuses it naming the model (rather than a capability).
    """
    found = flux_model(model)
    if found is None:
        return None
    capabilities = _CAPABILITIES[found.operation]
    return capabilities | {Capability.MEDIA_URL_INPUT} if found.fetches_urls else capabilities
