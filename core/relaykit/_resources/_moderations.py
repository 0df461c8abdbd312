"""`client.moderations`: classify text and images against the vendor's content policy.

`model` is optional: without it the configured `default_provider` answers with its own default
moderation model (see `relaykit._types._moderation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._provider import Capability, Operation
from .._resolve import Resolver, Target
from .._types._base import validate_request
from .._types._moderation import ModerationRequest, ModerationResponse

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncModerations", "Moderations"]

_NEEDS = frozenset({Capability.MODERATION})


def _default_target(resolver: Resolver, request: ModerationRequest) -> Target | None:
    """The default provider's target when the request names no model (None: resolve `model`)."""
    if request.model is not None:
        return None
    return resolver.target_for_provider(None, Operation.MODERATION, _NEEDS, field="model")


class Moderations:
    """`client.moderations`; the keyword arguments are the fields of `ModerationRequest`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> ModerationResponse:
        """Moderate `input`: one result per input, each with its flagged categories and scores.

        Raises `InvalidRequestError` (nothing sent) when a field is invalid or no provider can be
        chosen, `UnsupportedCapabilityError` when the provider cannot moderate, and an `APIError`
        subclass when the vendor fails.
        """
        request = validate_request(ModerationRequest, params)
        target = _default_target(self._client.resolver, request)
        result: ModerationResponse = self._client._execute(
            Operation.MODERATION, request, _NEEDS, timeout=timeout, target=target
        )
        return result


class AsyncModerations:
    """`async_client.moderations`; the keyword arguments are the fields of `ModerationRequest`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> ModerationResponse:
        """Moderate `input`: one result per input, each with its flagged categories and scores."""
        request = validate_request(ModerationRequest, params)
        target = _default_target(self._client.resolver, request)
        result: ModerationResponse = await self._client._execute(
            Operation.MODERATION, request, _NEEDS, timeout=timeout, target=target
        )
        return result
