"""``relaykit image ...``, ``relaykit video ...`` and ``relaykit tasks ...``: media saved to files.

Results are written as ``<prefix>-<n>-seed<seed>.<ext>``. A vendor that renders in the background
answers with a `Task`: the command waits with a progress bar (``--no-wait`` prints the Task JSON
instead), and Ctrl-C saves the Task and prints the ``relaykit tasks wait`` command that resumes it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .._client import Client
from .._errors import UnsupportedCapabilityError
from .._types._images import ImagesResponse
from .._types._media_result import MediaOutput, MediaResult
from .._types._task import Task
from ._common import client, options_option, parse_options, save_outputs, task_options, to_jsonable, wait_task

__all__ = ["finish", "image", "tasks", "video"]

_IMAGE = click.Path(exists=True, dir_okay=False, path_type=Path)


def finish(
    api: Client,
    result: MediaResult | Task | ImagesResponse,
    *,
    prefix: str,
    out_dir: Path,
    no_wait: bool,
    timeout: float | None,
    as_json: bool,
    task_file: Path | None = None,
) -> None:
    """Wait for a Task (unless `no_wait`), save every output, print the paths (or JSON)."""
    if isinstance(result, Task):
        if no_wait:
            click.echo(result.to_json())
            return
        done = wait_task(api, result, timeout=timeout, saved_to=task_file)
        if task_file is not None:  # the finished Task (its buttons, its result) for later commands
            task_file.write_text(done.to_json(), encoding="utf-8")
        result = MediaResult.from_task(done)
    outputs = _images_outputs(result) if isinstance(result, ImagesResponse) else result.outputs
    paths = save_outputs(outputs, out_dir, prefix)
    if as_json:
        click.echo(json.dumps({"files": [str(p) for p in paths], "result": to_jsonable(result)}, indent=2))
        return
    for path in paths:
        click.echo(str(path))


def _images_outputs(response: ImagesResponse) -> list[MediaOutput]:
    mime = f"image/{response.output_format or 'png'}"
    return [MediaOutput(b64_json=item.b64_json, url=item.url, mime_type=mime) for item in response.data]


def _with(params: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """`params` (from ``-o``) plus every field given on the command line."""
    return {**params, **{key: value for key, value in fields.items() if value not in (None, ())}}


@click.group()
def image() -> None:
    """Make and change images; files are saved as <prefix>-<n>-seed<seed>.<ext>.

    \b
    Examples:
      relaykit image generate stability/sd3.5-large "a lighthouse at dusk" -o seed 42
      relaykit image generate openai/gpt-image-1 "a red fox" --out-dir pics
      relaykit image generate flux/flux-pro-1.1 "a castle" --no-wait > task.json
      relaykit tasks wait task.json
    """


@image.command()
@click.argument("model")
@click.argument("prompt")
@click.option("--image", "images", multiple=True, type=_IMAGE, help="A reference image (repeatable).")
@options_option
@task_options
def generate(
    *,
    model: str,
    prompt: str,
    images: tuple[Path, ...],
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Make images of PROMPT with MODEL (normalized media API; OpenAI-style image models too).

    \b
    Examples:
      relaykit image generate stability/sd3.5-large "a lighthouse" -o aspect_ratio 16:9 -o seed 7
      relaykit image generate openai/dall-e-3 "a lighthouse" -o size 1024x1024
    """
    params = _with(parse_options(options), prompt=prompt, image=list(images) or None)
    with client() as api:
        result: MediaResult | Task | ImagesResponse
        try:
            result = api.media.generate(model=model, **params)
        except UnsupportedCapabilityError:
            result = api.images.generate(model=model, **{**params, "response_format": "b64_json"})
        finish(api, result, prefix=common.pop("prefix") or "image", **common)


