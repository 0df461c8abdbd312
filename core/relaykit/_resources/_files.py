"""`client.files`: uploading a file to a provider that stores files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._provider import Capability, Operation
from .._types._base import validate_request
from .._types._files import FileObject, FileUploadRequest

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["AsyncFiles", "Files"]

_NEEDS = frozenset({Capability.FILES})


class Files:
    """`client.files.create(file=..., purpose=..., provider=...)`."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, timeout: float | None = None, **params: Any) -> FileObject:
        """Upload a file (bytes, a path, a file object or a ``(name, bytes[, mime])`` tuple).

        Raises `InvalidRequestError` naming the field (nothing sent) for a bad file or purpose, or an
        unknown provider; `UnsupportedCapabilityError` when the provider stores no files.
        """
        request = validate_request(FileUploadRequest, params)
        target = self._client.resolver.target_for_provider(request.provider, Operation.FILE_UPLOAD, _NEEDS)
        result: FileObject = self._client._execute(
            Operation.FILE_UPLOAD, request, _NEEDS, timeout=timeout, target=target
        )
        return result


class AsyncFiles:
    """`async_client.files`: the same, awaited (the file is read off the event loop)."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, timeout: float | None = None, **params: Any) -> FileObject:
        """Upload a file; see `Files.create`."""
        request = await anyio.to_thread.run_sync(validate_request, FileUploadRequest, params)
        target = self._client.resolver.target_for_provider(request.provider, Operation.FILE_UPLOAD, _NEEDS)
        result: FileObject = await self._client._execute(
            Operation.FILE_UPLOAD, request, _NEEDS, timeout=timeout, target=target
        )
        return result
