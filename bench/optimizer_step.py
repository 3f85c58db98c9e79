"""Benchmark 5: one optimizer step on 1M parameters (four tensors of 250k), with gradients set."""
from common import interleaved, print_rows, row

import numpy

import minigrad
import optim

SIZES = (250_000,) * 4
CONFIGS = [("SGD", {"lr": 0.01, "momentum": 0.9}), ("Adam", {"lr": 1e-3}), ("RMSprop", {"lr": 1e-3}),
           ("Adagrad", {"lr": 1e-2})]


def run(quick=False):
    import torch
    rng = numpy.random.default_rng(0)
    values = [rng.standard_normal(n).astype(numpy.float32) for n in SIZES]
    grads = [rng.standard_normal(n).astype(numpy.float32) for n in SIZES]
    rows = []
    for name, kwargs in CONFIGS:
        ours = [minigrad.tensor(v, requires_grad=True) for v in values]
        theirs = [torch.tensor(v, requires_grad=True) for v in values]
        for p, g in zip(ours, grads):
            p.grad = minigrad.tensor(g)
        for p, g in zip(theirs, grads):
            p.grad = torch.tensor(g)
        mine = getattr(optim, name)(ours, **kwargs)
        reference = getattr(torch.optim, name)(theirs, foreach=False, **kwargs)
        times = interleaved({"minigrad": mine.step, "torch": reference.step}, repeats=10 if quick else 30)
        options = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        rows.append(row(f"{name}({options}) step, 1M params", times["minigrad"], times["torch"],
                        "torch single-tensor path (foreach=False)"))
    return rows


if __name__ == "__main__":
    print_rows(run())
