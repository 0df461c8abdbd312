"""`relaykit demo`: the offline tour, run as a subprocess, and --provider for every emulator."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from relaykit._cli._app import cli

_RUN = "import sys; from relaykit._cli import main; sys.exit(main(sys.argv[1:]))"


def test_demo_runs_the_whole_tour_offline_in_seconds() -> None:
    """Streamed chat, tool call, typed error, routed fallback with its RouteInfo, image Task with progress."""
    done = subprocess.run([sys.executable, "-c", _RUN, "demo"], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603 - our own interpreter
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "RateLimitError: status=429" in out
    assert "deployment=anthropic/claude-sonnet-4-5" in out
    assert "failed=['demo/gpt-4o-mini']" in out
    assert "100%" in out
    assert "seed=42" in out


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("openai", "tool call get_weather"),
        ("anthropic", "tool call get_weather"),
        ("ernie", "tool call get_weather"),
        ("qianfan", "RateLimitError"),
        ("spark", "RateLimitError"),
        ("spark-http", "RateLimitError"),
        ("stability", "image: "),
        ("flux", "image: "),
    ],
)
def test_demo_runs_against_each_providers_emulator(kind: str, expected: str) -> None:
    """--provider starts that kind's emulator with its own settings; media-only kinds skip chat."""
    result = CliRunner().invoke(cli, ["demo", "--provider", kind], catch_exceptions=False)
    assert result.exit_code == 0
    assert expected in result.stdout
    if kind in ("stability", "flux"):
        assert "streamed chat" not in result.stdout


def test_demo_refuses_a_kind_without_emulator() -> None:
    """An unknown kind is a usage error listing the kinds that ship emulators."""
    result = CliRunner().invoke(cli, ["demo", "--provider", "nope"])
    assert result.exit_code == 2
    assert "openai" in result.output
