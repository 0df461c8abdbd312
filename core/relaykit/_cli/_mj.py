"""``relaykit mj ...``: Midjourney through a midjourney-proxy (or a relay's ``/mj`` routes).

Every command submits a job and, unless ``--no-wait``, waits for it with a progress bar, saves the
images as ``<prefix>-<n>-seed<seed>.<ext>`` and the finished task as ``<prefix>-<id>.task.json``.
A finished task's buttons (``relaykit mj buttons TASK.json``) are pressed with ``relaykit mj
action TASK.json U1``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .._client import Client
from .._resources._midjourney import Midjourney
from .._types._task import Task
from ._common import client, echo_json, options_option, parse_options, task_options, wait_task
from ._media import finish

__all__ = ["mj"]

_IMAGE = click.Path(exists=True, dir_okay=False, path_type=Path)
_TASK = click.Path(exists=True, dir_okay=False, path_type=Path)


def _load(path: Path) -> Task:
    return Task.from_json(path.read_text(encoding="utf-8"))


def _submit_and_finish(api: Client, task: Task, prefix: str, common: dict[str, Any]) -> None:
    """Wait (unless --no-wait), save the images, and keep the finished Task as <prefix>-<id>.task.json."""
    prefix = common.pop("prefix") or prefix
    task_file = None
    if not common["no_wait"]:
        common["out_dir"].mkdir(parents=True, exist_ok=True)
        task_file = common["out_dir"] / f"{prefix}-{_safe(task.id)}.task.json"
        click.echo(f"task saved to {task_file} (press its buttons with: relaykit mj action {task_file} U1)", err=True)
    finish(api, task, prefix=prefix, task_file=task_file, **common)


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


def _text_result(api: Client, task: Task, common: dict[str, Any], pick: Any) -> None:
    """For describe/shorten: wait, then print the text the job produced (or the Task JSON)."""
    if common["no_wait"]:
        click.echo(task.to_json())
        return
    done = wait_task(api, task, timeout=common["timeout"])
    value = pick(api, done)
    if common["as_json"]:
        echo_json({"task": json.loads(done.to_json()), "result": value})
    elif isinstance(value, list):
        for line in value:
            click.echo(line)
    else:
        click.echo(value)


@click.group()
def mj() -> None:
    """Midjourney jobs: imagine, press buttons, blend, describe, shorten, modal, swap faces.

    \b
    Examples:
      relaykit mj imagine mj/midjourney "a paper boat --ar 16:9"
      relaykit mj imagine mj/midjourney "a paper boat" --no-wait > grid.json
      relaykit mj buttons grid.json
      relaykit mj action grid.json U1
      relaykit mj describe mj/midjourney photo.png
    """


@mj.command()
@click.argument("model")
@click.argument("prompt")
@click.option("--image", "images", multiple=True, type=_IMAGE, help="A reference image (repeatable, up to 5).")
@click.option("--niji", is_flag=True, help="Use the Niji bot instead of Midjourney.")
@options_option
@task_options
def imagine(
    *,
    model: str,
    prompt: str,
    images: tuple[Path, ...],
    niji: bool,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Render PROMPT as a grid of four images (saved when done).

    \b
    Examples:
      relaykit mj imagine mj/midjourney "a lighthouse at dusk --ar 3:2"
      relaykit mj imagine vocka/midjourney "a fox" --image ref.png --niji
    """
    params = {**parse_options(options), "prompt": prompt}
    if images:
        params["base64_array"] = list(images)
    if niji:
        params["bot_type"] = "NIJI_JOURNEY"
    with client() as api:
        _submit_and_finish(api, api.midjourney.imagine(model=model, **params), "mj", common)


@mj.command()
@click.argument("task_file", metavar="TASK.json", type=_TASK)
@click.argument("button")
@options_option
@task_options
def action(*, task_file: Path, button: str, options: tuple[tuple[str, str], ...], **common: Any) -> None:
    """Press BUTTON (label, emoji or custom id: U1, V2, 🔄, "Vary (Strong)") on a finished task.

    \b
    Examples:
      relaykit mj action grid.json U1
      relaykit mj action upscaled.json "Vary (Strong)" --prefix varied
    """
    with client() as api:
        task = api.midjourney.action(_load(task_file), button, **parse_options(options))
        _submit_and_finish(api, task, "mj", common)


