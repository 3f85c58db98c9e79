"""Run every benchmark, print one table, and write bench/RESULTS.md.

    python bench/run.py            # the full suite (a few minutes)
    python bench/run.py --quick    # fewer repetitions
"""
import argparse
import datetime
import importlib
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, print_rows  # noqa: E402

BENCHMARKS = ["lenet_step", "conv_layer", "pool_bn", "autograd_overhead", "optimizer_step", "data_pipeline",
              "memory", "synthetic_to_real"]
TARGETS = {"lenet_step": 2.0, "conv_layer": 2.0, "autograd_overhead": 3.0, "optimizer_step": 1.5, "memory": 1.5}


def _number(value, digits):
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def markdown(rows, facts, notes):
    lines = ["# Benchmarks: minigrad against PyTorch (CPU)", "",
             f"Written by `python bench/run.py` on {datetime.date.today()}. Each figure is the median of "
             "interleaved repetitions; the ratio is minigrad / PyTorch measured in the same process run "
             "(lower is better).", "", "## Machine", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "## Results", "", "| benchmark | minigrad | PyTorch | ratio | target | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        target = TARGETS.get(r["module"])
        lines.append(f"| {r['benchmark']} | {_number(r['minigrad_ms'], 3)} | {_number(r['torch_ms'], 3)} | "
                     f"{_number(r['ratio'], 2)} | {'-' if target is None else f'<= {target}'} | {r['note']} |")
    lines += ["", "Times are milliseconds unless the row says otherwise.", ""] + notes
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS)
    args = parser.parse_args(argv)
    rows = []
    for name in args.only or BENCHMARKS:
        for result in importlib.import_module(name).run(quick=args.quick):
            rows.append({**result, "module": name})
        print_rows(rows[-1:])
    print()
    print_rows(rows)
    notes_file = Path(__file__).with_name("NOTES.md")
    notes = notes_file.read_text().splitlines() if notes_file.exists() else []
    if not args.only:
        Path(__file__).with_name("RESULTS.md").write_text(markdown(rows, machine(), notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
