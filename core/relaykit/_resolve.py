"""From a model string to a provider call: aliases, `provider/model`, settings, capability checks.

Shared by `Client` and `AsyncClient` (and later the router): everything here happens before any
byte is sent, so every failure here means nothing was sent.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from ._config import Config, provider_settings
from ._errors import ConfigurationError, InvalidRequestError, UnsupportedCapabilityError
from ._plugins import ProviderRegistry, get_registry
from ._provider import CallContext, Capability, Operation, ProviderSettings, ProviderSpec

__all__ = ["Resolver", "Target"]

_REMEMBERED = 256


@dataclass(frozen=True)
class Target:
    """A resolved call target: the configured provider, its kind's spec and the vendor model id."""

    provider: str
    spec: ProviderSpec
    model: str
    settings: ProviderSettings

    def context(self, options: Mapping[str, Any] | None = None) -> CallContext:
        """The flow's context; without options, one context made once and shared by every call."""
        if options:
            return CallContext(
                provider=self.provider, kind=self.spec.name, model=self.model, settings=self.settings, options=options
            )
        return self._plain_context

    @cached_property
    def _plain_context(self) -> CallContext:
        return CallContext(
            provider=self.provider,
            kind=self.spec.name,
            model=self.model,
            settings=self.settings,
            options=MappingProxyType({}),
        )


class Resolver:
    """Resolves model strings against a configuration and the provider registry."""

    def __init__(
        self,
        config: Config,
        registry: ProviderRegistry | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.registry = registry if registry is not None else get_registry()
        self._environ = environ if environ is not None else os.environ
        self._settings: dict[str, ProviderSettings] = {}
        self._targets: dict[tuple[str, Operation, frozenset[Capability]], Target] = {}
        self._lock = threading.Lock()
        self._check_configured()

    def _check_configured(self) -> None:
        for name in self.config.providers:
            kind = self.config.kind_of(name)
            if kind not in self.registry:
                known = ", ".join(sorted(self.registry)) or "none"
                raise ConfigurationError(
                    f"unknown provider kind {kind!r} (registered kinds: {known})",
                    key=f"providers.{name}.kind" if "kind" in self.config.providers[name] else f"providers.{name}",
                    path=self.config.path,
                )
            self.settings_for(name)  # a bad section fails when the client is built, not on first use

    def provider_names(self) -> list[str]:
        return sorted(set(self.config.providers) | set(self.registry))

    def spec_for(self, provider: str) -> ProviderSpec:
        return self.registry[self.config.kind_of(provider)]

    def settings_for(self, provider: str) -> ProviderSettings:
        with self._lock:
            if provider not in self._settings:
                self._settings[provider] = provider_settings(
                    self.config, provider, self.spec_for(provider), self._environ
                )
            return self._settings[provider]

    def split(self, model: str) -> tuple[str, str]:
        """`provider/model` (after alias expansion) into its two parts."""
        model = self.config.aliases.get(model, model)
        head, sep, tail = model.partition("/")
        if sep and tail and (head in self.config.providers or head in self.registry):
            return head, tail
        if self.config.default_provider:
            return self.config.default_provider, model
        known = ", ".join(self.provider_names()) or "none registered"
        raise InvalidRequestError(
            f"model {model!r} names no known provider: write 'provider/model' (providers: {known}) or define an alias",
            field="model",
        )

    def target(self, model: str, operation: Operation, needs: Iterable[Capability] = ()) -> Target:
        """Resolve `model`, check the provider can do `operation` with `needs`, load its settings.

        A successful resolution is remembered (the configuration, the registry and the settings a
        resolver sees never change), so repeated calls skip it; a failing one is not.
        """
        key = (model, operation, needs if isinstance(needs, frozenset) else frozenset(needs))
        found = self._targets.get(key)
        if found is not None:
            return found
        provider, vendor_model = self.split(model)
        target = self._checked(provider, vendor_model, operation, key[2])
        if len(self._targets) >= _REMEMBERED:  # models named per call may vary without end
            self._targets.clear()
        self._targets[key] = target
        return target

    def target_for_provider(
        self,
        provider: str | None,
        operation: Operation,
        needs: Iterable[Capability] = (),
        *,
        field: str = "provider",
    ) -> Target:
        """A target for a call that names a provider but no model (listing models, a default model).

        `provider` None means the configured `default_provider`. The target's `model` is ''. Raises
        `InvalidRequestError` naming `field` when there is no such provider, or none was given and no
        default is configured.
        """
        name = provider or self.config.default_provider
        known = ", ".join(self.provider_names()) or "none registered"
        if name is None:
            raise InvalidRequestError(
                f"no provider given and no default_provider configured (providers: {known})", field=field
            )
        if name not in self.config.providers and name not in self.registry:
            raise InvalidRequestError(f"unknown provider {name!r} (providers: {known})", field=field)
        return self._checked(name, "", operation, needs)

    def _checked(self, provider: str, vendor_model: str, operation: Operation, needs: Iterable[Capability]) -> Target:
        """The target, once the provider is known to serve `operation` with `needs` and has its key."""
        spec = self.spec_for(provider)
        if operation not in spec.operations:
            raise UnsupportedCapabilityError(
                f"provider {provider!r} ({spec.name}) does not implement {operation.value}",
                provider=provider,
                capability=operation.value,
            )
        available = spec.capabilities_for(vendor_model)
        missing = [cap.value for cap in needs if cap not in available]
        if missing:
            who = f"{provider}/{vendor_model}" if vendor_model else f"provider {provider!r}"
            raise UnsupportedCapabilityError(
                f"{who} cannot serve this request: it lacks {', '.join(missing)}",
                provider=provider,
                capability=missing[0],
            )
        settings = self.settings_for(provider)
        if spec.requires_api_key and settings.api_key is None:
            env = settings.api_key_env or "an environment variable"
            raise ConfigurationError(
                f"provider {provider!r} has no API key: set {env}, or set providers.{provider}.api_key_env",
                key=f"providers.{provider}.api_key_env",
                path=self.config.path,
            )
        return Target(provider=provider, spec=spec, model=vendor_model, settings=settings)
