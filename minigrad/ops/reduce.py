"""Reductions over one, several or all dimensions, with ``keepdim``; and cumulative sums."""
from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.ops.elementwise import quiet
from minigrad.ops.index import Scatter


def expand_back(m, grad, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's ``shape`` (``axes`` None: all of them)."""
    if axes is not None and not keepdim:
        grad = m.reshape(grad, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return m.expand(grad, shape)


def reduced_count(shape, axes):
    count = 1
    for i, n in enumerate(shape):
        if axes is None or i in axes:
            count *= n
    return count


class Sum(Op, name="SumBackward1"):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return expand_back(ctx.math, grad, ctx.shape, ctx.axes, ctx.keepdim)


class SumAll(Sum, name="SumBackward0"):
    """``x.sum()`` (all dimensions): PyTorch names its node apart from the sum over ``dim``."""


class Mean(Op, name="MeanBackward1"):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        if x.size == 0:  # the mean of nothing is NaN, quietly (NumPy warns)
            shape = x.sum(axis=axes, keepdims=keepdim).shape
            return array_module(x).full(shape, float("nan"), dtype=x.dtype)
        with quiet():
            return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        count = reduced_count(ctx.shape, ctx.axes)
        with quiet():
            return expand_back(ctx.math, grad, ctx.shape, ctx.axes, ctx.keepdim) / count


class MeanAll(Mean, name="MeanBackward0"):
    pass


class Var(Op):
    """Variance with ``correction`` (1: the unbiased estimate, PyTorch's default):
    d/dx = 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction, ctx.keepdim = axes, correction, keepdim
        with quiet():
            return x.var(axis=axes, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return variance_backward(ctx.math, x, grad, ctx.axes, ctx.correction, ctx.keepdim)


def variance_backward(m, x, grad, axes, correction, keepdim):
    count = reduced_count(tuple(x.shape), axes)
    with quiet():
        centered = x - m.sum(x, axes, True) / count
        scale = 2.0 / (count - correction) if count > correction else float("inf")
        return expand_back(m, grad, tuple(x.shape), axes, keepdim) * centered * scale


class Std(Op):
    """Standard deviation: d/dx = (x - mean) / ((n - correction) std)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        with quiet():
            out = x.std(axis=axes, ddof=correction, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.correction, ctx.keepdim = axes, correction, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with quiet():
            return variance_backward(ctx.math, x, grad / (out * 2), ctx.axes, ctx.correction, ctx.keepdim)


class Amax(Op):
    """Largest value; ties share the gradient evenly (as PyTorch's amax and max())."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = x.max(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(_tie_shares(x, out, axes, keepdim))
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        shares, = ctx.saved_tensors
        return expand_back(ctx.math, grad, ctx.shape, ctx.axes, ctx.keepdim) * shares


class Amin(Amax):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = x.min(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(_tie_shares(x, out, axes, keepdim))
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return out


class MaxAll(Amax, name="MaxBackward1"):
    """``x.max()``: the maximum of every element."""


class MinAll(Amin, name="MinBackward1"):
    pass


def _tie_shares(x, out, axes, keepdim):
    """1/k where x is one of the k elements equal to its reduction's result, else 0
    (NaN compares equal to NaN here: a NaN maximum takes the gradient, as in PyTorch)."""
    xp = array_module(x)
    if axes is not None and not keepdim:
        out = out.reshape([1 if i in axes else n for i, n in enumerate(x.shape)])
    winners = (x == out) | (xp.isnan(x) & xp.isnan(out))
    count = winners.sum(axis=axes, keepdims=True)
    with quiet():
        return (winners / count).astype(x.dtype)


class MaxAlongDim(Op, name="MaxBackward0"):
    """``max(dim)``: values and indices; the gradient goes to the index returned."""

    take_min = False

    @classmethod
    def forward(cls, ctx, x, axis, keepdim):
        xp = array_module(x)
        indices = xp.expand_dims((x.argmin if cls.take_min else x.argmax)(axis=axis), axis)
        values = xp.take_along_axis(x, indices, axis=axis)
        ctx.indices, ctx.shape, ctx.axis, ctx.keepdim = indices, x.shape, axis, keepdim
        if not keepdim:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return values, indices.astype("int64")

    @staticmethod
    def backward(ctx, grad, _indices_grad=None):
        m = ctx.math
        if not ctx.keepdim:
            grad = m.reshape(grad, ctx.indices.shape)
        return m.op(Scatter, m.zeros(ctx.shape, grad), grad, ctx.indices, ctx.axis)


class MinAlongDim(MaxAlongDim, name="MinBackward0"):
    take_min = True


class LogSumExp(Op, name="LogsumexpBackward0"):
    """log(sum(exp(x))) computed around the maximum so large inputs do not overflow."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = array_module(x)
        if x.size == 0:  # log of an empty sum: -inf (or an empty result when other axes are empty)
            peak = xp.zeros(x.sum(axis=axes, keepdims=True).shape, dtype=x.dtype)
        else:
            peak = x.max(axis=axes, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, 0)
        with quiet():
            out = xp.log(xp.exp(x - peak).sum(axis=axes, keepdims=True)) + peak
        if not keepdim:
            out = out.reshape([n for i, n in enumerate(out.shape) if axes is not None and i not in axes])
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        m, shape = ctx.math, tuple(x.shape)
        with quiet():
            return (expand_back(m, grad, shape, ctx.axes, ctx.keepdim)
                    * m.exp(x - expand_back(m, out, shape, ctx.axes, ctx.keepdim)))


class Norm(Op, name="LinalgVectorNormBackward0"):
    """The 2-norm: d/dx = x / |x|, taken as 0 at the zero vector (PyTorch's choice)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = array_module(x)
        out = xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        m, shape = ctx.math, tuple(x.shape)
        norm = expand_back(m, out, shape, ctx.axes, ctx.keepdim)
        with quiet():
            scaled = m.where(norm == 0, 0, x / norm)
        return expand_back(m, grad, shape, ctx.axes, ctx.keepdim) * scaled


class Cumsum(Op):
    """Running sums along ``axis`` (``reverse``: from the end); the gradient is the reverse running sum."""

    @staticmethod
    def forward(ctx, x, axis, reverse=False):
        ctx.axis, ctx.reverse = axis, reverse
        xp = array_module(x)
        if reverse:
            return xp.flip(xp.cumsum(xp.flip(x, axis), axis=axis), axis).copy()
        return xp.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(Cumsum, grad, ctx.axis, not ctx.reverse)
