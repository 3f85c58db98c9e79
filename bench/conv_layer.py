"""The larger convolution: 64 -> 64 channels, 3x3, padding 1, on (32, 64, 32, 32), forward and
backward (``fwd+bwd``) or forward alone (``forward``)."""
import sys

import numpy

from bench.measure import case_parser, median_seconds, report

N, C, H, W, K = 32, 64, 32, 32, 3
FLOPS = 2 * N * C * H * W * C * K * K  # one forward product; the backward does two of that size
VARIANTS = ("fwd+bwd", "forward")


def convolution(library, variant):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(numpy.float32)
    w = (rng.standard_normal((C, C, K, K)) * 0.05).astype(numpy.float32)
    grad = rng.standard_normal((N, C, H, W)).astype(numpy.float32)
    if library == "minigrad":
        import minigrad as lib
        from nn.functional import conv2d
    else:
        import torch as lib
        from torch.nn.functional import conv2d
    if variant == "forward":
        inputs, weight = lib.tensor(x), lib.tensor(w)
        return lambda: conv2d(inputs, weight, padding=1)
    inputs, weight = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
    upstream = lib.tensor(grad)

    def forward_backward():
        inputs.grad = weight.grad = None
        conv2d(inputs, weight, padding=1).backward(upstream)
    return forward_backward


def main(argv=None):
    args = case_parser(__doc__.splitlines()[0], VARIANTS).parse_args(argv)
    seconds, samples, load = median_seconds(convolution(args.library, args.variant), args.warmup,
                                            args.min_repeats, args.min_seconds)
    flops = FLOPS * (3 if args.variant == "fwd+bwd" else 1)
    report(args, seconds, samples, load, extra={"gflops": flops / seconds / 1e9})
    return 0


if __name__ == "__main__":
    sys.exit(main())
