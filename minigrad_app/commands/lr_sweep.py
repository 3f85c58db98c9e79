"""``minigrad lr-sweep``: the tutorial's sweep of learning rates on y = 4x^2.

For each of ``num`` learning rates evenly spaced in [lr_min, lr_max], run plain gradient
descent from x = 2 and record the loss; draw one loss curve per rate. For y = a x^2 a step
maps x to (1 - 2 a lr) x, so the best rate is 1 / (2a) = 0.125, which lands on the minimum
in a single step.
"""
import numpy

import minigrad
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure
from minigrad_app.commands.gd import func

CURVATURE = 4.0  # y = 4 x^2
TOLERANCE = 1e-6
FLOOR = 1e-12


def steps_to_reach(losses, tolerance):
    """The first iteration whose loss is below ``tolerance``, or None."""
    return next((i for i, loss in enumerate(losses) if loss < tolerance), None)


def sweep(lr_min, lr_max, num, iterations, x0=2.0):
    """Loss records, one list per learning rate, as the tutorial computes them."""
    lr_list = numpy.linspace(lr_min, lr_max, num=num).tolist()
    loss_rec = [[] for _ in lr_list]
    for i, lr in enumerate(lr_list):
        x = minigrad.tensor([x0], requires_grad=True)
        for _ in range(iterations):
            y = func(x)
            y.backward()
            x.data.sub_(lr * x.grad)
            x.grad.zero_()
            loss_rec[i].append(y.item())
    return lr_list, loss_rec


def main(argv=None):
    parser = make_parser("lr-sweep", "Loss curves of gradient descent on y = 4x^2 for several learning rates.")
    parser.add_argument("--lr-min", type=positive_float, default=0.01)
    parser.add_argument("--lr-max", type=positive_float, default=0.2)
    parser.add_argument("--num", type=positive_int, default=10, help="how many learning rates (default 10)")
    parser.add_argument("--iters", type=positive_int, default=100, help="iterations per rate (default 100)")
    args = parser.parse_args(argv)
    if args.lr_min > args.lr_max:
        parser.error(f"--lr-min {args.lr_min} is larger than --lr-max {args.lr_max}")
    lr_list, loss_rec = sweep(args.lr_min, args.lr_max, args.num, args.iters)
    plt = pyplot(args.show)
    figure, axis = plt.subplots(figsize=(8, 5))
    for lr, losses in zip(lr_list, loss_rec):
        axis.plot(range(len(losses)), numpy.maximum(losses, FLOOR), label=f"LR: {lr:.4f}")
    axis.set_yscale("log")  # a loss of exactly 0 is drawn at FLOOR
    axis.set_ylim(bottom=FLOOR)
    axis.set_xlabel("Iterations")
    axis.set_ylabel("Loss value")
    axis.legend(fontsize=8)
    path = save_figure(plt, figure, args.out / "lr_sweep.png", args.show)
    steps = [steps_to_reach(losses, TOLERANCE) for losses in loss_rec]
    for lr, losses, count in zip(lr_list, loss_rec, steps):
        print(f"lr {lr:.4f}: final loss {losses[-1]:.6g}, iterations to loss < {TOLERANCE:g}: "
              f"{count if count is not None else 'never'}")
    best = min(range(len(lr_list)), key=lambda i: (steps[i] is None, steps[i] or 0, sum(loss_rec[i])))
    print(f"best lr in the sweep: {lr_list[best]:.4f} (fewest iterations to loss < {TOLERANCE:g})")
    print(f"theoretical optimum for y = {CURVATURE:g}x^2: lr = 1/(2*{CURVATURE:g}) = {1 / (2 * CURVATURE)} "
          f"(x_next = (1 - {2 * CURVATURE:g} lr) x reaches 0 in one step)")
    print(f"figure: {path}")
    return 0
