"""Ops of neural-network layers: constant padding, the softmax family, batch norm, embedding, dropout.

Batch norm in training is one op, ``BatchNorm``, whose arrays go through the few-pass kernel of
``minigrad.kernels.batch_norm``; under ``create_graph`` its backward differentiates the batch's
statistics through ``BatchStats`` (mean and 1/std of each channel), so the second derivatives
are exact. In evaluation ``Normalize`` applies the running statistics.
"""
from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.kernels import batch_norm as batch_norm_kernel
from minigrad.ops.elementwise import quiet
from minigrad.ops.index import IndexPut
from minigrad.sparse import SparseTensor


class ConstantPad(Op, name="ConstantPadNdBackward0"):
    """Pad with a constant; the gradient is the gradient's un-padded middle."""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.middle = tuple(slice(before, before + n) for (before, _), n in zip(widths, x.shape))
        return array_module(x).pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.middle]


class LogSoftmax(Op):
    """x - max - log(sum(exp(x - max))): stable for any logits. d = grad - softmax * sum(grad)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        shifted = x - _peak(x, axis)
        with quiet():
            out = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        m = ctx.math
        return grad - m.exp(out) * m.sum(grad, (ctx.axis,), True)


class Softmax(Op):
    """exp(x - max) / sum(exp(x - max)). d = out * (grad - sum(grad * out))."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        with quiet():
            exps = xp.exp(x - _peak(x, axis))
            out = exps / exps.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return out * (grad - ctx.math.sum(grad * out, (ctx.axis,), True))


def _peak(x, axis):
    """The maximum along ``axis`` to subtract before exponentiating (zeros for an empty input)."""
    if x.size == 0:
        return array_module(x).zeros(x.sum(axis=axis, keepdims=True).shape, dtype=x.dtype)
    return x.max(axis=axis, keepdims=True)


