"""Hand-written BFL exchanges replayed through the public sync and async clients (one cassette each).

JSON bodies are matched parsed, so each cassette pins the exact fields sent. Re-record with a real
key: ``RELAYKIT_RECORD=all BFL_API_KEY=... python -m pytest -m cassette tests/plugins/flux``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

import relaykit
from relaykit_flux.emulator._media import jpeg

from ...cassette_support import call, replay_both

pytestmark = pytest.mark.cassette

RECORDING = bool(os.environ.get("RELAYKIT_RECORD"))
# Replays use a fake key (the x-key header is filtered) and poll without pausing; recording needs
# the real key and BFL's suggested cadence.
PROVIDERS = {
    "flux": {
        "api_key": os.environ.get("BFL_API_KEY", "") if RECORDING else "bfl-test-key-0123456789abcdef",
        "poll_interval": 1.0 if RECORDING else 0.001,
        "max_poll_interval": 5.0 if RECORDING else 0.001,
    }
}
# 4x4 RGBA PNGs made with python (zlib + struct): a picture and its mask (the cassettes hold their base64).
IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
)
MASK = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAEElEQVR42mNgIAb8R8OoAgB7yAf52hpMqQAAAABJRU5ErkJggg=="
)

T = TypeVar("T")


def both(cassette: str, scenario: Callable[[Any], Awaitable[T]]) -> list[T]:
    """Replay ``cassettes/flux/<cassette>`` on a sync client, then on an async one."""
    return replay_both(f"flux/{cassette}", PROVIDERS, scenario)


def test_pro_1_1_task_polls_the_regional_host_and_downloads_the_image() -> None:
    """Submit, wait on the task's JSON (Pending, Ready on api.us1), then fetch the signed JPEG."""
    seen: list[str] = []

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(
            client.media.generate(
                model="flux/flux-pro-1.1",
                prompt="a lighthouse on a cliff at dawn",
                size="1024x768",
                seed=42,
                provider_options={"flux": {"safety_tolerance": 2}},
            )
        )
        assert isinstance(task, relaykit.Task)
        return await call(
            client.tasks.wait(task.to_json(), timeout=600, download=True, on_progress=lambda t: seen.append(t.status))
        )

    for done in both("generate/pro_1_1_task.yaml", scenario):
        assert done.result is not None
        (image,) = done.result.images
        assert (image.to_bytes(), image.mime_type, image.seed) == (jpeg(), "image/jpeg", 42)
        assert image.expires_at == datetime(2026, 1, 16, 19, 50, 11, tzinfo=UTC)
        assert done.vendor_data["cost"] == 4.0
    assert seen == ["running", "succeeded"] * 2


def test_kontext_request_moderated_replays_as_a_moderated_failure() -> None:
    """A URL input goes to BFL as is; Request Moderated raises TaskFailedError with moderated set."""

    async def scenario(client: Any) -> relaykit.TaskFailedError:
        task = await call(
            client.media.generate(
                model="flux/flux-kontext-max",
                prompt="put the person on a magazine cover",
                image="https://cdn.example.com/portrait.jpg",
                size="768x1024",
                output_format="png",
            )
        )
        with pytest.raises(relaykit.TaskFailedError) as caught:
            await call(client.tasks.wait(task, timeout=600))
        return caught.value

    for error in both("generate/kontext_request_moderated.yaml", scenario):
        assert error.moderated
        assert error.task.error is not None
        assert "Derivative Works Filter" in error.task.error.message
        assert "cost" not in error.task.vendor_data


def test_fill_inpaint_replays_sync_and_async() -> None:
    """Image and mask go up as base64; the result is a PNG URL with its expiry, waited on with wait=True."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.edit(
                operation="inpaint",
                model="flux/flux-pro-1.0-fill",
                image=IMAGE,
                mask=("mask.png", MASK),
                prompt="a red front door",
                output_format="png",
                wait=True,
            )
        )

    for result in both("edit/fill_task.yaml", scenario):
        (image,) = result.images
        assert (image.mime_type, image.seed, image.content) == ("image/png", 1983520641, None)
        assert image.url is not None
        assert image.url.startswith("https://delivery-eu1.bfl.ai/results/")
        assert image.expires_at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
        assert result.kind == "media.edit.inpaint"


def test_insufficient_credits_replays_as_quota_exceeded() -> None:
    """A 402 on submit is QuotaExceededError on both clients."""

    async def scenario(client: Any) -> BaseException:
        with pytest.raises(relaykit.QuotaExceededError) as caught:
            await call(
                client.media.generate(
                    model="flux/flux-2-pro", prompt="a serene mountain landscape at golden hour", size="1024x1024"
                )
            )
        return caught.value

    for error in both("errors/insufficient_credits.yaml", scenario):
        assert isinstance(error, relaykit.QuotaExceededError)
        assert (error.status, error.message) == (402, "Insufficient credits. Please add credits to your account.")
