"""Vocka's Midjourney entries (seed 000) through relaykit_midjourney under the relay's ``/mj`` root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit import Task
from relaykit._types._midjourney import MidjourneyShortenRequest
from relaykit.plugin import CallContext, HttpResponse
from relaykit_vocka import VockaSettings
from relaykit_vocka._midjourney import midjourney, mj_context
from relaykit_vocka.emulator import VockaEmulator

from .relay_clients import PNG

MODEL = "vocka/midjourney"


@pytest.fixture
def emu() -> Iterator[VockaEmulator]:
    with VockaEmulator() as emulator:
        yield emulator


def _settings(emu: VockaEmulator) -> dict[str, dict[str, object]]:
    return {"vocka": emu.client_settings("vocka")}


def test_mj_root_replaces_v1_and_key_goes_as_bearer() -> None:
    """The /mj root comes from the OpenAI base URL; mj_base_url overrides it; auth is bearer only."""
    settings = VockaSettings(base_url="https://4.0.wokaai.com/v1/", api_key="sk-vocka")
    ctx = CallContext(provider="vocka", kind="vocka", model="midjourney", settings=settings)
    assert mj_context(ctx).settings.base_url == "https://4.0.wokaai.com/mj"
    relax = settings.model_copy(update={"mj_base_url": "https://4.0.wokaai.com/mj-relax/mj"})
    assert mj_context(CallContext("vocka", "vocka", "midjourney", relax)).settings.base_url.endswith("/mj-relax/mj")
    flow = midjourney(MidjourneyShortenRequest(model="midjourney", prompt="a fox"), ctx)
    sent = next(flow)
    assert sent.url == "https://4.0.wokaai.com/mj/submit/shorten"
    assert sent.headers["authorization"] == "Bearer sk-vocka"
    assert "mj-api-secret" not in sent.headers
    with pytest.raises(StopIteration) as done:
        flow.send(HttpResponse(200, {}, b'{"code": 1, "description": "Submit success", "result": "17"}'))
    assert isinstance(done.value.value, Task)
    assert done.value.value.provider == "vocka"


def test_imagine_upscale_variation_chain_completes_as_tasks(emu: VockaEmulator) -> None:
    """imagine -> U1 -> Vary (Strong) through the Vocka emulator's /mj, with progress."""
    seen: list[float | None] = []
    with relaykit.Client(providers=_settings(emu)) as client:
        grid = client.tasks.wait(
            client.midjourney.imagine(model=MODEL, prompt="a paper boat", base64_array=[PNG]),
            on_progress=lambda t: seen.append(t.progress),
        )
        upscaled = client.tasks.wait(client.midjourney.action(grid, "U1"))
        varied = client.tasks.wait(client.midjourney.action(upscaled, "Vary (Strong)"))
    assert seen[-1] == 1.0
    assert 0 < seen[1] < 1  # type: ignore[operator]
    assert (grid.provider, upscaled.vendor_data["action"], varied.vendor_data["action"]) == (
        "vocka",
        "UPSCALE",
        "VARIATION",
    )
    assert varied.status == "succeeded"
    assert emu.requests[0].path == "/mj/submit/imagine"
    assert emu.requests[0].header("authorization") == f"Bearer {emu.api_key}"


def test_every_other_mj_entry_of_the_seed_runs(emu: VockaEmulator) -> None:
    """change, simple-change, modal, blend, describe, shorten, swap_face, list and seed finish."""
    with relaykit.Client(providers=_settings(emu)) as client:
        grid = client.tasks.wait(client.midjourney.imagine(model=MODEL, prompt="a fox"))
        upscaled = client.tasks.wait(client.midjourney.change(grid, "UPSCALE", 2))
        zoom = client.midjourney.action(upscaled, "Custom Zoom")
        zoomed = client.tasks.wait(client.midjourney.modal(zoom, prompt="a fox --zoom 2"))
        region = client.midjourney.action(upscaled, "Vary (Region)")
        inpainted = client.tasks.wait(client.midjourney.modal(region, prompt="a red hat", mask=PNG))
        rerolled = client.tasks.wait(client.midjourney.change(grid, "REROLL", simple=True))
        blended = client.tasks.wait(client.midjourney.blend(model=MODEL, base64_array=[PNG, PNG], dimensions="SQUARE"))
        described = client.tasks.wait(client.midjourney.describe(model=MODEL, base64=PNG))
        shortened = client.tasks.wait(client.midjourney.shorten(model=MODEL, prompt="a very very long prompt"))
        swapped = client.tasks.wait(client.midjourney.swap_face(model=MODEL, source=PNG, target=PNG))
        seed = client.midjourney.seed(inpainted)
        listed = client.midjourney.list([grid, blended.id], model=MODEL)
    for task in (zoomed, inpainted, rerolled, blended, described, shortened, swapped):
        assert task.status == "succeeded"
    assert seed.isdigit()
    assert [task.id for task in listed] == [grid.id, blended.id]


def test_relay_auth_and_banned_prompt_errors(emu: VockaEmulator) -> None:
    """A wrong key on /mj is AuthenticationError; a banned prompt ContentPolicyError."""
    wrong = {"vocka": {**emu.client_settings("vocka"), "api_key": "sk-wrong"}}
    with relaykit.Client(providers=wrong) as client, pytest.raises(relaykit.AuthenticationError):
        client.midjourney.imagine(model=MODEL, prompt="a fox")
    with relaykit.Client(providers=_settings(emu)) as client, pytest.raises(relaykit.ContentPolicyError):
        client.midjourney.imagine(model=MODEL, prompt="something banned")


@pytest.mark.anyio
async def test_async_chain_completes_as_tasks(emu: VockaEmulator) -> None:
    """The imagine -> upscale -> variation chain on AsyncClient, then list and seed."""
    async with relaykit.AsyncClient(providers=_settings(emu)) as client:
        grid = await client.tasks.wait(await client.midjourney.imagine(model=MODEL, prompt="a fox"))
        upscaled = await client.tasks.wait(await client.midjourney.action(grid, "U2"))
        varied = await client.tasks.wait(await client.midjourney.action(upscaled, "Vary (Subtle)"))
        listed = await client.midjourney.list([grid], model=MODEL)
        seed = await client.midjourney.seed(varied)
    assert varied.status == "succeeded"
    assert listed[0].id == grid.id
    assert seed


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
