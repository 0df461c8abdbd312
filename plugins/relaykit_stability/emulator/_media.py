"""Small real files the emulator answers with: PNG, JPEG, WEBP images and an MP4-ish video.

Each is a valid file of its format, made with the standard library: a solid-colour PNG of any
size (zlib), an 8x8 grey baseline JPEG written marker by marker, the 1x1 lossless WEBP that browser
feature tests use, and an ISO-BMFF ``ftyp`` box followed by filler, labelled ``video/mp4``.
"""

from __future__ import annotations

import base64
import struct
import zlib

__all__ = ["MIME_TYPES", "image", "jpeg", "mp4", "png", "webp"]

MIME_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}

# The 1x1 lossless WEBP of Modernizr's "webp-lossless" feature test.
_WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (64, 128, 192)) -> bytes:
    """A `width` x `height` PNG filled with `rgb`."""
    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    """An 8x8 mid-grey baseline JPEG: one block whose DC difference is 0, then end-of-block.

    Both Huffman tables hold a single one-bit code, ``0``: the DC table's for category 0, the AC
    table's for EOB, so the scan is the bits ``00`` padded with ones (``0x3F``).
    """
    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quantization = b"\x00" + b"\x01" * 64
    frame = b"\x08" + struct.pack(">HH", 8, 8) + b"\x01" + b"\x01\x11\x00"
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # 16 code-length counts (one 1-bit code), symbol 0
    scan = b"\x01" + b"\x01\x00" + b"\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + _segment(0xE0, jfif)
        + _segment(0xDB, quantization)
        + _segment(0xC0, frame)
        + _segment(0xC4, b"\x00" + one_code)
        + _segment(0xC4, b"\x10" + one_code)
        + _segment(0xDA, scan)
        + b"\x3f"
        + b"\xff\xd9"
    )


def webp() -> bytes:
    """A 1x1 lossless WEBP."""
    return _WEBP


def mp4(tag: bytes = b"") -> bytes:
    """An MP4-looking file: an ``ftyp`` box (brand isom) and a ``free`` box carrying `tag`."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 512) + b"isomiso2mp41"
    free = b"free" + tag
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", len(free) + 4) + free


def image(output_format: str, aspect_ratio: str = "1:1") -> bytes:
    """An image in `output_format` (png, jpeg, webp); a PNG's shape follows `aspect_ratio` (``16:9``: 16x9,
    ``1:1``: 8x8)."""
    if output_format == "jpeg":
        return jpeg()
    if output_format == "webp":
        return webp()
    width, height = (int(part) for part in aspect_ratio.partition(":")[::2])
    scale = -(-8 // min(width, height))  # at least 8 pixels on the short side
    return png(width * scale, height * scale)
