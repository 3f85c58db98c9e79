"""Where minigrad's LeNet training step spends its time: cProfile over many steps, the busiest
functions by their own time and by cumulative time (waits for a quiet machine first).

    python -m bench.profile_step --batch 16 [--steps 200] [--top 25]
"""
import argparse
import cProfile
import io
import pstats
import sys

from bench.lenet_step import training_step
from bench.runner import wait_for_quiet


def profile(batch, steps, warmup=5):
    step = training_step("minigrad", batch)
    for _ in range(warmup):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    return pstats.Stats(profiler)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    load = wait_for_quiet()
    stats = profile(args.batch, args.steps)
    print(f"batch {args.batch}, {args.steps} steps, other load before: {load:.0%}; "
          f"{stats.total_tt / args.steps * 1e3:.2f} ms per step under the profiler")
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        stats.stream = text
        stats.sort_stats(order).print_stats(args.top)
        print(text.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
