"""`relaykit mj ...` against the Midjourney emulator: the imagine -> U1 chain, buttons, text jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from relaykit._cli._app import cli
from relaykit_midjourney.emulator import MidjourneyEmulator

from .conftest import PNG


@pytest.fixture(scope="module")
def mj_emulator() -> Iterator[MidjourneyEmulator]:
    with MidjourneyEmulator(steps=1) as emulator:
        yield emulator


@pytest.fixture
def run_mj(mj_emulator: MidjourneyEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    settings = mj_emulator.client_settings("midjourney")
    lines = ["[providers.mj]", 'kind = "midjourney"', "poll_interval = 0.02"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items() if key not in ("kind", "poll_interval")]
    path = tmp_path / "relaykit.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("RELAYKIT_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.png").write_bytes(PNG)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_imagine_then_upscale_saves_images_and_task_files_chain(run_mj: Any, tmp_path: Path) -> None:
    """imagine --no-wait prints the Task; action U1 on it waits and saves the upscale."""
    submitted = run_mj("mj", "imagine", "mj/midjourney", "a paper boat", "--no-wait")
    assert submitted.exit_code == 0
    grid_file = tmp_path / "grid.json"
    grid_file.write_text(submitted.stdout, encoding="utf-8")
    waited = run_mj("tasks", "wait", "grid.json")
    assert waited.exit_code == 0
    listed = run_mj("mj", "buttons", "grid.json", "--json")
    labels = [button["label"] for button in json.loads(listed.stdout)]
    assert "U1" in labels
    upscaled = run_mj("mj", "action", "grid.json", "U1", "--prefix", "boat")
    assert upscaled.exit_code == 0
    saved = Path(upscaled.stdout.strip().splitlines()[-1])
    assert saved.name.startswith("boat-1")
    assert (tmp_path / saved).read_bytes()
    (task_file,) = tmp_path.glob("boat-*.task.json")
    varied = run_mj("mj", "action", str(task_file), "Vary (Strong)", "--prefix", "varied")
    assert varied.exit_code == 0
    assert list(tmp_path.glob("varied-1*"))


def test_describe_prints_four_prompts(run_mj: Any) -> None:
    """describe waits for the job and prints one suggested prompt per line."""
    result = run_mj("mj", "describe", "mj/midjourney", "in.png")
    assert result.exit_code == 0
    assert len([line for line in result.stdout.splitlines() if line.strip()]) == 4


def test_shorten_json_carries_the_task_and_the_prompt(run_mj: Any) -> None:
    """shorten --json prints the finished Task and the shortened prompt."""
    data = json.loads(run_mj("mj", "shorten", "mj/midjourney", "a very long prompt about a boat", "--json").stdout)
    assert data["task"]["status"] == "succeeded"
    assert isinstance(data["result"], str)