class BatchStats(Op, name="NativeBatchNormBackward0"):
    """Per-channel mean and 1/sqrt(var + eps) over ``axes`` (biased variance), shaped to broadcast.

    d/dx of (mean, inv_std) with upstream gradients (a, b): a / n - b inv_std^3 (x - mean) / n.
    """

    @staticmethod
    def forward(ctx, x, axes, eps):
        mean = x.mean(axis=axes, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
        inv_std = 1 / array_module(x).sqrt(var + eps)
        ctx.save_for_backward(x, mean, inv_std)
        ctx.axes, ctx.count = axes, x.size // x.shape[1]
        return mean, inv_std

    @staticmethod
    def backward(ctx, grad_mean, grad_inv_std):
        x, mean, inv_std = ctx.saved_tensors
        # d/dx = a / n + c (x - mean) with per-channel a and c: written as c x + (a / n - c mean),
        # so the full-size work is one product and one sum
        slope, offset = 0, 0
        if grad_mean is not None:
            offset = grad_mean / ctx.count
        if grad_inv_std is not None:
            slope = -grad_inv_std * inv_std * inv_std * inv_std / ctx.count
        return x * slope + (offset - mean * slope)


class BatchNorm(Op, name="NativeBatchNormBackward0"):
    """Batch norm in training mode, channels on axis 1: (x - mean) * inv_std * weight + bias
    with the batch's per-channel mean and biased variance, which it also returns (1-D, not
    differentiable) for the running statistics. With n values per channel, g the upstream
    gradient and sums over every axis but 1:

        grad_x = weight inv_std (g - (x - mean) inv_std^2 sum(g (x - mean)) / n - sum(g) / n)
        grad_weight = inv_std sum(g (x - mean)),  grad_bias = sum(g)

    On arrays both directions run ``minigrad.kernels.batch_norm``; under ``create_graph`` the
    statistics are computed again from x as recorded ops (``BatchStats``), so that their
    dependence on x is differentiated and second derivatives are exact.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        out, mean, var, inv_std = batch_norm_kernel.forward(x, weight, bias, eps)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.inv_std, ctx.eps = mean, inv_std, eps  # constants of the first-order backward
        ctx.count = mean.dtype.type(x.size // x.shape[1])
        ctx.mark_non_differentiable(mean, var)
        return out, mean, var

    @staticmethod
    def backward(ctx, grad, grad_mean=None, grad_var=None):
        x, weight = ctx.saved_tensors
        m, needs, count = ctx.math, ctx.needs_input_grad, ctx.count
        channels, axes = x.shape[1], (0,) + tuple(range(2, x.ndim))
        shape, moment = (1, channels) + (1,) * (x.ndim - 2), needs[0] or needs[1]  # moment: sum(g (x - mean))
        if m.records:
            mean, inv_std = BatchStats.apply(x, axes, ctx.eps)
            sum_g, sum_gc = m.sum(grad, axes, True), m.sum(grad * (x - mean), axes, True) if moment else None
        else:  # contiguous once here, not once per kernel call (an expanded grad of a sum is common)
            xp = array_module(grad)
            grad, x = xp.ascontiguousarray(grad), xp.ascontiguousarray(x)
            mean, inv_std = ctx.mean.reshape(shape), ctx.inv_std.reshape(shape)
            sum_g, sum_gc = (None if s is None else s.reshape(shape)
                             for s in batch_norm_kernel.channel_sums(grad, x, mean, moment))
        grad_x = None
        if needs[0]:
            scale, slope = m.reshape(weight, shape) * inv_std, inv_std * inv_std * sum_gc / count
            offset = sum_g / count
            grad_x = (scale * (grad - (x - mean) * slope - offset) if m.records
                      else batch_norm_kernel.input_grad(grad, x, mean, scale, slope, offset))
        grad_weight = m.reshape(sum_gc * inv_std, (channels,)) if needs[1] else None
        return grad_x, grad_weight, m.reshape(sum_g, (channels,)) if needs[2] else None


class Normalize(Op, name="NativeBatchNormBackward0"):
    """(x - mean) * inv_std * weight + bias, with per-channel statistics shaped to broadcast;
    computed as PyTorch does, x * alpha + beta with alpha = inv_std * weight and
    beta = bias - mean * alpha. The gradients of the per-channel inputs are summed here, over the
    other axes, so that no full-size array is made for them."""

    @staticmethod
    def forward(ctx, x, mean, inv_std, weight, bias):
        ctx.save_for_backward(x, mean, inv_std, weight)
        ctx.axes = tuple(i for i in range(x.ndim) if i != 1)
        alpha = inv_std * weight
        return x * alpha + (bias - mean * alpha)

    @staticmethod
    def backward(ctx, grad):
        x, mean, inv_std, weight = ctx.saved_tensors
        m, axes, needs = ctx.math, ctx.axes, ctx.needs_input_grad
        grad_x = grad * (weight * inv_std) if needs[0] else None
        grad_mean = grad_inv_std = grad_weight = grad_bias = None
        if needs[1] or needs[4]:
            grad_bias = m.sum(grad, axes, True)
            grad_mean = -grad_bias * weight * inv_std if needs[1] else None
        if needs[2] or needs[3]:
            moment = m.sum(grad * (x - mean), axes, True)  # centred first: no cancellation for a large mean
            grad_inv_std = moment * weight if needs[2] else None
            grad_weight = moment * inv_std if needs[3] else None
        return grad_x, grad_mean, grad_inv_std, grad_weight, grad_bias if needs[4] else None



class Embedding(Op):
    """weight[indices]; the gradient adds each looked-up row's gradient into its row, or is
    row-sparse (a SparseTensor) when ``sparse``. The ``padding_idx`` row gets no gradient;
    ``scale_by_freq`` divides each row's gradient by how often its index occurs."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, sparse, scale_by_freq=False):
        ctx.indices, ctx.shape, ctx.padding_idx = indices.reshape(-1), weight.shape, padding_idx
        ctx.sparse, ctx.scale_by_freq = sparse, scale_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        m, flat = ctx.math, ctx.indices
        xp = array_module(flat)
        rows = m.reshape(grad, (-1, ctx.shape[1]))
        scale = None
        if ctx.scale_by_freq:
            scale = 1.0 / xp.bincount(flat, minlength=ctx.shape[0])[flat]
        if ctx.sparse:
            if m.records:
                raise RuntimeError("the sparse gradient of embedding cannot be differentiated again: use sparse=False")
            keep = flat != ctx.padding_idx if ctx.padding_idx is not None else slice(None)
            rows = rows if scale is None else rows * scale.reshape(-1, 1).astype(rows.dtype)
            return SparseTensor(flat[keep].astype("int64"), rows[keep].copy(), ctx.shape)
        if ctx.padding_idx is not None:
            scale = (flat != ctx.padding_idx) * (1.0 if scale is None else scale)
        if scale is not None:
            rows = rows * scale.reshape(-1, 1).astype(rows.dtype)
        return m.op(IndexPut, m.zeros(ctx.shape, grad), rows, (flat,), True)


class Dropout(Op, name="NativeDropoutBackward0"):
    """x * mask, where the mask holds 0 for dropped elements and 1 / (1 - p) for kept ones."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.mask
