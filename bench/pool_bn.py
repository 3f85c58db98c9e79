"""Max-pool (2x2, and overlapping 3x3 stride 2 padding 1) and batch norm in training mode, on
(64, 16, 32, 32), forward and backward."""
import sys

import numpy

from bench.measure import case_parser, median_seconds, report

SHAPE = (64, 16, 32, 32)
VARIANTS = ("max_pool2d-2x2", "max_pool2d-3x3s2p1", "batch_norm")


def layer_call(library, variant):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(SHAPE).astype(numpy.float32)
    grad = rng.standard_normal(SHAPE).astype(numpy.float32)
    if library == "minigrad":
        import minigrad as lib
        from nn import functional
    else:
        import torch as lib
        from torch.nn import functional
    inputs = lib.tensor(x, requires_grad=True)
    weight = lib.ones(SHAPE[1], requires_grad=True)
    bias = lib.zeros(SHAPE[1], requires_grad=True)
    forward = {
        "max_pool2d-2x2": lambda: functional.max_pool2d(inputs, 2),
        "max_pool2d-3x3s2p1": lambda: functional.max_pool2d(inputs, 3, 2, 1),
        "batch_norm": lambda: functional.batch_norm(inputs, None, None, weight, bias, training=True),
    }[variant]
    upstream = {}

    def forward_backward():
        out = forward()
        if "grad" not in upstream:  # an upstream gradient of the output's shape, drawn once
            upstream["grad"] = lib.tensor(grad.reshape(-1)[:out.numel()].reshape(tuple(out.shape)))
        out.backward(upstream["grad"])
        inputs.grad = weight.grad = bias.grad = None
    return forward_backward


def main(argv=None):
    args = case_parser(__doc__.splitlines()[0], VARIANTS).parse_args(argv)
    report(args, *median_seconds(layer_call(args.library, args.variant), args.warmup, args.min_repeats,
                                 args.min_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
