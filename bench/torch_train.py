"""The main job's recipe in PyTorch, for the end-to-end benchmark against ``minigrad train``.

Same data (our RMB folder split 8:1:1 and our loaders with the tutorial's transforms; each
batch is handed to PyTorch as a tensor sharing its memory), same LeNet and initialisation,
cross entropy, SGD(lr=0.0125, momentum=0.9), StepLR(10, 0.1), batches of 16, a log line every
10 iterations, a validation line and a checkpoint per epoch, and a test pass at the end. It
draws no plots: ``minigrad train`` draws three PNGs after the last epoch, which counts in its
total time but in no epoch.

    python -m bench.torch_train --data PHOTOS --out FOLDER [--epochs 10]
"""
import argparse
import sys
import tempfile
from pathlib import Path

import torch

import minigrad
from bench.lenet_step import torch_lenet
from data import DataLoader
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.training import TRAIN_LOG, VALID_LOG


def to_torch(batch):
    return torch.from_numpy(batch.numpy())


def initialize_weights(net):
    """The tutorial's: Xavier-normal convolutions, N(0, 0.1) linear weights, zero biases."""
    for module in net.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.xavier_normal_(module.weight)
        elif isinstance(module, torch.nn.Linear):
            torch.nn.init.normal_(module.weight, 0, 0.1)
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.zeros_(module.bias)


def train_epoch(net, loader, criterion, optimizer, epoch, epochs, log_interval=10):
    net.train()
    log_loss, correct, total = 0.0, 0, 0
    for i, (inputs, labels) in enumerate(loader):
        inputs, labels = to_torch(inputs), to_torch(labels)
        outputs = net(inputs)
        optimizer.zero_grad()
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        correct += int((outputs.detach().argmax(1) == labels).sum().item())
        total += labels.size(0)
        log_loss += loss.item()
        if (i + 1) % log_interval == 0:
            print(TRAIN_LOG.format(epoch, epochs, i + 1, len(loader), log_loss / log_interval, correct / total))
            log_loss = 0.0


@torch.no_grad()
def evaluate(net, loader, criterion):
    net.eval()
    loss_total, correct, total, batches = 0.0, 0, 0, 0
    for inputs, labels in loader:
        inputs, labels = to_torch(inputs), to_torch(labels)
        outputs = net(inputs)
        loss_total += criterion(outputs, labels).item()
        correct += int((outputs.argmax(1) == labels).sum().item())
        total, batches = total + labels.size(0), batches + 1
    return loss_total / max(batches, 1), correct / max(total, 1), batches


@torch.no_grad()
def test(net, test_data):
    net.eval()
    correct = 0
    for inputs, labels in DataLoader(test_data, batch_size=1):
        probabilities = torch.softmax(net(to_torch(inputs)), dim=1)
        correct += int(probabilities.argmax(1).item() == int(labels[0].item()))
    print(f"Test:\t Acc:{correct / len(test_data):.2%} ({correct}/{len(test_data)})")


def main(argv=None):
    parser = argparse.ArgumentParser(description="The main job's recipe in PyTorch (timing only).")
    parser.add_argument("--data", required=True, help="folder with class folders 1/ and 100/")
    parser.add_argument("--out", required=True, type=Path, help="folder for the checkpoints")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    minigrad.manual_seed(args.seed)  # our loaders draw the shuffle and the augmentations
    torch.manual_seed(args.seed)
    with tempfile.TemporaryDirectory() as workspace:
        split_dir = rmb_data.prepare_folders(args.data, 1, rmb_data.DEFAULT_CACHE, workspace)
        train_loader, valid_loader, test_data = rmb_data.make_loaders(split_dir, 16, 0)
        net = torch_lenet(torch)(classes=2)
        initialize_weights(net)
        criterion = torch.nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.0125, momentum=0.9)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
        best = -1.0
        for epoch in range(args.epochs):
            train_epoch(net, train_loader, criterion, optimizer, epoch, args.epochs)
            valid_loss, valid_acc, batches = evaluate(net, valid_loader, criterion)
            print(VALID_LOG.format(epoch, args.epochs, batches, batches, valid_loss, valid_acc), flush=True)
            scheduler.step()
            state = {"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                     "scheduler": scheduler.state_dict(), "epoch": epoch}
            torch.save(state, args.out / "last.ckpt")
            if valid_acc > best:
                best = valid_acc
                torch.save(state, args.out / "best.ckpt")
        if test_data is not None:
            test(net, test_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
