"""The Midjourney plugin against its emulator through the public sync and async clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit import Task
from relaykit_midjourney.emulator import MidjourneyEmulator

from ._helpers import PNG

MODEL = "mj/midjourney"


@pytest.fixture
def emu() -> Iterator[MidjourneyEmulator]:
    with MidjourneyEmulator() as emulator:
        yield emulator


def _settings(emu: MidjourneyEmulator, **extra: object) -> dict[str, dict[str, object]]:
    return {"mj": {**emu.client_settings("midjourney"), **extra}}


def test_imagine_upscale_variation_chain_completes_with_progress(emu: MidjourneyEmulator) -> None:
    """imagine -> U1 -> Vary (Strong) run to completion as Tasks, progress reported while waiting."""
    seen: list[tuple[str, float | None]] = []
    with relaykit.Client(providers=_settings(emu)) as client:
        task = client.midjourney.imagine(model=MODEL, prompt="a paper boat", base64_array=[PNG])
        grid = client.tasks.wait(task, on_progress=lambda t: seen.append((t.status, t.progress)))
        upscaled = client.tasks.wait(client.midjourney.action(grid, "U1"))
        strong = next(b for b in client.midjourney.buttons(upscaled) if b.label == "Vary (Strong)")
        varied = client.tasks.wait(client.midjourney.action(upscaled, strong), on_progress=lambda t: None)
    assert seen == [("queued", 0.0), ("running", 0.33), ("running", 0.66), ("succeeded", 1.0)]
    assert grid.result is not None
    assert grid.result.images[0].url
    assert [b.name for b in relaykit.Client(providers=_settings(emu)).midjourney.buttons(grid)][:4] == [
        "U1",
        "U2",
        "U3",
        "U4",
    ]
    assert upscaled.vendor_data["action"] == "UPSCALE"
    assert varied.vendor_data["action"] == "VARIATION"
    assert varied.status == "succeeded"
    assert varied.vendor_data["parent_id"] == upscaled.id


def test_task_resumes_from_json_in_a_new_client(emu: MidjourneyEmulator) -> None:
    """A Task saved as JSON is waited on to completion by another client."""
    with relaykit.Client(providers=_settings(emu)) as first:
        saved = first.midjourney.imagine(model=MODEL, prompt="a fox").to_json()
    with relaykit.Client(providers=_settings(emu)) as second:
        done = second.tasks.wait(saved)
    assert done.status == "succeeded"
    assert done.kind == "midjourney.imagine"


def test_modal_blend_describe_shorten_swap_seed_list_and_change(emu: MidjourneyEmulator) -> None:
    """Every other operation runs against the emulator and finishes."""
    with relaykit.Client(providers=_settings(emu)) as client:
        grid = client.tasks.wait(client.midjourney.imagine(model=MODEL, prompt="a fox", bot_type="NIJI_JOURNEY"))
        upscaled = client.tasks.wait(client.midjourney.change(grid, "UPSCALE", 2))
        region = client.midjourney.action(upscaled, "Vary (Region)")
        assert region.vendor_data["status"] == "MODAL"
        inpainted = client.tasks.wait(client.midjourney.modal(region, prompt="a red hat", mask=PNG))
        rerolled = client.tasks.wait(client.midjourney.change(grid, "REROLL", simple=True))
        blended = client.tasks.wait(client.midjourney.blend(model=MODEL, base64_array=[PNG, PNG], dimensions="SQUARE"))
        described = client.tasks.wait(client.midjourney.describe(model=MODEL, base64=PNG))
        shortened = client.tasks.wait(client.midjourney.shorten(model=MODEL, prompt="a very very long prompt"))
        swapped = client.tasks.wait(client.midjourney.swap_face(model=MODEL, source=PNG, target=PNG))
        seed = client.midjourney.seed(inpainted)
        listed = client.midjourney.list([grid, blended.id, "unknown"], model=MODEL)
    for task in (inpainted, rerolled, blended, described, shortened, swapped):
        assert task.status == "succeeded"
    assert len(client.midjourney.prompts(described)) == 4
    assert "IMPORTANT TOKENS" in shortened.vendor_data["final_prompt"]
    assert seed.isdigit()
    assert [task.id for task in listed] == [grid.id, blended.id]
    assert emu.requests[0].json()["botType"] == "NIJI_JOURNEY"


def test_banned_prompt_and_full_queue_raise_typed_errors(emu: MidjourneyEmulator) -> None:
    """A banned word is ContentPolicyError (code 24); a full queue is RateLimitError (code 23)."""
    with relaykit.Client(providers=_settings(emu)) as client:
        with pytest.raises(relaykit.ContentPolicyError):
            client.midjourney.imagine(model=MODEL, prompt="something banned")
        emu.queue_full = 1
        with pytest.raises(relaykit.RateLimitError):
            client.midjourney.imagine(model=MODEL, prompt="a fox")


def test_failed_forgotten_and_unknown_button_tasks(emu: MidjourneyEmulator) -> None:
    """A failing task raises TaskFailedError, a forgotten one TaskNotFoundError, a bad button InvalidRequestError."""
    with relaykit.Client(providers=_settings(emu)) as client:
        failing = client.midjourney.imagine(model=MODEL, prompt="a failing fox")
        with pytest.raises(relaykit.TaskFailedError) as caught:
            client.tasks.wait(failing)
        assert caught.value.task is not None
        assert caught.value.task.error is not None
        gone = client.midjourney.imagine(model=MODEL, prompt="a fox")
        emu.forget_task(gone.id)
        with pytest.raises(relaykit.TaskNotFoundError):
            client.tasks.get(gone)
        done = client.tasks.wait(client.midjourney.imagine(model=MODEL, prompt="a fox"))
        with pytest.raises(relaykit.InvalidRequestError) as bad:
            client.midjourney.action(done, "U9")
        assert bad.value.field == "button"


def test_wrong_key_is_authentication_error_and_bearer_only_works(emu: MidjourneyEmulator) -> None:
    """A wrong key is refused (401); a relay-style bearer-only client is accepted."""
    with (
        relaykit.Client(providers=_settings(emu, api_key="wrong")) as client,
        pytest.raises(relaykit.AuthenticationError),
    ):
        client.midjourney.imagine(model=MODEL, prompt="a fox")
    with relaykit.Client(providers=_settings(emu, auth="bearer")) as client:
        assert client.midjourney.imagine(model=MODEL, prompt="a fox").status == "queued"
    assert "mj-api-secret" not in {name.lower() for name in emu.last_request.headers}


@pytest.mark.anyio
async def test_async_chain_completes_with_async_progress(emu: MidjourneyEmulator) -> None:
    """The same chain on AsyncClient, with an async on_progress callback."""
    seen: list[float | None] = []

    async def progress(task: Task) -> None:
        seen.append(task.progress)

    async with relaykit.AsyncClient(providers=_settings(emu)) as client:
        grid = await client.tasks.wait(
            await client.midjourney.imagine(model=MODEL, prompt="a fox"), on_progress=progress
        )
        upscaled = await client.tasks.wait(await client.midjourney.action(grid, "U2"))
        varied = await client.tasks.wait(await client.midjourney.action(upscaled, "Vary (Subtle)"))
        described = await client.tasks.wait(await client.midjourney.describe(model=MODEL, base64=PNG))
        listed = await client.midjourney.list([grid], model=MODEL)
        seed = await client.midjourney.seed(varied)
    assert seen[-1] == 1.0
    assert varied.status == "succeeded"
    assert len(client.midjourney.prompts(described)) == 4
    assert listed[0].id == grid.id
    assert seed


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
