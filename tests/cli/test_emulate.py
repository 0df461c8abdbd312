"""`relaykit emulate`: emulators served from the terminal, so every command runs offline."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

_RELAYKIT = [sys.executable, "-c", "import sys; from relaykit._cli import main; sys.exit(main())"]


def test_emulate_writes_a_config_that_other_commands_use(tmp_path: Path) -> None:
    """With the emulators served and RELAYKIT_CONFIG set, chat and embed answer with no keys."""
    config = tmp_path / "emulated.toml"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter
        [*_RELAYKIT, "emulate", "openai", "anthropic", "--config", str(config), "--seconds", "60"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not config.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        sections = tomllib.loads(config.read_text(encoding="utf-8"))["providers"]
        assert set(sections) == {"openai", "anthropic"}
        env = {**env, "RELAYKIT_CONFIG": str(config)}
        for args in (
            ["chat", "openai/gpt-4o-mini", "Hello", "--no-stream"],
            ["chat", "anthropic/claude-sonnet-4-5", "Hello"],
            ["embed", "openai/text-embedding-3-small", "one", "-f", "csv"],
        ):
            done = subprocess.run(  # noqa: S603
                [*_RELAYKIT, *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            assert done.returncode == 0, (args, done.stderr)
            assert done.stdout.strip(), args
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_emulate_refuses_a_kind_without_an_emulator(tmp_path: Path) -> None:
    """Asking for a kind that ships no emulator is a usage error (exit 2)."""
    done = subprocess.run(  # noqa: S603
        [*_RELAYKIT, "emulate", "nonesuch", "--config", str(tmp_path / "x.toml"), "--seconds", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no emulator for nonesuch" in done.stderr
