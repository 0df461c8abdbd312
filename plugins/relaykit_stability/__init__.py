"""The Stability AI dialect: the v2beta "Stable Image" and image-to-video routes, and legacy v1.

One provider kind, ``stability``: api.stability.ai (or a relay that passes the v2beta routes
through, such as EZLink), key from ``STABILITY_API_KEY``. Reference:
``shared/dialects/stability.md``; the translation decisions are listed in
``docs/providers/stability.md``.

The route, not a form field, selects the model, so the model id says which route a call takes:

- generate: ``ultra``, ``core``, ``sd3.5-large`` / ``-large-turbo`` / ``-medium`` / ``-flash``
  (and the legacy ``sd3-*`` ids, which Stability reroutes), or a v1 engine
  (``stable-diffusion-xl-1024-v1-0``...) for the legacy JSON text-to-image;
- edit, upscale, control: any other id; ``stable-image`` by convention;
- image-to-video: ``stable-video-diffusion``.

Modules: ``_common`` (auth, multipart forms, the answers, the error envelope), ``_generate``,
``_v1``, ``_edit``, ``_upscale`` (with ``_control``), ``_video``, ``_results`` (polling the
asynchronous jobs: creative upscale and image-to-video).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

__all__ = ["STABILITY", "StabilitySettings", "register_providers"]

_OPS = {
    Operation.MEDIA_GENERATE: "relaykit_stability._generate:generate",
    Operation.MEDIA_EDIT: "relaykit_stability._edit:edit",
    Operation.MEDIA_UPSCALE: "relaykit_stability._upscale:upscale",
    Operation.MEDIA_CONTROL: "relaykit_stability._upscale:control",
    Operation.VIDEO_GENERATE: "relaykit_stability._video:video",
    Operation.TASK_GET: "relaykit_stability._results:task_get",
}

_GENERATE = frozenset({Capability.MEDIA_GENERATE})
_VIDEO = frozenset({Capability.VIDEO_IMAGE_TO_VIDEO})
_IMAGE_TOOLS = frozenset(
    {
        Capability.MEDIA_EDIT_INPAINT,
        Capability.MEDIA_EDIT_OUTPAINT,
        Capability.MEDIA_EDIT_ERASE,
        Capability.MEDIA_EDIT_SEARCH_AND_REPLACE,
        Capability.MEDIA_EDIT_SEARCH_AND_RECOLOR,
        Capability.MEDIA_EDIT_REMOVE_BACKGROUND,
        Capability.MEDIA_UPSCALE_CONSERVATIVE,
        Capability.MEDIA_UPSCALE_CREATIVE,
        Capability.MEDIA_UPSCALE_FAST,
        Capability.MEDIA_CONTROL_SKETCH,
        Capability.MEDIA_CONTROL_STRUCTURE,
        Capability.MEDIA_CONTROL_STYLE,
    }
)
VIDEO_MODELS = ("stable-video-diffusion", "svd")
V1_PREFIX = "stable-diffusion-"
"""Model ids starting with this are v1 engines, served by ``POST /v1/generation/{engine}/text-to-image``."""


def is_generate_model(model: str) -> bool:
    """True for the ids that name a generate route (ultra, core, sd3*) or a v1 engine."""
    return model in ("ultra", "core") or model.startswith(("sd3", V1_PREFIX))


def _model_capabilities(model: str) -> frozenset[Capability]:
    if is_generate_model(model):
        return _GENERATE
    if model in VIDEO_MODELS:
        return _VIDEO
    return _IMAGE_TOOLS


class StabilitySettings(ProviderSettings):
    """Settings of the Stability dialect, on top of the common ones."""

    poll_interval: float = Field(default=10.0, gt=0)
    """Seconds between polls of a job's result, given to `client.tasks.wait` as the vendor's hint
    (`Task.poll_after`). Stability asks clients not to poll more than once every 10 seconds."""


STABILITY = ProviderSpec(
    name="stability",
    description="Stability AI (api.stability.ai): v2beta generate, edit, upscale, control, image-to-video; v1",
    capabilities=_GENERATE | _VIDEO | _IMAGE_TOOLS,
    operations=_OPS,
    settings_model=StabilitySettings,
    default_base_url="https://api.stability.ai",
    default_api_key_env="STABILITY_API_KEY",
    model_capabilities=_model_capabilities,
    emulator="relaykit_stability.emulator:StabilityEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(STABILITY)
