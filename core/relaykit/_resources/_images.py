"""`client.images`: generate, edit and vary images (`generate`, `edit`, `create_variation`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._provider import Capability, Operation
from .._types._base import validate_request
from .._types._images import ImageEditRequest, ImageGenerateRequest, ImagesResponse, ImageVariationRequest

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncImages", "Images"]

_NEEDS = {
    Operation.IMAGE_GENERATE: frozenset({Capability.IMAGE_GENERATE}),
    Operation.IMAGE_EDIT: frozenset({Capability.IMAGE_EDIT}),
    Operation.IMAGE_VARIATION: frozenset({Capability.IMAGE_VARIATION}),
}


class Images:
    """`client.images`; the keyword arguments of each method are the fields of its request type."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def generate(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Generate images from `prompt` (fields: `ImageGenerateRequest`).

        Raises `InvalidRequestError` (nothing sent) when a field is unknown or invalid,
        `UnsupportedCapabilityError` when the provider cannot serve the request, and an `APIError`
        subclass when the vendor fails.
        """
        return self._run(Operation.IMAGE_GENERATE, validate_request(ImageGenerateRequest, params), timeout)

    def edit(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Edit `image` (one upload, or a list for GPT image models) following `prompt` (`ImageEditRequest`).

        Uploads are read while the request is validated: a missing file raises `InvalidRequestError`
        naming the field, and nothing is sent.
        """
        return self._run(Operation.IMAGE_EDIT, validate_request(ImageEditRequest, params), timeout)

    def create_variation(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Make variations of `image` (fields: `ImageVariationRequest`)."""
        return self._run(Operation.IMAGE_VARIATION, validate_request(ImageVariationRequest, params), timeout)

    def _run(self, operation: Operation, request: Any, timeout: float | None) -> ImagesResponse:
        result: ImagesResponse = self._client._execute(operation, request, _NEEDS[operation], timeout=timeout)
        return result


class AsyncImages:
    """`async_client.images`: the methods of `Images`, awaited.

    Requests with uploads are validated in a worker thread, so reading files never blocks the loop.
    """

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def generate(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Generate images from `prompt` (fields: `ImageGenerateRequest`)."""
        return await self._run(Operation.IMAGE_GENERATE, validate_request(ImageGenerateRequest, params), timeout)

    async def edit(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Edit `image` following `prompt` (fields: `ImageEditRequest`)."""
        request = await anyio.to_thread.run_sync(validate_request, ImageEditRequest, params)
        return await self._run(Operation.IMAGE_EDIT, request, timeout)

    async def create_variation(self, *, timeout: float | None = None, **params: Any) -> ImagesResponse:
        """Make variations of `image` (fields: `ImageVariationRequest`)."""
        request = await anyio.to_thread.run_sync(validate_request, ImageVariationRequest, params)
        return await self._run(Operation.IMAGE_VARIATION, request, timeout)

    async def _run(self, operation: Operation, request: Any, timeout: float | None) -> ImagesResponse:
        result: ImagesResponse = await self._client._execute(operation, request, _NEEDS[operation], timeout=timeout)
        return result
