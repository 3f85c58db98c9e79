"""bench/results.json (every measurement kept, row by row) and bench/RESULTS.md drawn from it."""
import json
import math

from bench.rows import ROWS
from bench.runner import QUIET

HEADER = """# Benchmarks: minigrad against PyTorch (CPU)

Written by `python -m bench` from `bench/results.json`; where the time goes is in
[NOTES.md](NOTES.md). The ratio is minigrad / PyTorch (lower is better; for memory, peak MB).

**Method.** Every figure comes from processes that run one library alone: for each row the runner
starts `python -m bench.<case> --library minigrad|torch`, minigrad then PyTorch, the order reversed
every other round, for the stated rounds. Each process makes three untimed calls, then times at
least 10 calls and at least one second of them, and reports their median; a row keeps the best
(lowest) per-process median of each library. `spread` is the largest per-process median over the
smallest, among the undisturbed processes (the noise between processes). Other sessions share this
machine, so the runner waits for a quiet machine before each process, and each process measures the
CPU time that other processes took while it timed (the machine's busy time from /proc/stat less its
own CPU time, as a share of all cores); a process that saw more than 10% is run again, three tries
at most, keeping the least disturbed; `other load` is the largest share among the processes kept.
Threads are left to each library's default (both use every core) unless `--threads` sets
OMP/MKL/OPENBLAS_NUM_THREADS for both; what each process saw is listed below. The end-to-end row
runs the real command (`minigrad train --data PHOTOS`, data loading included) against
`bench/torch_train.py` (the same recipe in PyTorch on our data pipeline): an epoch is the time
between two validation lines, the figure the median of epochs 2 to 10 (the other load there is over
the whole run). The `old engine` columns are minigrad at the commit before the engine rewrite,
measured in the same rounds. Nothing runs in one process with the other library (the former
same-process mode is gone: PyTorch's spinning threads slowed the other library).
"""


def load(path):
    if path.exists():
        return json.loads(path.read_text())
    return {"machine": {}, "rows": {}}


def save(path, results):
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def _number(value, decimals=None):
    """A value with three significant digits (at least the integer part), or ``decimals`` places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if decimals is not None:
        return f"{value:.{decimals}f}"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _ratio(ours, theirs):
    return None if ours is None or not theirs else ours / theirs


def _spread(entry, quiet=QUIET):
    """How far apart the per-process medians are, among the processes that ran undisturbed
    (other load at most ``quiet``) when the loads were recorded."""
    if not entry or not entry.get("medians"):
        return "-"
    medians, loads = entry["medians"], entry.get("loads")
    if loads and len(loads) == len(medians):
        medians = [m for m, load in zip(medians, loads) if load <= quiet] or medians
    return f"{(max(medians) / min(medians) - 1) * 100:.0f}%" if min(medians) > 0 else "-"


def table_line(row, record):
    """One markdown table line for ``row`` from its record in results.json."""
    runs = record["participants"]
    ours, theirs, old = (row.shown(runs.get(name, {}).get("best")) for name in ("minigrad", "torch", "minigrad-old"))
    ratio, old_ratio = _ratio(ours, theirs), _ratio(old, theirs)
    met = "-" if row.target is None or ratio is None else ("yes" if ratio <= row.target else "**no**")
    loads = [entry["other_load"] for entry in runs.values() if entry.get("other_load") is not None]
    spreads = "/".join(_spread(runs.get(name)) for name in ("minigrad", "torch"))
    cells = [row.title, row.unit, _number(ours), _number(theirs), _number(ratio, 2),
             "-" if row.target is None else f"<= {row.target}", met, _number(old), _number(old_ratio, 2),
             spreads, f"{max(loads):.0%}" if loads else "n/a", f"{record['method']}", record["date"]]
    return "| " + " | ".join(cells) + " |"


def threads_line(name, record):
    facts = record["participants"].get(name, {}).get("threads") or {}
    return f"- {name}: " + ", ".join(f"{key}={value}" for key, value in facts.items())


def markdown(results):
    lines = [HEADER, "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in results["machine"].items()]
    sample = next((results["rows"][row.key] for row in ROWS if row.key in results["rows"]
                   and results["rows"][row.key]["participants"].get("torch", {}).get("threads")), None)
    if sample is not None:
        lines += ["", "Threads as the child processes reported them (the same settings for both libraries):", ""]
        lines += [threads_line(name, sample) for name in ("minigrad", "torch")]
    lines += ["", "## Results", "",
              "| benchmark | unit | minigrad | PyTorch | ratio | target | met | old engine | old ratio "
              "| spread m/t | other load | method | date |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [table_line(row, results["rows"][row.key]) for row in ROWS if row.key in results["rows"]]
    missing = [row.key for row in ROWS if row.key not in results["rows"]]
    if missing:
        lines += ["", f"Not measured yet: {', '.join(missing)}."]
    old = results.get("old_engine")
    if old:
        lines += ["", f"Old engine: {old}."]
    return "\n".join(lines) + "\n"
