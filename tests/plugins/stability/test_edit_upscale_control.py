"""Edit, upscale, control and image-to-video: each route's multipart form, field by field."""

from __future__ import annotations

from typing import Any

import pytest
import structlog

import relaykit
from relaykit.plugin import FilePart, HttpRequest, run_to_completion
from relaykit_stability._edit import edit
from relaykit_stability._upscale import control, upscale
from relaykit_stability._video import video

from ._helpers import PNG, context, image_answer, json_answer, request

IMAGE = FilePart("image", "image.png", PNG, "image/png")
MASK = FilePart("mask", "mask.png", PNG, "image/png")
JOB = "a6dc6c6e20acda010fe14d71f180658f2896ed9b4ec25aa99a6ff06c796987c4"


def _edit(**fields: Any) -> HttpRequest:
    req = request(relaykit.MediaEditRequest, model="stability/stable-image", image=PNG, **fields)
    effect = next(edit(req, context("stable-image")))
    assert isinstance(effect, HttpRequest)
    return effect


@pytest.mark.parametrize(
    ("fields", "route", "data", "files"),
    [
        (
            {"operation": "inpaint", "prompt": "a red door", "mask": ("mask.png", PNG), "grow_mask": 50, "seed": 3},
            "inpaint",
            {"prompt": "a red door", "grow_mask": "50", "seed": "3"},
            [IMAGE, MASK],
        ),
        (
            {"operation": "outpaint", "left": 256, "up": 128, "creativity": 0.5, "prompt": "more sky"},
            "outpaint",
            {"prompt": "more sky", "left": "256", "up": "128", "creativity": "0.5"},
            [IMAGE],
        ),
        ({"operation": "erase", "grow_mask": 5}, "erase", {"grow_mask": "5"}, [IMAGE]),
        (
            {"operation": "search_and_replace", "prompt": "a cat", "search_prompt": "dog", "negative_prompt": "blur"},
            "search-and-replace",
            {"prompt": "a cat", "negative_prompt": "blur", "search_prompt": "dog"},
            [IMAGE],
        ),
        (
            {
                "operation": "search_and_recolor",
                "prompt": "bright red",
                "select_prompt": "the car",
                "style_preset": "anime",
            },
            "search-and-recolor",
            {"prompt": "bright red", "select_prompt": "the car", "style_preset": "anime"},
            [IMAGE],
        ),
        (
            {"operation": "remove_background", "output_format": "webp"},
            "remove-background",
            {"output_format": "webp"},
            [IMAGE],
        ),
    ],
    ids=["inpaint", "outpaint", "erase", "search-and-replace", "search-and-recolor", "remove-background"],
)
def test_each_edit_route_gets_its_fields_and_files(
    fields: dict[str, Any], route: str, data: dict[str, str], files: list[FilePart]
) -> None:
    """The operation picks the route; only the fields set are sent, the image (and mask) as files."""
    sent = _edit(**fields)
    assert sent.url == f"https://api.stability.ai/v2beta/stable-image/edit/{route}"
    assert sent.data == data
    assert sent.files == files


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"operation": "inpaint", "prompt": "x", "grow_mask": 101}, "grow_mask"),
        ({"operation": "erase", "grow_mask": 21}, "grow_mask"),
        ({"operation": "outpaint", "down": 2001}, "down"),
        ({"operation": "remove_background", "output_format": "jpeg"}, "output_format"),
    ],
)
def test_stability_edit_limits_name_the_field(fields: dict[str, Any], field: str) -> None:
    """grow_mask 0-100 on inpaint and 0-20 elsewhere, 2000 px extents, no JPEG without a background."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        _edit(**fields)
    assert caught.value.field == field


def test_an_edit_answer_is_a_media_result() -> None:
    """The edited image comes back with its kind and seed."""
    req = request(relaykit.MediaEditRequest, model="stability/stable-image", operation="erase", image=PNG)
    result = run_to_completion(edit(req, context("stable-image")), [image_answer(seed="9")])
    assert (result.kind, result.images[0].seed, result.images[0].content) == ("media.edit.erase", 9, PNG)


def _upscale(mode: str, **fields: Any) -> relaykit.MediaUpscaleRequest:
    return request(relaykit.MediaUpscaleRequest, model="stability/stable-image", mode=mode, image=PNG, **fields)


def test_conservative_and_fast_upscales_answer_with_the_image() -> None:
    """Both are synchronous; fast sends only the image (and output format)."""
    flow = upscale(_upscale("conservative", prompt="a castle", creativity=0.35), context("stable-image"))
    sent = next(flow)
    assert isinstance(sent, HttpRequest)
    assert sent.url.endswith("/v2beta/stable-image/upscale/conservative")
    assert (sent.data, sent.files) == ({"prompt": "a castle", "creativity": "0.35"}, [IMAGE])
    fast = next(upscale(_upscale("fast", output_format="jpeg"), context("stable-image")))
    assert isinstance(fast, HttpRequest)
    assert (fast.url.rsplit("/", 1)[1], fast.data) == ("fast", {"output_format": "jpeg"})
    result = run_to_completion(upscale(_upscale("fast"), context("stable-image")), [image_answer()])
    assert isinstance(result, relaykit.MediaResult)
    assert result.kind == "media.upscale.fast"


def test_a_creative_upscale_returns_a_queued_task_with_the_vendor_poll_hint() -> None:
    """The start asks for JSON, answers {id}, and becomes a queued Task remembering the output's form."""
    flow = upscale(_upscale("creative", prompt="a castle", style_preset="fantasy-art"), context("stable-image"))
    sent = next(flow)
    assert isinstance(sent, HttpRequest)
    assert sent.headers["accept"] == "application/json"
    assert sent.data == {"prompt": "a castle", "style_preset": "fantasy-art"}
    try:
        flow.send(json_answer({"id": JOB}))
    except StopIteration as stop:
        task = stop.value
    assert isinstance(task, relaykit.Task)
    assert (task.id, task.kind, task.status, task.model, task.poll_after) == (
        JOB,
        "media.upscale.creative",
        "queued",
        "stable-image",
        10.0,
    )
    assert task.vendor_data == {"accept": "image/*", "mime_type": "image/png"}
    assert task.created_at is not None


