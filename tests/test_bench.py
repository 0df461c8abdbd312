"""The benchmark script runs end to end on a tiny workload (timings are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_on_a_tiny_workload_with_what_is_installed(tmp_path: Path) -> None:
    """`bench/run.py --quick --no-venv` writes the report; what is not installed is named, not fatal."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--no-venv", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=55,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "<!-- results:start -->" in report
    assert "| sync relaykit |" in report
    assert "| relaykit (aiohttp) |" in report
    assert "### Targets" in report
