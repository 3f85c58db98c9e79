"""Benchmark 3: max-pool (2x2 and overlapping 3x3 stride 2) and batch norm, forward and backward."""
from common import interleaved, print_rows, row

import numpy

import minigrad
from nn import functional as F

SHAPE = (64, 16, 32, 32)


def run(quick=False):
    import torch
    tf = torch.nn.functional
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(numpy.float32)
    ours, theirs = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    weight, bias = numpy.ones(SHAPE[1], numpy.float32), numpy.zeros(SHAPE[1], numpy.float32)
    ours_bn = [minigrad.tensor(weight, requires_grad=True), minigrad.tensor(bias, requires_grad=True)]
    theirs_bn = [torch.tensor(weight, requires_grad=True), torch.tensor(bias, requires_grad=True)]

    def cases(lib_f, t, bn):
        return {
            "max_pool2d 2x2": lambda: lib_f.max_pool2d(t, 2).sum().backward(),
            "max_pool2d 3x3 stride 2 pad 1": lambda: lib_f.max_pool2d(t, 3, 2, 1).sum().backward(),
            "batch_norm (training)": lambda: lib_f.batch_norm(t, None, None, bn[0], bn[1], training=True)
            .sum().backward(),
        }

    rows = []
    mine, reference = cases(F, ours, ours_bn), cases(tf, theirs, theirs_bn)
    for name in mine:
        times = interleaved({"minigrad": mine[name], "torch": reference[name]}, repeats=5 if quick else 20)
        rows.append(row(f"{name} {SHAPE}: fwd+bwd", times["minigrad"], times["torch"]))
    return rows


if __name__ == "__main__":
    print_rows(run())
