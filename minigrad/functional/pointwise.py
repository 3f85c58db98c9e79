"""More element-wise functions of two tensors: ``atan2``, ``hypot``, ``logaddexp``, ``logit``, ``xlogy``.

Operands are promoted as in ``arithmetic`` (integers become the default float type)."""
from minigrad.engine import Tensor
from minigrad.functional._common import cast, float_dtype, operand
from minigrad.functional.arithmetic import clamp, log, log1p, mul, where
from minigrad.ops import combined as cb


def _floats(input, other):  # noqa: A002
    dtype = float_dtype(input, other)
    like = input if isinstance(input, Tensor) else other
    return operand(input, dtype, like), operand(other, dtype, like)


def atan2(input, other):  # noqa: A002
    """The angle of the point (other, input), in (-pi, pi]."""
    return cb.Atan2.apply(*_floats(input, other))


arctan2 = atan2


def hypot(input, other):  # noqa: A002
    return cb.Hypot.apply(*_floats(input, other))


def logaddexp(input, other):  # noqa: A002
    return cb.Logaddexp.apply(*_floats(input, other))


def logit(input, eps=None):  # noqa: A002
    """log(p / (1 - p)), with p first clamped to [eps, 1 - eps] when ``eps`` is given."""
    p = input if input.dtype.kind == "f" else cast(input, float_dtype(input, input))
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p) - log1p(-p)


def xlogy(input, other):  # noqa: A002
    """input * log(other), and 0 where input is 0 (even where log(other) is not finite)."""
    x, y = _floats(input, other)
    return where(x == 0, 0.0, mul(x, log(y)))
