"""The benchmark's report: the markdown tables (into docs/benchmarks.md) and the chart (a PNG).

The tables go between the ``<!-- results:start -->`` and ``<!-- results:end -->`` markers of
``benchmarks.md`` (the prose around them is kept); a new file gets a heading and the markers.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from run import Results

START, END = "<!-- results:start -->", "<!-- results:end -->"
Key = tuple[str, ...]


def _cell(results: Results, key: Key, digits: int = 0, scale: float = 1.0) -> str:
    found = results.values.get(key)
    if not found:
        return "–"
    median = statistics.median(found) * scale
    low, high = min(found) * scale, max(found) * scale
    if len(found) == 1:
        return f"{median:,.{digits}f}"
    return f"{median:,.{digits}f} <sub>{low:,.{digits}f}–{high:,.{digits}f}</sub>"


def _round_ratios(results: Results, key: Key, anchor: Key, invert: bool = False) -> list[float]:
    """The ratio of `key` to `anchor` in each round that measured both."""
    mine, base = results.by_round.get(key, {}), results.by_round.get(anchor, {})
    pairs = [(mine[r], base[r]) for r in sorted(mine.keys() & base.keys()) if mine[r] and base[r]]
    return [b / m if invert else m / b for m, b in pairs]


def _ratio(results: Results, key: Key, anchor: Key, invert: bool = False) -> float | None:
    """The median of the per-round ratios: each round measures the two back to back, so the machine's
    drift from one round to the next cancels out."""
    ratios = _round_ratios(results, key, anchor, invert)
    return statistics.median(ratios) if ratios else None


def _ratio_of_medians(results: Results, key: Key, anchor: Key, invert: bool = False) -> float | None:
    value, base = results.median(key), results.median(anchor)
    if value is None or base is None or not value or not base:
        return None
    return base / value if invert else value / base


def _x(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2f}×"


def _anchor(backend: str) -> str:
    """The raw client a row on `backend` is compared with ("" for sync; the SDKs' rows: raw httpx2)."""
    from run import ANCHORS

    return ANCHORS.get(backend, ANCHORS[""])


def _by_dialect(results: Results, kind: str) -> list[str]:
    """Rows of per-call or streaming results: each client, per dialect, with its ratio to the raw client."""
    from run import ASYNC, DIALECTS, SYNC

    rows = ["| client | OpenAI dialect | × raw | Anthropic dialect | × raw |", "|---|---:|---:|---:|---:|"]
    for mode, variants in (("sync", SYNC), ("async", ASYNC)):
        for label, _, backend in variants:
            cells = []
            for dialect in DIALECTS:
                key = (kind, dialect, mode, label)
                anchor = (kind, dialect, mode, _anchor(backend))
                cells += [_cell(results, key), _x(_ratio(results, key, anchor))]
            rows.append(f"| {mode} {label} | " + " | ".join(cells) + " |")
    return rows


def _throughput(results: Results) -> list[str]:
    from run import ASYNC, CONCURRENCY

    rows = ["| client | " + " | ".join(f"{c} concurrent | × raw" for c in CONCURRENCY) + " |"]
    rows.append("|---|" + "---:|---:|" * len(CONCURRENCY))
    for label, _, backend in ASYNC:
        cells = []
        for concurrency in CONCURRENCY:
            key = ("throughput", "openai", str(concurrency), label)
            cells += [_cell(results, key), _x(_ratio(results, key, (*key[:3], _anchor(backend))))]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    return rows


def _peak(results: Results, name: str) -> float | None:
    peak = results.memory.get(name, {}).get("import", {}).get("peak")
    return float(peak) if peak else None


def _imports_and_memory(results: Results) -> list[str]:
    from run import IMPORTS

    rows = ["| | cold import, ms | × httpx2 | peak RSS after import, MiB | × httpx2 |", "|---|---:|---:|---:|---:|"]
    workers = {"relaykit": "relaykit", "httpx2": "raw-httpx2", "openai SDK": "openai", "litellm": "litellm"}
    raw = _peak(results, "raw-httpx2")
    for label in IMPORTS:
        rss = _peak(results, workers.get(label, ""))
        memory = [f"{rss:.1f}", _x(rss / raw if raw else None)] if rss else ["–", "–"]
        timing = [_cell(results, ("import", label), 1), _x(_ratio(results, ("import", label), ("import", "httpx2")))]
        rows.append(f"| {label} | " + " | ".join(timing + memory) + " |")
    flat = []
    for name in ("relaykit", "raw-httpx2"):
        found = results.memory.get(name, {})
        if "end" in found:
            tenth, end = found["first_tenth"], found["end"]
            flat.append(f"| {name} | {tenth['rss']:.1f} | {end['rss']:.1f} | {end['peak']:.1f} |")
    if flat:
        calls = results.meta["workload"]["memory"]
        rows += ["", f"| {calls:,} sequential calls (sync) | RSS after a tenth, MiB | RSS after all, MiB | peak, MiB |"]
        rows += ["|---|---:|---:|---:|", *flat]
    return rows


def _translation(results: Results) -> list[str]:
    rows = ["| dialect | validate the request | build the wire body | parse the answer | total |"]
    rows.append("|---|---:|---:|---:|---:|")
    for dialect, samples in results.translation.items():
        parts = ("validate", "request", "response", "total")
        cells = [f"{statistics.median(sample[part] for sample in samples):,.1f}" for part in parts]
        rows.append(f"| {dialect} | " + " | ".join(cells) + " |")
    return rows


_RATIOS = (
    "A ratio (× raw) is the median over rounds of that round's ratio: each round measures a relaykit"
    " variant and its raw client back to back."
)


def tables(results: Results) -> str:
    """The report's markdown: every table, the targets, the server's CPU share, machine and versions."""
    meta = results.meta
    rounds = meta["workload"]["rounds"]
    out = [f"Medians over {rounds} rounds, with the min–max in small type. {_RATIOS}", ""]
    out += ["### Per call (sequential, not streamed): µs per call, lower is better", ""]
    out += _by_dialect(results, "latency")
    out += ["", "### Streaming a 500-chunk answer: chunks per second, higher is better", ""]
    out += _by_dialect(results, "stream")
    out += ["", "### Async throughput (OpenAI dialect): requests per second, higher is better", ""]
    out += _throughput(results)
    out += ["", "### Cold import and memory", ""]
    out += _imports_and_memory(results)
    if results.translation:
        out += ["", "### Translation alone (no socket): a 20-message conversation with two tools, µs", ""]
        out += _translation(results)
    out += ["", "### Targets", ""]
    out += ["| target | measured (median of the rounds' ratios) | rounds' ratios | ratio of the medians | met |"]
    out += ["|---|---:|---:|---:|:---:|"]
    for target in targets(results):
        ratio, bound = target.ratio, target.bound
        met = "–" if ratio is None else ("yes" if (ratio >= bound if target.higher else ratio <= bound) else "**no**")
        spread = f"{min(target.rounds):.2f}–{max(target.rounds):.2f}" if target.rounds else "–"
        out.append(f"| {target.name} | {_x(ratio)} | {spread} | {_x(target.of_medians)} | {met} |")
    shares = ", ".join(f"{kind} {share:.0%}" for kind, share in sorted(results.server_share.items()))
    out += ["", f"Server CPU share (the highest seen during each kind of case): {shares or '–'}."]
    if results.errors:
        out += ["", "Not measured:", ""]
        out += [f"- {what}: {why}" for what, why in sorted(results.errors.items())]
    pinned = "yes" if meta["pinned"] else "no"
    out += ["", f"Machine: {meta['machine']}; client and server pinned to one CPU each: {pinned}."]
    out.append("Versions: " + ", ".join(f"{name} {version}" for name, version in meta["versions"].items()) + ".")
    out.append(f"The run took {meta['duration_s']} s; workload {meta['workload']}.")
    return "\n".join(out) + "\n"


class Target(NamedTuple):
    name: str
    ratio: float | None
    """What the target is judged on: the median of the per-round ratios (or the one ratio there is)."""
    bound: float
    higher: bool
    """True when the ratio must be at least the bound."""
    rounds: tuple[float, ...] = ()
    of_medians: float | None = None
    """The ratio of the two medians, shown beside it."""


def _target(results: Results, name: str, key: Key, anchor: Key, bound: float, *, rate: bool = False) -> Target:
    """A target on the ratio of `key` to `anchor`; `rate`: the ratio of 1/latency (higher is better)."""
    rounds = _round_ratios(results, key, anchor, invert=rate)
    ratio = statistics.median(rounds) if rounds else None
    return Target(name, ratio, bound, bound < 1, tuple(rounds), _ratio_of_medians(results, key, anchor, invert=rate))


def targets(results: Results) -> list[Target]:
    """Every target of the issue, in the order the report lists them."""
    found: list[Target] = []
    for dialect, name in (("openai", "OpenAI"), ("anthropic", "Anthropic")):
        sync, asyn = ("latency", dialect, "sync"), ("latency", dialect, "async")
        stream, astream = ("stream", dialect, "sync"), ("stream", dialect, "async")
        found += [
            _target(
                results, f"sync per call ≤ 1.15× raw httpx2 ({name})", (*sync, "relaykit"), (*sync, "raw httpx2"), 1.15
            ),
            _target(
                results,
                f"sync streaming ≥ 0.7× raw httpx2 ({name})",
                (*stream, "relaykit"),
                (*stream, "raw httpx2"),
                0.7,
            ),
            _target(
                results,
                f"async aiohttp per-call rate ≥ 0.7× raw aiohttp ({name})",
                (*asyn, "relaykit (aiohttp)"),
                (*asyn, "raw aiohttp"),
                0.7,
                rate=True,
            ),
            _target(
                results,
                f"async aiohttp streaming ≥ 0.7× raw aiohttp ({name})",
                (*astream, "relaykit (aiohttp)"),
                (*astream, "raw aiohttp"),
                0.7,
            ),
            _target(
                results,
                f"async httpx2 per call ≤ 1.15× raw httpx2 ({name})",
                (*asyn, "relaykit (httpx2)"),
                (*asyn, "raw httpx2"),
                1.15,
            ),
        ]
    for concurrency in ("64", "256"):
        key = ("throughput", "openai", concurrency)
        name = f"async aiohttp throughput at {concurrency} ≥ 0.7× raw aiohttp"
        found.append(_target(results, name, (*key, "relaykit (aiohttp)"), (*key, "raw aiohttp"), 0.7))
    found.append(_target(results, "cold import ≤ 2× raw httpx2", ("import", "relaykit"), ("import", "httpx2"), 2.0))
    mine, raw = _peak(results, "relaykit"), _peak(results, "raw-httpx2")
    rss = mine / raw if mine and raw else None
    found.append(Target("peak RSS after import ≤ 1.5× raw httpx2", rss, 1.5, False, of_medians=rss))
    relaykit = results.memory.get("relaykit", {})
    growth = relaykit["end"]["rss"] / relaykit["first_tenth"]["rss"] if "end" in relaykit else None
    flat = "flat memory: RSS after all the calls ≤ 1.05× RSS after a tenth of them"
    found.append(Target(flat, growth, 1.05, False, of_medians=growth))
    return found


def chart(results: Results, path: Path) -> Path | None:
    """Four panels a reader takes in at a glance; None when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    from run import ASYNC, IMPORTS, SYNC

    def bars(axis: Any, rows: list[tuple[str, Key]], title: str, unit: str, scale: float = 1.0) -> None:
        shown = [(label, results.values[key]) for label, key in rows if results.values.get(key)]
        labels = [label for label, _ in shown]
        medians = [statistics.median(v) * scale for _, v in shown]
        low = [m - min(v) * scale for m, (_, v) in zip(medians, shown, strict=True)]
        high = [max(v) * scale - m for m, (_, v) in zip(medians, shown, strict=True)]
        colors = [_color(label) for label in labels]
        axis.barh(labels, medians, xerr=[low, high], color=colors, capsize=3)
        axis.invert_yaxis()
        axis.set_title(title, fontsize=10, loc="left")
        axis.set_xlabel(unit, fontsize=8)
        axis.tick_params(labelsize=8)
        for index, value in enumerate(medians):
            axis.text(value, index, f" {value:,.0f}", va="center", fontsize=7)
        axis.set_xlim(0, max(medians, default=1) * 1.25)

    figure, axes = plt.subplots(2, 2, figsize=(13, 8.5))
    per_call = [(f"sync {label}", ("latency", "openai", "sync", label)) for label, _, _ in SYNC]
    per_call += [(f"async {label}", ("latency", "openai", "async", label)) for label, _, _ in ASYNC]
    bars(axes[0][0], per_call, "Per call, OpenAI dialect (lower is better)", "µs per call")
    streams = [(f"sync {label}", ("stream", "openai", "sync", label)) for label, _, _ in SYNC]
    streams += [(f"async {label}", ("stream", "openai", "async", label)) for label, _, _ in ASYNC]
    bars(axes[0][1], streams, "Streaming 500 chunks (higher is better)", "thousand chunks per second", 1e-3)
    bars(
        axes[1][0],
        [(label, ("throughput", "openai", "256", label)) for label, _, _ in ASYNC],
        "Async, 256 concurrent requests (higher is better)",
        "requests per second",
    )
    bars(axes[1][1], [(label, ("import", label)) for label in IMPORTS], "Cold import (lower is better)", "ms")
    figure.suptitle(
        "relaykit (red), raw HTTP clients (grey), the openai SDK and litellm (blue); bars: median, whiskers: min–max",
        fontsize=10,
    )
    figure.tight_layout(rect=(0, 0, 1, 0.96))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _color(label: str) -> str:
    if "relaykit" in label:
        return "#d62728"
    if "raw" in label or label in ("httpx2", "aiohttp"):
        return "#7f7f7f"
    return "#1f77b4"


def write(results: Results, directory: Path) -> list[Path]:
    """Write the tables into benchmarks.md (between the markers) and the chart; return what was written."""
    page = directory / "benchmarks.md"
    block = f"{START}\n{tables(results)}{END}"
    text = page.read_text(encoding="utf-8") if page.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text, encoding="utf-8")
    written = [page]
    png = chart(results, directory / "benchmarks.png")
    if png is not None:
        written.append(png)
    return written
