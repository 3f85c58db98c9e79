"""Activation layers: each holds its options and calls its ``nn.functional`` form."""
import warnings

import minigrad
from nn import functional as F
from nn.init import constant_
from nn.module import Module
from nn.parameter import Parameter


def _inplace_text(inplace, first=False):
    """PyTorch's way of showing ``inplace``: only when set, after a comma unless it stands alone."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _Elementwise(Module):
    """An activation without options: ``forward`` applies ``function``."""

    function = None

    def forward(self, input):  # noqa: A002 - PyTorch's name
        return type(self).function(input)


class _ElementwiseInplace(Module):
    """An activation whose only option is ``inplace``."""

    function = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        return type(self).function(input, self.inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class ReLU(_ElementwiseInplace):
    function = F.relu


class SELU(_ElementwiseInplace):
    function = F.selu


class SiLU(_ElementwiseInplace):
    function = F.silu


class Mish(_ElementwiseInplace):
    function = F.mish


class Hardswish(_ElementwiseInplace):
    function = F.hardswish

    def extra_repr(self):
        return ""


class Hardsigmoid(_ElementwiseInplace):
    function = F.hardsigmoid

    def extra_repr(self):
        return ""


class Sigmoid(_Elementwise):
    function = F.sigmoid


class Tanh(_Elementwise):
    function = F.tanh


class LogSigmoid(_Elementwise):
    function = F.logsigmoid


class Softsign(_Elementwise):
    function = F.softsign


class Tanhshrink(_Elementwise):
    function = F.tanhshrink


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):  # noqa: A002
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{_inplace_text(self.inplace)}"


class Hardtanh(Module):
    """x clipped to [min_val, max_val] (``min_value``/``max_value`` are PyTorch's deprecated names)."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", stacklevel=2)
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input):  # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_text(self.inplace)}"


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class Threshold(Module):
    """x where x > threshold, else ``value``."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):  # noqa: A002
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{_inplace_text(self.inplace)}"


class RReLU(Module):
    """Leaky ReLU whose negative slope is drawn uniformly from [lower, upper] per element while
    training (from the seeded generator) and is (lower + upper) / 2 in ``eval()`` mode."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):  # noqa: A002
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{_inplace_text(self.inplace)}"


class ELU(Module):
    function = F.elu

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):  # noqa: A002
        return type(self).function(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}{_inplace_text(self.inplace)}"


class CELU(ELU):
    function = F.celu


class GELU(Module):
    """x Phi(x); ``approximate='tanh'`` uses the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardshrink(Module):
    function = F.hardshrink

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):  # noqa: A002
        return type(self).function(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    function = F.softshrink


class PReLU(Module):
    """Leaky ReLU with learned negative slopes: one shared (``num_parameters=1``) or one per
    channel of dimension 1, all starting at ``init``."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):  # noqa: A002 - PyTorch's names
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(minigrad.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        constant_(self.weight, self.init)

    def forward(self, input):  # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """The first half of the input along ``dim`` gated by the sigmoid of the second half."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(Module):
    function = F.softmax

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return type(self).function(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    function = F.log_softmax


class Softmin(Softmax):
    function = F.softmin


class Softmax2d(Module):
    """Softmax over the channels of a (N, C, H, W) or (C, H, W) input, at every position."""

    def forward(self, input):  # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3)
