"""The hooks a relaykit plugin implements.

A plugin is any importable object (usually a module) registered under the ``relaykit`` entry-point
group. First-party plugins are registered exactly like third-party ones, in ``pyproject.toml``::

    [project.entry-points.relaykit]
    acme = "relaykit_acme"

and the module implements the hooks it needs::

    from relaykit.hookspecs import hookimpl
    from relaykit.plugin import Capability, Operation, ProviderSpec

    ACME = ProviderSpec(
        name="acme",
        description="Acme's chat API",
        capabilities=frozenset({Capability.CHAT, Capability.CHAT_STREAM}),
        operations={Operation.CHAT: "relaykit_acme._chat:chat"},
        default_base_url="https://api.acme.example/v1",
        default_api_key_env="ACME_API_KEY",
    )

    @hookimpl
    def register_providers(register):
        register(ACME)

Set ``RELAYKIT_PLUGINS`` to a comma-separated list of entry-point names to load only those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ._provider import ProviderSpec

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec", "register_providers"]

PROJECT_NAME = "relaykit"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_providers(register: Callable[[ProviderSpec], None]) -> None:
    """Register the provider kinds this plugin offers.

    Called once per plugin, the first time relaykit needs its provider registry (creating a client,
    listing providers). Call ``register(spec)`` once for each provider kind. Keep this hook cheap:
    import nothing heavy here; a ``ProviderSpec`` names its flows as ``"module:function"`` strings
    that are imported on first use.

    :param register: records one `relaykit.plugin.ProviderSpec`. It raises
        `relaykit.PluginError` when another plugin already registered a provider with the same name,
        naming both distributions.
    """
