"""Indexing with index arrays (PyTorch's advanced indexing, ``gather``, ``scatter``): copies, not views.

Each op's gradient is the other's: reading ``x[index]`` sends the gradient back by adding it at
``index`` (repeated indices accumulate), and writing at ``index`` reads the gradient there.
"""
from minigrad.backend import array_module, scatter_add
from minigrad.engine import Op


class Index(Op):
    """``x[index]`` where the index holds integer or bool arrays."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return array_module(x).ascontiguousarray(x[index])  # NumPy may pick a transposed layout

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        return m.op(IndexPut, m.zeros(ctx.shape, grad), grad, ctx.index, True)


class IndexPut(Op):
    """A copy of ``x`` with ``values`` written at ``index``, or added there when ``accumulate``."""

    @staticmethod
    def forward(ctx, x, values, index, accumulate=False):
        ctx.index, ctx.accumulate = index, accumulate
        out = x.copy()
        if accumulate:
            scatter_add(out, index, values)
        else:
            out[index] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        needs_x, needs_values = ctx.needs_input_grad
        grad_x = None
        if needs_x:
            grad_x = grad if ctx.accumulate else m.op(IndexPut, grad, m.zeros((), grad), ctx.index)
        return grad_x, m.op(Index, grad, ctx.index) if needs_values else None


class IndexAdd(IndexPut, name="IndexAddBackward0"):
    """``index_add``: values added along one axis."""


class IndexFill(IndexPut, name="IndexFillBackward0"):
    """``index_fill`` with a number."""


class IndexFillTensor(IndexPut, name="IndexFillBackward1"):
    """``index_fill`` with a 0-d tensor."""


def along_axis(indices, axis):
    """The full index that pairs ``indices`` (positions along ``axis``) with every other axis."""
    xp = array_module(indices)
    grids = []
    for dim, size in enumerate(indices.shape):
        shape = [1] * indices.ndim
        shape[dim] = size
        grids.append(indices if dim == axis else xp.arange(size).reshape(shape))
    return tuple(grids)


class Gather(Op):
    """``x.gather(axis, indices)``: out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis``."""

    @staticmethod
    def forward(ctx, x, indices, axis):
        ctx.shape, ctx.indices, ctx.axis = x.shape, indices, axis
        return x[along_axis(indices, axis)]

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        return m.op(Scatter, m.zeros(ctx.shape, grad), grad, ctx.indices, ctx.axis, True)


class Scatter(Op):
    """A copy of ``x`` with ``src`` written (or added, ``accumulate``) at ``indices`` along ``axis``;
    ``src`` has the shape of ``indices`` (or is a scalar)."""

    @staticmethod
    def forward(ctx, x, src, indices, axis, accumulate=False):
        ctx.indices, ctx.axis, ctx.accumulate = indices, axis, accumulate
        out = x.copy()
        index = along_axis(indices, axis)
        if accumulate:
            scatter_add(out, index, src)
        else:
            out[index] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        needs_x, needs_src = ctx.needs_input_grad
        grad_x = None
        if needs_x:
            grad_x = grad if ctx.accumulate else m.op(Scatter, grad, m.zeros((), grad), ctx.indices, ctx.axis)
        return grad_x, m.op(Gather, grad, ctx.indices, ctx.axis) if needs_src else None


class ScatterAdd(Scatter, name="ScatterAddBackward0"):
    pass


class ScatterValue(Scatter, name="ScatterBackward1"):
    """``scatter`` of a number."""


class IndexSelect(Index, name="IndexSelectBackward0"):
    pass


class MaskedSelect(Index, name="MaskedSelectBackward0"):
    pass


class Sort(Gather, name="SortBackward0"):
    """The values of ``sort``: the input gathered in sorted order."""


class Topk(Gather, name="TopkBackward0"):
    pass


class MaskedScatter(IndexPut, name="MaskedScatterBackward0"):
    """``masked_scatter``: the first elements of a source written where a mask is true."""
