"""Matching cassette requests: JSON bodies parsed, multipart bodies part by part.

httpx2 draws a fresh random boundary for every multipart upload, so the bytes sent never equal the
bytes recorded and vcrpy's ``body`` matcher could never replay an image edit or a transcription.
`body` here compares multipart bodies on their parsed parts, boundary ignored: the same parts in
the same order, each with the same field name, filename, content type and exact bytes. A changed
prompt, file or filename still fails loudly. Every other body goes to vcrpy's own ``body`` matcher
(JSON compared parsed). Cassettes stay exactly what a recording writes.
"""

from __future__ import annotations

from typing import Any

from vcr import matchers
from vcr.util import read_body

__all__ = ["body", "parse_multipart"]

Part = tuple[str, str | None, str | None, bytes]
"""One part: (field name, filename, content type, content)."""


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """The parts of a ``multipart/form-data`` body, in order; ValueError when it is malformed."""
    boundary = content_type.partition("boundary=")[2].split(";")[0].strip().strip('"')
    if not boundary:
        raise ValueError(f"no boundary in {content_type!r}")
    delimiter = b"--" + boundary.encode("ascii")
    if not body.rstrip(b"\r\n").endswith(delimiter + b"--"):
        raise ValueError("the body does not end with the closing delimiter")
    parts: list[Part] = []
    for chunk in body.split(delimiter)[1:-1]:
        if not (chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n")):
            raise ValueError("a part is not framed by CRLF")
        head, separator, content = chunk[2:-2].partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("a part has no blank line after its headers")
        headers = {}
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = dict(
            item.strip().split("=", 1) for item in headers.get("content-disposition", "").split(";")[1:] if "=" in item
        )
        filename = disposition.get("filename")
        parts.append(
            (
                disposition.get("name", "").strip('"'),
                filename.strip('"') if filename is not None else None,
                headers.get("content-type"),
                content,
            )
        )
    return parts


def body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: multipart bodies compared part by part (boundary ignored); others as ``body``."""
    if not read_body(r1) and not read_body(r2):
        return  # no body either way: aiohttp's stub records None where httpx2's records b""
    type1, type2 = (str(r.headers.get("content-type") or "") for r in (r1, r2))
    if not (type1.startswith("multipart/form-data") and type2.startswith("multipart/form-data")):
        matchers.body(r1, r2)
        return
    try:
        parts1, parts2 = (parse_multipart(t, read_body(r) or b"") for t, r in ((type1, r1), (type2, r2)))
    except ValueError as exc:
        raise AssertionError(f"a multipart body does not parse: {exc}") from exc
    if parts1 != parts2:
        raise AssertionError(f"multipart parts differ: {_describe(parts1)} != recorded {_describe(parts2)}")


def _describe(parts: list[Part]) -> str:
    shown = []
    for name, filename, content_type, content in parts:
        if filename is None:
            shown.append(f"{name}={content.decode('utf-8', 'replace')!r}")
        else:
            shown.append(f"{name}=<{filename}, {content_type}, {len(content)} bytes>")
    return "[" + ", ".join(shown) + "]"
