"""One optimizer step on 1M parameters (four tensors of 250,000 floats) with gradients set:
SGD with momentum, Adam, AdamW, RMSprop, Adagrad, each with the library's default code path
(PyTorch's on the CPU: the single-tensor loop, neither foreach nor fused)."""
import sys

import numpy

from bench.measure import case_parser, median_seconds, report

SIZES = (250_000,) * 4
CONFIGS = {"SGD": {"lr": 0.01, "momentum": 0.9}, "Adam": {"lr": 1e-3}, "AdamW": {"lr": 1e-3},
           "RMSprop": {"lr": 1e-3}, "Adagrad": {"lr": 1e-2}}


def optimizer_step(library, name):
    rng = numpy.random.default_rng(0)
    values = [rng.standard_normal(n).astype(numpy.float32) for n in SIZES]
    grads = [rng.standard_normal(n).astype(numpy.float32) for n in SIZES]
    if library == "minigrad":
        import minigrad as lib
        import optim
    else:
        import torch as lib
        from torch import optim
    params = [lib.tensor(v, requires_grad=True) for v in values]
    for param, grad in zip(params, grads):
        param.grad = lib.tensor(grad)
    return getattr(optim, name)(params, **CONFIGS[name]).step


def main(argv=None):
    args = case_parser(__doc__.splitlines()[0], CONFIGS).parse_args(argv)
    seconds, samples, load = median_seconds(optimizer_step(args.library, args.variant), args.warmup,
                                            args.min_repeats, args.min_seconds)
    report(args, seconds, samples, load, extra={"options": CONFIGS[args.variant]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