def test_upscales_that_need_a_prompt_say_so() -> None:
    """Conservative and creative need a prompt; conservative takes no style preset."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(upscale(_upscale("creative"), context("stable-image")))
    assert caught.value.field == "prompt"
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(upscale(_upscale("conservative", prompt="x", style_preset="anime"), context("stable-image")))
    assert caught.value.field == "style_preset"


def test_control_routes_send_strength_or_fidelity_and_style_reports_its_ratio() -> None:
    """Sketch takes control_strength; style takes fidelity and a size turned into an aspect ratio."""
    sketch = request(
        relaykit.MediaControlRequest,
        model="stability/stable-image",
        mode="sketch",
        image=PNG,
        prompt="a house",
        control_strength=0.7,
    )
    sent = next(control(sketch, context("stable-image")))
    assert isinstance(sent, HttpRequest)
    assert sent.url.endswith("/v2beta/stable-image/control/sketch")
    assert (sent.data, sent.files) == ({"prompt": "a house", "control_strength": "0.7"}, [IMAGE])
    style = request(
        relaykit.MediaControlRequest,
        model="stability/stable-image",
        mode="style",
        image=PNG,
        prompt="a house",
        fidelity=0.5,
        size="768x1344",
    )
    flow = control(style, context("stable-image"))
    first = next(flow)
    assert isinstance(first, HttpRequest)
    assert first.data == {"prompt": "a house", "fidelity": "0.5", "aspect_ratio": "9:16"}
    result = run_to_completion(control(style, context("stable-image")), [image_answer()])
    assert (result.kind, result.aspect_ratio) == ("media.control.style", "9:16")


def _video(**fields: Any) -> relaykit.VideoGenerateRequest:
    return request(relaykit.VideoGenerateRequest, model="stability/stable-video-diffusion", **fields)


def test_image_to_video_starts_a_job_and_leaves_the_prompt_out_with_a_notice() -> None:
    """The first frame and seed go up with provider options; a prompt is dropped and logged."""
    ctx = context("stable-video-diffusion", options={"cfg_scale": 1.8, "motion_bucket_id": 127})
    with structlog.testing.capture_logs() as logs:
        flow = video(_video(image=PNG, seed=4, prompt="waves"), ctx)
        sent = next(flow)
    assert isinstance(sent, HttpRequest)
    assert sent.url == "https://api.stability.ai/v2beta/image-to-video"
    assert (sent.data, sent.files) == ({"seed": "4", "cfg_scale": "1.8", "motion_bucket_id": "127"}, [IMAGE])
    assert [entry["event"] for entry in logs] == ["relaykit.stability.prompt_ignored"]
    try:
        flow.send(json_answer({"id": JOB}))
    except StopIteration as stop:
        task = stop.value
    assert (task.kind, task.status, task.vendor_data["accept"]) == ("video.image_to_video", "queued", "video/*")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"prompt": "x"}, "image"),
        ({"image": PNG, "duration": 4}, "duration"),
        ({"image": PNG, "output_format": "png"}, "output_format"),
    ],
)
def test_image_to_video_refuses_what_it_cannot_honour(fields: dict[str, Any], field: str) -> None:
    """No first frame, a duration or an image output format are refused before sending."""
    with pytest.raises(relaykit.InvalidRequestError) as caught:
        next(video(_video(**fields), context("stable-video-diffusion")))
    assert caught.value.field == field
