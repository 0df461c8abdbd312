"""The normalized media requests and results: image inputs in every form, per-variant rules, results."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit.plugin import nearest_aspect_ratio

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
PNG_B64 = base64.b64encode(PNG).decode()


def _edit(**fields: Any) -> relaykit.MediaEditRequest:
    return relaykit.MediaEditRequest.model_validate({"model": "stability/stable-image", "image": PNG, **fields})


def _invalid(model: type[relaykit.MediaRequest], **fields: Any) -> relaykit.InvalidRequestError:
    from relaykit._types._base import validate_request

    with pytest.raises(relaykit.InvalidRequestError) as caught:
        validate_request(model, {"model": "p/m", **fields})
    return caught.value


@pytest.mark.parametrize(
    "value",
    [PNG, bytearray(PNG), ("photo.png", PNG), f"data:image/png;base64,{PNG_B64}", PNG_B64, {"b64_json": PNG_B64}],
    ids=["bytes", "bytearray", "tuple", "data-uri", "raw-base64", "dict-base64"],
)
def test_image_inputs_in_byte_forms_hold_the_bytes(value: Any) -> None:
    """Bytes, tuples, data URIs and raw base64 all become a file with the PNG's bytes and type."""
    request = _edit(operation="remove_background", image=value)
    assert request.image.content == PNG
    assert request.image.mime_type == "image/png"
    assert request.image.url is None


def test_a_path_is_read_and_a_url_is_kept(tmp_path: Path) -> None:
    """A path string is read now; an https URL stays a URL for the provider or core to fetch."""
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    assert _edit(operation="erase", image=str(path)).image.file is not None
    request = _edit(operation="erase", image="https://cdn.example/cat.png", mask={"url": "https://cdn.example/m.png"})
    assert request.image.url == "https://cdn.example/cat.png"
    assert request.mask is not None
    assert request.mask.url == "https://cdn.example/m.png"
    with pytest.raises(ValueError, match="only a URL"):
        _ = request.image.content


def test_a_missing_file_and_bad_base64_name_the_field() -> None:
    """An unreadable path or a broken data URI is an InvalidRequestError naming the field."""
    assert _invalid(relaykit.MediaEditRequest, operation="erase", image="no/such/file.png").field == "image"
    bad = _invalid(relaykit.MediaEditRequest, operation="erase", image=PNG, mask="data:image/png;base64,!!!")
    assert bad.field == "mask"


def test_image_input_gives_base64_and_a_data_uri() -> None:
    """An input's bytes come back as plain base64 or as a data URI."""
    image = _edit(operation="erase").image
    assert image.to_base64() == PNG_B64
    assert image.to_data_uri() == f"data:image/png;base64,{PNG_B64}"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"operation": "inpaint"}, "prompt"),
        ({"operation": "search_and_replace", "prompt": "a dog"}, "search_prompt"),
        ({"operation": "search_and_recolor", "prompt": "red"}, "select_prompt"),
        ({"operation": "outpaint"}, "left"),
        ({"operation": "erase", "prompt": "x"}, "prompt"),
        ({"operation": "inpaint", "prompt": "x", "left": 10}, "left"),
        ({"operation": "remove_background", "mask": PNG}, "mask"),
        ({"operation": "blur"}, "operation"),
        ({"operation": "inpaint", "prompt": "x", "grow_mask": -1}, "grow_mask"),
    ],
)
def test_edit_fields_are_checked_per_operation(fields: dict[str, Any], field: str) -> None:
    """Missing prompts, fields of another operation and an outpaint without sides name the field."""
    assert _invalid(relaykit.MediaEditRequest, image=PNG, **fields).field == field


def test_each_variant_needs_its_own_capability() -> None:
    """An edit, an upscale, a control and a video need the capability of their variant."""
    assert _edit(operation="outpaint", up=64).capability is relaykit.Capability.MEDIA_EDIT_OUTPAINT
    upscale = relaykit.MediaUpscaleRequest(model="p/m", mode="creative", image=PNG, prompt="x")  # type: ignore[arg-type]
    assert upscale.kind == "media.upscale.creative"
    control = relaykit.MediaControlRequest(model="p/m", mode="style", image=PNG, prompt="x")  # type: ignore[arg-type]
    assert control.capability is relaykit.Capability.MEDIA_CONTROL_STYLE
    video = relaykit.VideoGenerateRequest(model="p/m", prompt="waves")
    assert (video.mode, video.capability) == ("text_to_video", relaykit.Capability.VIDEO_TEXT_TO_VIDEO)
    animated = relaykit.VideoGenerateRequest(model="p/m", image=PNG)  # type: ignore[arg-type]
    assert animated.capability is relaykit.Capability.VIDEO_IMAGE_TO_VIDEO


