"""The click application: global options and the command list."""

from __future__ import annotations

import click

from .. import __version__
from ._demo import demo
from ._providers import providers

__all__ = ["cli"]

_EPILOG = """\b
Examples:
  relaykit providers            list provider kinds, their plugins and capabilities
  relaykit demo                 a streamed chat against the bundled OpenAI emulator (no keys)
"""


@click.group(epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relaykit")
def cli() -> None:
    """relaykit: one typed, OpenAI-shaped interface to many AI vendors."""


cli.add_command(providers)
cli.add_command(demo)
