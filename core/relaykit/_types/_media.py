"""What the image, audio and task types share: uploaded files, and base64 outputs.

An upload may be given as raw bytes, a `pathlib.Path` or path string, a binary file object, or a
`(filename, bytes)` / `(filename, bytes, mime)` tuple, the forms the OpenAI SDK accepts. Each is
read once, during validation, into a `FileUpload` holding the filename, the bytes and the MIME type
(sniffed from the magic bytes, else guessed from the filename), so a file that cannot be read is an
`InvalidRequestError` naming the field, and nothing is sent.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from ._base import RequestModel

__all__ = ["AudioUpload", "FileUpload", "ImageUpload", "decode_b64", "sniff"]

_OCTET_STREAM = "application/octet-stream"

# (offset, magic bytes, MIME type, file extension); RIFF and ISO-BMFF need a second look.
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (0, b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (0, b"GIF87a", "image/gif", "gif"),
    (0, b"GIF89a", "image/gif", "gif"),
    (0, b"fLaC", "audio/flac", "flac"),
    (0, b"OggS", "audio/ogg", "ogg"),
    (0, b"ID3", "audio/mpeg", "mp3"),
    (0, b"\x1aE\xdf\xa3", "audio/webm", "webm"),
)
_RIFF = {b"WEBP": ("image/webp", "webp"), b"WAVE": ("audio/wav", "wav")}


def sniff(content: bytes) -> tuple[str, str] | None:
    """The `(MIME type, extension)` the magic bytes of `content` announce, or None."""
    for offset, magic, mime, extension in _MAGIC:
        if content[offset : offset + len(magic)] == magic:
            return mime, extension
    if content[:4] == b"RIFF" and content[8:12] in _RIFF:
        return _RIFF[content[8:12]]
    if content[4:8] == b"ftyp":
        return ("audio/mp4", "m4a") if content[8:11] == b"M4A" else ("video/mp4", "mp4")
    if len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0:
        return "audio/mpeg", "mp3"  # an MPEG audio frame without an ID3 tag
    return None


class FileUpload(RequestModel):
    """A file to upload: its name (with an extension, which some vendors require), bytes and MIME type."""

    filename: str = Field(min_length=1)
    content: bytes = Field(min_length=1, repr=False)
    content_type: str = Field(default=_OCTET_STREAM, min_length=1)

    @classmethod
    def from_source(cls, value: Any, *, stem: str = "file") -> FileUpload:
        """A `FileUpload` from any accepted form (see the module docstring); raises ValueError.

        `stem` names bytes that come without a filename (`image` gives `image.png` for PNG bytes).
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            return cls.model_validate(value)
        mime: str | None = None
        if isinstance(value, bytes | bytearray | memoryview):
            name, content = None, bytes(value)
        elif isinstance(value, str | os.PathLike):
            name, content = _read(value)
        elif isinstance(value, tuple) and len(value) in (2, 3):
            name, content = value[0], value[1]
            mime = value[2] if len(value) == 3 else None
            if not isinstance(name, str) or not isinstance(content, bytes | bytearray):
                raise ValueError("a file tuple is (filename: str, content: bytes[, mime: str])")
            if mime is not None and not isinstance(mime, str):
                raise ValueError("the MIME type of a file tuple must be a string")
            content = bytes(content)
        elif callable(getattr(value, "read", None)):
            name, content = _read_open_file(value)
        else:
            raise ValueError(
                "expected bytes, a path, a binary file or a (filename, bytes[, mime]) tuple, "
                f"got {type(value).__name__}"
            )
        if not content:
            raise ValueError(f"the file {name!r} is empty" if name else "the file is empty")
        sniffed = sniff(content)
        if name is None:
            name = f"{stem}.{sniffed[1] if sniffed else 'bin'}"
        if mime is None:
            mime = sniffed[0] if sniffed else (mimetypes.guess_type(name)[0] or _OCTET_STREAM)
        return cls(filename=name, content=content, content_type=mime)


def _read(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    shown = os.fspath(path)
    if len(shown) > 200:  # a string is always a path; base64 passed by mistake must not flood the error
        shown = shown[:200] + "…"
    try:
        return Path(path).name, Path(path).read_bytes()
    except FileNotFoundError:
        raise ValueError(f"no such file: {shown!r}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {shown!r}: {exc.strerror or type(exc).__name__}") from None


def _read_open_file(handle: Any) -> tuple[str | None, bytes]:
    content = handle.read()
    if not isinstance(content, bytes):
        raise ValueError("a file object must be opened in binary mode ('rb')")
    name = getattr(handle, "name", None)
    return (PurePath(name).name if isinstance(name, str) and name else None), content


def _upload(stem: str) -> Callable[[Any], Any]:
    def coerce(value: Any) -> Any:
        # A dict is left to the model's own validation, which names the offending key.
        return value if isinstance(value, dict) else FileUpload.from_source(value, stem=stem)

    return coerce


ImageUpload = Annotated[FileUpload, BeforeValidator(_upload("image"))]
"""An image to upload, in any form `FileUpload.from_source` accepts."""
AudioUpload = Annotated[FileUpload, BeforeValidator(_upload("audio"))]
"""An audio file to upload, in any form `FileUpload.from_source` accepts."""
AnyUpload = Annotated[FileUpload, BeforeValidator(_upload("file"))]
"""Any file to upload, in any form `FileUpload.from_source` accepts."""


def decode_b64(b64_json: str | None, url: str | None) -> bytes:
    """The bytes of a base64 payload; ValueError when the output is only a URL."""
    if b64_json is None:
        hint = f"download {url} (vendor URLs expire)" if url else "the vendor sent no data"
        raise ValueError(f"this output has no base64 data: {hint}, or ask for b64_json")
    return base64.b64decode(b64_json)
