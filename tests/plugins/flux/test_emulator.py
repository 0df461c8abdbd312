"""The Flux plugin against its emulator, through the public sync and async clients.

Each scenario is written once and run on both clients: generate returning a Task that is saved as
JSON, resumed in a new client and waited on with progress reported (and the image downloaded),
several images, Kontext with a URL left for BFL, fill and expand, moderation, a forgotten task, a
regional host catching up, the deadline, expired result URLs, and faults.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import anyio
import httpx2
import pytest

import relaykit
from relaykit.testing import Fault
from relaykit_flux.emulator import FluxEmulator
from relaykit_flux.emulator._media import jpeg

from ...cassette_support import call
from ._helpers import PNG

T = TypeVar("T")
CLIENTS = ["sync", "async"]
Scenario = Callable[[Any], Awaitable[T]]


@pytest.fixture
def emu() -> Iterator[FluxEmulator]:
    with FluxEmulator() as emulator:
        yield emulator


def _providers(emu: FluxEmulator, key: str = "test-key", **settings: Any) -> dict[str, Any]:
    return {
        "flux": {"api_key": key, "base_url": emu.base_url, "poll_interval": 0.01, "max_poll_interval": 0.05, **settings}
    }


def run(kind: str, emu: FluxEmulator, scenario: Scenario[T], key: str = "test-key", **settings: Any) -> T:
    """Run `scenario` with a fresh client of `kind` configured for the emulator."""

    async def main() -> T:
        if kind == "sync":
            with relaykit.Client(providers=_providers(emu, key, **settings)) as client:
                return await scenario(client)
        async with relaykit.AsyncClient(providers=_providers(emu, key, **settings)) as client:
            return await scenario(client)

    return anyio.run(main)


def _png_size(content: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", content[16:24])
    return width, height


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_generate_task_resumes_from_json_in_a_new_client_with_progress_and_download(
    kind: str, emu: FluxEmulator
) -> None:
    """Submit, save to_json; in a new client: Task.from_json, wait with progress and download=True."""

    async def submit(client: Any) -> str:
        task = await call(
            client.media.generate(model="flux/flux-pro-1.1", prompt="a tiny city", size="1024x768", output_format="png")
        )
        assert isinstance(task, relaykit.Task)
        assert (task.status, task.kind, task.model) == ("queued", "media.generate", "flux-pro-1.1")
        return str(task.to_json())

    saved = run(kind, emu, submit)
    seen: list[tuple[str, float | None]] = []

    async def resume(client: Any) -> relaykit.Task:
        task = relaykit.Task.from_json(saved)
        return await call(
            client.tasks.wait(
                task, timeout=30, download=True, on_progress=lambda t: seen.append((t.status, t.progress))
            )
        )

    done = run(kind, emu, resume)
    assert seen == [("running", 0.333), ("running", 0.667), ("succeeded", 1.0)]
    assert done.result is not None
    (image,) = done.result.images
    assert image.mime_type == "image/png"
    assert _png_size(image.to_bytes()) == (32, 24)
    assert image.url is not None
    assert "sig=" in image.url
    assert image.expires_at is not None
    assert timedelta(minutes=9) < image.expires_at - datetime.now(UTC) <= timedelta(minutes=10)
    download = emu.requests[-1]
    assert download.path.startswith(f"/results/{done.id}/")
    assert download.header("x-key") is None
    result = relaykit.MediaResult.from_task(done)
    assert (result.task_id, result.images[0].to_bytes()) == (done.id, image.to_bytes())


@pytest.mark.parametrize("kind", CLIENTS)
def test_n_images_come_back_in_one_task(kind: str, emu: FluxEmulator) -> None:
    """n=2 submits two jobs; the wait=True convenience returns both images with their seeds."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(client.media.generate(model="flux/flux-dev", prompt="a fox", n=2, seed=11, wait=True))

    result = run(kind, emu, scenario)
    assert [image.seed for image in result.images] == [11, 12]
    assert [image.mime_type for image in result.images] == ["image/jpeg", "image/jpeg"]
    assert [request.json()["seed"] for request in emu.requests if request.method == "POST"] == [11, 12]


