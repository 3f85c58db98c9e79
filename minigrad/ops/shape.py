"""Ops that move values around without changing them.

The first group are views (``is_view``): their output shares the input's memory, as PyTorch's
``view``, ``transpose``, ``expand``, basic indexing... do. A view's gradient is its input-sized
zeros with the gradient written into the same view (``ViewAssign``), or a reshape back. The
second group (``cat``, ``stack``, ``flip``, ``roll``, ``repeat``) copy.
"""
from numpy.lib.stride_tricks import as_strided

from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.views import ViewAssign


class View(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.reshape(grad, ctx.shape)


class Squeeze(View, name="SqueezeBackward1"):
    pass


class SqueezeAll(View, name="SqueezeBackward0"):
    pass


class Unsqueeze(View):
    pass


class UnsafeView(View, name="UnsafeViewBackward0"):
    """``reshape`` of a fresh copy (when the layout cannot be viewed): not a view of the input."""

    is_view = False


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.axes)
        for position, axis in enumerate(ctx.axes):
            inverse[axis] = position
        return ctx.math.permute(grad, tuple(inverse))


class Transpose(Permute):
    pass


class T(Permute):
    pass


class Expand(Op):
    """A view that repeats size-1 axes (stride 0); the engine sums the gradient back. Writing
    into repeated elements is refused by the in-place check, not by a read-only flag, so a
    part without repeats (``x.expand(2, 3)[0]``) stays writable, as in PyTorch."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        xp = array_module(x)
        out = xp.broadcast_to(x, shape)  # checks the shapes
        if xp.__name__ != "numpy":
            return out
        lead = len(shape) - x.ndim
        strides = (0,) * lead + tuple(0 if n == 1 and m != 1 else s
                                      for n, m, s in zip(x.shape, out.shape[lead:], x.strides))
        return as_strided(x, out.shape, strides, writeable=x.flags.writeable)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _Region(Op):
    """A view of part of the input; its gradient is zeros with the gradient placed in the part."""

    is_view = True

    @classmethod
    def region_backward(cls, ctx, grad, *args):
        m = ctx.math
        return m.op(ViewAssign, m.zeros(ctx.shape, grad), grad, ((cls, args, {}),))


class Select(_Region):
    """``x.select(axis, index)``: one position along ``axis``, which disappears."""

    @staticmethod
    def forward(ctx, x, axis, index):
        ctx.shape, ctx.args = x.shape, (axis, index)
        return x[(slice(None),) * axis + (index, Ellipsis)]  # Ellipsis: a 0-d view, never a scalar

    @classmethod
    def backward(cls, ctx, grad):
        return cls.region_backward(ctx, grad, *ctx.args)


class Slice(_Region):
    """``x[..., start:stop:step, ...]`` along ``axis`` (also ``narrow``, ``split`` and ``chunk``)."""

    @staticmethod
    def forward(ctx, x, axis, start, stop, step=1):
        ctx.shape, ctx.args = x.shape, (axis, start, stop, step)
        return x[(slice(None),) * axis + (slice(start, stop, step),)]

    @classmethod
    def backward(cls, ctx, grad):
        return cls.region_backward(ctx, grad, *ctx.args)


class SplitSlice(Slice, name="SplitBackward0"):
    """One piece of ``split(int)`` or ``chunk``: a slice under PyTorch's name for it."""


class SplitWithSizesSlice(Slice, name="SplitWithSizesBackward0"):
    """One piece of ``split(list)``."""


class UnbindSelect(Select, name="UnbindBackward0"):
    """One piece of ``unbind``."""


class Diagonal(_Region):
    """The diagonal at ``offset`` of the axes ``dim1`` and ``dim2``, as a writable last axis."""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        start = [0] * x.ndim
        start[dim2 if offset >= 0 else dim1] = abs(offset)
        length = max(0, min(x.shape[dim1] - start[dim1], x.shape[dim2] - start[dim2]))
        kept = [i for i in range(x.ndim) if i not in (dim1, dim2)]
        corner = x[tuple(slice(s, None) if n else slice(None) for s, n in zip(start, x.shape))] if length else x
        strides = tuple(x.strides[i] for i in kept) + (x.strides[dim1] + x.strides[dim2],)
        shape = tuple(x.shape[i] for i in kept) + (length,)
        xp = array_module(x)
        if xp.__name__ == "numpy":
            return as_strided(corner, shape, strides, writeable=x.flags.writeable)
        return xp.lib.stride_tricks.as_strided(corner, shape, strides)

    @classmethod
    def backward(cls, ctx, grad):
        return cls.region_backward(ctx, grad, *ctx.args)


# ---- copies ------------------------------------------------------------------------------------

class Cat(Op):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis, ctx.sizes = axis, [a.shape[axis] for a in arrays]
        return array_module(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(ctx.math.op(Slice, grad, ctx.axis, start, start + size))
            start += size
        return tuple(grads)


class Stack(Op):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return array_module(arrays[0]).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(ctx.math.op(Select, grad, ctx.axis, i) for i in range(grad.shape[ctx.axis]))


class Flip(Op):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return array_module(x).flip(x, axes).copy()

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(Flip, grad, ctx.axes)


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return array_module(x).roll(x, shifts, axes)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(Roll, grad, tuple(-s for s in ctx.shifts), ctx.axes)


class Repeat(Op):
    """``x.repeat(*sizes)``: tile the input ``sizes[i]`` times along axis i (leading axes added)."""

    @staticmethod
    def forward(ctx, x, sizes):
        shape = (1,) * (len(sizes) - x.ndim) + x.shape
        ctx.shape, ctx.sizes = shape, sizes
        return array_module(x).tile(x.reshape(shape), sizes)

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        split = tuple(n for pair in zip(ctx.sizes, ctx.shape) for n in pair)  # (r0, s0, r1, s1, ...)
        summed = m.sum(m.reshape(grad, split), tuple(range(0, len(split), 2)), False)
        return summed