@image.command()
@click.argument("model")
@click.argument("image_file", metavar="IMAGE", type=_IMAGE)
@click.argument("prompt", required=False)
@click.option(
    "--operation",
    type=click.Choice(
        ["inpaint", "outpaint", "erase", "search_and_replace", "search_and_recolor", "remove_background"]
    ),
    help="The media edit operation (without it: an OpenAI-style edit following PROMPT).",
)
@click.option("--mask", type=_IMAGE, help="A mask image (white: the part to change).")
@options_option
@task_options
def edit(
    *,
    model: str,
    image_file: Path,
    prompt: str | None,
    operation: str | None,
    mask: Path | None,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Change IMAGE with MODEL, following PROMPT.

    \b
    Examples:
      relaykit image edit stability/stable-image photo.png "a red door" --operation inpaint --mask mask.png
      relaykit image edit stability/stable-image photo.png --operation remove_background
      relaykit image edit openai/gpt-image-1 photo.png "make it snow"
    """
    params = _with(parse_options(options), image=image_file, prompt=prompt, mask=mask)
    with client() as api:
        result: MediaResult | Task | ImagesResponse
        if operation is None:
            result = api.images.edit(model=model, **params)
        else:
            result = api.media.edit(model=model, operation=operation, **params)
        finish(api, result, prefix=common.pop("prefix") or "edit", **common)


@image.command()
@click.argument("model")
@click.argument("image_file", metavar="IMAGE", type=_IMAGE)
@click.argument("prompt", required=False)
@click.option(
    "--mode", type=click.Choice(["conservative", "creative", "fast"]), default="conservative", show_default=True
)
@options_option
@task_options
def upscale(
    *,
    model: str,
    image_file: Path,
    prompt: str | None,
    mode: str,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Enlarge IMAGE with MODEL (creative upscales run as a Task, with a progress bar).

    \b
    Examples:
      relaykit image upscale stability/stable-image small.png "a castle" --mode creative
      relaykit image upscale stability/stable-image small.png --mode fast --out-dir big
    """
    params = _with(parse_options(options), image=image_file, prompt=prompt)
    with client() as api:
        result = api.media.upscale(model=model, mode=mode, **params)
        finish(api, result, prefix=common.pop("prefix") or "upscale", **common)


@image.command()
@click.argument("model")
@click.argument("image_file", metavar="IMAGE", type=_IMAGE)
@click.argument("prompt")
@click.option("--mode", type=click.Choice(["sketch", "structure", "style"]), required=True)
@options_option
@task_options
def control(
    *,
    model: str,
    image_file: Path,
    prompt: str,
    mode: str,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Make an image of PROMPT guided by IMAGE in --mode sketch, structure or style.

    \b
    Examples:
      relaykit image control stability/stable-image sketch.png "a cottage" --mode sketch
      relaykit image control stability/stable-image ref.png "a cat" --mode style -o fidelity 0.7
    """
    params = _with(parse_options(options), image=image_file, prompt=prompt)
    with client() as api:
        result = api.media.control(model=model, mode=mode, **params)
        finish(api, result, prefix=common.pop("prefix") or "control", **common)


@image.command()
@click.argument("model")
@click.argument("image_file", metavar="IMAGE", type=_IMAGE)
@options_option
@task_options
def variation(*, model: str, image_file: Path, options: tuple[tuple[str, str], ...], **common: Any) -> None:
    """Make variations of IMAGE with MODEL (OpenAI-style image variations).

    \b
    Examples:
      relaykit image variation openai/dall-e-2 logo.png -o n 3
    """
    params = _with(parse_options(options), image=image_file)
    params.setdefault("response_format", "b64_json")
    with client() as api:
        result = api.images.create_variation(model=model, **params)
        finish(api, result, prefix=common.pop("prefix") or "variation", **common)


@click.group()
def video() -> None:
    """Make videos; they render in the background, so commands wait on a Task with a progress bar.

    \b
    Examples:
      relaykit video generate stability/stable-video-diffusion --image first_frame.png
      relaykit video generate stability/stable-video-diffusion --image f.png --no-wait > task.json
    """


@video.command(name="generate")
@click.argument("model")
@click.argument("prompt", required=False)
@click.option("--image", "image_file", type=_IMAGE, help="The first frame (image-to-video).")
@click.option("--last-frame", type=_IMAGE, help="The last frame, where the vendor takes one.")
@options_option
@task_options
def video_generate(
    *,
    model: str,
    prompt: str | None,
    image_file: Path | None,
    last_frame: Path | None,
    options: tuple[tuple[str, str], ...],
    **common: Any,
) -> None:
    """Make a video with MODEL from PROMPT and/or a first frame --image.

    \b
    Examples:
      relaykit video generate stability/stable-video-diffusion --image first_frame.png -o seed 3
      relaykit video generate acme/veo "a drone shot over a forest" -o duration 5
    """
    params = _with(parse_options(options), prompt=prompt, image=image_file, last_frame=last_frame)
    with client() as api:
        result = api.video.generate(model=model, **params)
        finish(api, result, prefix=common.pop("prefix") or "video", **common)


@click.group()
def tasks() -> None:
    """Look at and resume background Tasks saved as JSON (by --no-wait or Ctrl-C).

    \b
    Examples:
      relaykit tasks wait task.json
      relaykit tasks get task.json | jq .status
    """


@tasks.command(name="wait")
@click.argument("task_file", metavar="TASK.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@task_options
def tasks_wait(task_file: Path, **common: Any) -> None:
    """Wait for the Task saved in TASK.json (progress bar), then save its files.

    The Task is asked of the provider it names, configured as when it started. The finished Task is
    written back to TASK.json (so that, e.g., ``relaykit mj action TASK.json U1`` can follow);
    Ctrl-C saves the latest snapshot there too.

    \b
    Examples:
      relaykit tasks wait task.json --out-dir results
    """
    task = Task.from_json(task_file.read_bytes())
    common.pop("no_wait")
    with client() as api:
        finish(
            api,
            task,
            prefix=common.pop("prefix") or task.kind.split(".")[0],
            no_wait=False,
            task_file=task_file,
            **common,
        )


@tasks.command(name="get")
@click.argument("task_file", metavar="TASK.json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def tasks_get(task_file: Path) -> None:
    """Print a fresh snapshot of the Task saved in TASK.json, as JSON (status, progress...).

    \b
    Examples:
      relaykit tasks get task.json > task.json.new && mv task.json.new task.json
    """
    with client() as api:
        click.echo(api.tasks.get(Task.from_json(task_file.read_bytes())).to_json())
