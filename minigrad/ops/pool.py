"""Max, average and adaptive pooling, and the ops that carry their gradients.

Max pooling keeps, per window, the offset of its FIRST maximum in row-major order: that is where
PyTorch sends the gradient when several elements tie. Its gradient scatters into the winners
(``MaxPoolScatter``); the gradient of that scatter gathers from the winners (``MaxPoolGather``),
and back again. Average pooling is linear: its gradient spreads each window's gradient evenly
(``AvgPoolSpread``), whose own gradient is average pooling. The window bookkeeping is in
``minigrad.kernels.pool``.
"""
from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.kernels.pool import averaging_matrix, max_pool


class MaxPool2d(Op, name="MaxPool2DWithIndicesBackward0"):
    """out = max over each window (``windows``: a ``kernels.pool.Windows``); with ``indices``
    also each maximum's flat position in its input plane, as PyTorch's ``return_indices``."""

    @staticmethod
    def forward(ctx, x, windows, flat_index=None):
        out, winner = max_pool(x, windows)
        ctx.windows, ctx.winner = windows, winner
        return out if flat_index is None else (out, flat_index(winner))

    @staticmethod
    def backward(ctx, grad, _indices_grad=None):
        return ctx.math.op(MaxPoolScatter, grad, ctx.winner, ctx.windows)


class AdaptiveMaxPool2d(MaxPool2d, name="AdaptiveMaxPool2DBackward0"):
    pass


class MaxPoolScatter(Op, name="MaxPool2DWithIndicesBackwardBackward0"):
    """The input-shaped gradient of max pooling: each window's gradient at its winner."""

    @staticmethod
    def forward(ctx, grad, winner, windows):
        ctx.winner, ctx.windows = winner, windows
        return windows.scatter(grad, winner)

    @staticmethod
    def backward(ctx, gg):
        return ctx.math.op(MaxPoolGather, gg, ctx.winner, ctx.windows)


class MaxPoolGather(Op):
    """Per window, the value at its winner: the gradient of :class:`MaxPoolScatter`."""

    @staticmethod
    def forward(ctx, values, winner, windows):
        ctx.winner, ctx.windows = winner, windows
        return windows.gather(values, winner)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(MaxPoolScatter, grad, ctx.winner, ctx.windows)


class AvgPool2d(Op, name="AvgPool2DBackward0"):
    """out = (sum over each window) / divisor; ``divisor`` is a number or an (Ho, Wo) array."""

    @staticmethod
    def forward(ctx, x, windows, divisor):
        ctx.windows, ctx.divisor = windows, divisor
        slices = windows.candidates(windows.pad(x, 0))
        total = slices[0].copy() if len(slices) == 1 else slices[0] + slices[1]
        for candidate in slices[2:]:
            total += candidate
        if x.dtype.kind != "f":  # integer pooling truncates, like PyTorch's
            return array_module(x).trunc(total / divisor).astype(x.dtype)
        return array_module(x).divide(total, divisor, out=total)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(AvgPoolSpread, grad, ctx.windows, ctx.divisor)


class AvgPoolSpread(Op, name="AvgPool2DBackwardBackward0"):
    """Each window's value divided by ``divisor`` and added to every element of the window."""

    @staticmethod
    def forward(ctx, grad, windows, divisor):
        ctx.windows, ctx.divisor = windows, divisor
        xp = array_module(grad)
        share = grad / divisor
        padded = xp.zeros(windows.padded_shape, dtype=grad.dtype)
        for index in windows.indexers:
            if windows.overlap:
                padded[index] += share
            else:
                padded[index] = share
        return windows.crop(padded)

    @staticmethod
    def backward(ctx, gg):
        return ctx.math.op(AvgPool2d, gg, ctx.windows, ctx.divisor)


class AdaptiveAvgPool2d(Op, name="AdaptiveAvgPool2DBackward0"):
    """out = A_h x A_w^T, where row i of A averages the input positions of window i."""

    @staticmethod
    def forward(ctx, x, out_hw):
        xp = array_module(x)
        ctx.rows = averaging_matrix(xp, x.shape[2], out_hw[0], x.dtype)
        ctx.cols = averaging_matrix(xp, x.shape[3], out_hw[1], x.dtype)
        return ctx.rows @ x @ ctx.cols.T

    @staticmethod
    def backward(ctx, grad):
        return ctx.rows.T @ grad @ ctx.cols


def sliding_flat_index(windows, kernel, stride, padding, dilation):
    """A function from ``winner`` offsets to PyTorch's max-pool indices ``h * W + w``."""
    def flat_index(winner):
        xp = array_module(winner)
        ho, wo = winner.shape[2:]
        i, j = winner // kernel[1], winner % kernel[1]
        rows = xp.arange(ho).reshape(-1, 1) * stride[0] - padding[0] + i * dilation[0]
        cols = xp.arange(wo).reshape(1, -1) * stride[1] - padding[1] + j * dilation[1]
        return (rows * windows.x_shape[3] + cols).astype(xp.int64)
    return flat_index


def adaptive_flat_index(windows):
    """The same for adaptive windows, whose offsets index rows and columns by arrays."""
    def flat_index(winner):
        xp = array_module(winner)
        rows = xp.stack([index[2].reshape(-1) for index in windows.indexers])
        cols = xp.stack([index[3].reshape(-1) for index in windows.indexers])
        ho, wo = winner.shape[2:]
        row = rows[winner, xp.arange(ho).reshape(-1, 1)]
        col = cols[winner, xp.arange(wo)]
        return (row * windows.x_shape[3] + col).astype(xp.int64)
    return flat_index
