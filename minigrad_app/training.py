"""The tutorial's training loop in readable pieces, plus what makes a run survive interruptions.

A run is described by :class:`RunState` (where it is, the curves so far). Checkpoints hold the
model, optimizer and scheduler states, the run state and the random generator's state both
at the start of the current epoch and now: resuming mid-epoch rewinds the generator to the
epoch start, replays the data loader up to the interrupted iteration (so the shuffle and the
random transforms come out the same), and continues bit for bit.
"""
import signal
import sys
import time
from dataclasses import asdict, dataclass, field

from tqdm import tqdm

import minigrad

TRAIN_LOG = "Training:Epoch[{:0>3}/{:0>3}] Iteration[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}"
VALID_LOG = "Valid:\t Epoch[{:0>3}/{:0>3}] Iteration[{:0>3}/{:0>3}] Loss: {:.4f} Acc:{:.2%}"
CHECKPOINT_KIND = "minigrad-train"
INTERRUPTED_STATUS = 130


@dataclass
class RunState:
    """Where a training run stands; everything here goes into the checkpoints."""
    epoch: int = 0             # the epoch in progress, or the next one to run
    iteration: int = 0         # batches of that epoch already trained
    loss_sum: float = 0.0      # running sums of the epoch in progress
    log_loss: float = 0.0
    correct: int = 0
    total: int = 0
    epoch_seconds: float = 0.0
    best_valid_acc: float = -1.0
    train_curve: list = field(default_factory=list)   # loss per iteration
    valid_curve: list = field(default_factory=list)   # mean validation loss per epoch
    epochs: list = field(default_factory=list)        # one metrics row per finished epoch

    def start_epoch(self):
        self.iteration, self.loss_sum, self.log_loss, self.correct, self.total = 0, 0.0, 0.0, 0, 0
        self.epoch_seconds = 0.0


class StopRequest:
    """Turns SIGINT and SIGTERM into a flag read between steps, so no step is cut in half."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.received = None
        self.previous = {}

    def __enter__(self):
        for signum in self.SIGNALS:
            self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        return False

    def _handle(self, signum, frame):
        self.received = signum


def count_correct(outputs, labels):
    _, predicted = minigrad.max(outputs.data, 1)
    return int((predicted == labels).sum().item())


def train_one_epoch(net, loader, criterion, optimizer, run, settings, stop):
    """Train from ``run.iteration`` to the end of the epoch; False if a stop was requested."""
    net.train()
    batches = iter(loader)
    for _ in range(run.iteration):  # after a mid-epoch resume: replay the batches already trained
        next(batches)
    started = time.perf_counter()
    progress = tqdm(total=len(loader), initial=run.iteration, leave=False, file=sys.stderr,
                    disable=not settings.progress, desc=f"epoch {run.epoch}")
    try:
        for i in range(run.iteration, len(loader)):
            inputs, labels = next(batches)
            inputs, labels = inputs.to(settings.device), labels.to(settings.device)
            outputs = net(inputs)                  # forward
            optimizer.zero_grad()                  # backward
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()                       # update weights
            if getattr(settings, "after_step", None) is not None:
                settings.after_step()              # train --diagnostics records here
            run.correct += count_correct(outputs, labels)
            run.total += labels.size(0)
            run.loss_sum += loss.item()
            run.log_loss += loss.item()
            run.train_curve.append(loss.item())
            run.iteration = i + 1
            progress.update(1)
            if (i + 1) % settings.log_interval == 0:
                tqdm.write(TRAIN_LOG.format(run.epoch, settings.epochs, i + 1, len(loader),
                                            run.log_loss / settings.log_interval, run.correct / run.total))
                run.log_loss = 0.0
            if stop.received is not None:
                return False
    finally:
        progress.close()
        run.epoch_seconds += time.perf_counter() - started
    return True


@minigrad.no_grad()
def evaluate(net, loader, criterion, device):
    """Mean loss per batch, accuracy, and the number of batches, on ``loader``."""
    net.eval()
    loss_total, correct, total, batches = 0.0, 0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        outputs = net(inputs)
        loss_total += criterion(outputs, labels).item()
        correct += count_correct(outputs, labels)
        total += labels.size(0)
        batches += 1
    return loss_total / max(batches, 1), correct / max(total, 1), batches


def finish_epoch(net, valid_loader, criterion, optimizer, scheduler, run, settings):
    """Validate, record the epoch's metrics, step the scheduler; True if validation improved."""
    valid_loss, valid_acc, batches = evaluate(net, valid_loader, criterion, settings.device)
    print(VALID_LOG.format(run.epoch, settings.epochs, batches, batches, valid_loss, valid_acc), flush=True)
    run.valid_curve.append(valid_loss)
    run.epochs.append({"epoch": run.epoch, "train_loss": run.loss_sum / max(run.iteration, 1),
                       "train_acc": run.correct / max(run.total, 1), "valid_loss": valid_loss,
                       "valid_acc": valid_acc, "lr": optimizer.param_groups[0]["lr"],
                       "seconds": round(run.epoch_seconds, 3)})
    if scheduler is not None:
        if type(scheduler).__name__ == "ReduceLROnPlateau":
            scheduler.step(valid_loss)
        else:
            scheduler.step()  # update the learning rate once per epoch
    improved = valid_acc > run.best_valid_acc
    run.best_valid_acc = max(run.best_valid_acc, valid_acc)
    run.epoch += 1
    run.start_epoch()
    return improved


