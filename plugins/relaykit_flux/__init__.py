"""The Black Forest Labs (FLUX) dialect: submit a job to a model's route, then poll its result.

One provider kind, ``flux``: api.bfl.ai (or a regional host, or a relay that passes the BFL routes
through, such as EZLink's ``/flux``), key from ``BFL_API_KEY``, sent as ``x-key``. Reference:
``shared/dialects/flux.md``; the translation decisions are listed in ``docs/providers/flux.md``.

Every call is asynchronous at BFL, so every media call returns a `Task`:

- generate: FLUX1.1 [pro] and ultra, FLUX.1 [pro] and [dev], Kontext pro / max, FLUX.2
  (``flux-2-pro``, ``-max``, ``-flex``, ``-klein-*``);
- edit: ``inpaint`` on ``flux-pro-1.0-fill``, ``outpaint`` on ``flux-pro-1.0-expand``.

The model id names the route (see ``_models``). Modules: ``_models`` (the route table),
``_common`` (auth, the error envelope, body helpers), ``_sizes`` (sizes and aspect ratios),
``_submit`` (the generate and edit flows), ``_results`` (one poll of a task).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import Field

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

from ._models import model_capabilities

__all__ = ["FLUX", "FluxSettings", "register_providers"]

_OPS = {
    Operation.MEDIA_GENERATE: "relaykit_flux._submit:generate",
    Operation.MEDIA_EDIT: "relaykit_flux._submit:edit",
    Operation.TASK_GET: "relaykit_flux._results:task_get",
}


class FluxSettings(ProviderSettings):
    """Settings of the BFL dialect, on top of the common ones."""

    poll_interval: float = Field(default=1.0, gt=0)
    """Seconds before the next poll of a young job, given to `client.tasks.wait` as the task's
    `poll_after`. The pause grows with the job's age (a fifth of it) up to `max_poll_interval`:
    BFL suggests 0.5-2 s for images, backing off to about 5 s."""
    max_poll_interval: float = Field(default=5.0, gt=0)
    polling: Literal["auto", "polling_url", "base_url"] = "auto"
    """Where a job is polled. ``polling_url``: the URL the submit answered (BFL routes jobs to
    regional clusters); ``base_url``: ``{base_url}/v1/get_result?id=`` on the configured host (a
    relay, which rewrites ``polling_url`` to BFL's own host); ``auto``: the polling URL when it is
    on the configured host, or on a BFL host while the configured host is BFL's, else the base URL
    (the key is never sent to a host it was not configured for)."""
    not_found_grace: float = Field(default=10.0, ge=0)
    """Seconds after submitting during which ``Task not found`` for a job never seen yet is read as
    "not there yet" (a regional host may not know a fresh id), for up to three looks."""
    result_ttl: float = Field(default=600.0, gt=0)
    """Seconds a result URL is taken to live when it does not say (BFL documents about 10 minutes)."""


FLUX = ProviderSpec(
    name="flux",
    description="Black Forest Labs (api.bfl.ai): FLUX 1.1 pro / ultra, pro, dev, Kontext, FLUX.2, fill, expand",
    capabilities=frozenset(
        {
            Capability.MEDIA_GENERATE,
            Capability.MEDIA_EDIT_INPAINT,
            Capability.MEDIA_EDIT_OUTPAINT,
            Capability.MEDIA_URL_INPUT,
        }
    ),
    operations=_OPS,
    settings_model=FluxSettings,
    default_base_url="https://api.bfl.ai",
    default_api_key_env="BFL_API_KEY",
    model_capabilities=model_capabilities,
    emulator="relaykit_flux.emulator:FluxEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(FLUX)
