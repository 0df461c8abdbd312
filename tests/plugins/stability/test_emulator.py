"""The Stability plugin against its emulator, through the public sync and async clients.

Each scenario is written once and run on both clients: generate, inpaint, outpaint, remove a
background, upscale creatively and animate an image (the last two return a Task that is saved as
JSON, resumed in a new client and waited on with progress reported), polling within a deadline, a
vendor that forgets a job, moderation, and faults.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import anyio
import httpx2
import pytest

import relaykit
from relaykit.testing import Fault
from relaykit_stability.emulator import StabilityEmulator
from relaykit_stability.emulator._media import jpeg, png, webp

from ...cassette_support import call
from ._helpers import PNG

T = TypeVar("T")
CLIENTS = ["sync", "async"]
Scenario = Callable[[Any], Awaitable[T]]


@pytest.fixture
def emu() -> Iterator[StabilityEmulator]:
    with StabilityEmulator() as emulator:
        yield emulator


def _providers(emu: StabilityEmulator, key: str = "test-key") -> dict[str, Any]:
    return {"stability": {"api_key": key, "base_url": emu.base_url, "poll_interval": 0.02}}


def run(kind: str, emu: StabilityEmulator, scenario: Scenario[T], key: str = "test-key") -> T:
    """Run `scenario` with a fresh client of `kind` configured for the emulator."""

    async def main() -> T:
        if kind == "sync":
            with relaykit.Client(providers=_providers(emu, key)) as client:
                return await scenario(client)
        async with relaykit.AsyncClient(providers=_providers(emu, key)) as client:
            return await scenario(client)

    return anyio.run(main)


@pytest.mark.parametrize("kind", CLIENTS)
def test_generate_sends_multipart_and_reports_the_aspect_ratio(kind: str, emu: StabilityEmulator) -> None:
    """A text-to-image call is multipart without files; the PNG's shape follows the chosen ratio."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.generate(model="stability/ultra", prompt="a lighthouse", size="1920x1080", seed=9)
        )

    result = run(kind, emu, scenario)
    (image,) = result.images
    assert (result.aspect_ratio, image.mime_type, image.seed) == ("16:9", "image/png", 9)
    assert image.to_bytes() == png(16, 9)
    sent = emu.last_request
    assert sent.content_type == "multipart/form-data"
    assert sent.form().fields == {"prompt": ["a lighthouse"], "aspect_ratio": ["16:9"], "seed": ["9"]}
    assert sent.header("accept") == "image/*"


@pytest.mark.parametrize("kind", CLIENTS)
def test_inpaint_outpaint_and_remove_background(kind: str, emu: StabilityEmulator) -> None:
    """Three edits: mask and prompt, per-side extents, and a WEBP cut-out as base64 JSON."""

    async def scenario(client: Any) -> list[relaykit.MediaResult]:
        common = {"model": "stability/stable-image", "image": PNG}
        return [
            await call(client.media.edit(operation="inpaint", mask=PNG, prompt="a red door", grow_mask=40, **common)),
            await call(client.media.edit(operation="outpaint", left=200, down=100, output_format="jpeg", **common)),
            await call(
                client.media.edit(
                    operation="remove_background", output_format="webp", response_format="b64_json", **common
                )
            ),
        ]

    inpaint, outpaint, cutout = run(kind, emu, scenario)
    assert (inpaint.kind, inpaint.images[0].to_bytes()) == ("media.edit.inpaint", png())
    assert (outpaint.images[0].mime_type, outpaint.images[0].to_bytes()) == ("image/jpeg", jpeg())
    assert cutout.images[0].b64_json == base64.b64encode(webp()).decode()
    assert cutout.images[0].seed is not None
    inpaint_form = emu.requests[0].form()
    assert inpaint_form.fields == {"prompt": ["a red door"], "grow_mask": ["40"]}
    assert sorted(inpaint_form.files) == ["image", "mask"]
    assert emu.requests[1].form().fields == {"left": ["200"], "down": ["100"], "output_format": ["jpeg"]}


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_creative_upscale_task_resumes_from_json_in_a_new_client(kind: str, emu: StabilityEmulator) -> None:
    """Submit, save to_json, then in a new client: Task.from_json, wait with progress, the PNG."""

    async def submit(client: Any) -> str:
        task = await call(
            client.media.upscale(mode="creative", model="stability/stable-image", image=PNG, prompt="a castle")
        )
        assert isinstance(task, relaykit.Task)
        assert task.status == "queued"
        return str(task.to_json())

    saved = run(kind, emu, submit)
    seen: list[tuple[str, float | None]] = []

    async def resume(client: Any) -> relaykit.Task:
        task = relaykit.Task.from_json(saved)
        return await call(
            client.tasks.wait(task, timeout=30, on_progress=lambda t: seen.append((t.status, t.progress)))
        )

    done = run(kind, emu, resume)
    assert done.status == "succeeded"
    assert seen == [("running", 0.333), ("running", 0.667), ("succeeded", 1.0)]
    assert relaykit.MediaResult.from_task(done).images[0].to_bytes() == png()
    assert done.vendor_data["result_path"].startswith("/v2beta/results/")