def checkpoint(net, optimizer, scheduler, run, epoch_rng_state, args):
    """Everything needed to continue the run exactly, as nested plain data."""
    return {"kind": CHECKPOINT_KIND, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict() if scheduler is not None else None,
            "run": asdict(run), "rng": {"epoch_start": epoch_rng_state, "now": minigrad.get_rng_state()},
            "args": args}


class CheckpointWriteError(OSError):
    """A checkpoint could not be written (a full disk, a folder gone): the message names it."""


def save_checkpoint(state, path):
    """minigrad.save, with an OSError turned into one naming the file (the previous file stays,
    as saves are atomic)."""
    try:
        minigrad.save(state, path)
    except OSError as error:
        raise CheckpointWriteError(f"cannot write {path}: {error.strerror or error}") from error


def _check_resumable(saved, optimizer):
    """Refuse, naming what is wrong, a checkpoint that would fail (or silently misbehave) later:
    a part missing, or the state of another optimizer."""
    missing = [key for key in ("model", "optimizer", "run", "rng", "args") if not isinstance(saved.get(key), dict)]
    if missing:
        raise ValueError(f"the checkpoint has no {' or '.join(missing)} state")
    saved_name = saved["args"].get("optimizer")
    if not isinstance(saved_name, str) or \
            saved_name.replace("-", "").replace("_", "").lower() != type(optimizer).__name__.lower():
        raise ValueError(f"the checkpoint holds the state of --optimizer {saved_name}, not of "
                         f"{type(optimizer).__name__}; resume with the optimizer it was trained with")


def restore(path, net, optimizer, scheduler, device="cpu"):
    """Load a checkpoint written by :func:`checkpoint` onto ``device`` (whichever device it was
    saved from); returns (run, rng states, args)."""
    saved = minigrad.load(path, map_location=device)
    if not isinstance(saved, dict) or saved.get("kind") != CHECKPOINT_KIND:
        raise ValueError(f"{path} is not a minigrad train checkpoint")
    _check_resumable(saved, optimizer)
    net.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    if scheduler is not None and saved["scheduler"] is not None:
        scheduler.load_state_dict(saved["scheduler"])
    # the random states are CPU byte tensors (the generator's), whatever device the rest went to
    rng = {key: state.cpu() if isinstance(state, minigrad.Tensor) else state for key, state in saved["rng"].items()}
    return RunState(**saved["run"]), rng, saved["args"]
