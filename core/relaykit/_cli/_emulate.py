"""``relaykit emulate``: run vendor emulators on loopback and a configuration that points at them.

Starts the emulator of each provider kind asked for (every kind that ships one by default), writes a
``relaykit.toml`` whose provider sections point at them (with the keys they accept), prints how to
use it, and serves until Ctrl-C. With it, every other command works offline with no keys::

    relaykit emulate --config emulated.toml &
    export RELAYKIT_CONFIG=emulated.toml
    relaykit chat openai/gpt-4o-mini "Hi"
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .._plugins import get_registry
from ._demo import _emulator, _kinds_with_emulators

__all__ = ["emulate", "render_config"]


def render_config(sections: dict[str, dict[str, Any]]) -> str:
    """A relaykit.toml with one ``[providers.<kind>]`` section per running emulator."""
    lines = ["# Written by `relaykit emulate`: every provider points at a local emulator (no keys needed).", ""]
    for name, settings in sections.items():
        lines.append(f"[providers.{name}]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in settings.items() if value is not None)
        lines.append("")
    return "\n".join(lines)


@contextlib.contextmanager
def _running(kinds: list[str]) -> Iterator[dict[str, dict[str, Any]]]:
    started: list[Any] = []
    try:
        sections: dict[str, dict[str, Any]] = {}
        for kind in kinds:
            emulator = _emulator(kind)
            emulator.start()
            started.append(emulator)
            sections[kind] = emulator.client_settings(kind)
        yield sections
    finally:
        for emulator in started:
            emulator.stop()


@click.command()
@click.argument("kinds", metavar="[KIND]...", nargs=-1)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("relaykit-emulated.toml"),
    show_default=True,
    help="Where to write the configuration pointing at the emulators.",
)
@click.option("--seconds", type=float, default=None, help="Stop after this many seconds (default: until Ctrl-C).")
def emulate(kinds: tuple[str, ...], config_path: Path, seconds: float | None) -> None:
    """Serve vendor emulators on 127.0.0.1 and write a relaykit.toml that points at them.

    KINDs are provider kinds that ship an emulator (all of them by default). Every other command
    then runs offline, with no keys, against the emulators.

    \b
    Examples:
      relaykit emulate                                  every emulator, until Ctrl-C
      relaykit emulate openai anthropic --config e.toml
      RELAYKIT_CONFIG=relaykit-emulated.toml relaykit chat openai/gpt-4o-mini "Hi"
    """
    available = _kinds_with_emulators()
    chosen = list(kinds) or available
    unknown = [kind for kind in chosen if kind not in get_registry() or kind not in available]
    if unknown:
        raise click.UsageError(f"no emulator for {', '.join(unknown)} (kinds with one: {', '.join(available)})")
    with _running(chosen) as sections:
        config_path.write_text(render_config(sections), encoding="utf-8")
        click.echo(f"emulating {', '.join(chosen)}; configuration written to {config_path}", err=True)
        click.echo(f"use it with:  export RELAYKIT_CONFIG={config_path}", err=True)
        click.echo(str(config_path))
        stop = threading.Event()
        try:
            stop.wait(seconds)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)
