"""EZLink's side doors (seed 001): Midjourney, Flux, Stability and video through the EZLink emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit import MediaResult
from relaykit.plugin import CallContext
from relaykit_ezlink import EZLinkSettings
from relaykit_ezlink._sidedoors import flux_context, stability_context
from relaykit_ezlink.emulator import EZLinkEmulator

from ..vocka.relay_clients import PNG

pytestmark = pytest.mark.anyio


@pytest.fixture
def emu() -> Iterator[EZLinkEmulator]:
    with EZLinkEmulator() as emulator:
        yield emulator


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _settings(emu: EZLinkEmulator) -> dict[str, dict[str, object]]:
    return {"ezlink": emu.client_settings("ezlink")}


def test_side_door_roots_come_from_the_openai_base_url() -> None:
    """Flux goes to <relay>/flux polled on the relay; Stability to the relay's origin."""
    settings = EZLinkSettings(base_url="https://api.ezlinkai.com/v1", api_key="sk-ez")
    ctx = CallContext(provider="ezlink", kind="ezlink", model="flux-pro-1.1", settings=settings)
    flux = flux_context(ctx).settings
    assert (flux.base_url, getattr(flux, "polling")) == ("https://api.ezlinkai.com/flux", "base_url")  # noqa: B009
    assert stability_context(ctx).settings.base_url == "https://api.ezlinkai.com/"


def test_midjourney_chain_runs_through_the_relay(emu: EZLinkEmulator) -> None:
    """imagine -> U1 -> V1 through /mj of the EZLink emulator, with a bearer key."""
    with relaykit.Client(providers=_settings(emu)) as client:
        grid = client.tasks.wait(client.midjourney.imagine(model="ezlink/midjourney", prompt="a fox"))
        upscaled = client.tasks.wait(client.midjourney.action(grid, "U1"))
        varied = client.tasks.wait(client.midjourney.action(upscaled, "Vary (Subtle)"))
        described = client.tasks.wait(client.midjourney.describe(model="ezlink/midjourney", base64=PNG))
    assert (grid.status, varied.status, described.status) == ("succeeded", "succeeded", "succeeded")
    assert emu.requests[0].path == "/mj/submit/imagine"


def test_flux_bfl_form_polls_the_relays_own_result_route(emu: EZLinkEmulator) -> None:
    """A flux model on client.media submits to /flux/v1/<model> and polls /flux/v1/get_result."""
    with relaykit.Client(providers=_settings(emu)) as client:
        task = client.media.generate(model="ezlink/flux-pro-1.1", prompt="a tiny city")
        done = client.tasks.wait(task)
    assert done.status == "succeeded"
    assert done.result is not None
    assert done.result.images[0].url
    paths = [request.path for request in emu.requests]
    assert paths[0] == "/flux/v1/flux-pro-1.1"
    assert "/flux/v1/get_result" in paths[1:]
    assert emu.requests[0].header("x-key") == emu.api_key


def test_flux_openai_form_uses_images_generations(emu: EZLinkEmulator) -> None:
    """A flux model on client.images.generate takes EZLink's OpenAI images route."""
    with relaykit.Client(providers=_settings(emu)) as client:
        client.images.generate(model="ezlink/flux-schnell", prompt="a fox")
    assert emu.last_request.path == "/v1/images/generations"
    assert emu.last_request.json()["model"] == "flux-schnell"


async def test_stability_pass_through_generate_and_creative_upscale(emu: EZLinkEmulator) -> None:
    """Stability's /v2beta routes pass through: generate answers images, creative upscale a Task."""
    async with relaykit.AsyncClient(providers=_settings(emu)) as client:
        result = await client.media.generate(model="ezlink/ultra", prompt="a lighthouse")
        task = await client.media.upscale(mode="creative", model="ezlink/stable-image", image=PNG, prompt="a castle")
        done = await client.tasks.wait(task)
    assert isinstance(result, MediaResult)
    assert result.images
    assert done.status == "succeeded"
    assert emu.requests[0].path == "/v2beta/stable-image/generate/ultra"


@pytest.mark.parametrize("mode", ["sketch", "structure", "style"])
def test_stability_control_passes_through_as_the_seed_documents(emu: EZLinkEmulator, mode: str) -> None:
    """client.media.control reaches /v2beta/stable-image/control/<mode> on the relay and answers images."""
    with relaykit.Client(providers=_settings(emu)) as client:
        result = client.media.control(mode=mode, model="ezlink/stable-image", image=PNG, prompt="a castle")
    assert isinstance(result, MediaResult)
    assert result.images
    assert emu.last_request.path == f"/v2beta/stable-image/control/{mode}"


def test_video_generation_and_query_as_a_task(emu: EZLinkEmulator) -> None:
    """submit's "succeed" is a queued Task; polling the result route ends with the video URL."""
    with relaykit.Client(providers=_settings(emu)) as client:
        task = client.video.generate(model="ezlink/veo-3.1-generate-preview", prompt="a lighthouse", duration=8)
        assert task.status == "queued"
        seen: list[str] = []
        done = client.tasks.wait(task, on_progress=lambda t: seen.append(t.status))
    assert done.status == "succeeded"
    assert done.result is not None
    assert done.result.video is not None
    assert done.result.video.url
    assert "running" in seen
    body = emu.requests[0].json()
    assert body == {
        "model": "veo-3.1-generate-preview",
        "instances": [{"prompt": "a lighthouse"}],
        "parameters": {"durationSeconds": 8},
    }


async def test_video_async_failure_and_unknown_task(emu: EZLinkEmulator) -> None:
    """A failed job ends as a failed Task with the relay's message; an unknown id raises."""
    async with relaykit.AsyncClient(providers=_settings(emu)) as client:
        task = await client.video.generate(model="ezlink/kling-v1", prompt="a failing scene", image=PNG)
        with pytest.raises(relaykit.TaskFailedError):
            await client.tasks.wait(task)
        with pytest.raises(relaykit.BadRequestError):
            await client.tasks.get(task.model_copy(update={"id": "nope"}))
    assert emu.requests[0].json()["image"].startswith("data:image/png;base64,")
    assert task.kind == "video.image_to_video"
