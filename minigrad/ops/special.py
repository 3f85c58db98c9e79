"""Special functions: the error function, which GELU needs.

NumPy has no ``erf`` and ``math.erf`` works one element at a time, so :func:`erf_array`
evaluates it on whole arrays (NumPy or CuPy), to within a few float64 ulps of ``math.erf``:

- |x| < 2: the series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)),
  whose terms are all positive (no cancellation);
- |x| >= 2: erf(x) = 1 - erfc(x), with erfc from its continued fraction
  exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), which converges fast there.
"""
import math

from minigrad.backend import array_module
from minigrad.engine import Op

SQRT_PI = math.sqrt(math.pi)
SPLIT = 2.0  # where the series hands over to the continued fraction
SATURATION = 6.0  # erfc(6) < 2.2e-17: beyond it erf(x) is +-1 in float64
FRACTION_DEPTH = 60
MAX_TERMS = 60  # the series needs fewer than 45 terms below SPLIT


def erf_array(x):
    """erf of every element of a floating array, computed in float64 and cast back."""
    xp = array_module(x)
    t = xp.clip(x.astype("float64"), -SATURATION, SATURATION)
    magnitude = xp.abs(t)
    near = xp.minimum(magnitude, SPLIT)
    far = xp.maximum(magnitude, SPLIT)
    out = xp.where(magnitude < SPLIT, _series(near, xp), 1.0 - _complement(far))
    out = xp.where(xp.isnan(t), t, xp.sign(t) * out)
    return out.astype(x.dtype, copy=False)


def _series(t, xp):
    square = t * t
    term, total = t.copy(), t.copy()
    for n in range(MAX_TERMS):
        term = term * (2.0 * square / (2 * n + 3))
        total = total + term
        if not bool((term > 1e-17 * total).any()):
            break
    return (2.0 / SQRT_PI) * _exp_minus_square(t) * total


def _complement(t):
    """erfc(t) for t >= SPLIT, the continued fraction evaluated from its tail."""
    fraction = t.copy()
    for k in range(FRACTION_DEPTH, 0, -1):
        fraction = t + (k / 2.0) / fraction
    return _exp_minus_square(t) / (SQRT_PI * fraction)


def _exp_minus_square(t):
    """exp(-t^2) without the rounding error of ``t * t``, which exp would magnify t^2 times:
    Dekker's split gives that error exactly, and exp(-e) ~ 1 - e corrects for it."""
    square = t * t
    scaled = t * 134217729.0  # 2^27 + 1 splits t into two halves of 26 bits
    high = scaled - (scaled - t)
    low = t - high
    error = ((high * high - square) + 2.0 * high * low) + low * low
    return array_module(t).exp(-square) * (1.0 - error)


class Erf(Op):
    """erf(x); its derivative is 2/sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * (ctx.math.exp(-(x * x)) * (2.0 / SQRT_PI))
