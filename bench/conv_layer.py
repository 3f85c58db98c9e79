"""Benchmark 2: one larger convolution, 64 -> 64 channels, 3x3, padding 1, 32x32, batch 32,
forward and backward; GFLOP/s reached next to NumPy's float32 matrix-product peak."""
from common import interleaved, print_rows, row

import numpy

import minigrad
from nn import functional as F

N, C, H, W, K = 32, 64, 32, 32, 3
FLOPS = 2 * N * C * H * W * C * K * K  # one forward product; backward does two of the same size


def matmul_peak():
    a = numpy.random.default_rng(0).standard_normal((2048, 2048)).astype(numpy.float32)
    seconds = interleaved({"matmul": lambda: a @ a}, repeats=5, warmup=1)["matmul"]
    return 2 * 2048 ** 3 / seconds / 1e9


def run(quick=False):
    import torch
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(numpy.float32)
    w = (rng.standard_normal((C, C, K, K)) * 0.05).astype(numpy.float32)
    grad = rng.standard_normal((N, C, H, W)).astype(numpy.float32)
    ours = [minigrad.tensor(x, requires_grad=True), minigrad.tensor(w, requires_grad=True), minigrad.tensor(grad)]
    theirs = [torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True), torch.tensor(grad)]

    def forward_backward(lib_conv, inputs):
        inputs[0].grad = inputs[1].grad = None
        lib_conv(inputs[0], inputs[1], padding=1).backward(inputs[2])

    times = interleaved({"minigrad": lambda: forward_backward(F.conv2d, ours),
                         "torch": lambda: forward_backward(torch.nn.functional.conv2d, theirs)},
                        repeats=5 if quick else 15)
    forward = interleaved({"minigrad": lambda: F.conv2d(ours[0].detach(), ours[1].detach(), padding=1),
                           "torch": lambda: torch.nn.functional.conv2d(theirs[0].detach(), theirs[1].detach(),
                                                                       padding=1)},
                          repeats=5 if quick else 15)
    peak = matmul_peak()
    gflops = 3 * FLOPS / times["minigrad"] / 1e9
    return [row("conv 64->64 3x3 pad 1, 32x32, batch 32: forward", forward["minigrad"], forward["torch"],
                f"{FLOPS / forward['minigrad'] / 1e9:.0f} GFLOP/s"),
            row("conv 64->64 3x3 pad 1, 32x32, batch 32: fwd+bwd", times["minigrad"], times["torch"],
                f"{gflops:.0f} GFLOP/s; NumPy matmul peak {peak:.0f} GFLOP/s")]


if __name__ == "__main__":
    print_rows(run())
