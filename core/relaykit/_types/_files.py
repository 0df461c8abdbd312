"""File upload: `FileUploadRequest` and the `FileObject` a vendor answers with.

Only some vendors store files (EZLink's ``/v1/files`` keeps an upload in object storage and answers
with its URL, for use as an image input of Midjourney, Flux or video calls). The object keeps what
every vendor gives in common — an id, the name, size, purpose, a URL when there is one — and the
rest in `vendor_data`.
"""

from __future__ import annotations

from pydantic import Field

from ._base import WithVendorData
from ._media import AnyUpload
from ._options import WithProviderOptions

__all__ = ["FileObject", "FileUploadRequest"]


class FileUploadRequest(WithProviderOptions):
    """Upload `file` for `purpose` (``vision``, ``assistants``...) to `provider`."""

    provider: str | None = Field(default=None, min_length=1)
    """The configured provider to upload to (the `default_provider` when None)."""
    file: AnyUpload
    purpose: str = Field(min_length=1)


class FileObject(WithVendorData):
    """A stored file."""

    id: str
    filename: str | None = None
    bytes: int | None = None
    purpose: str | None = None
    url: str | None = None
    """Where the file can be fetched from, when the vendor says (EZLink: its storage URL)."""
    created_at: int | None = None
    provider: str | None = None
