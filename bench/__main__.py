"""``python -m bench``: measure minigrad against PyTorch, each library alone in fresh processes,
and rewrite bench/results.json and bench/RESULTS.md (rows not measured keep their last figures).

    python -m bench                                  # every row but the end-to-end job
    python -m bench --photos /path/to/RMB_data       # ... and the end-to-end job on those photos
    python -m bench --only lenet optim --rounds 5    # some rows (key prefixes), more rounds
    python -m bench --old-engine /tmp/old            # also minigrad from another checkout
    python -m bench --render                         # only rewrite RESULTS.md from results.json
"""
import argparse
import datetime
import importlib.metadata
import os
import platform
import sys
from pathlib import Path

from bench import report, train_job
from bench.rows import ROWS, select
from bench.runner import Participant, Settings, alternating, run_case

HERE = Path(__file__).resolve().parent


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="ROW", help=f"rows whose key starts with ROW; "
                                                                 f"keys: {', '.join(r.key for r in ROWS)}")
    parser.add_argument("--rounds", type=int, default=3, help="processes per library and row (default 3)")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="timed seconds per process (default 1)")
    parser.add_argument("--min-repeats", type=int, default=10, help="timed calls per process at least (default 10)")
    parser.add_argument("--threads", type=int, help="set OMP/MKL/OPENBLAS_NUM_THREADS to this for both libraries "
                                                    "(default: leave them; both use every core)")
    parser.add_argument("--photos", type=Path, help="folder of the real photos (class folders 1/ and 100/) "
                                                    "for the end-to-end row; without it that row is skipped")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of the end-to-end job (default 10)")
    parser.add_argument("--old-engine", type=Path, metavar="CHECKOUT",
                        help="also measure minigrad from this checkout, e.g. made by "
                             "`git worktree add /tmp/old 75264a1`")
    parser.add_argument("--libraries", nargs="+", default=["minigrad", "torch"], choices=["minigrad", "torch"])
    parser.add_argument("--patience", type=float, default=120.0,
                        help="seconds to wait for a quiet machine before each process (default 120)")
    parser.add_argument("--retries", type=int, default=3,
                        help="runs of a process at most while other processes share the cores (default 3)")
    parser.add_argument("--render", action="store_true",
                        help="measure nothing: rewrite RESULTS.md from results.json")
    parser.add_argument("--results", type=Path, default=HERE,
                        help="folder for results.json and RESULTS.md (default: bench/)")
    return parser


def machine_facts():
    facts = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as info:
            facts["cpu"] = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    for package in ("numpy", "torch"):
        try:
            facts[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            facts[package] = "not installed"
    return facts


def participants(args):
    chosen = [Participant(name, name) for name in args.libraries]
    if args.old_engine is not None:
        if not (args.old_engine / "minigrad").is_dir():
            raise SystemExit(f"python -m bench: error: --old-engine {args.old_engine}: no minigrad/ folder there")
        chosen.insert(1, Participant("minigrad-old", "minigrad", args.old_engine.resolve()))
    return tuple(chosen)


def measure_row(row, players, settings, args):
    """Every participant's processes for ``row``, alternating; the record kept in results.json."""
    if row.module == "train_job":
        def measure(player):
            return train_job.measure(player, settings, args.photos, args.epochs)
        method = f"alone, runs: {settings.rounds}, median epoch"
    else:
        def measure(player):
            return run_case(row.module, player, row.variant, settings)
        method = f"alone, rounds: {settings.rounds}, best median"
    def measure_or_note(player):
        try:
            return measure(player)
        except RuntimeError as error:  # an older engine may lack what a case uses: say so, go on
            if player.name != "minigrad-old":
                raise
            print(f"{row.key}: {player.name} failed: {str(error).splitlines()[-1]}", file=sys.stderr)
            return None

    runs = alternating(measure_or_note, players, settings.rounds)
    record = {"date": datetime.date.today().isoformat(), "method": method, "participants": {}}
    for name, results in runs.items():
        results = [result for result in results if result is not None]
        if results:
            record["participants"][name] = summary(results)
    return record


def summary(results):
    """A participant's processes for one row: the best median, all medians, the worst other load."""
    values = [result["value"] for result in results]
    extra = {key: value for key, value in results[0].items()
             if key in ("gflops", "first_epoch_s", "total_s", "options")}
    loads = [r["other_load"] for r in results if r.get("other_load") is not None]  # none for peak memory
    return {"best": min(values), "medians": values, "other_load": max(loads) if loads else None, "loads": loads,
            "threads": results[0].get("threads"), "extra": extra}


def print_row(row, record):
    runs = record["participants"]
    shown = "  ".join(f"{name} {row.shown(entry['best']):.4g} {row.unit}" for name, entry in runs.items())
    print(f"{row.key:<16} {shown}", flush=True)


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.render:
        results = report.load(args.results / "results.json")
        (args.results / "RESULTS.md").write_text(report.markdown(results))
        return 0
    try:
        rows = select(args.only)
    except ValueError as error:
        build_parser().error(str(error))
    if args.photos is None:
        rows = [row for row in rows if row.module != "train_job"]
    elif not args.photos.is_dir():
        build_parser().error(f"--photos {args.photos}: folder not found")
    settings = Settings(threads=args.threads, rounds=args.rounds, patience=args.patience, retries=args.retries,
                        child_options=["--min-seconds", str(args.min_seconds), "--min-repeats", str(args.min_repeats)])
    players = participants(args)
    path = args.results / "results.json"
    results = report.load(path)
    results["machine"] = machine_facts()
    if args.old_engine is not None:
        results["old_engine"] = f"minigrad from {args.old_engine} (the commit before the engine rewrite)"
    for row in rows:
        results["rows"][row.key] = measure_row(row, players, settings, args)
        print_row(row, results["rows"][row.key])
        report.save(path, results)  # after each row, so an interrupted run keeps what it measured
    (args.results / "RESULTS.md").write_text(report.markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
