"""The rows of bench/RESULTS.md: which case and variant each row runs, its title and target.

Targets are issue 16's: the ratio minigrad / PyTorch (lower is better) must not exceed them.
"""
from dataclasses import dataclass

SCALES = {"ms": 1e3, "us": 1e6, "s": 1.0, "MB": 1.0}


@dataclass(frozen=True)
class Row:
    key: str          # names the row in --only and in results.json
    module: str       # bench.<module> runs it
    variant: str
    title: str
    target: float = None
    unit: str = "ms"  # how RESULTS.md shows the values (the cases report seconds or MB)

    def shown(self, value):
        return None if value is None else value * SCALES[self.unit]


CONV = "conv 64->64 3x3 pad 1 on (32, 64, 32, 32)"
LAYER = "(64, 16, 32, 32)"

ROWS = [
    Row("lenet-16", "lenet_step", "batch16", "LeNet train step, batch 16", 1.5),
    Row("lenet-64", "lenet_step", "batch64", "LeNet train step, batch 64", 1.5),
    Row("lenet-256", "lenet_step", "batch256", "LeNet train step, batch 256", 2.0),
    Row("conv-fwd-bwd", "conv_layer", "fwd+bwd", f"{CONV}: forward + backward", 1.5),
    Row("conv-forward", "conv_layer", "forward", f"{CONV}: forward only"),
    Row("maxpool-2x2", "pool_bn", "max_pool2d-2x2", f"max_pool2d 2x2 {LAYER}: fwd + bwd", 1.5),
    Row("maxpool-3x3", "pool_bn", "max_pool2d-3x3s2p1", f"max_pool2d 3x3 stride 2 pad 1 {LAYER}: fwd + bwd", 1.5),
    Row("batchnorm", "pool_bn", "batch_norm", f"batch_norm, training {LAYER}: fwd + bwd", 1.5),
    Row("optim-sgd", "optimizer_step", "SGD", "SGD(lr=0.01, momentum=0.9) step, 1M parameters", 1.5),
    Row("optim-adam", "optimizer_step", "Adam", "Adam(lr=1e-3) step, 1M parameters", 1.5),
    Row("optim-adamw", "optimizer_step", "AdamW", "AdamW(lr=1e-3) step, 1M parameters", 1.5),
    Row("optim-rmsprop", "optimizer_step", "RMSprop", "RMSprop(lr=1e-3) step, 1M parameters", 1.5),
    Row("optim-adagrad", "optimizer_step", "Adagrad", "Adagrad(lr=1e-2) step, 1M parameters", 1.5),
    Row("autograd", "autograd_overhead", "chain", "autograd overhead per op (1,000-op chain, 16 floats)", 2.0,
        unit="us"),
    Row("memory", "lenet_step", "peak-memory", "peak memory (VmHWM), 20 LeNet steps at batch 256", 1.0,
        unit="MB"),
    Row("train-job", "train_job", "10 epochs", "`minigrad train` on the 200 photos: one epoch (median of 2-10)",
        unit="s"),
]


def select(patterns):
    """The rows whose key starts with one of ``patterns`` (every row when there are none)."""
    if not patterns:
        return list(ROWS)
    chosen = [row for row in ROWS if any(row.key.startswith(pattern) for pattern in patterns)]
    unknown = [p for p in patterns if not any(row.key.startswith(p) for row in ROWS)]
    if unknown:
        raise ValueError(f"--only {' '.join(unknown)}: no such row; rows are {', '.join(r.key for r in ROWS)}")
    return chosen