@pytest.mark.parametrize("kind", CLIENTS)
def test_animating_an_image_is_a_task_resumed_elsewhere_with_async_or_sync_progress(
    kind: str, emu: StabilityEmulator
) -> None:
    """Image-to-video returns a Task; waited on in a new client it yields the MP4 as result.video."""

    async def submit(client: Any) -> str:
        task = await call(client.video.generate(model="stability/stable-video-diffusion", image=png(16, 9), seed=5))
        assert isinstance(task, relaykit.Task)
        return str(task.to_json())

    saved = run(kind, emu, submit)
    seen: list[str] = []

    async def report_async(task: relaykit.Task) -> None:
        seen.append(task.status)

    async def resume(client: Any) -> relaykit.Task:
        report: Any = report_async if kind == "async" else (lambda t: seen.append(t.status))
        return await call(client.tasks.wait(saved, timeout=30, on_progress=report))

    done = run(kind, emu, resume)
    assert seen == ["running", "running", "succeeded"]
    video = relaykit.MediaResult.from_task(done).video
    assert video is not None
    assert (video.mime_type, video.seed, video.to_bytes()[4:8]) == ("video/mp4", 5, b"ftyp")
    assert emu.requests[-1].path == f"/v2beta/image-to-video/result/{done.id}"


@pytest.mark.parametrize("kind", CLIENTS)
def test_wait_true_returns_the_media_result(kind: str, emu: StabilityEmulator) -> None:
    """The wait=True convenience polls the job and answers with a MediaResult."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.upscale(
                mode="creative", model="stability/stable-image", image=PNG, prompt="a castle", wait=True
            )
        )

    result = run(kind, emu, scenario)
    assert (result.kind, result.images[0].to_bytes()) == ("media.upscale.creative", png())


@pytest.mark.parametrize("kind", CLIENTS)
def test_polling_honours_the_deadline(kind: str) -> None:
    """A job that never finishes ends the wait with TaskTimeoutError near the deadline, carrying the task."""
    with StabilityEmulator(steps=10_000) as slow:

        async def scenario(client: Any) -> None:
            task = await call(
                client.media.upscale(mode="creative", model="stability/stable-image", image=PNG, prompt="x")
            )
            await call(client.tasks.wait(task, timeout=0.3))

        started = time.monotonic()
        with pytest.raises(relaykit.TaskTimeoutError) as caught:
            run(kind, slow, scenario)
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 3.0
    assert caught.value.task.status == "running"
    assert caught.value.task.progress is not None


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_vendor_that_forgets_the_task_is_a_typed_failure(kind: str, emu: StabilityEmulator) -> None:
    """Once the emulator forgets the job, get and wait raise TaskNotFoundError instead of polling on."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(client.video.generate(model="stability/stable-video-diffusion", image=PNG))
        emu.forget_job(task.id)
        return await call(client.tasks.wait(task, timeout=30))

    with pytest.raises(relaykit.TaskNotFoundError) as caught:
        run(kind, emu, scenario)
    assert caught.value.status == 404
    assert caught.value.task.kind == "video.image_to_video"


def test_polling_with_another_key_looks_like_a_forgotten_task(emu: StabilityEmulator) -> None:
    """Stability answers 404 to a poll with another key: TaskNotFoundError."""
    emu.api_key = None  # accept any key, as a relay would, but jobs stay tied to the key that made them

    async def submit(client: Any) -> str:
        task = await call(client.media.upscale(mode="creative", model="stability/stable-image", image=PNG, prompt="x"))
        return str(task.to_json())

    saved = run("sync", emu, submit, key="first-key")
    with pytest.raises(relaykit.TaskNotFoundError):
        run("sync", emu, lambda client: call(client.tasks.get(saved)), key="other-key")


