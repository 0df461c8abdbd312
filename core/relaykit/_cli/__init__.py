"""The ``relaykit`` command line (needs the ``cli`` extra: click and rich).

Commands live in one module each; this module only assembles them and reports a missing extra.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

_MISSING_EXTRA = "relaykit's command line needs the 'cli' extra:  pip install 'relaykit[cli]'\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    try:
        from ._app import cli
    except ImportError as exc:  # click or rich missing
        sys.stderr.write(f"{_MISSING_EXTRA}({exc})\n")
        return 1
    try:
        cli.main(args=argv, prog_name="relaykit", standalone_mode=False)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except Exception as exc:  # noqa: BLE001 - every error reaches the user as one clear line
        return _report(exc)
    return 0


def _report(exc: Exception) -> int:
    import click

    if isinstance(exc, click.exceptions.Abort):
        sys.stderr.write("aborted\n")
        return 130
    if isinstance(exc, click.ClickException):
        exc.show()
        return exc.exit_code
    from ._app import STATE
    from ._exit import classify

    if STATE["debug"]:
        import traceback

        traceback.print_exception(exc)
    code, hint = classify(exc)
    message = str(exc).replace("\n", " ")
    sys.stderr.write(f"error: {type(exc).__name__}: {message}{f' (hint: {hint})' if hint else ''}\n")
    return code
