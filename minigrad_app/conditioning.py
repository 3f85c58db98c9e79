"""How curvature limits gradient descent, and how momentum helps: prediction against measurement.

Near a minimum a function is a quadratic with Hessian H. Gradient descent with learning rate lr
multiplies the error along an eigenvector of eigenvalue h by (1 - lr h) per step, so it diverges
past lr = 2 / h_max; the best single rate, lr = 2 / (h_max + h_min), shrinks the error by
(kappa - 1) / (kappa + 1) per step, kappa = h_max / h_min being the condition number. Heavy-ball
momentum (PyTorch's SGD: v <- m v + g, w <- w - lr v) tuned with lr = 4 / (sqrt(h_max) +
sqrt(h_min))^2 and m = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2 shrinks it by sqrt(m) =
(sqrt(kappa) - 1) / (sqrt(kappa) + 1): the square root of kappa instead of kappa (Polyak 1964;
Goh, "Why Momentum Really Works", Distill 2017).
"""
import math
from dataclasses import dataclass

import numpy

import minigrad
import optim


def rosenbrock(w):
    """(1 - x)^2 + 100 (y - x^2)^2: a curved valley, minimum 0 at (1, 1)."""
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def stretched_quadratic(w):
    """The tutorial's 4x^2 in x, plus a direction a hundred times flatter: 4x^2 + 0.04y^2."""
    return 4 * w[0] ** 2 + 0.04 * w[1] ** 2


@dataclass
class Problem:
    name: str
    function: object
    minimum: tuple
    start: tuple


PROBLEMS = [Problem("Rosenbrock", rosenbrock, (1.0, 1.0), (0.99, 1.01)),
            Problem("4x^2 + 0.04y^2", stretched_quadratic, (0.0, 0.0), (0.5, 2.0))]


def gd_settings(h_max, h_min):
    """The best plain learning rate and the contraction per step it achieves."""
    kappa = h_max / h_min
    return {"lr": 2 / (h_max + h_min), "momentum": 0.0, "predicted": (kappa - 1) / (kappa + 1)}


def heavy_ball_settings(h_max, h_min):
    """Polyak's tuned learning rate and momentum, and the contraction per step they achieve."""
    root = math.sqrt(h_max / h_min)
    rate = (root - 1) / (root + 1)
    return {"lr": 4 / (math.sqrt(h_max) + math.sqrt(h_min)) ** 2, "momentum": rate ** 2, "predicted": rate}


def run_sgd(problem, lr, momentum, steps):
    """Distances |w - w*| after each of ``steps`` optim.SGD steps from the problem's start (float64)."""
    w = minigrad.tensor(problem.start, dtype=minigrad.float64, requires_grad=True)
    target = numpy.asarray(problem.minimum)
    optimizer = optim.SGD([w], lr=lr, momentum=momentum)
    distances = [float(numpy.linalg.norm(w.detach().numpy() - target))]
    for _ in range(steps):
        optimizer.zero_grad()
        problem.function(w).backward()
        optimizer.step()
        distances.append(float(numpy.linalg.norm(w.detach().numpy() - target)))
    return distances


def measured_contraction(distances, floor=1e-11):
    """The error's shrink factor per step: exp of the slope of log distance, fitted from a quarter
    of the run (past the start-up) to the point where rounding takes over (``floor`` relative)."""
    distances = numpy.asarray(distances)
    usable = numpy.nonzero(distances <= floor * distances[0])[0]
    end = int(usable[0]) if len(usable) else len(distances)
    start = end // 4
    if end - start < 3:
        raise ValueError(f"too few steps to measure a contraction ({end - start} usable)")
    steps = numpy.arange(start, end)
    slope = numpy.polyfit(steps, numpy.log(distances[start:end]), 1)[0]
    return float(math.exp(slope))


def study(problem, hessian_at, steps):
    """Eigenvalues at the minimum, kappa, and predicted against measured contraction for GD and
    tuned heavy ball. ``hessian_at(function, point)`` returns the dense Hessian (NumPy)."""
    matrix = hessian_at(problem.function, problem.minimum)
    eigenvalues = numpy.linalg.eigvalsh(matrix)[::-1]
    h_max, h_min = float(eigenvalues[0]), float(eigenvalues[-1])
    result = {"name": problem.name, "hessian": matrix.tolist(), "eigenvalues": [h_max, h_min],
              "kappa": h_max / h_min, "runs": {}}
    for method, settings in (("gd", gd_settings(h_max, h_min)), ("heavy_ball", heavy_ball_settings(h_max, h_min))):
        distances = run_sgd(problem, settings["lr"], settings["momentum"], steps)
        result["runs"][method] = dict(settings, measured=measured_contraction(distances), distances=distances)
    return result