@pytest.mark.parametrize(
    ("model", "fields", "field"),
    [
        (relaykit.MediaGenerateRequest, {"prompt": "x", "size": "1024x768", "aspect_ratio": "4:3"}, "size"),
        (relaykit.MediaGenerateRequest, {"prompt": "x", "strength": 0.5}, "strength"),
        (relaykit.MediaGenerateRequest, {"prompt": "x", "aspect_ratio": "wide"}, "aspect_ratio"),
        (relaykit.MediaGenerateRequest, {"prompt": "x", "seed": 2**32}, "seed"),
        (relaykit.MediaUpscaleRequest, {"mode": "fast", "image": PNG, "prompt": "x"}, "prompt"),
        (relaykit.MediaControlRequest, {"mode": "sketch", "image": PNG, "prompt": "x", "fidelity": 0.5}, "fidelity"),
        (
            relaykit.MediaControlRequest,
            {"mode": "style", "image": PNG, "prompt": "x", "control_strength": 1},
            "control_strength",
        ),
        (relaykit.VideoGenerateRequest, {}, "prompt"),
        (relaykit.VideoGenerateRequest, {"prompt": "x", "last_frame": PNG}, "last_frame"),
    ],
)
def test_rules_every_vendor_shares_name_the_field(
    model: type[relaykit.MediaRequest], fields: dict[str, Any], field: str
) -> None:
    """Conflicting or inapplicable fields are refused before anything is sent."""
    assert _invalid(model, **fields).field == field


def test_generate_takes_one_image_or_a_list() -> None:
    """`image` is always a list once validated, and image_inputs lists every input with its place."""
    one = relaykit.MediaGenerateRequest(model="p/m", prompt="x", image=PNG, strength=0.4)  # type: ignore[arg-type]
    many = relaykit.MediaGenerateRequest(model="p/m", prompt="x", image=[PNG, "https://e.example/b.png"])  # type: ignore[arg-type]
    assert len(one.image) == 1
    assert [(name, index) for name, index, _ in many.image_inputs()] == [("image", 0), ("image", 1)]


@pytest.mark.parametrize(
    ("size", "expected"),
    [("1920x1080", "16:9"), ("1024x1024", "1:1"), ("1000x1500", "2:3"), ("3000x1000", "21:9"), ("576x1024", "9:16")],
)
def test_nearest_aspect_ratio_picks_the_closest_supported(size: str, expected: str) -> None:
    """Sizes map to the supported ratio closest on a log scale."""
    supported = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
    assert nearest_aspect_ratio(size, supported) == expected


def test_media_output_bytes_come_raw_or_from_base64_never_from_a_url(tmp_path: Path) -> None:
    """to_bytes returns raw content or decodes base64; a URL-only output says to download it."""
    assert relaykit.MediaOutput(content=b"raw").to_bytes() == b"raw"
    assert relaykit.MediaOutput(b64_json=PNG_B64).write_to(tmp_path / "a.png").read_bytes() == PNG
    with pytest.raises(ValueError, match="download"):
        relaykit.MediaOutput(url="https://cdn.example/a.png").to_bytes()


def test_a_succeeded_task_becomes_a_media_result() -> None:
    """from_task carries outputs, the aspect ratio, flags and the task's id; an unfinished task is refused."""
    task = relaykit.Task(
        provider="stability",
        id="job-1",
        kind="media.upscale.creative",
        status="succeeded",
        model="stable-image",
        updated_at=datetime(2026, 1, 2, tzinfo=UTC),
        result=relaykit.TaskResult(
            images=[relaykit.TaskOutput(b64_json=PNG_B64, mime_type="image/png", seed=7, content_filtered=True)],
            aspect_ratio="1:1",
        ),
    )
    result = relaykit.MediaResult.from_task(task)
    assert (result.kind, result.task_id, result.aspect_ratio, result.created) == (
        "media.upscale.creative",
        "job-1",
        "1:1",
        1767312000,
    )
    assert result.content_filtered
    assert result.to_bytes() == [PNG]
    with pytest.raises(ValueError, match="running"):
        relaykit.MediaResult.from_task(task.model_copy(update={"status": "running", "result": None}))


def test_task_outputs_keep_expiry_and_filter_flags_through_json() -> None:
    """The new TaskOutput fields round-trip, and an expiry must be timezone-aware."""
    output = relaykit.TaskOutput(url="https://cdn.example/a.png", expires_at=datetime(2026, 1, 1, tzinfo=UTC))
    task = relaykit.Task(
        provider="p", id="1", kind="media.generate", status="succeeded", result=relaykit.TaskResult(images=[output])
    )
    assert relaykit.Task.from_json(task.to_json()) == task
    naive = task.to_json().replace("+00:00", "").replace("Z", "")
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        relaykit.Task.from_json(naive)
    assert caught.value.field == "result.images.0"
