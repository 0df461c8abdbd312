"""Cold import time: `import relaykit` against the HTTP clients and SDKs it competes with.

Each statement runs in a fresh interpreter, N times; the median wall time is printed. Modules that
are not installed are reported as such (install `openai` / `litellm` to compare against them).

    python bench/import_time.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

STATEMENTS = {
    "httpx2": "import httpx2",
    "aiohttp": "import aiohttp",
    "relaykit": "import relaykit",
    "relaykit + first Client": "import relaykit; relaykit.Client(providers={'openai': {'api_key': 'x'}}).close()",
    "openai": "import openai",
    "litellm": "import litellm",
}


def measure(statement: str, runs: int) -> float | None:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return None
        samples.append(float(done.stdout))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"{'what':28} {'median ms':>10}   ({args.runs} fresh interpreters each)")
    for name, statement in STATEMENTS.items():
        seconds = measure(statement, args.runs)
        shown = "not installed" if seconds is None else f"{seconds * 1000:10.1f}"
        print(f"{name:28} {shown:>10}")


if __name__ == "__main__":
    main()
