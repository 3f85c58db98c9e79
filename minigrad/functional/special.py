"""Special functions: ``minigrad.erf`` (also ``Tensor.erf``)."""
from minigrad.functional.arithmetic import _unary_float
from minigrad.ops.special import Erf


def erf(input):  # noqa: A002 - PyTorch's name
    """The error function 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt (integers become floats)."""
    return _unary_float(Erf, input)
