"""Fixtures of the command-line tests: emulators on loopback and a relaykit.toml pointing at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from relaykit._cli._app import cli
from relaykit_anthropic.emulator import AnthropicEmulator
from relaykit_flux.emulator import FluxEmulator
from relaykit_openai.emulator import OpenAIEmulator
from relaykit_stability.emulator import StabilityEmulator

# A tiny valid PNG (1x1), for commands that upload an image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class Emulators:
    """The running emulators, by provider name."""

    def __init__(self) -> None:
        self.openai = OpenAIEmulator()
        self.anthropic = AnthropicEmulator()
        self.stability = StabilityEmulator(steps=2)
        self.flux = FluxEmulator(steps=2)

    def all(self) -> list[Any]:
        return [self.openai, self.anthropic, self.stability, self.flux]


@pytest.fixture(scope="session")
def _emulators() -> Iterator[Emulators]:
    emulators = Emulators()
    for emulator in emulators.all():
        emulator.start()
    yield emulators
    for emulator in emulators.all():
        emulator.stop()


@pytest.fixture
def emulators(_emulators: Emulators) -> Emulators:
    """Started once per session; faults and recorded requests are reset for each test."""
    for emulator in _emulators.all():
        emulator.clear_faults()
    return _emulators


@pytest.fixture
def config_file(emulators: Emulators, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A relaykit.toml naming every emulator (keys in the environment), used through RELAYKIT_CONFIG."""
    path = tmp_path / "relaykit.toml"
    path.write_text(
        f"""
default_provider = "openai"

[providers.openai]
base_url = "{emulators.openai.base_url}"

[providers.anthropic]
base_url = "{emulators.anthropic.base_url}"

[providers.stability]
base_url = "{emulators.stability.base_url}"
poll_interval = 0.02

[providers.flux]
base_url = "{emulators.flux.base_url}"
poll_interval = 0.02

[routes.smart]
deployments = ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"]
retries = 0
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("RELAYKIT_CONFIG", str(path))
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STABILITY_API_KEY", "BFL_API_KEY"):
        monkeypatch.setenv(name, "test-key")
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def run(config_file: Path) -> Any:
    """Invoke the CLI in-process; stdout and stderr are kept apart."""

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def json_lines(text: str) -> list[dict[str, Any]]:
    """Each non-empty line of `text` parsed as JSON."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]
