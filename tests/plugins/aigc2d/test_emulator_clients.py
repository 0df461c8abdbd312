"""AIGC2D's chat endpoint (seed 002) for every model of its enum, through both clients on its emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import relaykit
from relaykit_aigc2d import AIGC2D, MODELS
from relaykit_aigc2d.emulator import AIGC2DEmulator

from ..vocka.relay_clients import both, stream_text

_FUNCTION = {"name": "get_weather", "description": "Weather", "parameters": {"type": "object", "properties": {}}}


@pytest.fixture(scope="module")
def emu() -> Iterator[AIGC2DEmulator]:
    with AIGC2DEmulator(strict_models=True) as emulator:
        yield emulator


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_seed_model_chats_and_streams(emu: AIGC2DEmulator, model: str) -> None:
    """Each model of the seed's enum answers JSON and streamed, with max_tokens on the wire."""
    results = both(
        "aigc2d",
        emu,
        lambda c: c.chat.completions.create(
            model=f"aigc2d/{model}", messages=[{"role": "user", "content": "你好"}], max_tokens=1000
        ),
    )
    assert [r.text for r in results] == ["You said: 你好"] * 2
    assert emu.last_request.json()["max_tokens"] == 1000
    assert stream_text("aigc2d", emu, model, max_tokens=1000) == ["You said: hello there"] * 2


def test_legacy_functions_are_sent() -> None:
    """`functions` and `function_call` of the seed travel unchanged."""
    with AIGC2DEmulator() as emulator:
        both(
            "aigc2d",
            emulator,
            lambda c: c.chat.completions.create(
                model="aigc2d/gpt-4",
                messages=[{"role": "user", "content": "weather?"}],
                functions=[_FUNCTION],
                function_call="auto",
            ),
        )
        body = emulator.last_request.json()
    assert body["functions"][0]["name"] == "get_weather"
    assert body["function_call"] == "auto"


def test_functions_on_a_model_without_them_are_refused() -> None:
    """claude-2 has no function calling: refused before sending."""
    client = relaykit.Client(providers={"aigc2d": {"api_key": "AIGC2D-test"}})
    with client, pytest.raises(relaykit.UnsupportedCapabilityError):
        client.chat.completions.create(
            model="aigc2d/claude-2", messages=[{"role": "user", "content": "x"}], functions=[_FUNCTION]
        )


def test_spec_defaults() -> None:
    """The base URL and key variable of the seed."""
    assert AIGC2D.default_base_url == "https://api.aigc2d.com/v1"
    assert AIGC2D.default_api_key_env == "AIGC2D_API_KEY"
