"""Hand-written EZLink exchanges (cassettes/ezlink) replayed through the sync and async clients."""

from __future__ import annotations

from typing import Any

import pytest

import relaykit
from relaykit import Task

from ...cassette_support import call
from ..vocka.relay_cassettes import both

pytestmark = pytest.mark.cassette


def test_exhausted_token_is_quota_exceeded_with_request_id() -> None:
    """One-api's 403 该令牌额度已用尽 becomes QuotaExceededError; the request-id suffix is split off."""

    async def scenario(client: Any) -> relaykit.QuotaExceededError:
        with pytest.raises(relaykit.QuotaExceededError) as caught:
            await call(client.embeddings.create(model="ezlink/text-embedding-3-small", input="hello"))
        return caught.value

    for error in both("ezlink", "quota_exhausted.yaml", scenario):
        assert error.request_id == "20261122031500123456789"
        assert "request id" not in str(error)
        assert error.retryable is False


def test_veo_video_submit_succeed_is_accepted_then_result_finishes() -> None:
    """The submit's "succeed" is a queued Task; the result route's succeed carries the video URL."""

    async def scenario(client: Any) -> tuple[Task, Task]:
        task = await call(
            client.video.generate(
                model="ezlink/veo-3.1-generate-preview",
                prompt="a lighthouse in a storm",
                aspect_ratio="16:9",
                duration=8,
                generate_audio=True,
            )
        )
        return task, await call(client.tasks.get(task))

    for submitted, done in both("ezlink", "video_veo.yaml", scenario):
        assert (submitted.status, submitted.kind) == ("queued", "video.text_to_video")
        assert done.status == "succeeded"
        assert done.result is not None
        assert done.result.video is not None
        assert done.result.video.url == "https://storage.example-ezlink.test/videos/aec81bcb.mp4"
        assert done.vendor_data["usage"] == {"cost_in_usd": 0.4}
