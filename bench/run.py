"""The benchmark, in one command: relaykit against raw httpx2, raw aiohttp, the openai SDK and litellm.

    python bench/run.py                  # ~10 minutes; writes docs/benchmarks.md and docs/benchmarks.png
    python bench/run.py --rounds 3       # fewer rounds
    python bench/run.py --quick --no-venv --output /tmp/bench   # seconds, with what is installed

Without ``--no-venv`` it creates ``bench/.venv`` and installs relaykit with its ``bench`` extra there
(litellm, the openai SDK, aiohttp, uvloop for the server, pyinstrument, matplotlib), then runs itself
in it. A package that does not install is named in the report and its columns stay empty.

The server (`bench/server.py`) runs in its own process on CPU 1, every competitor (`bench/worker.py`)
in its own process on CPU 0, one at a time. Each round measures every case for every competitor,
the competitors of a case back to back (each relaykit variant next to its raw client, which goes
first every other round), the cases in a rotated order. The report gives the median and the min-max
over rounds; a ratio is the median of the rounds' own ratios, so that the machine's drift between
rounds cancels out; and the server's CPU share (it must stay below 100%).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv"
BENCH_PACKAGES = ("aiohttp", "openai", "litellm", "uvloop", "pyinstrument", "matplotlib")
SERVER_CPU, CLIENT_CPU = 1, 0


@dataclass(frozen=True)
class Workload:
    rounds: int
    latency: int
    stream: int
    throughput: int
    memory: int
    translate: int


FULL = Workload(rounds=5, latency=400, stream=6, throughput=3000, memory=10_000, translate=400)
QUICK = Workload(rounds=1, latency=10, stream=1, throughput=64, memory=100, translate=5)
SLOW = {"openai": 0.5, "litellm": 0.2}
"""Competitors given a share of each workload (their calls take several times as long)."""

# (label, competitor, async backend or "" for sync)
SYNC = [
    ("relaykit", "relaykit", ""),
    ("raw httpx2", "raw-httpx2", ""),
    ("openai SDK", "openai", ""),
    ("litellm", "litellm", ""),
]
ASYNC = [
    ("relaykit (aiohttp)", "relaykit", "aiohttp"),
    ("relaykit (httpx2)", "relaykit", "httpx2"),
    ("raw aiohttp", "raw-aiohttp", "aiohttp"),
    ("raw httpx2", "raw-httpx2", "httpx2"),
    ("openai SDK", "openai", "httpx"),
    ("litellm", "litellm", "litellm"),
]
IMPORTS = {
    "relaykit": "import relaykit; relaykit.providers()",
    "httpx2": "import httpx2",
    "aiohttp": "import aiohttp",
    "openai SDK": "import openai",
    "litellm": "import litellm",
}
ANCHORS = {"": "raw httpx2", "httpx2": "raw httpx2", "aiohttp": "raw aiohttp"}
"""The raw client each relaykit variant is compared with, by async backend ("" for sync)."""
DIALECTS = ("openai", "anthropic")
CONCURRENCY = (64, 256)


@dataclass
class Results:
    """Every measured value, by key, one per round; plus what could not be measured and why."""

    values: dict[tuple[str, ...], list[float]] = field(default_factory=dict)
    by_round: dict[tuple[str, ...], dict[int, float]] = field(default_factory=dict)
    """The same values by round index, to pair each with its anchor's from the same round."""
    errors: dict[str, str] = field(default_factory=dict)
    server_share: dict[str, float] = field(default_factory=dict)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    translation: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def add(self, key: tuple[str, ...], value: float, round_index: int) -> None:
        self.values.setdefault(key, []).append(value)
        self.by_round.setdefault(key, {})[round_index] = value

    def median(self, key: tuple[str, ...]) -> float | None:
        found = self.values.get(key)
        return statistics.median(found) if found else None


def ensure_venv(args: argparse.Namespace) -> None:
    """Create bench/.venv with the bench extra and re-run this script in it (unless --no-venv)."""
    if args.no_venv or Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    print("installing relaykit[bench] into it", flush=True)
    failed: list[str] = []
    if subprocess.run([*pip, "-e", f"{ROOT}[bench]"], check=False).returncode != 0:
        subprocess.run([*pip, "-e", str(ROOT)], check=True)
        failed = [package for package in BENCH_PACKAGES if subprocess.run([*pip, package], check=False).returncode]
    (VENV / "install-failures.json").write_text(json.dumps(failed))
    os.execv(str(python), [str(python), __file__, *sys.argv[1:], "--no-venv"])


def _pinned(cpu: int) -> Any:
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class Server:
    """The loopback server process, and its CPU time for the share shown in the report."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "server.py"), "--port", "0"],
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=_pinned(SERVER_CPU),  # noqa: PLW1509 - affinity only, before exec
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        connection.request("GET", "/__cpu")
        value = float(json.loads(connection.getresponse().read())["cpu"])
        connection.close()
        return value

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Worker:
    """One competitor's process; `ask` sends a command and returns its answer."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), name, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_pinned(CLIENT_CPU),  # noqa: PLW1509 - affinity only, before exec
        )
        assert self.process.stdout is not None
        ready = self.process.stdout.readline()
        if not ready:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            lines = [line for line in stderr.strip().splitlines() if line.strip()]
            raise RuntimeError(lines[-1] if lines else "the worker exited")

    def ask(self, command: dict[str, Any]) -> Any:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "the worker died"}')
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["value"]

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def _scaled(n: int, competitor: str) -> int:
    return max(1, int(n * SLOW.get(competitor, 1.0)))


