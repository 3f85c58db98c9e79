"""``minigrad momentum``: plain SGD against momentum and Nesterov.

Momentum keeps a running velocity v <- m v + g and steps w <- w - lr v (PyTorch's form), so
steps grow along directions where the gradient keeps its sign and cancel where it flips.
Two problems: the tutorial's y = 4x^2, and an ill-conditioned bowl x^2/2 + 10 y^2 where plain
gradient descent zig-zags across the valley.
"""
import numpy

import minigrad
import optim
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure
from minigrad_app.commands.gd import func
from minigrad_app.surfaces import SURFACES, grid

CONFIGS = [("SGD", {}), ("momentum 0.5", {"momentum": 0.5}), ("momentum 0.9", {"momentum": 0.9}),
           ("Nesterov 0.9", {"momentum": 0.9, "nesterov": True})]
TOLERANCE = 1e-6


def descend(loss_fn, start, lr, iterations, options):
    """Run optim.SGD from ``start``; returns the points visited and the losses."""
    point = minigrad.tensor(start, dtype=minigrad.float64, requires_grad=True)
    optimizer = optim.SGD([point], lr=lr, **options)
    path, losses = [], []
    for _ in range(iterations):
        optimizer.zero_grad()
        loss = loss_fn(point)
        loss.backward()
        path.append(point.detach().numpy().copy())
        losses.append(loss.item())
        optimizer.step()
    return numpy.array(path), numpy.array(losses)


def steps_to(losses, tolerance, minimum=0.0):
    below = numpy.nonzero(losses - minimum < tolerance)[0]
    return int(below[0]) if below.size else None


def main(argv=None):
    parser = make_parser("momentum", "Plain SGD, momentum and Nesterov on y = 4x^2 and on an ill-conditioned bowl.")
    parser.add_argument("--lr", type=positive_float, default=0.01, help="learning rate on y = 4x^2 (default 0.01)")
    parser.add_argument("--bowl-lr", type=positive_float, default=0.04, help="learning rate on the bowl")
    parser.add_argument("--iters", type=positive_int, default=100)
    args = parser.parse_args(argv)
    bowl = SURFACES["quadratic"]
    plt = pyplot(args.show)
    figure, axes = plt.subplots(2, 2, figsize=(12, 9))
    print(f"{'optimizer':<14} {'4x^2: final loss':>18} {'steps<1e-6':>10} {'bowl: final loss':>18} {'steps<1e-6':>10}")
    xs, ys, zs = grid(bowl)
    axes[1, 0].contour(xs, ys, zs, levels=numpy.geomspace(0.01, zs.max(), 15), cmap="Greys", linewidths=0.6)
    for name, options in CONFIGS:
        path1, losses1 = descend(lambda p: func(p).sum(), [2.0], args.lr, args.iters, options)
        path2, losses2 = descend(bowl, list(bowl.start), args.bowl_lr, args.iters, options)
        axes[0, 0].plot(losses1, label=name)
        axes[0, 1].plot(path1[:, 0], label=name)
        axes[1, 0].plot(path2[:, 0], path2[:, 1], "-o", markersize=2, label=name)
        axes[1, 1].plot(numpy.maximum(losses2, 1e-12), label=name)
        print(f"{name:<14} {losses1[-1]:>18.6g} {str(steps_to(losses1, TOLERANCE)):>10} "
              f"{losses2[-1]:>18.6g} {str(steps_to(losses2, TOLERANCE)):>10}")
    axes[0, 0].set(title=f"y = 4x^2, lr = {args.lr}: loss", xlabel="Iteration", ylabel="Loss value", yscale="log")
    axes[0, 1].set(title="x per iteration (overshoot = momentum)", xlabel="Iteration", ylabel="x")
    axes[1, 0].set(title=f"bowl {bowl.formula}, lr = {args.bowl_lr}: paths", xlabel="x", ylabel="y")
    axes[1, 1].set(title="bowl: loss", xlabel="Iteration", ylabel="Loss value", yscale="log")
    for axis in axes.flat:
        axis.legend(fontsize=8)
    path = save_figure(plt, figure, args.out / "momentum.png", args.show)
    print(f"figure: {path}")
    return 0
