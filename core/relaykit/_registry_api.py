"""`relaykit.providers()`: the registered provider kinds, for listings and tooling."""

from __future__ import annotations

from ._plugins import ProviderRegistry, get_registry

__all__ = ["providers"]


def providers() -> ProviderRegistry:
    """The provider kinds registered by installed plugins (loaded on first call)."""
    return get_registry()
