"""Planning one routed request: the order of deployments, and which of them can serve it.

Deployments are ordered by priority tier (lower first), then as listed (``ordered``) or at random
by weight (``weighted``). Cooled-down deployments go last: they are probed only when the others
have failed. Deployments that cannot serve the request (a capability it needs, a missing key, a
per-deployment parameter the request type rejects) are skipped before any call, each with its
reason; when none is left, `NoDeploymentError` lists them all.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._errors import ConfigurationError, InvalidRequestError, NoDeploymentError, UnsupportedCapabilityError
from .._provider import Capability, Operation
from .._resolve import Resolver, Target
from .._types._base import validate_request
from ._config import Deployment, Route
from ._cooldown import CooldownRegistry

__all__ = ["Candidate", "continued", "plan"]


@dataclass(frozen=True)
class Candidate:
    """A deployment that can serve the request, with the request as it will be sent there."""

    deployment: Deployment
    target: Target
    request: Any


def order(route: Route, cooldowns: CooldownRegistry, rng: Callable[[], float] = random.random) -> list[Deployment]:
    """The deployments in the order this request tries them."""

    def rank(deployment: Deployment) -> tuple[bool, int, float]:
        cooling = cooldowns.is_cooling(route.cooldown_key(deployment))
        if route.strategy == "weighted":
            # Efraimidis-Spirakis: sorting by -u^(1/w) draws a weighted random order.
            return cooling, deployment.priority, -(rng() ** (1.0 / deployment.weight))
        return cooling, deployment.priority, float(deployment.index)

    return sorted(route.deployments, key=rank)


def plan(
    route: Route,
    operation: Operation,
    *,
    request: Any,
    needs: Iterable[Capability],
    resolver: Resolver,
    cooldowns: CooldownRegistry,
) -> list[Candidate]:
    """The candidates for `request`, in order; raises `NoDeploymentError` when there is none."""
    needs = tuple(needs)
    candidates: list[Candidate] = []
    reasons: dict[str, str] = {}
    for deployment in order(route, cooldowns):
        try:
            target = resolver.target(deployment.model, operation, needs)
            candidates.append(Candidate(deployment, target, _request_for(deployment, request)))
        except (UnsupportedCapabilityError, ConfigurationError, InvalidRequestError) as exc:
            reasons[deployment.model] = str(exc)
    if not candidates:
        raise NoDeploymentError(route.name, reasons)
    return candidates


def _request_for(deployment: Deployment, request: Any) -> Any:
    options: dict[str, dict[str, Any]] = {k: dict(v) for k, v in getattr(request, "provider_options", {}).items()}
    if deployment.provider_options:
        options.setdefault(deployment.provider, {}).update(deployment.provider_options)
    update: dict[str, Any] = {"model": deployment.model}
    if hasattr(request, "provider_options"):
        update["provider_options"] = options
    if not deployment.params:
        return request.model_copy(update=update)
    data: Mapping[str, Any] = request.model_dump(by_alias=True, exclude_unset=True)
    return validate_request(type(request), {**data, **deployment.params, **update})


def continued(request: Any, partial: Any) -> Any:
    """`request` asking another deployment to go on from `partial` (the text received so far).

    Chat: the partial text is appended as a final assistant message, which vendors that honour an
    assistant prefill (Claude, many OpenAI-compatible servers) continue. Legacy completions: the
    partial text is appended to the prompt. A partial answer holding tool calls cannot be
    continued: `InvalidRequestError`.
    """
    choices = getattr(partial, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    if message is not None and (message.tool_calls or message.function_call):
        raise InvalidRequestError("a stream interrupted inside a tool call cannot be continued", field="messages")
    text = getattr(partial, "text", "") or ""
    if hasattr(request, "messages"):
        messages = [*request.messages, {"role": "assistant", "content": text}]
        return validate_request(
            type(request), {**request.model_dump(by_alias=True, exclude_unset=True), "messages": messages}
        )
    if isinstance(getattr(request, "prompt", None), str):
        return request.model_copy(update={"prompt": request.prompt + text})
    raise InvalidRequestError("this kind of request cannot be continued", field="model")
