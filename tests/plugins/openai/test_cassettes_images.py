"""Recorded image exchanges replayed through the public sync and async clients (one cassette each).

The edit cassette holds a multipart request; relaykit's cassette matcher compares
uploads part by part, because every client draws a random multipart boundary.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path
from typing import Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

import relaykit

from ...cassette_support import replay_async, replay_sync

pytestmark = pytest.mark.cassette

# 4x4 RGBA PNGs made with python (zlib + struct): the picture to edit (a blue square on white) and
# its mask (transparent top half). The edit cassette's request body carries exactly these bytes.
IMAGE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
MASK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAEElEQVR42mNgIAb8R8OoAgB7yAf52hpMqQAAAABJRU5ErkJggg=="
)
LIGHTHOUSE: dict[str, Any] = {
    "model": "openai/dall-e-3",
    "prompt": "A watercolor lighthouse at dawn",
    "size": "1024x1024",
    "quality": "hd",
    "style": "natural",
    "response_format": "url",
}
TILE: dict[str, Any] = {
    "model": "openai/dall-e-2",
    "prompt": "A tiny gradient tile",
    "n": 1,
    "size": "256x256",
    "response_format": "b64_json",
}
EDIT: dict[str, Any] = {
    "model": "openai/gpt-image-1",
    "prompt": "Paint the top half of the picture red",
    "size": "1024x1024",
    "quality": "low",
    "image": IMAGE_PNG,
    "mask": ("mask.png", MASK_PNG),
}


def _png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, checking its signature, header chunk and end chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    assert data[-8:-4] == b"IEND"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _generate(cassette: str, params: dict[str, Any]) -> list[relaykit.ImagesResponse]:
    async def run(c: relaykit.AsyncClient) -> relaykit.ImagesResponse:
        return await c.images.generate(**params)

    return [replay_sync(cassette, lambda c: c.images.generate(**params)), replay_async(cassette, run)]


def test_generation_with_url_replays_sync_and_async() -> None:
    """A dall-e-3 URL answer keeps url and revised_prompt; to_bytes refuses to download."""
    for result in _generate("openai/images/generate_url.yaml", LIGHTHOUSE):
        assert (result.created, result.provider) == (1766091020, "openai")
        assert result.request_id == "req_2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b"
        (image,) = result.data
        assert image.url is not None
        assert image.url.startswith("https://oaidalleapiprodscus.blob.core.windows.net/private/")
        assert image.b64_json is None
        assert image.revised_prompt == (
            "A soft watercolor painting of a white lighthouse on a rocky shore at dawn, "
            "pale pink and gold light over a calm sea."
        )
        assert result.usage is None
        with pytest.raises(ValueError, match="no base64 data"):
            image.to_bytes()


def test_generation_with_b64_json_replays_to_png_bytes() -> None:
    """A dall-e-2 b64_json answer decodes to the recorded 8x8 PNG, from both clients."""
    for result in _generate("openai/images/generate_b64_json.yaml", TILE):
        assert (result.created, result.request_id) == (1766091188, "req_8e0a2c4e6b8d0f1a3c5e7b9d1f3a5c7e")
        (image,) = result.data
        assert (image.url, image.revised_prompt) == (None, None)
        (png,) = result.to_bytes()
        assert _png_size(png) == (8, 8)
        assert png == image.to_bytes()


def test_multipart_edit_replays_from_bytes_and_from_a_file(tmp_path: Path) -> None:
    """A gpt-image-1 edit (image + mask) replays sync from bytes and async from a file named image.png."""
    picture = tmp_path / "image.png"
    picture.write_bytes(IMAGE_PNG)

    async def run(c: relaykit.AsyncClient) -> relaykit.ImagesResponse:
        return await c.images.edit(**{**EDIT, "image": picture})

    for result in (
        replay_sync("openai/images/edit_multipart.yaml", lambda c: c.images.edit(**EDIT)),
        replay_async("openai/images/edit_multipart.yaml", run),
    ):
        assert (result.created, result.request_id) == (1766091377, "req_6b8d0f2a4c6e8a0b2d4f6a8c0e2b4d6f")
        assert (result.background, result.output_format, result.quality, result.size) == (
            "opaque",
            "png",
            "low",
            "1024x1024",
        )
        assert result.usage is not None
        assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.total_tokens) == (331, 272, 603)
        assert result.usage.input_tokens_details == {"image_tokens": 323, "text_tokens": 8}
        (png,) = result.to_bytes()
        assert _png_size(png) == (4, 4)
        assert result.vendor_data == {}


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "Paint the bottom half of the picture red"},
        {"image": MASK_PNG},
        {"mask": ("mask-v2.png", MASK_PNG)},
    ],
    ids=["other-prompt", "other-image-bytes", "other-mask-filename"],
)
def test_multipart_edit_that_differs_from_the_recording_fails_loudly(change: dict[str, Any]) -> None:
    """Another prompt, other image bytes or another filename match no recorded upload."""
    with pytest.raises(CannotOverwriteExistingCassetteException):
        replay_sync("openai/images/edit_multipart.yaml", lambda c: c.images.edit(**{**EDIT, **change}))
