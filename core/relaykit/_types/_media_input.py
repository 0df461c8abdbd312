"""An image given to a media operation: bytes, a file, base64 text, or a URL.

`ImageInput` accepts everything `FileUpload.from_source` does (bytes, a `Path`, a binary file, a
``(filename, bytes[, mime])`` tuple) and three kinds of text:

- ``https://...`` / ``http://...``: a URL. When the provider cannot fetch URLs itself (it lacks
  `Capability.MEDIA_URL_INPUT`), relaykit downloads the image before the vendor is called;
  otherwise the URL is passed on.
- ``data:image/png;base64,...``: a data URI, decoded now.
- raw base64 whose bytes are a PNG, JPEG, WEBP or GIF image, decoded now. Any other text is a
  path, read now (a missing file is an `InvalidRequestError` naming the field).

A dict works too: ``{"url": ...}``, ``{"b64_json": ..., "mime_type": ...}``, or a `FileUpload`'s
fields. Once validated, an input holds either `file` (the bytes) or `url`, never both.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from pydantic import BeforeValidator, Field, model_validator

from ._base import RequestModel
from ._media import FileUpload, sniff

__all__ = ["ImageInput", "MediaImage", "image_input"]

_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?);base64,(?P<data>.*)$", re.DOTALL)
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


class ImageInput(RequestModel):
    """One image input: its bytes (`file`), or a `url` left for the vendor (or relaykit) to fetch."""

    file: FileUpload | None = None
    url: str | None = Field(default=None, pattern=r"^https?://")

    @model_validator(mode="after")
    def _one_source(self) -> ImageInput:
        if (self.file is None) == (self.url is None):
            raise ValueError("an image input is either a file or a url")
        return self

    @property
    def content(self) -> bytes:
        """The image's bytes (ValueError for a URL that was not downloaded)."""
        if self.file is None:
            raise ValueError(f"this image is only a URL ({self.url}); the provider was expected to fetch it")
        return self.file.content

    @property
    def mime_type(self) -> str | None:
        """The MIME type of the bytes (None for a URL)."""
        return self.file.content_type if self.file is not None else None

    def to_base64(self) -> str:
        """The bytes as standard base64 (no data-URI prefix)."""
        return base64.b64encode(self.content).decode("ascii")

    def to_data_uri(self) -> str:
        """The bytes as a ``data:<mime>;base64,...`` URI."""
        return f"data:{self.mime_type};base64,{self.to_base64()}"


def image_input(value: Any) -> Any:
    """Coerce any accepted form (see the module docstring) to an `ImageInput`; raises ValueError."""
    if isinstance(value, ImageInput):
        return value
    if isinstance(value, dict):
        return _from_dict(value)
    if isinstance(value, str):
        return _from_text(value)
    return ImageInput(file=FileUpload.from_source(value, stem="image"))


def _from_dict(value: dict[str, Any]) -> Any:
    if "url" in value or "file" in value:
        return value  # the model's own validation names the offending key
    encoded = value.get("b64_json", value.get("base64"))
    if isinstance(encoded, str):
        mime = value.get("mime_type")
        return ImageInput(file=_decoded(encoded, mime if isinstance(mime, str) else None, strict=False))
    return {"file": value}


def _from_text(text: str) -> ImageInput:
    stripped = text.strip()
    if stripped.lower().startswith(("http://", "https://")):
        return ImageInput(url=stripped)
    if stripped.startswith("data:"):
        found = _DATA_URI.match(stripped)
        if found is None:
            raise ValueError("a data URI must be data:<mime>;base64,<data>")
        return ImageInput(file=_decoded(found.group("data"), found.group("mime"), strict=False))
    if len(stripped) >= 16 and _BASE64.match(stripped):
        try:
            return ImageInput(file=_decoded(stripped, None, strict=True))
        except ValueError:
            pass  # not an image in base64: it is a path
    return ImageInput(file=FileUpload.from_source(text, stem="image"))


def _decoded(text: str, mime: str | None, *, strict: bool) -> FileUpload:
    """A `FileUpload` of base64 `text`; `strict` also requires the bytes to be a known image type."""
    compact = "".join(text.split())
    altchars = b"-_" if "-" in compact or "_" in compact else None  # the URL-safe alphabet
    try:
        content = base64.b64decode(compact + "=" * (-len(compact) % 4), altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the base64 image data is not valid base64") from None
    sniffed = sniff(content)
    if strict and (sniffed is None or sniffed[0] not in _IMAGE_TYPES):
        raise ValueError("not an image in base64")
    if not content:
        raise ValueError("the base64 image data is empty")
    extension = sniffed[1] if sniffed else "bin"
    return FileUpload(
        filename=f"image.{extension}",
        content=content,
        content_type=mime or (sniffed[0] if sniffed else "application/octet-stream"),
    )


def filename_from_url(url: str, content_type: str) -> str:
    """A filename for bytes downloaded from `url` (the URL's last segment, else ``image.<ext>``)."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    if name and "." in name and len(name) <= 100:
        return name
    extension = content_type.partition("/")[2].split("+")[0] or "bin"
    return f"image.{'jpg' if extension == 'jpeg' else extension}"


MediaImage = Annotated[ImageInput, BeforeValidator(image_input)]
"""An image input field, in any form `image_input` accepts."""