@pytest.mark.parametrize("kind", CLIENTS)
def test_kontext_passes_urls_to_bfl_and_reports_the_ratio(kind: str, emu: FluxEmulator) -> None:
    """A URL input is not downloaded for Kontext; a size becomes the nearest ratio, reported."""

    async def scenario(client: Any) -> relaykit.MediaResult:
        return await call(
            client.media.generate(
                model="flux/flux-kontext-pro",
                prompt="make it winter",
                image=["https://cdn.example/photo.png", PNG],
                size="1920x1080",
                wait=True,
            )
        )

    result = run(kind, emu, scenario)
    assert result.aspect_ratio == "16:9"
    submit = next(request for request in emu.requests if request.method == "POST")
    assert submit.json()["input_image"] == "https://cdn.example/photo.png"
    assert not any(request.path.startswith("/files/") for request in emu.requests)


def test_a_url_input_for_a_pro_model_is_downloaded_by_core(emu: FluxEmulator) -> None:
    """FLUX1.1 [pro] takes base64 only: core fetches the URL, the plugin sends its bytes."""
    url = emu.publish(PNG, "image/png", suffix=".png")
    with relaykit.Client(providers=_providers(emu)) as client:
        client.media.generate(model="flux/flux-pro-1.1", prompt="a fox", image=url)
    download, submit = emu.requests[-2:]
    assert download.path.startswith("/files/")
    assert (
        submit.json()["image_prompt"]
        == "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAYAAACp8Z5+AAAAFklEQVR42mP4jwYYQIRc1Akwxi2ADACFozjNDzQfmwAAAABJRU5ErkJggg=="
    )


