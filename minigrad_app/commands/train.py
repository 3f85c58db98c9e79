"""``minigrad train``: the main job. LeNet learns to tell 1-yuan from 100-yuan notes.

The tutorial's recipe, top to bottom: data split 8:1:1, augmenting transforms, LeNet with
``initialize_weights()``, cross entropy, SGD(lr=0.0125, momentum=0.9), StepLR(10, 0.1), batches
of 16 for 10 epochs, a log line every 10 iterations and a validation line per epoch; then the
loss curves, a test pass and the test images with LeNet's answers. Checkpoints ``last.ckpt``
(every epoch, and on Ctrl-C) and ``best.ckpt`` let ``--resume`` continue bit for bit.
"""
import json
import math
import sys
import tempfile
from contextlib import contextmanager
from types import SimpleNamespace

import minigrad
from data import DataLoader
from minigrad_app import diagnostics, factory, plots, training
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.cli import make_parser, non_negative_float, non_negative_int, one_line, positive_float, positive_int
from nn import CrossEntropyLoss, functional as F
from nn.models import LeNet

# Offered by `minigrad optimizers`, not here: the training loop calls step() without a closure.
NOT_FOR_TRAIN = {"LBFGS": "needs a closure that re-evaluates the loss, which this training loop does not give "
                          "(see minigrad optimizers)",
                 "SparseAdam": "only updates sparse gradients (nn.Embedding(sparse=True)); LeNet's are dense"}
ARGUMENT_ERRORS = (ValueError, TypeError, NotImplementedError, KeyError)
RECIPE_KEYS = ("seed", "batch_size", "lr", "momentum", "optimizer", "opt", "scheduler", "step_size", "gamma",
               "split_seed", "data")


def build_parser():
    parser = make_parser("train", "Train LeNet on RMB banknote photos with the tutorial's recipe.")
    parser.add_argument("--data", help="folder with class folders 1/ and 100/, or already split into "
                                       "train/ valid/ [test/]; default: synthetic notes")
    parser.add_argument("--split-seed", type=non_negative_int, default=1, help="seed of the 8:1:1 split (default 1)")
    parser.add_argument("--cache-dir", default=str(rmb_data.DEFAULT_CACHE),
                        help="where synthetic notes are drawn once (default ~/.cache/minigrad/rmb-synth)")
    parser.add_argument("--epochs", type=positive_int, default=10)
    parser.add_argument("--batch-size", type=positive_int, default=16)
    parser.add_argument("--lr", type=positive_float, default=0.0125)
    parser.add_argument("--momentum", type=non_negative_float, default=0.9, help="for optimizers that take one")
    parser.add_argument("--optimizer", default="sgd", help="any optimizer of optim, by name (default sgd)")
    parser.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                        help="extra optimizer option, e.g. --opt nesterov=True (repeatable)")
    parser.add_argument("--scheduler", default="step", help="any scheduler of optim.lr_scheduler, or none")
    parser.add_argument("--sched", action="append", default=[], metavar="KEY=VALUE",
                        help="extra scheduler option (repeatable)")
    parser.add_argument("--step-size", type=positive_int, default=10)
    parser.add_argument("--gamma", type=positive_float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--num-workers", type=non_negative_int, default=0)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--log-interval", type=positive_int, default=10)
    parser.add_argument("--resume", metavar="CHECKPOINT", help="continue the run saved in CHECKPOINT")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--diagnostics", action="store_true",
                        help="per layer and iteration: gradient norms, update/weight ratios, activation "
                             "statistics (grad-flow.png, update-ratio.png, metrics.json)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.device == "cuda" and not minigrad.cuda.is_available():
        parser.error("--device cuda: no usable GPU; CUDA needs an NVIDIA GPU and CuPy: pip install -e \".[gpu]\"")
    with tempfile.TemporaryDirectory() as workspace:
        try:
            setup = prepare(args, workspace)  # every mistake in the arguments surfaces here
        except UsageError as error:
            parser.error(str(error))
        recorder = diagnostics.attach(setup) if args.diagnostics else None
        try:
            status = train_epochs(setup, args)
        except training.CheckpointWriteError as error:  # a full disk, say: the run so far stays resumable
            parser.error(str(error))
        if status:
            return status
        test_acc = test_and_plot(setup, args)
    write_metrics(args.out, setup.run, test_acc)
    if recorder is not None:
        recorder.write(args.out, args.show)
    return 0


class UsageError(ValueError):
    """A mistake in the command line, reported as one line naming the flag."""


@contextmanager
def blame(flag, errors=ARGUMENT_ERRORS):
    """Turn ``errors`` raised inside into a UsageError that names ``flag``."""
    try:
        yield
    except errors as error:
        raise UsageError(f"{flag}: {one_line(error)}") from error


