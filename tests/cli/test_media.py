"""`relaykit image ...`, `video ...` and `tasks ...` against the Stability, FLUX and OpenAI emulators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import relaykit
from relaykit._resources._tasks import Tasks

from .conftest import PNG, Emulators


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    path.write_bytes(PNG)
    return path


def test_generate_saves_the_image_with_its_seed_in_the_name(run: Any, tmp_path: Path) -> None:
    """A synchronous Stability result is written as image-1-seed<seed>.png and its path printed."""
    result = run("image", "generate", "stability/core", "a lighthouse", "-o", "seed", "42", "--out-dir", "out")
    assert result.exit_code == 0
    assert result.stdout.strip() == str(Path("out") / "image-1-seed42.png")
    assert (tmp_path / "out" / "image-1-seed42.png").read_bytes()


def test_generate_json_names_the_files_and_the_result(run: Any) -> None:
    """--json prints the written files and the result without its bytes."""
    data = json.loads(run("image", "generate", "stability/core", "a fox", "--json", "--prefix", "fox").stdout)
    assert data["files"][0].startswith("fox-1-seed")
    assert "content" not in data["result"]["images"][0]


def test_a_task_shows_progress_and_saves_the_download(run: Any, tmp_path: Path) -> None:
    """A FLUX Task is waited on with a progress bar on stderr, then its image is saved."""
    result = run("image", "generate", "flux/flux-pro-1.1", "a castle", "-o", "seed", "7")
    assert result.exit_code == 0
    assert "succeeded" in result.stderr
    assert "100%" in result.stderr
    assert (tmp_path / result.stdout.strip()).name == "image-1-seed7.jpg"


def test_no_wait_prints_the_task_and_tasks_wait_resumes_it(run: Any, tmp_path: Path) -> None:
    """--no-wait prints the Task JSON; `tasks get` refreshes it; `tasks wait TASK.json` finishes it."""
    detached = run("image", "generate", "flux/flux-pro-1.1", "a castle", "--no-wait")
    task = relaykit.Task.from_json(detached.stdout)
    assert task.provider == "flux"
    assert not task.done
    (tmp_path / "task.json").write_text(detached.stdout, encoding="utf-8")
    assert json.loads(run("tasks", "get", "task.json").stdout)["id"] == task.id
    resumed = run("tasks", "wait", "task.json", "--json")
    assert resumed.exit_code == 0
    data = json.loads(resumed.stdout)
    assert data["result"]["task_id"] == task.id
    assert (tmp_path / data["files"][0]).is_file()


def test_ctrl_c_while_waiting_saves_the_task_and_says_how_to_resume(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KeyboardInterrupt in the wait loop exits 130, writes task-<id>.json and prints the resume command."""

    def interrupted(self: Tasks, task: Any, **kwargs: Any) -> Any:
        kwargs["on_progress"](relaykit.Task.from_json(task.to_json()))
        raise KeyboardInterrupt

    original = Tasks.wait
    monkeypatch.setattr(Tasks, "wait", interrupted)
    result = run("image", "generate", "flux/flux-pro-1.1", "a castle")
    assert result.exit_code == 130
    saved = next(tmp_path.glob("task-*.json"))
    assert relaykit.Task.from_json(saved.read_text(encoding="utf-8")).provider == "flux"
    assert f"resume with: relaykit tasks wait {saved.name}" in result.stderr
    monkeypatch.setattr(Tasks, "wait", original)
    assert run("tasks", "wait", saved.name).exit_code == 0


def test_edit_upscale_and_control_run_media_operations(run: Any, emulators: Emulators, png: Path) -> None:
    """Each media operation writes its file; a creative upscale goes through a Task."""
    edited = run("image", "edit", "stability/stable-image", str(png), "a red door", "--operation", "inpaint")
    assert edited.exit_code == 0
    assert edited.stdout.startswith("edit-1")
    removed = run("image", "edit", "stability/stable-image", str(png), "--operation", "remove_background")
    assert removed.exit_code == 0
    upscaled = run("image", "upscale", "stability/stable-image", str(png), "a castle", "--mode", "creative")
    assert upscaled.exit_code == 0
    assert upscaled.stdout.startswith("upscale-1")
    assert "100%" in upscaled.stderr
    controlled = run("image", "control", "stability/stable-image", str(png), "a cottage", "--mode", "sketch")
    assert controlled.exit_code == 0
    assert controlled.stdout.startswith("control-1")


def test_openai_image_models_use_the_images_api(run: Any, emulators: Emulators, png: Path) -> None:
    """generate falls back to images.generate; edit without --operation and variation use it too."""
    generated = run("image", "generate", "openai/dall-e-2", "a fox")
    assert generated.exit_code == 0
    assert Path(generated.stdout.strip()).suffix == ".png"
    assert emulators.openai.last_request.path.endswith("/images/generations")
    assert run("image", "edit", "openai/dall-e-2", str(png), "snow").exit_code == 0
    varied = run("image", "variation", "openai/dall-e-2", str(png), "-o", "n", "2")
    assert len(varied.stdout.split()) == 2


def test_video_generate_waits_and_saves_the_video(run: Any, png: Path, tmp_path: Path) -> None:
    """An image-to-video Task is waited on and saved as .mp4."""
    result = run("video", "generate", "stability/stable-video-diffusion", "--image", str(png), "-o", "seed", "3")
    assert result.exit_code == 0
    assert result.stdout.strip() == "video-1-seed3.mp4"
    assert (tmp_path / "video-1-seed3.mp4").is_file()
