"""``minigrad schedules``: the learning-rate curve of every scheduler, one panel each."""
import math

import minigrad
import optim
from minigrad_app.cli import make_parser, positive_int, pyplot, save_figure
from optim import lr_scheduler as S

BASE_LR = 0.1


def schedulers(optimizer, epochs):
    """One example of each scheduler, sized to ``epochs`` steps."""
    third = max(1, epochs // 3)
    warmup = max(1, epochs // 10)
    # increasing and positive for every --epochs (a run of 1 or 2 epochs would repeat or reach 0)
    milestones = sorted({third, 2 * third, max(1, int(0.9 * epochs))})
    return {
        "StepLR(step_size=30%, gamma=0.1)": lambda: S.StepLR(optimizer, step_size=third, gamma=0.1),
        "MultiStepLR(milestones)": lambda: S.MultiStepLR(optimizer, milestones=milestones),
        "ConstantLR(factor=0.5)": lambda: S.ConstantLR(optimizer, factor=0.5, total_iters=third),
        "LinearLR(0.1 -> 1)": lambda: S.LinearLR(optimizer, start_factor=0.1, total_iters=third),
        "ExponentialLR(gamma=0.96)": lambda: S.ExponentialLR(optimizer, gamma=0.96),
        "PolynomialLR(power=2)": lambda: S.PolynomialLR(optimizer, total_iters=epochs, power=2.0),
        "CosineAnnealingLR": lambda: S.CosineAnnealingLR(optimizer, T_max=epochs),
        "CosineAnnealingWarmRestarts": lambda: S.CosineAnnealingWarmRestarts(optimizer, T_0=max(1, epochs // 7), T_mult=2),
        "LambdaLR(1/(1+0.05e))": lambda: S.LambdaLR(optimizer, lambda e: 1 / (1 + 0.05 * e)),
        "MultiplicativeLR(0.97)": lambda: S.MultiplicativeLR(optimizer, lambda e: 0.97),
        "CyclicLR(triangular2)": lambda: S.CyclicLR(optimizer, base_lr=0.01, max_lr=BASE_LR,
                                                    step_size_up=max(1, epochs // 10), mode="triangular2"),
        "OneCycleLR": lambda: S.OneCycleLR(optimizer, max_lr=BASE_LR, total_steps=epochs + 1),
        "ReduceLROnPlateau": lambda: S.ReduceLROnPlateau(optimizer, factor=0.5, patience=5),
        "SequentialLR(warmup, cosine)": lambda: S.SequentialLR(optimizer, [
            S.LinearLR(optimizer, start_factor=0.1, total_iters=warmup),
            S.CosineAnnealingLR(optimizer, T_max=max(1, epochs - warmup))], milestones=[warmup]),
        "ChainedScheduler(constant, exp)": lambda: S.ChainedScheduler([
            S.ConstantLR(optimizer, factor=0.5, total_iters=third), S.ExponentialLR(optimizer, gamma=0.98)]),
    }


def plateau_metric(epoch):
    """A validation loss that improves, then stalls: what ReduceLROnPlateau reacts to."""
    return max(1.0 / (1 + epoch), 0.2) + 0.01 * math.sin(epoch)


def curve(name, epochs):
    """Learning rate per epoch of the example ``name``, stepped as a training loop would."""
    weight = minigrad.zeros(1, requires_grad=True)
    optimizer = optim.SGD([weight], lr=BASE_LR, momentum=0.9)
    scheduler = schedulers(optimizer, epochs)[name]()
    rates = []
    for epoch in range(epochs):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if isinstance(scheduler, S.ReduceLROnPlateau):
            scheduler.step(plateau_metric(epoch))
        else:
            scheduler.step()
    return rates


def main(argv=None):
    parser = make_parser("schedules", "The learning-rate curve of every scheduler in optim.lr_scheduler.")
    parser.add_argument("--epochs", type=positive_int, default=100)
    args = parser.parse_args(argv)
    plt = pyplot(args.show)
    examples = schedulers(None, args.epochs)
    columns = 4
    rows = -(-len(examples) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 2.8 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, name in zip(axes.flat, examples):
        rates = curve(name, args.epochs)
        axis.axis("on")
        axis.plot(range(args.epochs), rates)
        axis.set_title(name, fontsize=9)
        axis.set_xlabel("epoch", fontsize=8)
        axis.set_ylabel("lr", fontsize=8)
        print(f"{name:<36} first {rates[0]:.4g}  min {min(rates):.4g}  max {max(rates):.4g}  last {rates[-1]:.4g}")
    figure.tight_layout()
    path = save_figure(plt, figure, args.out / "schedules.png", args.show)
    print(f"figure: {path}")
    return 0
