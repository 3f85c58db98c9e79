"""``minigrad lr-find``: the learning-rate range test (Smith, "Cyclical Learning Rates for Training
Neural Networks", 2015/2017) on the main job's LeNet, data and optimizer.

Train for a few hundred steps while the learning rate grows exponentially from ``--start-lr`` to
``--end-lr``, and watch the loss: flat while the rate is too small to matter, falling where it is
useful, exploding where it is too large. The suggestion is the rate where the smoothed loss falls
fastest (its steepest slope against log lr), compared with the tutorial's 0.0125. The model, the
optimizer and the random generator are put back as they were before the test.
"""
import json
import math
import tempfile

import numpy

from minigrad_app import job
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure

TUTORIAL_LR = 0.0125
SMOOTHING = 0.98      # exponential moving average of the loss, bias-corrected
DIVERGENCE = 4.0      # stop once the smoothed loss exceeds this many times its best value


def range_test(net, optimizer, criterion, loader, start_lr, end_lr, steps, device="cpu"):
    """Run the test; returns a dict of lists ``lr``, ``loss``, ``smoothed`` (one entry per step
    taken) and ``diverged``. ``net`` and ``optimizer`` are restored afterwards, even on error."""
    if not 0 < start_lr < end_lr:
        raise ValueError(f"expected 0 < start_lr < end_lr, got start_lr={start_lr}, end_lr={end_lr}")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    saved = job.snapshot(net, optimizer)
    record = {"lr": [], "loss": [], "smoothed": [], "diverged": False}
    growth = (end_lr / start_lr) ** (1 / (steps - 1))
    average, best = 0.0, math.inf
    try:
        net.train()
        batches = job.endless(loader)
        for step in range(steps):
            lr = start_lr * growth ** step
            for group in optimizer.param_groups:
                group["lr"] = lr
            inputs, labels = next(batches)
            loss = criterion(net(inputs.to(device)), labels.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            value = loss.item()
            average = SMOOTHING * average + (1 - SMOOTHING) * value
            smoothed = average / (1 - SMOOTHING ** (step + 1))
            record["lr"].append(lr)
            record["loss"].append(value)
            record["smoothed"].append(smoothed)
            if not math.isfinite(smoothed) or smoothed > DIVERGENCE * best:
                record["diverged"] = True
                break
            best = min(best, smoothed)
    finally:
        job.restore(net, optimizer, saved)
    return record


def suggest(lrs, smoothed):
    """The learning rate where the smoothed loss falls fastest against log lr. The first tenth of
    the steps is left out (the moving average is still settling there), and so is everything past
    the loss's minimum (the loss only rises there; a fall in that part means nothing)."""
    lrs, smoothed = numpy.asarray(lrs, dtype=float), numpy.asarray(smoothed, dtype=float)
    finite = numpy.isfinite(smoothed)
    lrs, smoothed = lrs[finite], smoothed[finite]
    if len(lrs) < 2:
        raise ValueError("the range test needs at least two finite losses to suggest a learning rate")
    skip = settling_steps(len(lrs))
    end = skip + int(numpy.argmin(smoothed[skip:])) + 1
    if end - skip < 2:
        return float(lrs[end - 1])
    slope = numpy.gradient(smoothed[skip:end], numpy.log10(lrs[skip:end]))
    return float(lrs[skip + int(numpy.argmin(slope))])


def settling_steps(steps):
    """Steps at the start whose smoothed loss is left out: the average is still settling."""
    return steps // 10


def lowest_loss_lr(lrs, smoothed):
    skip = settling_steps(len(lrs))
    return float(lrs[skip + int(numpy.nanargmin(smoothed[skip:]))])


def plot(record, suggested, path, show):
    plt = pyplot(show)
    figure, axis = plt.subplots(figsize=(8, 4.5))
    axis.plot(record["lr"], record["loss"], color="#bbbbbb", lw=0.8, label="loss per step")
    axis.plot(record["lr"], record["smoothed"], color="C0", lw=2, label="smoothed loss")
    axis.axvline(suggested, color="C2", ls="--", label=f"suggested lr = {suggested:.3g} (steepest fall)")
    axis.axvline(TUTORIAL_LR, color="C3", ls=":", label=f"tutorial's lr = {TUTORIAL_LR}")
    axis.set_xscale("log")
    top = min(max(record["smoothed"]), 3 * record["smoothed"][0])  # keep the explosion from hiding the dip
    axis.set_ylim(0.8 * min(record["smoothed"]), 1.1 * max(top, max(record["smoothed"][:2])))
    axis.set_xlabel("learning rate (log scale), raised every step")
    axis.set_ylabel("training loss")
    axis.set_title("LR range test: LeNet on RMB notes, SGD with momentum")
    axis.legend(loc="upper left", fontsize=9)
    return save_figure(plt, figure, path, show)


def build_parser():
    parser = make_parser("lr-find", "LR range test: the loss while the learning rate grows exponentially.")
    job.add_job_options(parser)
    parser.add_argument("--start-lr", type=positive_float, default=1e-5)
    parser.add_argument("--end-lr", type=positive_float, default=1.0)
    parser.add_argument("--steps", type=positive_int, default=200, help="training steps (default 200)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.start_lr >= args.end_lr:
        parser.error(f"--start-lr {args.start_lr} must be smaller than --end-lr {args.end_lr}")
    if args.steps < 2:
        parser.error("--steps must be at least 2")
    with tempfile.TemporaryDirectory() as workspace:
        setup = job.prepare(parser, args, workspace)
        record = range_test(setup.net, setup.optimizer, setup.criterion, setup.train_loader, args.start_lr,
                            args.end_lr, args.steps, args.device)
    suggested = suggest(record["lr"], record["smoothed"])
    minimum = lowest_loss_lr(record["lr"], record["smoothed"])
    path = plot(record, suggested, args.out / "lr_find.png", args.show)
    metrics = {"suggested_lr": suggested, "min_loss_lr": minimum, "tutorial_lr": TUTORIAL_LR,
               "start_lr": args.start_lr, "end_lr": args.end_lr, "steps_run": len(record["lr"]),
               "diverged": record["diverged"], "lr": record["lr"], "loss": record["loss"],
               "smoothed": record["smoothed"]}
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"steps run: {len(record['lr'])} of {args.steps}" + (" (stopped: the loss diverged)"
                                                                if record["diverged"] else ""))
    print(f"suggested lr: {suggested:.4g} (steepest fall of the smoothed loss); the loss is lowest at "
          f"lr {minimum:.4g}; the tutorial uses {TUTORIAL_LR} ({TUTORIAL_LR / suggested:.2g}x the suggestion)")
    print(f"figure: {path}")
    return 0
