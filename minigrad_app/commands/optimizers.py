"""``minigrad optimizers``: every optimizer of ``optim`` from the same start on a test function.

Draws all paths over the function's contours and the loss curves, and prints a table ranked
by steps to reach a tolerance, then by final loss. Learning rates are tuned per function
(``LEARNING_RATES``); ``--lr NAME=VALUE`` overrides one.
"""
import math
import numbers

import numpy

import minigrad
import optim
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure
from minigrad_app.factory import parse_options
from minigrad_app.surfaces import SURFACES, grid

OPTIMIZERS = ["SGD", "Momentum", "Nesterov", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax",
              "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS"]
# Learning rates tuned per function: the best of a grid 1e-4 .. 1 for reaching loss - minimum < 1e-4
# fastest in 500 steps (LBFGS uses lr=1 with a line search).
LEARNING_RATES = {
    "rosenbrock": {"SGD": 0.001, "Momentum": 0.001, "Nesterov": 0.001, "Adagrad": 1, "RMSprop": 0.03,
                   "Adadelta": 1, "Adam": 1, "AdamW": 0.1, "Adamax": 1, "NAdam": 0.3,
                   "RAdam": 0.01, "ASGD": 0.001, "Rprop": 0.1, "LBFGS": 1},
    "beale": {"SGD": 0.03, "Momentum": 0.003, "Nesterov": 0.003, "Adagrad": 1, "RMSprop": 0.1,
              "Adadelta": 1, "Adam": 0.3, "AdamW": 0.3, "Adamax": 1, "NAdam": 1,
              "RAdam": 0.01, "ASGD": 0.03, "Rprop": 0.01, "LBFGS": 1},
    "himmelblau": {"SGD": 0.01, "Momentum": 0.003, "Nesterov": 0.01, "Adagrad": 1, "RMSprop": 0.1,
                   "Adadelta": 1, "Adam": 1, "AdamW": 1, "Adamax": 0.1, "NAdam": 0.3,
                   "RAdam": 0.03, "ASGD": 0.01, "Rprop": 0.3, "LBFGS": 1},
    "saddle": {"SGD": 0.3, "Momentum": 0.03, "Nesterov": 0.3, "Adagrad": 1, "RMSprop": 0.1,
               "Adadelta": 1, "Adam": 0.1, "AdamW": 1, "Adamax": 1, "NAdam": 1,
               "RAdam": 0.3, "ASGD": 0.3, "Rprop": 0.3, "LBFGS": 1},
    "quadratic": {"SGD": 0.03, "Momentum": 0.01, "Nesterov": 0.03, "Adagrad": 1, "RMSprop": 1,
                  "Adadelta": 1, "Adam": 0.3, "AdamW": 1, "Adamax": 0.3, "NAdam": 1,
                  "RAdam": 0.3, "ASGD": 0.03, "Rprop": 0.3, "LBFGS": 1},
}


def make(name, point, lr):
    if name == "Momentum":
        return optim.SGD([point], lr=lr, momentum=0.9)
    if name == "Nesterov":
        return optim.SGD([point], lr=lr, momentum=0.9, nesterov=True)
    if name == "LBFGS":
        return optim.LBFGS([point], lr=lr, max_iter=1, max_eval=10, history_size=10, line_search_fn="strong_wolfe")
    return getattr(optim, name)([point], lr=lr)


def run(name, surface, lr, steps):
    """Points visited and losses, one per step (LBFGS: one iteration with a line search per step)."""
    point = minigrad.tensor(surface.start, dtype=minigrad.float64, requires_grad=True)
    optimizer = make(name, point, lr)
    path, losses = [], []

    def closure():
        optimizer.zero_grad()
        loss = surface(point)
        loss.backward()
        return loss

    for _ in range(steps):
        path.append(point.detach().numpy().copy())
        losses.append(surface(point.detach()).item())
        optimizer.step(closure)
        if not numpy.isfinite(losses[-1]):
            break
    return numpy.array(path), numpy.array(losses)


def rank(results, minimum, tolerance):
    rows = []
    for name, (_, losses) in results.items():
        reached = numpy.nonzero(losses - minimum < tolerance)[0]
        rows.append((name, int(reached[0]) if reached.size else None, losses[-1]))
    return sorted(rows, key=lambda row: (row[1] is None, row[1] or 0, numpy.nan_to_num(row[2], nan=numpy.inf)))


def main(argv=None):
    parser = make_parser("optimizers", "Every optimizer on a test function: paths, losses and a ranking.")
    parser.add_argument("--function", choices=sorted(SURFACES), default="rosenbrock")
    parser.add_argument("--steps", type=positive_int, default=500)
    parser.add_argument("--tolerance", type=positive_float, default=1e-4)
    parser.add_argument("--lr", action="append", default=[], metavar="NAME=VALUE", help="override a learning rate")
    args = parser.parse_args(argv)
    try:
        rates = {**LEARNING_RATES[args.function], **parse_options(args.lr)}
    except ValueError as error:
        parser.error(str(error))
    unknown = set(rates) - set(OPTIMIZERS)
    if unknown:
        parser.error(f"--lr: unknown optimizer {', '.join(sorted(unknown))}; choose from {', '.join(OPTIMIZERS)}")
    for name, rate in rates.items():
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not (math.isfinite(rate) and rate > 0):
            parser.error(f"--lr {name}={rate}: expected a positive finite number")
    surface = SURFACES[args.function]
    results = {name: run(name, surface, float(rates[name]), args.steps) for name in OPTIMIZERS}
    plot(surface, results, args)
    print(f"{surface.name}: {surface.formula}, start {surface.start}, {args.steps} steps")
    print(f"{'rank':<5}{'optimizer':<10}{'lr':>8}{'steps to tol':>14}{'final loss':>14}")
    for position, (name, reached, final) in enumerate(rank(results, surface.minimum, args.tolerance), 1):
        print(f"{position:<5}{name:<10}{rates[name]:>8g}{str(reached if reached is not None else '-'):>14}"
              f"{final:>14.4g}")
    return 0


def plot(surface, results, args):
    plt = pyplot(args.show)
    figure, (left, right) = plt.subplots(1, 2, figsize=(15, 6.5))
    xs, ys, zs = grid(surface)
    levels = numpy.unique(numpy.quantile(zs, numpy.linspace(0, 1, 30) ** 2))
    left.contour(xs, ys, zs, levels=levels, cmap="Greys", linewidths=0.5)
    colors = plt.get_cmap("tab20")(numpy.linspace(0, 1, len(results)))
    for color, (name, (path, losses)) in zip(colors, results.items()):
        left.plot(path[:, 0], path[:, 1], "-", color=color, linewidth=1.2, label=name)
        right.plot(numpy.maximum(losses - surface.minimum, 1e-12), color=color, label=name)
    left.plot(*surface.start, "k*", markersize=12)
    xmin, xmax, ymin, ymax = surface.bounds
    left.set(xlim=(xmin, xmax), ylim=(ymin, ymax), title=f"{surface.name}: paths from {surface.start}")
    right.set(yscale="log", xlabel="step", ylabel="loss - minimum", title="loss")
    left.legend(fontsize=7, ncol=2)
    right.legend(fontsize=7, ncol=2)
    path = save_figure(plt, figure, args.out / f"optimizers_{surface.name}.png", args.show)
    print(f"figure: {path}")
