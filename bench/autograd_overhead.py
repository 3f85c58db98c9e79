"""Autograd overhead: a chain of 1,000 element-wise ops on 16 floats, forward and backward;
the figure is the time per op."""
import sys

from bench.measure import case_parser, median_seconds, report

CHAIN = 1000
VARIANTS = ("chain",)


def chain(lib):
    x = lib.ones(16, requires_grad=True)
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.5
        y = y.tanh()
        y = y - x
    y.sum().backward()


def main(argv=None):
    args = case_parser(__doc__.splitlines()[0], VARIANTS).parse_args(argv)
    if args.library == "minigrad":
        import minigrad as lib
    else:
        import torch as lib
    seconds, samples, load = median_seconds(lambda: chain(lib), args.warmup, args.min_repeats, args.min_seconds)
    report(args, seconds / CHAIN, samples, load, extra={"ops": CHAIN})
    return 0


if __name__ == "__main__":
    sys.exit(main())
