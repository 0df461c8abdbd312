"""`Target`: what an author declares about the provider the kit checks."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..._provider import Capability, ProviderSpec
from .._emulator import Emulator
from ._meta import parse_pin

__all__ = ["Target"]

_FAMILIES = {
    Capability.CHAT_STREAM: Capability.CHAT,
    Capability.TOOLS: Capability.CHAT,
    Capability.VISION: Capability.CHAT,
    Capability.AUDIO_INPUT: Capability.CHAT,
    Capability.JSON_OBJECT: Capability.CHAT,
    Capability.JSON_SCHEMA: Capability.CHAT,
    Capability.EMBEDDING_DIMENSIONS: Capability.EMBEDDINGS,
    Capability.IMAGE_EDIT: Capability.IMAGE_GENERATE,
    Capability.IMAGE_VARIATION: Capability.IMAGE_GENERATE,
    Capability.TRANSLATION: Capability.TRANSCRIPTION,
}
"""A capability whose model `Target.models` does not name uses its family's."""


@dataclass(frozen=True)
class Target:
    """The provider kind a conformance suite checks, how to reach it, and what it can do.

    Args:
        provider: the kind's `ProviderSpec` (tested without installing the plugin), or its name
            (found among the installed plugins, which also proves entry-point discovery).
        model: the model id (without the provider) every check uses unless `models` names another.
        emulator: an `Emulator` subclass (or any callable taking ``api_key=`` and returning one);
            the kit starts it on 127.0.0.1 and configures the provider's ``base_url`` to it.
        cassettes: instead of an emulator, a folder of vcrpy cassettes, one per check, replayed
            with `relaykit.testing.relaykit_vcr` (record them with ``RELAYKIT_RECORD=once`` and a
            real key). Checks that need fault injection or scripted answers are skipped.
        capabilities: the capabilities to check. Default: every capability of the spec that the
            model each capability uses offers (`ProviderSpec.capabilities_for`).
        models: a model id per capability, for kinds whose endpoints take different models
            (``{Capability.EMBEDDINGS: "text-embedding-3-small"}``; ``embeddings.dimensions`` then
            uses it too, as tools and vision use chat's, edits the generation model's...).
        settings: extra provider settings (a `ProviderSettings` field each), e.g. ``base_url`` for
            cassettes of a kind without a default one; or, for an emulator target, a function of
            the started emulator returning them (credentials it checks, a ``ws://`` base URL...).
            They override what the kit sets (``api_key``, ``base_url``: the emulator's).
        kit_version: the kit ``MAJOR.MINOR`` this suite was written for; checks added later are
            skipped (see `relaykit.testing.kit` for the policy).
        task: how to start one long-running job at the provider, for the task checks (kit 1.1):
            a function of the client (sync or async) and the provider name returning the `Task`
            (or, for an async client, an awaitable of it), e.g.
            ``lambda client, provider: client.media.generate(model=f"{provider}/flux-pro-1.1",
            prompt="a lighthouse")``. None: the task checks are skipped.
        expected_failures: known deviations, by check name (``"test_chat_reports_usage"``, or
            with a parameter: ``"test_error_status_maps_to_its_kind[503]"``) -> the reason. They
            run as strict xfails: a check that starts passing fails until its entry is removed.
    """

    provider: ProviderSpec | str
    model: str
    emulator: Callable[..., Emulator] | None = None
    cassettes: str | os.PathLike[str] | None = None
    capabilities: Collection[Capability] | None = None
    models: Mapping[Capability, str] = field(default_factory=dict)
    settings: Mapping[str, Any] | Callable[[Emulator], Mapping[str, Any]] = field(default_factory=dict)
    kit_version: str = "1.0"
    expected_failures: Mapping[str, str] = field(default_factory=dict)
    task: Callable[[Any, str], Any] | None = None

    def __post_init__(self) -> None:
        if (self.emulator is None) == (self.cassettes is None):
            raise ValueError("Target: give exactly one of emulator= (a class to start) or cassettes= (a folder)")
        if callable(self.settings) and self.emulator is None:
            raise ValueError("Target.settings: a function of the emulator needs emulator=")
        if not self.model:
            raise ValueError("Target.model: the model id (without the provider name) is required")
        parse_pin(self.kit_version)

    @property
    def name(self) -> str:
        """The provider kind's name (also the configured provider name the kit uses)."""
        return self.provider if isinstance(self.provider, str) else self.provider.name

    @property
    def cassette_dir(self) -> Path | None:
        return None if self.cassettes is None else Path(self.cassettes)

    def spec(self) -> ProviderSpec:
        """The `ProviderSpec`: the one given, or the installed plugin's of that name."""
        if isinstance(self.provider, ProviderSpec):
            return self.provider
        from ..._registry_api import providers

        installed = providers()
        if self.provider not in installed:
            names = ", ".join(sorted(installed)) or "none"
            raise LookupError(
                f"no installed plugin registers the provider kind {self.provider!r} (installed: {names}); "
                "install your package (pip install -e .) so its [project.entry-points.relaykit] entry is "
                "found, or pass the ProviderSpec itself as Target(provider=...)"
            )
        return installed[self.provider]

    def model_for(self, capability: Capability) -> str:
        """The model id the checks of `capability` use: from `models`, else its family's, else `model`."""
        if capability in self.models:
            return self.models[capability]
        family = _FAMILIES.get(capability)
        return self.models.get(family, self.model) if family is not None else self.model

    def declared(self, spec: ProviderSpec) -> frozenset[Capability]:
        """The capabilities this suite checks."""
        if self.capabilities is not None:
            return frozenset(self.capabilities)
        return frozenset(c for c in spec.capabilities if c in spec.capabilities_for(self.model_for(c)))
