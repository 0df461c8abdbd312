"""Routes in configuration: ``[router]`` defaults and ``[routes.NAME]`` deployment lists.

```toml
[router]                      # defaults for every route (all optional)
max_attempts = 6              # attempts in total, across deployments, for one request
timeout = 120.0               # seconds for one routed request, waits included
retries = 2                   # retries of one deployment on a retryable error
backoff_initial = 0.25        # first backoff (seconds), doubling up to backoff_max, plus jitter
backoff_max = 8.0
backoff_jitter = 0.5
max_retry_after = 30.0        # a longer Retry-After moves on instead of waiting
cooldown_failures = 3         # consecutive failed requests that cool a deployment down
cooldown = 30.0               # seconds a cooled-down deployment is passed over
first_chunk_timeout = 30.0    # seconds to the first streamed content (and between chunks)
continuation = false          # resume an interrupted stream on another deployment

[routes.smart]
strategy = "ordered"          # or "weighted": random by weight within a priority tier
deployments = [
  "openai/gpt-4o",
  { model = "anthropic/claude-sonnet-4-5", priority = 1, weight = 2,
    params = { max_tokens = 1024 }, provider_options = { top_k = 40 } },
]
retries = 1                   # any [router] key may be overridden per route
```

An alias whose value is a list (``fast = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5"]``)
is a route with the default policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._errors import ConfigurationError

__all__ = ["Deployment", "Route", "RouterPolicy", "parse_routes"]


class RouterPolicy(BaseModel):
    """The retry, fallback and stream policy of a route (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_attempts: int = Field(default=6, ge=1)
    timeout: float = Field(default=120.0, gt=0)
    retries: int = Field(default=2, ge=0)
    backoff_initial: float = Field(default=0.25, ge=0)
    backoff_max: float = Field(default=8.0, ge=0)
    backoff_jitter: float = Field(default=0.5, ge=0)
    max_retry_after: float = Field(default=30.0, ge=0)
    cooldown_failures: int = Field(default=3, ge=1)
    cooldown: float = Field(default=30.0, ge=0)
    first_chunk_timeout: float = Field(default=30.0, gt=0)
    continuation: bool = False


class _DeploymentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=3, pattern=r"^[^/]+/.+$")
    weight: float = Field(default=1.0, gt=0)
    priority: int = 0
    params: dict[str, Any] = Field(default_factory=dict)
    provider_options: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """One place a route can send a request: `provider/model` plus its own options."""

    model: str
    weight: float = 1.0
    priority: int = 0
    params: Mapping[str, Any] = field(default_factory=dict)
    """Request fields this deployment overrides (e.g. a smaller ``max_tokens``)."""
    provider_options: Mapping[str, Any] = field(default_factory=dict)
    """Merged into the request's ``provider_options`` for this deployment's provider."""
    index: int = 0

    @property
    def id(self) -> str:
        """A stable name within its route: ``index:provider/model``."""
        return f"{self.index}:{self.model}"

    @property
    def provider(self) -> str:
        return self.model.partition("/")[0]


@dataclass(frozen=True)
class Route:
    """A logical model: deployments tried in order (or by weight within a priority tier)."""

    name: str
    deployments: tuple[Deployment, ...]
    strategy: Literal["ordered", "weighted"] = "ordered"
    policy: RouterPolicy = field(default_factory=RouterPolicy)
    key: str = ""
    """The configuration key of the deployment list (``routes.NAME.deployments`` or ``aliases.NAME``)."""

    def cooldown_key(self, deployment: Deployment) -> str:
        return f"{self.name}#{deployment.id}"


def _policy(data: Mapping[str, Any], key: str, path: str | None, base: RouterPolicy | None = None) -> RouterPolicy:
    values = {**(base.model_dump() if base else {}), **data}
    try:
        return RouterPolicy.model_validate(values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ConfigurationError(first["msg"], key=f"{key}.{'.'.join(map(str, first['loc']))}", path=path) from None


def _deployments(raw: Any, key: str, path: str | None) -> tuple[Deployment, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError("must be a non-empty list of deployments", key=key, path=path)
    result = []
    for index, item in enumerate(raw):
        data = {"model": item} if isinstance(item, str) else item
        try:
            parsed = _DeploymentModel.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            # A string deployment is named by its index: the caller wrote no `model` key.
            where = ".".join(map(str, (key, index, *([] if isinstance(item, str) else first["loc"]))))
            message = first["msg"]
            if first["loc"] == ("model",):
                message = "required" if first["type"] == "missing" else "must be 'provider/model'"
            raise ConfigurationError(message, key=where, path=path) from None
        result.append(Deployment(index=index, **parsed.model_dump()))
    return tuple(result)


_ROUTE_KEYS = {"strategy", "deployments"}


def parse_routes(
    routes: Mapping[str, Any], router: Mapping[str, Any], aliases: Mapping[str, Any], *, path: str | None = None
) -> dict[str, Route]:
    """Validate ``[router]``, ``[routes.*]`` and list-valued aliases; every error names its key."""
    if not isinstance(router, Mapping):
        raise ConfigurationError("must be a table", key="router", path=path)
    default = _policy(router, "router", path)
    parsed: dict[str, Route] = {}
    for name, value in aliases.items():
        if isinstance(value, list):
            key = f"aliases.{name}"
            parsed[name] = Route(name, _deployments(value, key, path), "ordered", default, key)
    if not isinstance(routes, Mapping):
        raise ConfigurationError("must be a table of route tables", key="routes", path=path)
    for name, section in routes.items():
        key = f"routes.{name}"
        if not isinstance(section, Mapping):
            raise ConfigurationError("must be a table", key=key, path=path)
        if name in aliases:
            raise ConfigurationError("is also defined as an alias", key=key, path=path)
        strategy = section.get("strategy", "ordered")
        if strategy not in ("ordered", "weighted"):
            raise ConfigurationError("must be 'ordered' or 'weighted'", key=f"{key}.strategy", path=path)
        overrides = {k: v for k, v in section.items() if k not in _ROUTE_KEYS}
        policy = _policy(overrides, key, path, base=default)
        listed = f"{key}.deployments"
        parsed[name] = Route(name, _deployments(section.get("deployments"), listed, path), strategy, policy, listed)
    return parsed
