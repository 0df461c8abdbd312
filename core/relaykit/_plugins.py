"""The plugin manager: entry-point discovery, `RELAYKIT_PLUGINS` filtering, the provider registry.

Discovery happens once, the first time the registry is needed (a client is created, providers are
listed), never at `import relaykit`: the import stays cheap, and a broken third-party plugin cannot
break it. Plugins register `ProviderSpec`s whose flows are imported only when first called.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import pluggy

from . import hookspecs
from ._entry_points import EntryPointLike, find_entry_points
from ._provider import ProviderSpec

__all__ = ["ProviderRegistry", "get_registry", "reset_registry"]

ENTRY_POINT_GROUP = "relaykit"


class ProviderRegistry(Mapping[str, ProviderSpec]):
    """Provider kinds by name, with the distribution each came from."""

    def __init__(self) -> None:
        self._specs: dict[str, ProviderSpec] = {}
        self.plugin_manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.plugin_manager.add_hookspecs(hookspecs)

    def __getitem__(self, name: str) -> ProviderSpec:
        return self._specs[name]

    def __iter__(self) -> Any:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    @classmethod
    def of(cls, *specs: ProviderSpec, distribution: str = "local") -> ProviderRegistry:
        """A registry holding exactly `specs`: for testing a plugin without installing it.

        Pass it as ``relaykit.Client(registry=...)``.
        """
        registry = cls()
        for spec in specs:
            registry._add_spec(spec, distribution, spec.name)
        return registry

    def add_plugin(self, plugin: object, *, name: str, distribution: str) -> None:
        """Register a plugin object and collect the providers it registers."""
        try:
            self.plugin_manager.register(plugin, name=name)
        except ValueError as exc:
            raise _plugin_error(f"plugin {name!r} from {distribution} could not be registered: {exc}") from exc
        for impl in self.plugin_manager.hook.register_providers.get_hookimpls():
            if impl.plugin_name == name:
                impl.function(register=lambda spec: self._add_spec(spec, distribution, name))

    def _add_spec(self, spec: ProviderSpec, distribution: str, entry_point: str) -> None:
        if not isinstance(spec, ProviderSpec):
            raise _plugin_error(f"plugin {entry_point!r} ({distribution}) registered {spec!r}, not a ProviderSpec")
        existing = self._specs.get(spec.name)
        if existing is not None:
            raise _plugin_error(
                f"provider {spec.name!r} is registered twice: by {existing.distribution} and by {distribution} "
                f"(entry point {entry_point!r}); uninstall one, or restrict loading with RELAYKIT_PLUGINS"
            )
        self._specs[spec.name] = replace(spec, distribution=distribution)


def _plugin_error(message: str) -> Exception:
    from ._errors import PluginError  # the error module loads when a plugin fails, not at registration

    return PluginError(message)


_lock = threading.Lock()
_registry: ProviderRegistry | None = None


def _wanted(names: str | None) -> set[str] | None:
    if names is None:
        return None
    return {part.strip() for part in names.split(",") if part.strip()}


def _entry_points() -> Iterable[EntryPointLike]:
    return find_entry_points(ENTRY_POINT_GROUP)


def load_registry(plugins: Iterable[EntryPointLike] | None = None, only: str | None = None) -> ProviderRegistry:
    """Build a registry from entry points (all of them, or only those `only` names)."""
    registry = ProviderRegistry()
    wanted = _wanted(only)
    for ep in _entry_points() if plugins is None else plugins:
        if wanted is not None and ep.name not in wanted:
            continue
        distribution = ep.dist.name if ep.dist is not None else "an unknown distribution"
        try:
            plugin = ep.load()
        except Exception as exc:
            raise _plugin_error(f"plugin {ep.name!r} from {distribution} failed to load ({ep.value}): {exc}") from exc
        registry.add_plugin(plugin, name=ep.name, distribution=distribution)
    return registry


def get_registry() -> ProviderRegistry:
    """The process-wide registry, loaded on first use (honouring `RELAYKIT_PLUGINS`)."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = load_registry(only=os.environ.get("RELAYKIT_PLUGINS"))
    return _registry


def reset_registry(registry: ProviderRegistry | None = None) -> None:
    """Forget the loaded registry (or install `registry`), e.g. after changing `RELAYKIT_PLUGINS`."""
    global _registry
    with _lock:
        _registry = registry