@pytest.mark.parametrize("kind", CLIENTS)
def test_moderation_refusals_and_filtered_outputs(kind: str, emu: StabilityEmulator) -> None:
    """403 content_moderation is ContentPolicyError; CONTENT_FILTERED is a success with the flag set."""

    async def refused(client: Any) -> Any:
        return await call(client.media.generate(model="stability/core", prompt="something forbidden"))

    with pytest.raises(relaykit.ContentPolicyError) as caught:
        run(kind, emu, refused)
    assert caught.value.code == "content_moderation"

    async def filtered(client: Any) -> relaykit.MediaResult:
        return await call(client.media.generate(model="stability/core", prompt="a censored scene"))

    assert run(kind, emu, filtered).content_filtered


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_job_that_fails_raises_task_failed_error(kind: str, emu: StabilityEmulator) -> None:
    """A job ending in content_moderation is TaskFailedError with moderated set and the failed task."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(client.media.upscale(mode="creative", model="stability/stable-image", image=PNG, prompt="x"))
        emu.fail_job(task.id)
        return await call(client.tasks.wait(task, timeout=30))

    with pytest.raises(relaykit.TaskFailedError) as caught:
        run(kind, emu, scenario)
    assert caught.value.moderated
    assert caught.value.task.status == "failed"


@pytest.mark.parametrize("kind", CLIENTS)
def test_faults_map_to_errors_and_a_transient_poll_failure_is_waited_out(kind: str, emu: StabilityEmulator) -> None:
    """A 429 with Retry-After is RateLimitError; a 500 while polling does not end the wait."""
    emu.inject(Fault.status(429, retry_after=3), path="/v2beta/stable-image/generate/*")

    async def limited(client: Any) -> Any:
        return await call(client.media.generate(model="stability/ultra", prompt="x"))

    with pytest.raises(relaykit.RateLimitError) as caught:
        run(kind, emu, limited)
    assert (caught.value.retry_after, caught.value.code) == (3.0, "rate_limit_exceeded")

    async def flaky(client: Any) -> relaykit.Task:
        task = await call(client.media.upscale(mode="creative", model="stability/stable-image", image=PNG, prompt="x"))
        emu.inject(Fault.status(500), path="/v2beta/results/*")
        return await call(client.tasks.wait(task, timeout=30, poll_interval=0.01))

    assert run(kind, emu, flaky).status == "succeeded"


def test_a_url_input_is_downloaded_by_core_and_uploaded_as_a_file(emu: StabilityEmulator) -> None:
    """Stability fetches no URLs: core downloads the image, the plugin sends its bytes."""
    url = emu.publish(PNG, "image/png", suffix=".png")

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(client.media.edit(operation="erase", model="stability/stable-image", image=url))

    run("sync", emu, scenario)
    download, edit = emu.requests[-2:]
    assert download.path.startswith("/files/")
    assert download.header("authorization") is None
    upload = edit.form().file("image")
    assert upload is not None
    assert (upload.content, upload.content_type) == (PNG, "image/png")


@pytest.mark.parametrize("kind", CLIENTS)
def test_v1_text_to_image_through_the_client(kind: str, emu: StabilityEmulator) -> None:
    """A v1 engine id takes the JSON route; samples become outputs with consecutive seeds."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.generate(
                model="stability/stable-diffusion-xl-1024-v1-0", prompt="a fox", n=2, size="1024x1024", seed=100
            )
        )

    result = run(kind, emu, scenario)
    assert [image.seed for image in result.images] == [100, 101]
    assert result.images[0].to_bytes() == png(16, 16)
    assert emu.last_request.json()["text_prompts"] == [{"text": "a fox", "weight": 1}]


def test_the_emulator_refuses_bodies_that_are_not_multipart(emu: StabilityEmulator) -> None:
    """Stability rejects URL-encoded and JSON bodies with its 400 envelope."""
    response = httpx2.post(
        emu.url("/v2beta/stable-image/generate/core"),
        data={"prompt": "x"},
        headers={"authorization": "Bearer test-key"},
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["name"], set(body)) == ("bad_request", {"id", "name", "errors"})
    unauthorized = httpx2.post(emu.url("/v2beta/image-to-video"), files={"image": PNG})
    assert (unauthorized.status_code, unauthorized.json()["name"]) == (401, "unauthorized")


@pytest.mark.parametrize("kind", CLIENTS)
def test_the_base_fault_kinds_reach_the_caller_as_typed_errors(kind: str, emu: StabilityEmulator) -> None:
    """A dropped connection, truncated JSON and a slow answer past the timeout are typed errors."""

    async def generate(client: Any, **extra: Any) -> Any:
        return await call(
            client.media.generate(model="stability/core", prompt="x", response_format="b64_json", **extra)
        )

    emu.inject(Fault.drop())
    with pytest.raises(relaykit.APIConnectionError):
        run(kind, emu, generate)
    emu.inject(Fault.malformed_json())
    with pytest.raises(relaykit.ResponseFormatError):
        run(kind, emu, generate)
    emu.inject(Fault.latency(1.0))
    with pytest.raises(relaykit.APITimeoutError):
        run(kind, emu, lambda client: generate(client, timeout=0.2))
