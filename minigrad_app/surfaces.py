"""Test functions for optimizers, written with minigrad ops so their gradients come from autograd."""
from dataclasses import dataclass

import minigrad


@dataclass(frozen=True)
class Surface:
    name: str
    formula: str
    start: tuple
    minimum: float          # the lowest value of the function (for "steps to tolerance")
    bounds: tuple           # (xmin, xmax, ymin, ymax) for the contour plot
    function: object        # f(x, y) on tensors

    def __call__(self, point):
        return self.function(point[0], point[1])


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def _himmelblau(x, y):
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


def _saddle(x, y):
    # a monkey-saddle-free saddle that bends down to a bowl: stalls plain gradient descent near (0, 0)
    return x ** 2 - y ** 2 + 0.25 * y ** 4


def _quadratic(x, y):
    return 0.5 * x ** 2 + 10 * y ** 2  # condition number 20


SURFACES = {
    "rosenbrock": Surface("rosenbrock", "(1-x)^2 + 100(y-x^2)^2", (-1.5, 2.0), 0.0, (-2, 2, -1, 3), _rosenbrock),
    "beale": Surface("beale", "Beale's function", (1.0, 1.5), 0.0, (-1, 4, -1.5, 2), _beale),
    "himmelblau": Surface("himmelblau", "(x^2+y-11)^2 + (x+y^2-7)^2", (-0.5, -0.5), 0.0, (-5, 5, -5, 5), _himmelblau),
    "saddle": Surface("saddle", "x^2 - y^2 + y^4/4", (1.5, 1e-3), -1.0, (-2, 2, -2.2, 2.2), _saddle),
    "quadratic": Surface("quadratic", "x^2/2 + 10 y^2", (-4.0, 1.5), 0.0, (-5, 5, -2, 2), _quadratic),
}


def grid(surface, points=200):
    """Values of the surface on a grid, for contour plots: (xs, ys, zs) as NumPy arrays."""
    xmin, xmax, ymin, ymax = surface.bounds
    xs = minigrad.linspace(xmin, xmax, points, dtype=minigrad.float64)
    ys = minigrad.linspace(ymin, ymax, points, dtype=minigrad.float64)
    x, y = xs.reshape(1, -1).expand(points, points), ys.reshape(-1, 1).expand(points, points)
    with minigrad.no_grad():
        return xs.numpy(), ys.numpy(), surface.function(x, y).numpy()