def prepare(args, workspace):
    """Data, model, loss, optimizer and scheduler, as the tutorial sets them up (or resumed)."""
    minigrad.manual_seed(args.seed)
    # ---- data: split folders, the tutorial's transforms, loaders ----
    with blame("--data" if args.data else "--cache-dir", ARGUMENT_ERRORS + (OSError,)):
        split_dir = rmb_data.prepare_folders(args.data, args.split_seed, args.cache_dir, workspace)
        # batches are made on the CPU (in worker processes, which cannot use CUDA once this process has)
        # and moved to the device by the training loop, as PyTorch does
        train_loader, valid_loader, test_data = rmb_data.make_loaders(split_dir, args.batch_size, args.num_workers)
    # ---- model, loss function, optimizer, scheduler ----
    net = LeNet(classes=2)
    net.initialize_weights()
    net.to(args.device)
    criterion = CrossEntropyLoss()
    with blame("--optimizer/--opt"):
        optimizer = factory.make_optimizer(args.optimizer, net.parameters(), args.lr, args.momentum,
                                           factory.parse_options(args.opt), exclude=NOT_FOR_TRAIN)
    with blame("--scheduler/--sched"):
        scheduler = factory.make_scheduler(args.scheduler, optimizer, args.step_size, args.gamma, args.epochs,
                                           options=factory.parse_options(args.sched))
    setup = SimpleNamespace(net=net, criterion=criterion, optimizer=optimizer, scheduler=scheduler,
                            train_loader=train_loader, valid_loader=valid_loader, test_data=test_data,
                            run=training.RunState(), epoch_rng=minigrad.get_rng_state(),
                            recipe={key: getattr(args, key) for key in RECIPE_KEYS},
                            settings=SimpleNamespace(device=args.device, epochs=args.epochs,
                                                     log_interval=args.log_interval,
                                                     progress=not args.no_progress and sys.stderr.isatty()))
    if args.resume:
        with blame(f"--resume {args.resume}", ARGUMENT_ERRORS + (RuntimeError, OSError)):
            setup.run, rng, saved_recipe = training.restore(args.resume, net, optimizer, scheduler, args.device)
            minigrad.set_rng_state(rng["epoch_start"] if setup.run.iteration else rng["now"])
        if saved_recipe != setup.recipe:
            print(f"warning: resuming with settings that differ from the checkpoint's: {saved_recipe}")
        setup.epoch_rng = rng["epoch_start"]
        print(f"resumed from {args.resume} at epoch {setup.run.epoch}, iteration {setup.run.iteration}")
    return setup


def train_epochs(setup, args):
    """The epoch loop; returns 130 after saving if a stop was requested, else None."""
    run, last = setup.run, args.out / "last.ckpt"
    with training.StopRequest() as stop:
        while run.epoch < args.epochs:
            if run.iteration == 0:
                setup.epoch_rng = minigrad.get_rng_state()  # replay point for a mid-epoch resume
            finished = training.train_one_epoch(setup.net, setup.train_loader, setup.criterion, setup.optimizer,
                                                run, setup.settings, stop)
            improved = finished and training.finish_epoch(setup.net, setup.valid_loader, setup.criterion,
                                                          setup.optimizer, setup.scheduler, run, setup.settings)
            state = training.checkpoint(setup.net, setup.optimizer, setup.scheduler, run, setup.epoch_rng,
                                        setup.recipe)
            training.save_checkpoint(state, last)
            if improved:
                training.save_checkpoint(state, args.out / "best.ckpt")
            if stop.received is not None:
                print(f"stopped by signal {stop.received}: saved {last}; continue with --resume {last}",
                      file=sys.stderr)
                return training.INTERRUPTED_STATUS
    return None


@minigrad.no_grad()
def test_and_plot(setup, args):
    """Loss curves, accuracy, and the test pass with its picture; returns the test accuracy."""
    net, test_data, train_loader = setup.net, setup.test_data, setup.train_loader
    plots.plot_losses(setup.run, len(train_loader), args.out / "loss.png", args.show)
    plots.plot_accuracy(setup.run, args.out / "accuracy.png", args.show)
    if test_data is None or len(test_data) == 0:
        print("Test: no test/ folder, skipped")
        return None
    net.eval()
    samples, correct = [], 0
    for inputs, labels in DataLoader(test_data, batch_size=1):
        outputs = net(inputs.to(args.device))
        probabilities = F.softmax(outputs, dim=1)
        _, predicted = minigrad.max(outputs.data, 1)
        label, guess = int(labels[0].item()), int(predicted[0].item())
        correct += label == guess
        samples.append((inputs[0].cpu(), label, guess, float(probabilities[0, guess].item())))
    test_acc = correct / len(samples)
    print(f"Test:\t Acc:{test_acc:.2%} ({correct}/{len(samples)})")
    plots.plot_predictions(samples[:20], train_loader.dataset.transform, args.out / "predictions.png", args.show)
    return test_acc


def _finite(value):
    """``value`` with every NaN or infinity (a diverged run's loss) replaced by None: strict
    JSON has no NaN, and json.dumps would write a bare NaN token that most readers refuse."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def write_metrics(out, run_state, test_acc):
    metrics = {"epochs": run_state.epochs, "test_acc": test_acc,
               "best_valid_acc": max((row["valid_acc"] for row in run_state.epochs), default=None)}
    (out / "metrics.json").write_text(json.dumps(_finite(metrics), indent=2, allow_nan=False))
    print(f"outputs in {out}: metrics.json loss.png accuracy.png predictions.png last.ckpt best.ckpt")
