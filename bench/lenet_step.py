"""One LeNet training step (zero_grad, forward, cross entropy, backward, SGD with momentum) on
3x32x32 inputs at batch 16, 64 or 256; the ``peak-memory`` variant trains 20 steps at batch 256
and reports the process's peak resident memory instead of a time."""
import sys

import numpy

from bench.measure import case_parser, median_seconds, peak_memory_mb, report

VARIANTS = {"batch16": 16, "batch64": 64, "batch256": 256, "peak-memory": 256}
MEMORY_STEPS = 20


def torch_lenet(torch):
    """PyTorch's twin of nn.models.LeNet (same layers, same order)."""
    functional = torch.nn.functional

    class TorchLeNet(torch.nn.Module):
        def __init__(self, classes):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(3, 6, 5), torch.nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84)
            self.fc3 = torch.nn.Linear(84, classes)

        def forward(self, x):
            out = functional.max_pool2d(functional.relu(self.conv1(x)), 2)
            out = functional.max_pool2d(functional.relu(self.conv2(out)), 2)
            out = out.view(out.size(0), -1)
            return self.fc3(functional.relu(self.fc2(functional.relu(self.fc1(out)))))

    return TorchLeNet


def training_step(library, batch):
    """A callable doing one training step of a fresh LeNet in ``library`` ("minigrad" or "torch")."""
    rng = numpy.random.default_rng(0)
    images = rng.standard_normal((batch, 3, 32, 32)).astype(numpy.float32)
    labels = rng.integers(0, 2, batch)
    if library == "minigrad":
        import minigrad as lib
        from nn import CrossEntropyLoss
        from nn.models import LeNet
        from optim import SGD
    else:
        import torch as lib
        from torch.nn import CrossEntropyLoss
        from torch.optim import SGD
        LeNet = torch_lenet(lib)
    net, loss_fn = LeNet(classes=2), CrossEntropyLoss()
    optimizer = SGD(net.parameters(), lr=0.0125, momentum=0.9)
    inputs, targets = lib.tensor(images), lib.tensor(labels)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(net(inputs), targets)
        loss.backward()
        optimizer.step()
    return step


def main(argv=None):
    args = case_parser(__doc__.splitlines()[0], VARIANTS).parse_args(argv)
    step = training_step(args.library, VARIANTS[args.variant])
    if args.variant == "peak-memory":
        for _ in range(MEMORY_STEPS):
            step()
        report(args, peak_memory_mb(), unit="MB", extra={"steps": MEMORY_STEPS})
    else:
        report(args, *median_seconds(step, args.warmup, args.min_repeats, args.min_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
