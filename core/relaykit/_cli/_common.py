"""Shared pieces of the commands: the client, ``-o KEY VALUE`` options, JSON output, saved files,
and waiting on a `Task` with a progress bar that Ctrl-C leaves resumable.
"""

from __future__ import annotations

import json
import mimetypes
import shlex
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from .._client import Client
from .._types._media_result import MediaOutput, MediaResult
from .._types._task import Task
from ._exit import EXIT_INTERRUPTED

__all__ = [
    "EXIT_INTERRUPTED",
    "client",
    "echo_json",
    "err_console",
    "options_option",
    "parse_options",
    "save_outputs",
    "task_options",
    "to_jsonable",
    "wait_task",
]

"""The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells use."""

_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
_EXTENSIONS |= {"video/mp4": ".mp4", "audio/mpeg": ".mp3", "audio/wav": ".wav"}


def err_console() -> Console:
    """The console on stderr: progress and status go there, so stdout stays for data."""
    return Console(stderr=True)


def client() -> Client:
    """A client from ``$RELAYKIT_CONFIG`` or ``./relaykit.toml`` (and the environment's keys)."""
    return Client()


def options_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """The ``-o/--option KEY VALUE`` option (repeatable); VALUE is read as JSON, else kept a string."""
    return click.option(
        "-o",
        "--option",
        "options",
        type=(str, str),
        multiple=True,
        metavar="KEY VALUE",
        help="A request field, VALUE read as JSON when it parses (-o temperature 0.2 -o stop '[\"x\"]'). "
        "Dotted keys nest (-o provider_options.openai.user alice).",
    )(function)


def parse_options(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """``[("temperature", "0.2"), ("a.b", "x")]`` -> ``{"temperature": 0.2, "a": {"b": "x"}}``."""
    result: dict[str, Any] = {}
    for key, raw in pairs:
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        *parents, last = key.split(".")
        if not last or not all(parents):
            raise click.BadParameter(f"{key!r} is not a field name", param_hint="-o")
        node = result
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise click.BadParameter(f"{key!r} is set twice", param_hint="-o")
        node[last] = value
    return result


def to_jsonable(value: Any) -> Any:
    """A response model as JSON data; bytes are left out (they are written to files)."""
    if isinstance(value, MediaResult):
        return value.model_dump(
            mode="json", exclude={"images": {"__all__": {"content", "b64_json"}}, "video": {"content", "b64_json"}}
        )
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return dump(mode="json", exclude_none=False)
    return value


def echo_json(value: Any, *, lines: bool = False) -> None:
    """Print `value` as JSON on stdout: indented, or compact on one line (JSON lines)."""
    data = to_jsonable(value)
    click.echo(json.dumps(data, ensure_ascii=False) if lines else json.dumps(data, indent=2, ensure_ascii=False))


def task_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """``--out-dir``, ``--prefix``, ``--no-wait``, ``--timeout`` and ``--json`` for media commands."""
    decorators = [
        click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (files are still written)."),
        click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait for a Task."),
        click.option("--no-wait", is_flag=True, help="Print the Task JSON and exit; resume: relaykit tasks wait FILE."),
        click.option("--prefix", default=None, help="File name prefix (default: the command's kind)."),
        click.option(
            "--out-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            show_default=True,
            help="Where result files are written.",
        ),
    ]
    for decorate in decorators:
        function = decorate(function)
    return function


def wait_task(api: Client, task: Task, *, timeout: float | None, saved_to: Path | None = None) -> Task:
    """Wait for `task` with a live progress bar on stderr; on Ctrl-C save it and say how to resume.

    Raises:
        SystemExit: 130 after Ctrl-C (the task JSON written to `saved_to` or ``task-<id>.json``).
    """
    console = err_console()
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    latest = task
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task(f"{task.kind} {task.id}", total=100, completed=int((task.progress or 0.0) * 100))

        def on_progress(snapshot: Task) -> None:
            nonlocal latest
            latest = snapshot
            status = snapshot.status
            progress.update(
                bar, completed=int((snapshot.progress or 0.0) * 100), description=f"{snapshot.kind} {status}"
            )

        try:
            done = api.tasks.wait(task, timeout=timeout, on_progress=on_progress, download=True)
        except KeyboardInterrupt:
            progress.stop()
            path = saved_to or Path(f"task-{_safe(latest.id)}.json")
            path.write_text(latest.to_json(), encoding="utf-8")
            click.echo(
                f"interrupted: the task goes on at the vendor; saved to {path}\n"
                f"resume with: relaykit tasks wait {shlex.quote(str(path))}",
                err=True,
            )
            raise SystemExit(EXIT_INTERRUPTED) from None
        progress.update(bar, completed=100, description=f"{done.kind} {done.status}")
    return done


def save_outputs(outputs: Iterable[MediaOutput], out_dir: Path, prefix: str) -> list[Path]:
    """Write each output to ``<prefix>-<n>[-seed<seed>].<ext>`` in `out_dir`; URL-only ones are downloaded."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for number, output in enumerate(outputs, start=1):
        data = output.to_bytes() if output.content is not None or output.b64_json is not None else _download(output)
        seed = f"-seed{output.seed}" if output.seed is not None else ""
        path = out_dir / f"{prefix}-{number}{seed}{_extension(output.mime_type, output.url)}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _download(output: MediaOutput) -> bytes:
    if output.url is None or not output.url.startswith(("http://", "https://")):
        raise click.ClickException(f"an output has neither bytes nor an http(s) URL: {output.url!r}")
    with urllib.request.urlopen(output.url, timeout=120) as answer:  # noqa: S310 - http(s) checked above
        data: bytes = answer.read()
    return data


def _extension(mime_type: str | None, url: str | None) -> str:
    if mime_type:
        known = _EXTENSIONS.get(mime_type) or mimetypes.guess_extension(mime_type)
        if known:
            return known
    if url:
        suffix = Path(url.split("?", 1)[0]).suffix
        if suffix:
            return suffix
    return ".bin"


def _safe(text: str) -> str:
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in text)[:80]
