"""Activation functions of ``nn.functional`` (``F.relu``, ``F.gelu``, ``F.hardswish``...).

Each is composed of differentiable minigrad functions, so first and second derivatives come
from the pieces. Where PyTorch's gradient at a kink is a convention (hardtanh passes no gradient
at its bounds, threshold none at the threshold), a ``where`` with a constant branch gives the same.
An ``inplace=True`` form writes the result into the input through ``apply_inplace``, which
records it as PyTorch does.
"""
import math

import numpy

import minigrad
from minigrad import Tensor
from minigrad.functional.activation import leaky_relu as _leaky_relu
from minigrad.functional.activation import softmax, softmax_dim
from minigrad.functional.arithmetic import relu as _relu
from minigrad.functional.special import erf
from minigrad.ops import loss_ops
from minigrad.views import apply_inplace

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(function, input, inplace, *args):  # noqa: A002 - PyTorch's name
    return apply_inplace(input, function, *args) if inplace else function(input, *args)


def relu(input, inplace=False):  # noqa: A002
    return input.relu_() if inplace else _relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    return _maybe_inplace(_leaky_relu, input, inplace, negative_slope)


def _hardtanh(x, min_val, max_val):
    # the clipped values outside are constants: PyTorch passes no gradient at or beyond the bounds
    inside = (x > min_val) & (x < max_val)
    return minigrad.where(inside, x, x.clamp(min_val, max_val).detach())


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):  # noqa: A002
    """x clipped to [min_val, max_val]; the gradient is 1 strictly inside, 0 elsewhere (PyTorch's)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(_hardtanh, input, inplace, min_val, max_val)


def relu6(input, inplace=False):  # noqa: A002
    return hardtanh(input, 0.0, 6.0, inplace)


def _threshold(x, threshold, value):
    return minigrad.where(x > threshold, x, value)


def threshold(input, threshold, value, inplace=False):  # noqa: A002
    """x where x > threshold, else ``value``."""
    return _maybe_inplace(_threshold, input, inplace, threshold, value)


def _elu(x, alpha, scale=1.0, input_scale=1.0):
    out = minigrad.where(x > 0, x, (x.clamp(max=0) * input_scale).expm1() * alpha)
    return out if scale == 1.0 else out * scale


def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    """x for x > 0, alpha (exp(x) - 1) otherwise (expm1 of min(x, 0): no overflow for large x)."""
    return _maybe_inplace(_elu, input, inplace, alpha)


def selu(input, inplace=False):  # noqa: A002
    return _maybe_inplace(_elu, input, inplace, SELU_ALPHA, SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):  # noqa: A002
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(_elu, input, inplace, alpha, 1.0, 1.0 / alpha)


def gelu(input, approximate="none"):  # noqa: A002
    """x Phi(x) with Phi the standard normal CDF (through erf), or its tanh approximation."""
    if approximate == "none":
        return input * 0.5 * (1 + erf(input * (1 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch)."""
    scaled = input * beta
    return minigrad.where(scaled > threshold, input, scaled.clamp(max=threshold).exp().log1p() / beta)


def _silu(x):
    return x * x.sigmoid()


def silu(input, inplace=False):  # noqa: A002
    return _maybe_inplace(_silu, input, inplace)


def _mish(x):
    return x * softplus(x).tanh()


def mish(input, inplace=False):  # noqa: A002
    """x tanh(softplus(x))."""
    return _maybe_inplace(_mish, input, inplace)


def _hardsigmoid(x):
    # PyTorch's backward multiplies by the float constant 1.0f / 6 whatever the dtype: the same
    # slope here, with the value itself still (x + 3) / 6
    slope = float(numpy.float32(1) / numpy.float32(6))
    linear = x * slope + ((x + 3) / 6 - x * slope).detach()
    inside = (x > -3) & (x < 3)
    return minigrad.where(inside, linear, (x >= 3).to(x.dtype))


def hardsigmoid(input, inplace=False):  # noqa: A002
    """relu6(x + 3) / 6; the gradient is 1/6 strictly between -3 and 3."""
    return _maybe_inplace(_hardsigmoid, input, inplace)


def _hardswish(x):
    middle = minigrad.where(x < 3, x * (x + 3) / 6, x)
    return minigrad.where(x <= -3, 0.0, middle)


def hardswish(input, inplace=False):  # noqa: A002
    """x relu6(x + 3) / 6."""
    return _maybe_inplace(_hardswish, input, inplace)


def softsign(input):  # noqa: A002
    return input / (1 + input.abs())


def logsigmoid(input):  # noqa: A002
    """log(sigmoid(x)), stable for large |x|."""
    return loss_ops.LogSigmoid.apply(input)


def tanhshrink(input):  # noqa: A002
    return input - input.tanh()


def hardshrink(input, lambd=0.5):  # noqa: A002
    """x where |x| > lambd, else 0."""
    return minigrad.where(input.abs() > lambd, input, 0.0)


def softshrink(input, lambd=0.5):  # noqa: A002
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        largest = numpy.finfo(input.array.dtype).max if input.dtype.kind == "f" else numpy.iinfo(input.array.dtype).max
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype {input.dtype.legacy_name}, "
                           f"but found {lambd:g}")
    return minigrad.where(input > lambd, input - lambd, minigrad.where(input < -lambd, input + lambd, 0.0))


def softmin(input, dim=None, _stacklevel=3, dtype=None):  # noqa: A002
    """softmax(-x)."""
    if dim is None:
        dim = softmax_dim(input, None, "softmin")
    return softmax(-input if dtype is None else -input.to(dtype), dim)


def glu(input, dim=-1):  # noqa: A002
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = input.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {size}")
    first, second = input.chunk(2, dim)
    return first * second.sigmoid()


def prelu(input, weight):  # noqa: A002
    """x for x > 0, a x otherwise, with one learned slope a per channel (dimension 1) or one for all."""
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    if weight.numel() not in (1, channels):
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{weight.numel()} and channel size = {channels}.")
    if weight.numel() > 1:
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    elif input.ndim:
        weight = weight.reshape(())
    return minigrad.where(input > 0, input, weight * input)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):  # noqa: A002
    """Leaky ReLU with a random slope: in training, each non-positive element draws its own slope
    uniformly from [lower, upper] (one double from the seeded generator per such element, in
    order, as PyTorch's CPU kernel); in evaluation the slope is (lower + upper) / 2."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    return _maybe_inplace(_random_slopes, input, inplace, lower, upper)


def _random_slopes(x, lower, upper):
    negative = x.array <= 0
    count = int(negative.sum())
    slopes = minigrad.ones(tuple(x.shape), dtype=x.dtype, device=x.device)
    if count:
        draws = minigrad.empty(count, dtype=minigrad.float64, device=x.device).uniform_(lower, upper)
        opmath = minigrad.float64 if x.dtype == minigrad.float64 else minigrad.float32
        slopes.array[negative] = draws.to(opmath).to(x.dtype).array
    return x * slopes
