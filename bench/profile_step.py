"""Where minigrad's LeNet training step spends its time: cProfile over many steps, own time per
file, then the busiest functions by own and by cumulative time. It waits for a quiet machine,
and profiles again while other processes took more than 10% of it.

    python -m bench.profile_step --batch 16 [--steps 200] [--top 25]
"""
import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

from bench.lenet_step import training_step
from bench.measure import OtherLoad
from bench.runner import BENCH_ROOT, Settings, least_disturbed, wait_for_quiet


def profile(batch, steps, warmup=5):
    """cProfile statistics of ``steps`` training steps, and the other load meanwhile."""
    step = training_step("minigrad", batch)
    for _ in range(warmup):
        step()
    profiler = cProfile.Profile()
    with OtherLoad() as load:
        profiler.enable()
        for _ in range(steps):
            step()
        profiler.disable()
    return pstats.Stats(profiler), load.share


def own_time_by_file(stats, root):
    """Seconds spent in each file's own code (tottime summed), files under ``root`` shown
    relative to it, NumPy's and Python's built-ins as "(built-in)"."""
    totals = {}
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        path = Path(filename)
        name = str(path.relative_to(root)) if path.is_relative_to(root) else "(built-in or library)"
        totals[name] = totals.get(name, 0.0) + own
    return sorted(totals.items(), key=lambda item: -item[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--tries", type=int, default=5, help="profiles at most while others load the machine")
    args = parser.parse_args(argv)
    settings = Settings(retries=args.tries)

    def run_once():
        wait_for_quiet(settings.quiet, settings.patience)
        stats, load = profile(args.batch, args.steps)
        return (stats, load), load
    stats, load = least_disturbed(run_once, settings)
    print(f"batch {args.batch}, {args.steps} steps, other load meanwhile: {load:.0%}; "
          f"{stats.total_tt / args.steps * 1e3:.2f} ms per step under the profiler")
    print("own time by file:")
    for name, seconds in own_time_by_file(stats, BENCH_ROOT)[:args.top]:
        print(f"  {seconds / stats.total_tt:6.1%}  {seconds / args.steps * 1e3:7.3f} ms/step  {name}")
    print()
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        stats.stream = text
        stats.sort_stats(order).print_stats(args.top)
        print(text.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