def plan(work: Workload, *, anchor_first: bool = False) -> list[tuple[tuple[str, ...], str, dict[str, Any]]]:
    """Every measurement of one round: (result key, competitor, command).

    The competitors of one case run back to back, each relaykit variant next to the raw client it is
    compared with (`anchor_first` puts the raw client first), so that a ratio is taken between two
    measurements seconds apart.
    """
    steps: list[tuple[tuple[str, ...], str, dict[str, Any]]] = []
    sync, asyn = _paired(SYNC, anchor_first), _paired(ASYNC, anchor_first)
    for dialect in DIALECTS:
        for op, n in (("latency", work.latency), ("stream", work.stream)):
            for label, competitor, _ in sync:
                command = {"op": op, "mode": "sync", "dialect": dialect, "n": _scaled(n, competitor)}
                steps.append(((op, dialect, "sync", label), competitor, command))
            for label, competitor, backend in asyn:
                command = {"op": op, "mode": "async", "dialect": dialect, "n": _scaled(n, competitor)}
                command["backend"] = backend
                steps.append(((op, dialect, "async", label), competitor, command))
    for concurrency in CONCURRENCY:
        for label, competitor, backend in asyn:
            n = max(concurrency, _scaled(work.throughput, competitor))
            command = {"op": "throughput", "dialect": "openai", "backend": backend, "concurrency": concurrency, "n": n}
            steps.append((("throughput", "openai", str(concurrency), label), competitor, command))
    return steps


def _paired(variants: list[tuple[str, str, str]], anchor_first: bool) -> list[tuple[str, str, str]]:
    """`variants` reordered so that each relaykit variant sits next to its raw anchor."""
    ordered: list[tuple[str, str, str]] = []
    for variant in variants:
        label, _, backend = variant
        if variant in ordered or not label.startswith("relaykit"):
            continue
        anchor = next(v for v in variants if v[0] == ANCHORS[backend])
        ordered += [anchor, variant] if anchor_first else [variant, anchor]
    return ordered + [v for v in variants if v not in ordered]


def import_time(statement: str) -> float | None:
    """Seconds to run `statement` in a fresh interpreter (the interpreter's own start not counted)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        preexec_fn=_pinned(CLIENT_CPU),
    )
    return float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None


def measure(work: Workload, results: Results) -> None:
    server = Server()
    workers: dict[str, Worker] = {}
    try:
        for name in ("relaykit", "raw-httpx2", "raw-aiohttp", "openai", "litellm"):
            try:
                workers[name] = Worker(name, server.url)
            except RuntimeError as exc:
                results.errors[name] = str(exc)
                print(f"  {name}: not measured ({exc})", flush=True)
        for round_index in range(work.rounds):
            started = time.perf_counter()
            steps = plan(work, anchor_first=round_index % 2 == 1)
            shift = round_index * 7 % len(steps)
            for key, competitor, command in steps[shift:] + steps[:shift]:
                if competitor not in workers:
                    continue
                cpu, wall = server.cpu(), time.perf_counter()
                try:
                    value = workers[competitor].ask(command)
                except RuntimeError as exc:
                    results.errors[" ".join(key)] = str(exc)
                    continue
                if value is not None:
                    results.add(key, value, round_index)
                    share = (server.cpu() - cpu) / (time.perf_counter() - wall)
                    results.server_share[key[0]] = max(results.server_share.get(key[0], 0.0), share)
            for label, statement in IMPORTS.items():
                seconds = import_time(statement)
                if seconds is not None:
                    results.add(("import", label), seconds * 1000, round_index)
            if "relaykit" in workers:
                for dialect in DIALECTS:
                    parts = workers["relaykit"].ask({"op": "translate", "dialect": dialect, "n": work.translate})
                    results.translation.setdefault(dialect, []).append(parts)
            print(f"  round {round_index + 1}/{work.rounds}: {time.perf_counter() - started:.0f} s", flush=True)
        for worker in workers.values():
            worker.stop()
        for name in ("relaykit", "raw-httpx2", "openai", "litellm"):
            calls = work.memory if name in ("relaykit", "raw-httpx2") else 0
            done = subprocess.run(
                [sys.executable, str(HERE / "worker.py"), name, server.url, "--memory", str(calls)],
                capture_output=True,
                text=True,
                check=False,
                preexec_fn=_pinned(CLIENT_CPU),
            )
            if done.returncode == 0:
                results.memory[name] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        for worker in workers.values():
            if worker.process.poll() is None:
                worker.process.kill()
        server.stop()


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("relaykit", "httpx2", "aiohttp", "pydantic", "openai", "litellm", "uvloop"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), model)
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()} on {system}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="a tiny workload: checks that everything runs")
    parser.add_argument("--no-venv", action="store_true", help="use this interpreter as it is")
    parser.add_argument("--output", type=Path, default=ROOT / "docs", help="where benchmarks.md/.png go")
    args = parser.parse_args()
    ensure_venv(args)
    work = QUICK if args.quick else FULL
    if args.rounds:
        work = Workload(args.rounds, work.latency, work.stream, work.throughput, work.memory, work.translate)
    results = Results()
    failures = VENV / "install-failures.json"
    if Path(sys.prefix).resolve() == VENV.resolve() and failures.exists():
        for package in json.loads(failures.read_text()):
            results.errors[package] = "did not install from PyPI into bench/.venv"
    results.meta = {"machine": machine(), "versions": versions(), "workload": work.__dict__, "quick": args.quick}
    results.meta["pinned"] = _pinned(0) is not None
    print(f"benchmark: {results.meta['machine']}", flush=True)
    started = time.perf_counter()
    measure(work, results)
    results.meta["duration_s"] = round(time.perf_counter() - started)
    sys.path.insert(0, str(HERE))
    from report import write

    args.output.mkdir(parents=True, exist_ok=True)
    for path in write(results, args.output):
        print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
