"""Configuration: a `relaykit.toml` file plus environment variables.

```toml
default_provider = "openai"          # optional: used for a model given without "provider/"

[providers.openai]                   # a provider named after its kind needs no `kind`
api_key_env = "OPENAI_API_KEY"       # the key is read from this variable (the kind's default if unset)
timeout = 60

[providers.myrelay]
kind = "openai-compatible"           # any registered provider kind
base_url = "https://relay.example.com/v1"
api_key_env = "MYRELAY_API_KEY"
headers = { "X-Tenant" = "acme" }

[aliases]
fast = "openai/gpt-4o-mini"
```

`Client()` reads the file named by `RELAYKIT_CONFIG`, else `./relaykit.toml` when it exists.
Every error names the file, the key and what is wrong.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from ._errors import ConfigurationError
from ._provider import ProviderSettings, ProviderSpec
from ._routing._config import Route, parse_routes

__all__ = ["Config", "default_config_path", "provider_settings"]

_TOP_LEVEL_KEYS = {"default_provider", "providers", "aliases", "routes", "router", "async_http_backend"}
_ASYNC_HTTP_BACKENDS = ("httpx2", "aiohttp")


@dataclass(frozen=True)
class Config:
    """Parsed configuration. Provider sections stay raw until a provider is used."""

    providers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)
    aliases: Mapping[str, str] = field(default_factory=dict)
    default_provider: str | None = None
    path: str | None = None
    async_http_backend: str | None = None
    """The HTTP backend of `AsyncClient` (``httpx2`` or ``aiohttp``); None: the default, httpx2."""
    routes: Mapping[str, Route] = field(default_factory=dict, repr=False)
    """Routes by name: ``[routes.*]`` sections and list-valued aliases, parsed."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The routing tables as written (``routes``, ``router``, list-valued ``aliases``), for merging."""

    def __repr__(self) -> str:
        # Provider sections may hold keyword api_keys: show their names only.
        return (
            f"Config(providers={sorted(self.providers)}, aliases={dict(self.aliases)!r}, "
            f"routes={sorted(self.routes)}, default_provider={self.default_provider!r}, path={self.path!r})"
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, path: str | None = None) -> Config:
        unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
        if unknown:
            raise ConfigurationError(
                f"unknown top-level key (expected one of {sorted(_TOP_LEVEL_KEYS)})", key=unknown[0], path=path
            )
        providers = data.get("providers", {})
        if not isinstance(providers, Mapping):
            raise ConfigurationError("must be a table of provider tables", key="providers", path=path)
        for name, section in providers.items():
            if not isinstance(section, Mapping):
                raise ConfigurationError("must be a table", key=f"providers.{name}", path=path)
            if "/" in name or not name:
                raise ConfigurationError(
                    "a provider name may not be empty or contain '/'", key=f"providers.{name}", path=path
                )
        aliases = data.get("aliases", {})
        if not isinstance(aliases, Mapping):
            raise ConfigurationError('must be a table of alias = "provider/model"', key="aliases", path=path)
        for alias, target in aliases.items():
            if isinstance(target, list):
                continue  # a route (see relaykit._routing._config)
            if not isinstance(target, str) or "/" not in target:
                raise ConfigurationError(
                    f"must be 'provider/model' or a list of them, got {target!r}", key=f"aliases.{alias}", path=path
                )
        default = data.get("default_provider")
        if default is not None and not isinstance(default, str):
            raise ConfigurationError("must be a provider name", key="default_provider", path=path)
        backend = data.get("async_http_backend")
        if backend is not None and backend not in _ASYNC_HTTP_BACKENDS:
            raise ConfigurationError(
                f"must be one of {list(_ASYNC_HTTP_BACKENDS)}, got {backend!r}", key="async_http_backend", path=path
            )
        routes_data, router_data = data.get("routes", {}), data.get("router", {})
        routes = parse_routes(routes_data, router_data, aliases, path=path)
        return cls(
            providers=dict(providers),
            aliases={name: target for name, target in aliases.items() if isinstance(target, str)},
            default_provider=default,
            async_http_backend=backend,
            path=path,
            routes=routes,
            raw={
                "routes": dict(routes_data),
                "router": dict(router_data),
                "aliases": {name: target for name, target in aliases.items() if isinstance(target, list)},
            },
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Config:
        where = str(path)
        try:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigurationError("configuration file not found", path=where) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"not valid TOML: {exc}", path=where) from None
        return cls.from_mapping(data, path=where)

    @classmethod
    def discover(cls) -> Config:
        """`RELAYKIT_CONFIG`, else `./relaykit.toml` if present, else an empty configuration."""
        path = default_config_path()
        return cls.from_file(path) if path is not None else cls()

    def kind_of(self, provider: str) -> str:
        section = self.providers.get(provider, {})
        kind = section.get("kind", provider)
        if not isinstance(kind, str):
            raise ConfigurationError("must be a provider kind name", key=f"providers.{provider}.kind", path=self.path)
        return kind


def default_config_path() -> Path | None:
    env = os.environ.get("RELAYKIT_CONFIG")
    if env:
        return Path(env)
    local = Path("relaykit.toml")
    return local if local.is_file() else None


def provider_settings(
    config: Config, name: str, spec: ProviderSpec, environ: Mapping[str, str] | None = None
) -> ProviderSettings:
    """Validate provider `name`'s section against its kind's settings schema, filling defaults.

    The API key comes from `api_key` (keyword configuration only), else from the environment variable
    named by `api_key_env` (else the kind's default variable).
    """
    environ = os.environ if environ is None else environ
    section = {key: value for key, value in config.providers.get(name, {}).items() if key != "kind"}
    if "base_url" not in section and spec.default_base_url:
        section["base_url"] = spec.default_base_url
    section.setdefault("api_key_env", spec.default_api_key_env)
    if section.get("api_key") is None and section["api_key_env"]:
        value = environ.get(section["api_key_env"])
        if value:
            section["api_key"] = SecretStr(value)
    try:
        return spec.settings_model.model_validate(section, context={"environ": environ})
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        key = ".".join(str(part) for part in ("providers", name, *first["loc"]))
        message = "required (this provider kind has no default)" if first["type"] == "missing" else first["msg"]
        raise ConfigurationError(message, key=key, path=config.path) from None
