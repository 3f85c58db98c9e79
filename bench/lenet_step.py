"""Benchmark 1: one LeNet training step (zero_grad, forward, cross entropy, backward, SGD with
momentum) on 3x32x32 inputs, at batch 16, 64 and 256: minigrad against PyTorch."""
from common import interleaved, print_rows, row

import numpy

import minigrad
import nn
import optim
from nn.models import LeNet

BATCHES = (16, 64, 256)


def torch_lenet(torch):
    import torch.nn.functional as tf

    class TorchLeNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(3, 6, 5), torch.nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84), torch.nn.Linear(84, 2)

        def forward(self, x):
            out = tf.max_pool2d(tf.relu(self.conv1(x)), 2)
            out = tf.max_pool2d(tf.relu(self.conv2(out)), 2)
            out = out.view(out.size(0), -1)
            return self.fc3(tf.relu(self.fc2(tf.relu(self.fc1(out)))))

    return TorchLeNet()


def step_function(lib, net, loss_fn, optimizer, inputs, labels):
    def step():
        optimizer.zero_grad()
        loss = loss_fn(net(inputs), labels)
        loss.backward()
        optimizer.step()
    return step


def make_steps_for(library, batch):
    """A training-step callable for "minigrad" or "torch" (only that library is imported)."""
    rng = numpy.random.default_rng(0)
    images = rng.standard_normal((batch, 3, 32, 32)).astype(numpy.float32)
    labels = rng.integers(0, 2, batch)
    if library == "minigrad":
        net = LeNet(classes=2)
        return step_function(minigrad, net, nn.CrossEntropyLoss(), optim.SGD(net.parameters(), lr=0.0125, momentum=0.9),
                             minigrad.tensor(images), minigrad.tensor(labels))
    import torch
    net = torch_lenet(torch)
    return step_function(torch, net, torch.nn.CrossEntropyLoss(),
                         torch.optim.SGD(net.parameters(), lr=0.0125, momentum=0.9),
                         torch.tensor(images), torch.tensor(labels))


def make_steps(batch):
    return {"minigrad": make_steps_for("minigrad", batch), "torch": make_steps_for("torch", batch)}


def run(quick=False):
    rows = []
    for batch in BATCHES:
        times = interleaved(make_steps(batch), repeats=10 if quick else 40)
        rows.append(row(f"LeNet train step, batch {batch}", times["minigrad"], times["torch"]))
    return rows


if __name__ == "__main__":
    print_rows(run())
