"""Reductions over one, several or all dimensions, with ``keepdim``."""
from minigrad.autograd import Op
from minigrad.backend import array_module
from minigrad.ops.elementwise import quiet


def normalize_dims(dim, ndim, op="reduction"):
    """``dim`` (None, int or tuple, negatives allowed) as a sorted tuple of axes, or None for all."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    rank = max(ndim, 1)
    axes = []
    for d in dims:
        if not isinstance(d, int):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {d!r}")
        if not -rank <= d < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
                             f"but got {d})")
        axes.append(d % rank)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else None


def expand_back(grad, shape, axes, keepdim):
    """Broadcast a reduced gradient back to the input's ``shape``."""
    if axes is not None and not keepdim:
        grad = grad.reshape([1 if i in axes else n for i, n in enumerate(shape)])
    return array_module(grad).broadcast_to(grad, shape)


def reduced_count(shape, axes):
    count = 1
    for i, n in enumerate(shape):
        if axes is None or i in axes:
            count *= n
    return count


class Sum(Op):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim)


class Mean(Op):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        with quiet():
            return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        count = reduced_count(ctx.shape, ctx.axes)
        return expand_back(grad, ctx.shape, ctx.axes, ctx.keepdim) / grad.dtype.type(count)


class Var(Op):
    """Variance with ``correction`` (1: the unbiased estimate, PyTorch's default)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.correction, ctx.keepdim = axes, correction, keepdim
        with quiet():
            return x.var(axis=axes, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return _var_backward(x, grad, ctx.axes, ctx.correction, ctx.keepdim)


def _var_backward(x, grad, axes, correction, keepdim):
    count = reduced_count(x.shape, axes)
    centered = x - x.mean(axis=axes, keepdims=True)
    with quiet():
        scale = x.dtype.type(2.0 / (count - correction)) if count > correction else x.dtype.type("inf")
    return scale * expand_back(grad, x.shape, axes, keepdim) * centered


class Std(Op):
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
            return _var_backward(x, grad / (2 * out), ctx.axes, ctx.correction, ctx.keepdim)


class Amax(Op):
    """Largest value; ties share the gradient evenly (as PyTorch's amax and max())."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = x.max(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return _share_among_ties(x, out, grad, ctx.axes, ctx.keepdim)


class Amin(Amax):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = x.min(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out


def _share_among_ties(x, out, grad, axes, keepdim):
    winners = x == expand_back(out, x.shape, axes, keepdim)
    count = winners.sum(axis=axes, keepdims=True)
    return expand_back(grad, x.shape, axes, keepdim) * winners / count.astype(grad.dtype)


class MaxAlongDim(Op):
    """``max(dim)``: values and indices; the gradient goes to the index returned."""

    @staticmethod
    def forward(ctx, x, axis, keepdim, take_min=False):
        xp = array_module(x)
        indices = xp.expand_dims((x.argmin if take_min else x.argmax)(axis=axis), axis)
        values = xp.take_along_axis(x, indices, axis=axis)
        ctx.save_for_backward(indices)
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        if not keepdim:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return values, indices

    @staticmethod
    def backward(ctx, grad):
        indices, = ctx.saved_tensors
        xp = array_module(grad)
        if not ctx.keepdim:
            grad = xp.expand_dims(grad, ctx.axis)
        positions = xp.arange(ctx.shape[ctx.axis]).reshape([-1 if i == ctx.axis else 1 for i in range(len(ctx.shape))])
        return xp.where(positions == indices, grad, grad.dtype.type(0))


class LogSumExp(Op):
    """log(sum(exp(x))) computed around the maximum so large inputs do not overflow."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = array_module(x)
        peak = x.max(axis=axes, keepdims=True)
        peak = xp.where(xp.isfinite(peak), peak, 0)
        with quiet():
            out = xp.log(xp.exp(x - peak).sum(axis=axes, keepdims=True)) + peak
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        if not keepdim:
            out = out.reshape([n for i, n in enumerate(out.shape) if axes is not None and i not in axes])
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with quiet():
            return expand_back(grad, x.shape, ctx.axes, ctx.keepdim) * array_module(x).exp(x - out)