@pytest.mark.parametrize("kind", CLIENTS)
def test_inpaint_and_outpaint_are_tasks_on_fill_and_expand(kind: str, emu: FluxEmulator) -> None:
    """Fill takes image, mask and prompt; Expand the four extents; both end with an image."""

    async def scenario(client: Any) -> list[relaykit.MediaResult]:
        return [
            await call(
                client.media.edit(
                    operation="inpaint",
                    model="flux/flux-pro-1.0-fill",
                    image=PNG,
                    mask=PNG,
                    prompt="a red door",
                    wait=True,
                )
            ),
            await call(
                client.media.edit(
                    operation="outpaint", model="flux/flux-pro-1.0-expand", image=PNG, up=64, left=32, wait=True
                )
            ),
        ]

    inpaint, outpaint = run(kind, emu, scenario)
    assert (inpaint.kind, outpaint.kind) == ("media.edit.inpaint", "media.edit.outpaint")
    posts = [request for request in emu.requests if request.method == "POST"]
    assert [request.path for request in posts] == ["/v1/flux-pro-1.0-fill", "/v1/flux-pro-1.0-expand"]
    assert sorted(posts[1].json()) == ["image", "left", "top"]


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_forgotten_task_is_task_not_found(kind: str, emu: FluxEmulator) -> None:
    """A job the vendor forgot ends the wait with TaskNotFoundError after the short regional grace."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt="a fox"))
        emu.forget_job(task.id)
        return await call(client.tasks.wait(task, timeout=30))

    with pytest.raises(relaykit.TaskNotFoundError) as caught:
        run(kind, emu, scenario)
    assert caught.value.task.kind == "media.generate"
    assert caught.value.code == "task_not_found"
    assert sum(request.path == "/v1/get_result" for request in emu.requests) == 4  # three looks of grace, then gone


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_task_saved_long_ago_is_not_found_at_the_first_look(kind: str, emu: FluxEmulator) -> None:
    """Past the grace, tasks.get of a task BFL no longer knows raises TaskNotFoundError at once."""

    async def submit(client: Any) -> relaykit.Task:
        task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt="a fox"))
        assert isinstance(task, relaykit.Task)
        return task

    task = run(kind, emu, submit)
    emu.forget_job()
    old = task.model_copy(update={"created_at": datetime.now(UTC) - timedelta(hours=1)})
    with pytest.raises(relaykit.TaskNotFoundError):
        run(kind, emu, lambda client: call(client.tasks.get(old.to_json())))


def test_polling_with_another_key_looks_like_a_forgotten_task(emu: FluxEmulator) -> None:
    """Jobs belong to the key that made them: another key gets Task not found."""
    emu.api_key = None  # accept any key, but jobs stay tied to theirs
    task = run("sync", emu, lambda client: call(client.media.generate(model="flux/flux-dev", prompt="x")), key="one")
    with pytest.raises(relaykit.TaskNotFoundError):
        run("sync", emu, lambda client: call(client.tasks.get(task)), key="two", not_found_grace=0)


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_regional_host_that_does_not_know_a_fresh_job_yet_is_waited_out(kind: str) -> None:
    """Two early Task not found answers are read as "not there yet"; the task then succeeds."""
    with FluxEmulator(unknown_polls=2) as slow_region:

        async def scenario(client: Any) -> relaykit.Task:
            task = await call(client.media.generate(model="flux/flux-2-pro", prompt="a fox", size="512x512"))
            return await call(client.tasks.wait(task, timeout=30))

        done = run(kind, slow_region, scenario)
    assert done.status == "succeeded"


@pytest.mark.parametrize("kind", CLIENTS)
def test_polling_honours_the_deadline(kind: str) -> None:
    """A job that never finishes ends the wait with TaskTimeoutError near the deadline, with the task."""
    with FluxEmulator(steps=100_000) as slow:

        async def scenario(client: Any) -> None:
            task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt="x"))
            await call(client.tasks.wait(task, timeout=0.3))

        started = time.monotonic()
        with pytest.raises(relaykit.TaskTimeoutError) as caught:
            run(kind, slow, scenario)
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 3.0
    assert (caught.value.task.status, caught.value.task.progress) == ("running", pytest.approx(0.0, abs=0.01))


@pytest.mark.parametrize("kind", CLIENTS)
@pytest.mark.parametrize(("prompt", "polls"), [("something forbidden", 1), ("a censored scene", 3)])
def test_moderation_fails_the_task_as_content_policy(kind: str, emu: FluxEmulator, prompt: str, polls: int) -> None:
    """Request Moderated ends at the first poll, Content Moderated after rendering: moderated failures."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt=prompt))
        return await call(client.tasks.wait(task, timeout=30))

    with pytest.raises(relaykit.TaskFailedError) as caught:
        run(kind, emu, scenario)
    assert caught.value.moderated
    assert caught.value.task.status == "failed"
    assert sum(request.path == "/v1/get_result" for request in emu.requests) == polls


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_job_that_errors_raises_task_failed_error(kind: str, emu: FluxEmulator) -> None:
    """Status Error is a failure that is not moderation, carrying BFL's message."""

    async def scenario(client: Any) -> relaykit.Task:
        task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt="a fox"))
        emu.fail_job(task.id, message="GPU fell over")
        return await call(client.tasks.wait(task, timeout=30))

    with pytest.raises(relaykit.TaskFailedError) as caught:
        run(kind, emu, scenario)
    assert not caught.value.moderated
    assert caught.value.task.error == relaykit.TaskError(message="GPU fell over")


@pytest.mark.parametrize("kind", CLIENTS)
def test_an_expired_result_url_fails_the_download_saying_why(kind: str) -> None:
    """Signed result URLs expire: downloading after expires_at is a 403 whose message says so."""
    with FluxEmulator(url_ttl=0) as emu:

        async def scenario(client: Any) -> relaykit.Task:
            task = await call(client.media.generate(model="flux/flux-pro-1.1", prompt="a fox"))
            return await call(client.tasks.wait(task, timeout=30, download=True))

        with pytest.raises(relaykit.PermissionDeniedError) as caught:
            run(kind, emu, scenario)
    assert "signed result URLs expire" in caught.value.message
    assert "sig=" not in caught.value.message


