"""The click application: global options and the command list."""

from __future__ import annotations

import click

from .. import __version__
from ._audio import embed, speak, transcribe, translate
from ._chat import chat, complete
from ._config import config, models
from ._demo import demo
from ._emulate import emulate
from ._logs import enable_logs
from ._media import image, tasks, video
from ._mj import mj
from ._providers import providers

__all__ = ["STATE", "cli"]

STATE: dict[str, bool] = {"debug": False}
"""Global options of this run (``--debug``), read when an error is reported."""

_EPILOG = """\b
Examples:
  relaykit demo                                  the offline tour: chat, fallback, image task (no keys)
  relaykit emulate &                             serve every vendor emulator; then, with
  export RELAYKIT_CONFIG=relaykit-emulated.toml  ...every command below runs offline
  relaykit chat openai/gpt-4o-mini "Hi"          a streamed chat
  relaykit image generate flux/flux-pro-1.1 "a fox"   an image, saved with its seed in the name
  relaykit providers                             provider kinds, plugins, capabilities, configured?
  relaykit config init && relaykit config check  a starter relaykit.toml, then validate it

\b
Exit codes: 0 ok, 1 other error, 2 usage or invalid request, 3 configuration, 4 authentication,
5 rate limit, 6 vendor error, 7 network, 130 interrupted (Ctrl-C). Errors are one line on stderr
with a hint; --debug adds the traceback. See docs/cli.md for every command.
"""


@click.group(epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="relaykit")
@click.option("--debug", is_flag=True, help="Print the full traceback of an error instead of one line.")
@click.option(
    "--log-format",
    type=click.Choice(["json", "text"]),
    default=None,
    help="Turn on relaykit's structured logs on stderr: one JSON object (or one text line) per event.",
)
def cli(debug: bool, log_format: str | None) -> None:
    """relaykit: one typed, OpenAI-shaped interface to many AI vendors."""
    STATE["debug"] = debug
    if log_format is not None:
        enable_logs(log_format)


for _command in (
    chat,
    complete,
    embed,
    speak,
    transcribe,
    translate,
    image,
    video,
    mj,
    tasks,
    models,
    providers,
    config,
    demo,
    emulate,
):
    cli.add_command(_command)
