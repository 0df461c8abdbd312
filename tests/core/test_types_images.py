"""The normalized image types: uploads read and sniffed at validation, limits, and the response."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit._types._base import validate_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8


def _edit(**params: Any) -> relaykit.ImageEditRequest:
    values = {"model": "openai/gpt-image-1", "prompt": "add a hat", "image": PNG, **params}
    return validate_request(relaykit.ImageEditRequest, values)


def _invalid(request_type: type[Any], /, **params: Any) -> relaykit.InvalidRequestError:
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(request_type, params)
    return caught.value


@pytest.mark.parametrize(
    ("content", "filename", "mime"),
    [(PNG, "image.png", "image/png"), (JPEG, "image.jpg", "image/jpeg"), (WEBP, "image.webp", "image/webp")],
)
def test_bare_bytes_get_a_sniffed_filename_and_mime(content: bytes, filename: str, mime: str) -> None:
    """PNG, JPEG and WEBP bytes are recognized by their magic bytes."""
    (upload,) = _edit(image=content).image
    assert (upload.filename, upload.content_type, upload.content) == (filename, mime, content)


def test_path_and_path_string_are_read_with_their_filename(tmp_path: Path) -> None:
    """A Path or a path string is read at validation; its name is kept and its bytes sniffed."""
    path = tmp_path / "otter.bin"
    path.write_bytes(JPEG)
    for source in (path, str(path)):
        (upload,) = _edit(image=source).image
        assert (upload.filename, upload.content_type, upload.content) == ("otter.bin", "image/jpeg", JPEG)


def test_tuple_keeps_its_filename_and_explicit_mime() -> None:
    """A (filename, bytes, mime) tuple is taken as given; without a mime the bytes are sniffed."""
    (given,) = _edit(image=("a.png", PNG, "image/x-custom")).image
    (sniffed,) = _edit(image=("b.dat", WEBP)).image
    assert (given.filename, given.content_type) == ("a.png", "image/x-custom")
    assert (sniffed.filename, sniffed.content_type) == ("b.dat", "image/webp")


def test_unknown_bytes_fall_back_to_the_filename_then_octet_stream() -> None:
    """Bytes without known magic take the MIME type the filename suggests, else octet-stream."""
    (named,) = _edit(image=("photo.jpeg", b"not really")).image
    (bare,) = _edit(image=b"not really").image
    assert named.content_type == "image/jpeg"
    assert (bare.filename, bare.content_type) == ("image.bin", "application/octet-stream")


def test_binary_file_object_is_read_with_its_base_name(tmp_path: Path) -> None:
    """An open binary file works as with the OpenAI SDK; its directory is not sent."""
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    with path.open("rb") as handle:
        (upload,) = _edit(image=handle).image
    assert (upload.filename, upload.content) == ("cat.png", PNG)


def test_text_mode_file_object_is_refused(tmp_path: Path) -> None:
    """A file opened in text mode is an error naming the field."""
    error = _invalid(relaykit.ImageVariationRequest, model="openai/dall-e-2", image=io.StringIO("x"))
    assert error.field == "image"
    assert "binary mode" in str(error)


def test_missing_path_is_an_invalid_request_naming_the_field(tmp_path: Path) -> None:
    """A path that does not exist names the field (and the list position) that held it."""
    missing = str(tmp_path / "nope.png")
    assert _invalid(relaykit.ImageVariationRequest, model="openai/dall-e-2", image=missing).field == "image"
    params = {"model": "openai/gpt-image-1", "prompt": "p"}
    assert _invalid(relaykit.ImageEditRequest, **params, image=[PNG, missing]).field == "image.1"
    assert _invalid(relaykit.ImageEditRequest, **params, image=PNG, mask=missing).field == "mask"
    assert "no such file" in str(_invalid(relaykit.ImageEditRequest, **params, image=missing))


def test_a_directory_empty_bytes_and_other_types_are_refused(tmp_path: Path) -> None:
    """Unreadable, empty or unsupported image values are errors naming the field."""
    params = {"model": "openai/dall-e-2"}
    assert "cannot read" in str(_invalid(relaykit.ImageVariationRequest, **params, image=tmp_path))
    assert "empty" in str(_invalid(relaykit.ImageVariationRequest, **params, image=b""))
    assert _invalid(relaykit.ImageVariationRequest, **params, image=42).field == "image"


def test_one_image_becomes_a_list_and_at_most_sixteen_are_accepted() -> None:
    """`image` is always a list once validated, of 1 to 16 uploads."""
    assert len(_edit(image=[PNG, JPEG]).image) == 2
    assert len(_edit().image) == 1
    params = {"model": "openai/gpt-image-1", "prompt": "p"}
    assert _invalid(relaykit.ImageEditRequest, **params, image=[PNG] * 17).field == "image"
    assert _invalid(relaykit.ImageEditRequest, **params, image=[]).field == "image"


def test_upload_repr_never_shows_the_bytes() -> None:
    """Reprs of requests with uploads stay short: the bytes are hidden."""
    text = repr(_edit(image=PNG + b"SECRETPIXELS"))
    assert "SECRETPIXELS" not in text
    assert "image/png" in text


def test_generate_accepts_every_documented_field() -> None:
    """A full generation request validates, GPT image fields included."""
    request = validate_request(
        relaykit.ImageGenerateRequest,
        {
            "model": "openai/gpt-image-1",
            "prompt": "一只戴帽子的水獭",
            "n": 2,
            "size": "1536x1024",
            "quality": "high",
            "background": "transparent",
            "output_format": "webp",
            "output_compression": 80,
            "moderation": "low",
            "user": "u-1",
            "provider_options": {"openai": {"input_fidelity": "high"}},
        },
    )
    assert request.prompt == "一只戴帽子的水獭"
    assert request.options_for("openai") == {"input_fidelity": "high"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"n": 0}, "n"),
        ({"n": 11}, "n"),
        ({"size": "large"}, "size"),
        ({"style": "oil"}, "style"),
        ({"response_format": "png"}, "response_format"),
        ({"output_compression": 101, "output_format": "jpeg"}, "output_compression"),
        ({"prompt": ""}, "prompt"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_out_of_range_or_unknown_fields_are_named(params: dict[str, Any], field: str) -> None:
    """Limits, enums and unknown fields each name the offending field."""
    values = {"model": "openai/dall-e-3", "prompt": "a cat", **params}
    assert _invalid(relaykit.ImageGenerateRequest, **values).field == field


def test_compression_needs_a_lossy_format_and_transparency_no_jpeg() -> None:
    """`output_compression` needs jpeg/webp output; a transparent background cannot be jpeg."""
    values = {"model": "openai/gpt-image-1", "prompt": "p"}
    error = _invalid(relaykit.ImageGenerateRequest, **values, output_compression=50)
    assert error.field == "output_compression"
    error = _invalid(relaykit.ImageGenerateRequest, **values, background="transparent", output_format="jpeg")
    assert error.field == "background"


def test_image_data_decodes_base64_and_refuses_url_only_items() -> None:
    """`to_bytes` decodes b64_json; an image that is only a URL says to download it."""
    encoded = base64.b64encode(PNG).decode()
    response = relaykit.ImagesResponse(
        created=1, data=[relaykit.ImageData(b64_json=encoded), relaykit.ImageData(url="https://x/y.png")]
    )
    assert response.data[0].to_bytes() == PNG
    with pytest.raises(ValueError, match=r"https://x/y\.png"):
        response.data[1].to_bytes()
    assert "b64_json=" not in repr(response.data[0])


def test_a_long_string_mistaken_for_a_path_gives_a_short_error() -> None:
    """Base64 passed where a path belongs is reported without echoing all of it."""
    error = _invalid(relaykit.ImageVariationRequest, model="openai/dall-e-2", image="iVBORw0KGgo" * 500)
    assert error.field == "image"
    assert len(str(error)) < 400


def test_provider_options_merge_kind_then_name_and_are_empty_when_unset() -> None:
    """Options under the kind come first, the configured name's override them; none given, none merged."""
    request = relaykit.ImageGenerateRequest(
        model="relay/gpt-image-1",
        prompt="a fox",
        provider_options={"openai": {"quality": "low", "style": "vivid"}, "relay": {"quality": "high"}},
    )
    assert request.options_for("openai", "relay") == {"quality": "high", "style": "vivid"}
    assert relaykit.ImageGenerateRequest(model="openai/gpt-image-1", prompt="a fox").options_for("openai") == {}