@pytest.mark.parametrize("kind", CLIENTS)
def test_faults_and_vendor_errors_reach_the_caller_typed(kind: str, emu: FluxEmulator) -> None:
    """429 with Retry-After, a 500 while polling (waited out), a dropped connection, bad JSON, a timeout."""

    async def generate(client: Any, **extra: Any) -> Any:
        return await call(client.media.generate(model="flux/flux-pro-1.1", prompt="x", **extra))

    emu.inject(Fault.status(429, retry_after=3), path="/v1/flux-pro-1.1")
    with pytest.raises(relaykit.RateLimitError) as caught:
        run(kind, emu, generate)
    assert caught.value.retry_after == 3.0

    async def flaky(client: Any) -> relaykit.Task:
        task = await generate(client)
        emu.inject(Fault.status(500), path="/v1/get_result")
        return await call(client.tasks.wait(task, timeout=30))

    assert run(kind, emu, flaky).status == "succeeded"
    emu.inject(Fault.drop())
    with pytest.raises(relaykit.APIConnectionError):
        run(kind, emu, generate)
    emu.inject(Fault.malformed_json())
    with pytest.raises(relaykit.ResponseFormatError):
        run(kind, emu, generate)
    emu.inject(Fault.latency(1.0))
    with pytest.raises(relaykit.APITimeoutError):
        run(kind, emu, lambda client: generate(client, timeout=0.2))


@pytest.mark.parametrize("kind", CLIENTS)
def test_a_wrong_key_and_an_empty_account_are_typed_errors(kind: str) -> None:
    """401 is AuthenticationError; running out of credits is QuotaExceededError (402)."""
    with FluxEmulator(credits=5) as emu:
        with pytest.raises(relaykit.AuthenticationError):
            run(kind, emu, lambda client: call(client.media.generate(model="flux/flux-dev", prompt="x")), key="wrong")

        async def twice(client: Any) -> None:
            await call(client.media.generate(model="flux/flux-pro-1.1", prompt="x"))
            await call(client.media.generate(model="flux/flux-pro-1.1", prompt="x"))

        with pytest.raises(relaykit.QuotaExceededError):
            run(kind, emu, twice)
        assert emu.credits == 1.0


def test_the_emulator_speaks_fastapi_errors(emu: FluxEmulator) -> None:
    """No key: 403 Not authenticated; a field the model does not take: 422 with its location."""
    anonymous = httpx2.post(emu.url("/v1/flux-pro-1.1"), json={"prompt": "x"})
    assert (anonymous.status_code, anonymous.json()) == (403, {"detail": "Not authenticated"})
    wrong_field = httpx2.post(
        emu.url("/v1/flux-pro-1.1-ultra"), json={"prompt": "x", "width": 512}, headers={"x-key": "test-key"}
    )
    assert wrong_field.status_code == 422
    assert wrong_field.json()["detail"][0]["loc"] == ["body", "width"]
    unknown = httpx2.post(emu.url("/v1/flux-schnell"), json={"prompt": "x"}, headers={"x-key": "test-key"})
    assert unknown.status_code == 404
    missing = httpx2.get(emu.url("/v1/get_result?id=nope"), headers={"x-key": "test-key"})
    assert missing.json() == {"id": "nope", "status": "Task not found"}


def test_result_urls_are_signed(emu: FluxEmulator) -> None:
    """A result URL with its signature altered is refused like a storage service would."""
    with relaykit.Client(providers=_providers(emu)) as client:
        done = client.tasks.wait(client.media.generate(model="flux/flux-pro-1.1", prompt="a fox"), timeout=30)
    assert done.result is not None
    url = done.result.images[0].url or ""
    assert httpx2.get(url).content == jpeg()
    tampered = httpx2.get(url[:-4] + "0000")
    assert (tampered.status_code, tampered.headers["content-type"]) == (403, "application/xml")
