"""The images the emulator delivers: a solid-colour PNG of any shape, and a tiny JPEG.

Both are valid files made with the standard library: the PNG is written chunk by chunk (zlib), the
JPEG is an 8x8 mid-grey baseline image (one block, DC difference 0, then end-of-block).
"""

from __future__ import annotations

import base64
import struct
import zlib

__all__ = ["MIME_TYPES", "jpeg", "png", "sample"]

MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}

_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    "AQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAI"
    "AQEAAD8AP//Z"
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A `width` x `height` PNG filled with `rgb`."""
    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """An 8x8 mid-grey baseline JPEG."""
    return _JPEG


def sample(output_format: str, width: int, height: int) -> bytes:
    """The delivered image: the JPEG, or a PNG whose shape is `width` x `height` scaled down by 32."""
    if output_format == "png":
        return png(max(width // 32, 1), max(height // 32, 1))
    return jpeg()