@mj.command()
@click.argument("task_file", metavar="TASK.json", type=_TASK)
@click.option("--json", "as_json", is_flag=True, help="Print the buttons as JSON.")
def buttons(task_file: Path, as_json: bool) -> None:
    """List the buttons of a finished task (what ``relaykit mj action`` can press).

    \b
    Examples:
      relaykit mj buttons mj-1234.task.json
    """
    listed = Midjourney.buttons(_load(task_file))
    if as_json:
        echo_json([button.model_dump() for button in listed])
        return
    for button in listed:
        click.echo(f"{button.label or button.emoji or '?':<18} {button.custom_id}")


@mj.command()
@click.argument("model")
@click.argument("image_files", metavar="IMAGE...", nargs=-1, required=True, type=_IMAGE)
@click.option("--dimensions", type=click.Choice(["PORTRAIT", "SQUARE", "LANDSCAPE"]), help="The blend's shape.")
@options_option
@task_options
def blend(
    *,
    model: str,
    image_files: tuple[Path, ...],
    dimensions: str | None,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Blend 2 to 5 images into one grid.

    \b
    Examples:
      relaykit mj blend mj/midjourney a.png b.png --dimensions SQUARE
    """
    params = {**parse_options(options), "base64_array": list(image_files)}
    if dimensions:
        params["dimensions"] = dimensions
    with client() as api:
        _submit_and_finish(api, api.midjourney.blend(model=model, **params), "blend", common)


@mj.command()
@click.argument("model")
@click.argument("image_file", metavar="IMAGE", type=_IMAGE)
@options_option
@task_options
def describe(*, model: str, image_file: Path, options: tuple[tuple[str, str], ...], **common: Any) -> None:
    """Print four prompts that describe IMAGE.

    \b
    Examples:
      relaykit mj describe mj/midjourney photo.png
    """
    with client() as api:
        task = api.midjourney.describe(model=model, base64=image_file, **parse_options(options))
        _text_result(api, task, common, lambda api, done: api.midjourney.prompts(done))


@mj.command()
@click.argument("model")
@click.argument("prompt")
@options_option
@task_options
def shorten(*, model: str, prompt: str, options: tuple[tuple[str, str], ...], **common: Any) -> None:
    """Analyse PROMPT and print the shortened prompt Midjourney suggests.

    \b
    Examples:
      relaykit mj shorten mj/midjourney "a very long and detailed prompt ..."
    """
    with client() as api:
        task = api.midjourney.shorten(model=model, prompt=prompt, **parse_options(options))
        _text_result(api, task, common, lambda api, done: done.vendor_data.get("final_prompt") or "")


@mj.command()
@click.argument("task_file", metavar="TASK.json", type=_TASK)
@click.option("--prompt", help="The prompt for the region (remix, custom zoom).")
@click.option("--mask", type=_IMAGE, help="The inpainting mask (white: the region to redo).")
@options_option
@task_options
def modal(
    *, task_file: Path, prompt: str | None, mask: Path | None, options: tuple[tuple[str, str], ...], **common: Any
) -> None:
    """Confirm a task waiting in MODAL state (Vary (Region), Custom Zoom, remix).

    \b
    Examples:
      relaykit mj action grid.json "Vary (Region)" --no-wait > region.json
      relaykit mj modal region.json --prompt "a red hat" --mask mask.png
    """
    params = parse_options(options)
    if prompt is not None:
        params["prompt"] = prompt
    if mask is not None:
        params["mask"] = mask
    with client() as api:
        _submit_and_finish(api, api.midjourney.modal(_load(task_file), **params), "modal", common)


@mj.command(name="swap-face")
@click.argument("model")
@click.argument("source", type=_IMAGE)
@click.argument("target", type=_IMAGE)
@options_option
@task_options
def swap_face(*, model: str, source: Path, target: Path, options: tuple[tuple[str, str], ...], **common: Any) -> None:
    """Put the face in SOURCE onto the person in TARGET (InsightFace).

    \b
    Examples:
      relaykit mj swap-face mj/midjourney face.png portrait.png
    """
    with client() as api:
        task = api.midjourney.swap_face(model=model, source=source, target=target, **parse_options(options))
        _submit_and_finish(api, task, "swap", common)
