"""The benchmark script runs end to end on a tiny workload (timings are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


def test_a_ratio_pairs_each_round_with_its_anchor_from_the_same_round() -> None:
    """A slow round for both sides cancels out: the ratio is the median of the rounds' own ratios."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import report
        import run
    finally:
        sys.path.remove(str(ROOT / "bench"))
    results = run.Results()
    mine, anchor = ("stream", "openai", "sync", "relaykit"), ("stream", "openai", "sync", "raw httpx2")
    # rounds 0-2: the machine at full speed, then twice as slow; relaykit is 0.8x its anchor throughout
    for round_index, speed in enumerate((1.0, 1.0, 0.5, 0.5, 0.5)):
        results.add(anchor, 100 * speed, round_index)
        results.add(mine, 80 * speed, round_index)
    results.add(mine, 200, 5)  # a round whose anchor failed is left out, not paired with another round
    assert report._ratio(results, mine, anchor) == pytest.approx(0.8)
    # the ratio of the medians (60 over 50) mixes rounds: it is shown beside, not judged on
    assert report._ratio_of_medians(results, mine, anchor) == pytest.approx(1.2)
