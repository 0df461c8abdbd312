"""The `provider_options` field shared by requests: vendor extras, keyed by provider kind or name."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RequestModel

__all__ = ["WithProviderOptions", "merge_options"]


class WithProviderOptions(RequestModel):
    """A request that carries vendor extras, explicitly and per provider.

    `provider_options` maps a provider kind or configured provider name to the extra body fields
    that provider should receive: `{"openai": {"service_tier": "flex"}}`.
    """

    provider_options: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def options_for(self, *names: str) -> dict[str, Any]:
        """The merged `provider_options` for a provider known by these names (kind, then name)."""
        return merge_options(self.provider_options, names)


def merge_options(provider_options: dict[str, dict[str, Any]], names: tuple[str, ...]) -> dict[str, Any]:
    """The entries of `provider_options` under `names`, merged in order (later names win)."""
    if not provider_options:  # the common case, on every call
        return {}
    merged: dict[str, Any] = {}
    for name in names:
        merged.update(provider_options.get(name, {}))
    return merged
