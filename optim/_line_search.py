"""The strong-Wolfe line search of L-BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed.,
algorithms 3.5 and 3.6), with cubic interpolation, as PyTorch ports it from minFunc.

Along a descent direction d from the point x, with f(0) = f and slope f'(0) = g'd < 0, a step
length t is accepted when it satisfies both strong Wolfe conditions:

    f(t) <= f(0) + c1 t f'(0)         (sufficient decrease, Armijo)
    |f'(t)| <= c2 |f'(0)|             (curvature: the slope has flattened enough)

Phase 1 (bracketing) grows t until an interval [t_lo, t_hi] is known to hold such a point;
phase 2 (zoom) shrinks that interval by cubic interpolation until one is found.

Scalars stay in the precision of the gradients (array scalars), as PyTorch's 0-d tensors do.
"""
from minigrad.backend import array_module


class _Trial:
    """A step length tried along d: its loss f, gradient g and slope gtd = g'd."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped
    to ``bounds`` (default: the interval between x1 and x2); the middle when it has none."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = array_module(d2_square).sqrt(d2_square)
    if x1 <= x2:
        position = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        position = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(position, low), high)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Search a step length along ``d`` from the current point (loss ``f``, flat gradient ``g``,
    slope ``gtd``), starting from ``t``. ``evaluate(t)`` returns the loss and the flat gradient
    at x + t d. Returns (loss, flat gradient, t, evaluations) at the step found."""
    start = _Trial(0, f, g.copy(), gtd)
    bracket, done, iterations = _bracket(evaluate, start, t, d, c1, c2, max_ls)
    if done:
        best = bracket[0]
    else:
        best, iterations = _zoom(evaluate, start, bracket, d, c1, c2, tolerance_change, max_ls, iterations)
    return best.f, best.g, best.t, iterations + 1  # the first trial is not counted as an iteration


def _try(evaluate, t, d):
    f, g = evaluate(t)
    return _Trial(t, f, g, g.dot(d))


def _lowest(bracket):
    """(position of the end with the lower loss, position of the other end)."""
    return (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)


def _too_high(start, trial, c1):
    """The trial breaks the sufficient-decrease (Armijo) condition."""
    return trial.f > start.f + c1 * trial.t * start.gtd


def _bracket(evaluate, start, t, d, c1, c2, max_ls):
    """Phase 1: returns (bracket, done, iterations); ``done`` when the bracket is a single
    trial that satisfies both conditions already."""
    previous, trial = start, _try(evaluate, t, d)
    iterations = 0
    while iterations < max_ls:
        if _too_high(start, trial, c1) or (iterations > 1 and trial.f >= previous.f):
            return [previous, trial], False, iterations
        if abs(trial.gtd) <= -c2 * start.gtd:
            return [trial], True, iterations
        if trial.gtd >= 0:  # the slope turned: a minimum lies behind us
            return [previous, trial], False, iterations
        # extrapolate, at least 1% beyond the current trial and at most 10 times its length
        low, high = trial.t + 0.01 * (trial.t - previous.t), trial.t * 10
        t = _cubic_interpolate(previous.t, previous.f, previous.gtd, trial.t, trial.f, trial.gtd, bounds=(low, high))
        previous, trial = trial, _try(evaluate, t, d)
        iterations += 1
    return [start, trial], False, iterations


def _zoom(evaluate, start, bracket, d, c1, c2, tolerance_change, max_ls, iterations):
    """Phase 2: shrink the bracket until a trial satisfies both conditions, the budget of
    ``max_ls`` line-search iterations is spent, or the bracket is too small to matter.
    Returns (the end of the bracket with the lower loss, iterations)."""
    d_norm = abs(d).max()
    low, high = _lowest(bracket)
    stalled = False
    while iterations < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0].t, bracket[0].f, bracket[0].gtd, bracket[1].t, bracket[1].f, bracket[1].gtd)
        t, stalled = _keep_inside(t, bracket[0].t, bracket[1].t, stalled)
        trial = _try(evaluate, t, d)
        iterations += 1
        if _too_high(start, trial, c1) or trial.f >= bracket[low].f:
            bracket[high] = trial
            low, high = _lowest(bracket)
            continue
        if abs(trial.gtd) <= -c2 * start.gtd:
            bracket[low] = trial
            break
        if trial.gtd * (bracket[high].t - bracket[low].t) >= 0:
            bracket[high] = bracket[low]  # the old low end becomes the high end
        bracket[low] = trial
    return bracket[low], iterations


def _keep_inside(t, a, b, stalled):
    """Returns (t, stalled). A trial within 10% of the bracket's length from an end makes
    little progress: the second time in a row (or when it is at or beyond an end), it is
    moved to 10% inside from the nearer end."""
    low, high = min(a, b), max(a, b)
    margin = 0.1 * (high - low)
    if not min(high - t, t - low) < margin:
        return t, False
    if stalled or t >= high or t <= low:
        return (high - margin if abs(t - high) < abs(t - low) else low + margin), False
    return t, True
