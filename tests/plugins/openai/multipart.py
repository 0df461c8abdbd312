"""A strict multipart/form-data reader for tests: what a handler actually received, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass

import httpx2


@dataclass(frozen=True)
class Part:
    name: str
    content: bytes
    filename: str | None = None
    content_type: str | None = None


def read_multipart(request: httpx2.Request) -> list[Part]:
    """The parts of a multipart request, in order (the body is read exactly, binary-safe)."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary="), content_type
    delimiter = b"--" + content_type.partition("boundary=")[2].encode()
    body = request.read()
    assert body.endswith(delimiter + b"--\r\n"), "the body must end with the closing delimiter"
    parts = []
    for chunk in body.split(delimiter)[1:-1]:
        assert chunk.startswith(b"\r\n")
        assert chunk.endswith(b"\r\n")
        head, _, content = chunk[2:-2].partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        disposition = dict(item.strip().split("=", 1) for item in headers["Content-Disposition"].split(";")[1:])
        filename = disposition.get("filename")
        parts.append(
            Part(
                name=disposition["name"].strip('"'),
                content=content,
                filename=filename.strip('"') if filename else None,
                content_type=headers.get("Content-Type"),
            )
        )
    return parts


def text_fields(parts: list[Part]) -> dict[str, str | list[str]]:
    """The non-file parts as a dict; a repeated name gives a list."""
    fields: dict[str, str | list[str]] = {}
    for part in parts:
        if part.filename is not None:
            continue
        value = part.content.decode()
        if part.name in fields:
            previous = fields[part.name]
            fields[part.name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            fields[part.name] = value
    return fields
