"""Benchmark 4: autograd overhead. A chain of 1,000 small element-wise ops (16 floats each),
forward and backward: time per op, minigrad against PyTorch."""
from common import interleaved, print_rows, row

import minigrad

CHAIN = 1000


def chain(lib):
    x = lib.ones(16, requires_grad=True)
    y = x
    for _ in range(CHAIN // 4):
        y = y * 1.0001
        y = y + 0.5
        y = y.tanh()
        y = y - x
    y.sum().backward()


def run(quick=False):
    import torch
    times = interleaved({"minigrad": lambda: chain(minigrad), "torch": lambda: chain(torch)},
                        repeats=5 if quick else 15)
    return [row(f"autograd: {CHAIN}-op chain, per op", times["minigrad"] / CHAIN, times["torch"] / CHAIN,
                "forward + backward, 16 floats")]


if __name__ == "__main__":
    print_rows(run())
