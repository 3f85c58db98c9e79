"""Ops that move values around without changing them: reshape, transpose, indexing, joining."""
from minigrad.autograd import Op
from minigrad.backend import array_module, scatter_add
from minigrad.ops.elementwise import unbroadcast


class Reshape(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Permute(Op):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.axes)
        for position, axis in enumerate(ctx.axes):
            inverse[axis] = position
        return grad.transpose(inverse)


class Expand(Op):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return array_module(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shape)


class Contiguous(Op):
    @staticmethod
    def forward(ctx, x):
        return array_module(x).ascontiguousarray(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def has_advanced_index(index):
    """True when numpy would treat ``index`` as advanced indexing (arrays or lists inside)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(hasattr(p, "ndim") and p.ndim > 0 or isinstance(p, (list, bool)) or
               hasattr(p, "dtype") and p.dtype.kind == "b" for p in parts)


class GetItem(Op):
    """``x[index]``; the backward scatters with add.at so repeated indices accumulate."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        out = xp.zeros(ctx.shape, dtype=grad.dtype)
        if has_advanced_index(ctx.index):
            scatter_add(out, ctx.index, grad)
        else:
            out[ctx.index] = grad
        return out


class SetItem(Op):
    """Out-of-place ``x[index] = value``: used for in-place assignment on tensors with history."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index, ctx.value_shape = index, value.shape
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_x = grad.copy()
        grad_x[ctx.index] = 0
        grad_value = None
        if ctx.needs_input_grad[1]:
            grad_value = unbroadcast(grad[ctx.index], ctx.value_shape)
        return grad_x, grad_value


class Cat(Op):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return array_module(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            index = [slice(None)] * grad.ndim
            index[ctx.axis] = slice(start, start + size)
            grads.append(grad[tuple(index)])
            start += size
        return tuple(grads)


class Stack(Op):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return array_module(arrays[0]).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        return tuple(xp.take(grad, i, axis=ctx.axis) for i in range(grad.shape[ctx.axis]))
