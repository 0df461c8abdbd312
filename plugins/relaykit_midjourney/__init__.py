"""Midjourney through the midjourney-proxy task API (self-hosted proxies, and relays under ``/mj``).

One provider kind, ``midjourney``: ``base_url`` is the proxy's ``/mj`` root (a relay's
``https://<relay>/mj``, or ``/mj-relax/mj`` for its relax pool), the key from ``MJ_API_SECRET``
sent as ``mj-api-secret`` and/or ``Authorization: Bearer`` (the `auth` setting). Reference:
``shared/dialects/midjourney.md``; the decisions are listed in ``docs/providers/midjourney.md``.

Every operation is `Operation.MIDJOURNEY` (``client.midjourney``): a submit answers a `Task`,
polled by `Operation.TASK_GET`. Relay plugins reuse the flows through this module's public names
(`midjourney_flow`, `task_get`) with their own settings: the flows read ``base_url``, ``auth``,
``bot_type`` and ``poll_interval`` from whatever settings object the context carries (defaults
apply when a field is absent). Modules: ``_common`` (auth, envelopes and errors), ``_submit`` (the
submit flows), ``_tasks`` (task objects, fetch, list, seed).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from relaykit.hookspecs import hookimpl
from relaykit.plugin import Capability, Operation, ProviderSettings, ProviderSpec

if TYPE_CHECKING:
    from ._submit import midjourney as midjourney_flow
    from ._tasks import task_from_wire, task_get

# The flows are imported on first use, not when the plugin registers (that keeps them out of the
# cold import of every application that never calls Midjourney).
_LAZY = {
    "midjourney_flow": ("relaykit_midjourney._submit", "midjourney"),
    "task_from_wire": ("relaykit_midjourney._tasks", "task_from_wire"),
    "task_get": ("relaykit_midjourney._tasks", "task_get"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MIDJOURNEY", "MidjourneySettings", "midjourney_flow", "register_providers", "task_from_wire", "task_get"]

_OPS = {
    Operation.MIDJOURNEY: "relaykit_midjourney._submit:midjourney",
    Operation.TASK_GET: "relaykit_midjourney._tasks:task_get",
}


class MidjourneySettings(ProviderSettings):
    """Settings of the midjourney-proxy dialect, on top of the common ones."""

    auth: Literal["mj-api-secret", "bearer", "both"] = "both"
    """How the key travels: the proxy's ``mj-api-secret`` header, ``Authorization: Bearer`` (relays),
    or both (what every relay and proxy accepts)."""
    bot_type: Literal["MID_JOURNEY", "NIJI_JOURNEY"] | None = None
    """The bot for submits that do not name one (None: the proxy's default, Midjourney)."""
    poll_interval: float = Field(default=3.0, gt=0)
    """Seconds between polls, given to `client.tasks.wait` as `Task.poll_after` (relays refresh
    their copy of a task every 15 s; polling faster than every 3 s gains nothing)."""


MIDJOURNEY = ProviderSpec(
    name="midjourney",
    description="Midjourney via the midjourney-proxy task API (imagine, buttons, blend, describe, shorten, swap)",
    capabilities=frozenset({Capability.MIDJOURNEY}),
    operations=_OPS,
    settings_model=MidjourneySettings,
    default_base_url="http://127.0.0.1:8080/mj",
    default_api_key_env="MJ_API_SECRET",
    requires_api_key=False,
    emulator="relaykit_midjourney.emulator:MidjourneyEmulator",
)


@hookimpl
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    register(MIDJOURNEY)
