"""`client.models`: what models a provider offers, and what one model is.

Many OpenAI-compatible servers do not implement these routes; they answer `NotFoundError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._provider import Capability, Operation
from .._types._base import validate_request
from .._types._models import ModelInfo, ModelList, ModelListRequest, ModelRetrieveRequest

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncModels", "Models"]

_NEEDS = frozenset({Capability.MODELS})


class Models:
    """`client.models`: `list(provider)` and `retrieve("provider/model")`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self, provider: str | None = None, *, timeout: float | None = None) -> ModelList:
        """The models `provider` offers (the configured `default_provider` when None).

        Raises `InvalidRequestError` naming `provider` (nothing sent) when it is unknown, or when
        it is None and no default provider is configured.
        """
        request = validate_request(ModelListRequest, {"provider": provider})
        target = self._client.resolver.target_for_provider(request.provider, Operation.MODEL_LIST, _NEEDS)
        result: ModelList = self._client._execute(Operation.MODEL_LIST, request, _NEEDS, timeout=timeout, target=target)
        return result

    def retrieve(self, model: str, *, timeout: float | None = None) -> ModelInfo:
        """Describe `model`, addressed as `provider/model` or by an alias."""
        request = validate_request(ModelRetrieveRequest, {"model": model})
        result: ModelInfo = self._client._execute(Operation.MODEL_RETRIEVE, request, _NEEDS, timeout=timeout)
        return result


class AsyncModels:
    """`async_client.models`: `list(provider)` and `retrieve("provider/model")`, awaited."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list(self, provider: str | None = None, *, timeout: float | None = None) -> ModelList:
        """The models `provider` offers (the configured `default_provider` when None)."""
        request = validate_request(ModelListRequest, {"provider": provider})
        target = self._client.resolver.target_for_provider(request.provider, Operation.MODEL_LIST, _NEEDS)
        result: ModelList = await self._client._execute(
            Operation.MODEL_LIST, request, _NEEDS, timeout=timeout, target=target
        )
        return result

    async def retrieve(self, model: str, *, timeout: float | None = None) -> ModelInfo:
        """Describe `model`, addressed as `provider/model` or by an alias."""
        request = validate_request(ModelRetrieveRequest, {"model": model})
        result: ModelInfo = await self._client._execute(Operation.MODEL_RETRIEVE, request, _NEEDS, timeout=timeout)
        return result
