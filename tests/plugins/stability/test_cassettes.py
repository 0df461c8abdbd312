"""Hand-written Stability exchanges replayed through the public sync and async clients (one cassette each).

Multipart bodies are matched part by part (clients draw a random boundary), so each cassette pins
the exact fields, their order and the uploaded bytes. Re-record with a real key:
``RELAYKIT_RECORD=all STABILITY_API_KEY=sk-... python -m pytest -m cassette tests/plugins/stability``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

import relaykit
from relaykit_stability.emulator._media import mp4, png, webp

from ...cassette_support import call, replay_both

pytestmark = pytest.mark.cassette

RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
# Replays use a fake key (the authorization header is filtered) and poll without pausing; recording
# needs the real key and Stability's 10 s between polls.
PROVIDERS = {
    "stability": {
        "api_key": os.environ.get("STABILITY_API_KEY", "") if RECORDING else "sk-stability-test-0123456789",
        "poll_interval": 10.0 if RECORDING else 0.001,
    }
}
# 4x4 RGBA PNGs made with python (zlib + struct): a picture and its mask (the cassettes hold these bytes).
IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
MASK = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAEElEQVR42mNgIAb8R8OoAgB7yAf52hpMqQAAAABJRU5ErkJggg=="
)
VIDEO_JOB = "0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d"

T = TypeVar("T")


def both(cassette: str, scenario: Callable[[Any], Awaitable[T]]) -> list[T]:
    """Replay ``cassettes/stability/<cassette>`` on a sync client, then on an async one."""
    return replay_both(f"stability/{cassette}", PROVIDERS, scenario)


def test_ultra_bytes_with_headers_replays_sync_and_async() -> None:
    """A fields-only multipart form; the PNG and the seed header come back, 16:9 reported."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.generate(
                model="stability/ultra",
                prompt="A lighthouse on a cliff at dawn",
                negative_prompt="blurry",
                size="1920x1080",
                seed=343940597,
                output_format="png",
                style_preset="photographic",
            )
        )

    for result in both("generate/ultra_bytes.yaml", scenario):
        (image,) = result.images
        assert (image.content, image.seed, image.mime_type, image.content_filtered) == (
            png(16, 9),
            343940597,
            "image/png",
            False,
        )
        assert result.aspect_ratio == "16:9"


def test_inpaint_as_base64_json_replays_sync_and_async() -> None:
    """The image and mask are file parts; the JSON answer keeps its base64 and seed."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.edit(
                operation="inpaint",
                model="stability/stable-image",
                image=IMAGE,
                mask=("mask.png", MASK),
                prompt="a red front door",
                grow_mask=8,
                response_format="b64_json",
            )
        )

    for result in both("edit/inpaint_json.yaml", scenario):
        (image,) = result.images
        assert (image.b64_json, image.seed) == (base64.b64encode(png()).decode(), 1029384756)
        assert result.vendor_data == {"finish_reason": "SUCCESS"}


def test_creative_upscale_task_polls_202_then_200_sync_and_async() -> None:
    """The start gives a Task; wait polls the generic results path through 202 to the WEBP."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(
            client.media.upscale(
                mode="creative",
                model="stability/stable-image",
                image=IMAGE,
                prompt="a weathered stone castle",
                creativity=0.3,
                output_format="webp",
            )
        )
        assert isinstance(task, relaykit.Task)
        return await call(client.tasks.wait(task.to_json(), timeout=600))

    for done in both("upscale/creative_task.yaml", scenario):
        assert done.status == "succeeded"
        assert done.result is not None
        (image,) = done.result.images
        assert (image.to_bytes(), image.mime_type, image.seed) == (webp(), "image/webp", 2518893472)


def test_image_to_video_task_replays_sync_and_async() -> None:
    """cfg_scale and motion_bucket_id ride in provider_options; the MP4 arrives as result.video."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.video.generate(
                model="stability/stable-video-diffusion",
                image=IMAGE,
                seed=42,
                provider_options={"stability": {"cfg_scale": 1.8, "motion_bucket_id": 127}},
                wait=True,
            )
        )

    for result in both("video/image_to_video.yaml", scenario):
        assert result.video is not None
        assert (result.video.to_bytes(), result.video.seed) == (mp4(VIDEO_JOB.encode()), 42)
        assert result.task_id == VIDEO_JOB


def test_v1_text_to_image_replays_sync_and_async() -> None:
    """Weighted text prompts and samples go up as JSON; two artifacts come back."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.generate(
                model="stability/stable-diffusion-xl-1024-v1-0",
                prompt="a lighthouse on a cliff",
                negative_prompt="blurry",
                n=2,
                size="1024x1024",
                seed=1050625087,
                provider_options={"stability": {"cfg_scale": 7, "steps": 30, "sampler": "K_DPMPP_2M"}},
            )
        )

    for result in both("v1/text_to_image.yaml", scenario):
        assert [(image.content, image.seed) for image in result.images] == [
            (png(16, 16), 1050625087),
            (png(16, 16), 1050625088),
        ]


def test_content_moderation_replays_as_content_policy_error() -> None:
    """The 403 envelope is ContentPolicyError on both clients."""

    async def scenario(client: Any) -> BaseException:
        with pytest.raises(relaykit.ContentPolicyError) as caught:
            await call(client.media.generate(model="stability/core", prompt="a forbidden scene"))
        return caught.value

    for error in both("generate/content_moderation.yaml", scenario):
        assert isinstance(error, relaykit.ContentPolicyError)
        assert (error.status, error.code) == (403, "content_moderation")
