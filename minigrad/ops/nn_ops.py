"""Ops of neural-network layers that need a fused backward: linear, padding, the softmax family,
batch norm, embedding, leaky ReLU and dropout's mask (the losses are in ``loss_ops``)."""
from minigrad.autograd import Op
from minigrad.backend import array_module, scatter_add
from minigrad.ops.elementwise import quiet
from minigrad.sparse import SparseTensor


class Linear(Op):
    """y = x W^T + b over the last axis of x (any leading axes)."""

    @staticmethod
    def forward(ctx, x, weight, *bias):
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias:
            out += bias[0]
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        grad_x = grad @ weight if ctx.needs_input_grad[0] else None
        rows, grad_rows = x.reshape(-1, x.shape[-1]), grad.reshape(-1, grad.shape[-1])
        grad_weight = grad_rows.T @ rows if ctx.needs_input_grad[1] else None
        if len(ctx.needs_input_grad) == 2:
            return grad_x, grad_weight
        return grad_x, grad_weight, grad_rows.sum(axis=0) if ctx.needs_input_grad[2] else None


class Pad(Op):
    """Pad with a constant, by reflection, by replication or circularly; the backward sends each
    padded position's gradient back to the input position it copied."""

    MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}

    @staticmethod
    def forward(ctx, x, widths, mode, value):
        xp = array_module(x)
        ctx.widths, ctx.mode, ctx.shape = widths, mode, x.shape
        if mode == "constant":
            return xp.pad(x, widths, mode="constant", constant_values=value)
        return xp.pad(x, widths, mode=Pad.MODES[mode])

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        for axis, (before, after) in enumerate(ctx.widths):
            if not before and not after:
                continue
            size = ctx.shape[axis]
            if ctx.mode == "constant":
                grad = xp.take(grad, xp.arange(before, before + size), axis=axis)
                continue
            source = xp.pad(xp.arange(size), (before, after), mode=Pad.MODES[ctx.mode])
            moved = xp.moveaxis(grad, axis, 0)
            summed = xp.zeros((size,) + moved.shape[1:], dtype=grad.dtype)
            scatter_add(summed, source, moved)
            grad = xp.moveaxis(summed, 0, axis)
        return grad


class LogSoftmax(Op):
    """x - max - log(sum(exp(x - max))): stable for any logits."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        with quiet():
            out = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad - array_module(grad).exp(out) * grad.sum(axis=ctx.axis, keepdims=True)


class Softmax(Op):
    @staticmethod
    def forward(ctx, x, axis):
        xp = array_module(x)
        exps = xp.exp(x - x.max(axis=axis, keepdims=True))
        out = exps / exps.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return out * (grad - (grad * out).sum(axis=ctx.axis, keepdims=True))


class BatchNorm(Op):
    """y = (x - mean) / sqrt(var + eps) * weight + bias over all axes but the channel axis 1.

    In training the batch's mean and biased variance are used (and the gradient flows through
    them, closed form below); in evaluation the running statistics are constants.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, eps, axes, training):
        xp = array_module(x)
        shape = [1] * x.ndim
        shape[1] = -1
        inv_std = 1 / xp.sqrt(var + x.dtype.type(eps))
        x_hat = (x - mean.reshape(shape)) * inv_std.reshape(shape)
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.axes, ctx.shape, ctx.batch_stats = axes, shape, training
        return x_hat * weight.reshape(shape) + bias.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.saved_tensors
        axes, shape = ctx.axes, ctx.shape
        grad_weight = (grad * x_hat).sum(axis=axes)
        grad_bias = grad.sum(axis=axes)
        grad_x_hat = grad * weight.reshape(shape)
        if not ctx.batch_stats:
            return grad_x_hat * inv_std.reshape(shape), grad_weight, grad_bias
        count = x_hat.size // x_hat.shape[1]
        grad_x = (inv_std.reshape(shape) / count) * (
            count * grad_x_hat - grad_x_hat.sum(axis=axes, keepdims=True)
            - x_hat * (grad_x_hat * x_hat).sum(axis=axes, keepdims=True))
        return grad_x, grad_weight, grad_bias


class Embedding(Op):
    """weight[indices]; the gradient is dense, or row-sparse (a SparseTensor) when ``sparse``.
    The ``padding_idx`` row gets no gradient; ``scale_by_freq`` divides each row's gradient by
    the number of times its index occurs."""

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, sparse, scale_by_freq=False):
        ctx.indices, ctx.shape, ctx.padding_idx = indices, weight.shape, padding_idx
        ctx.sparse, ctx.scale_by_freq = sparse, scale_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        rows = grad.reshape(-1, ctx.shape[1])
        flat = ctx.indices.reshape(-1)
        if ctx.scale_by_freq:
            counts = xp.bincount(flat, minlength=ctx.shape[0])
            rows = rows / counts[flat][:, None].astype(rows.dtype)
        if ctx.padding_idx is not None:
            keep = flat != ctx.padding_idx
            rows, flat = rows[keep], flat[keep]
        if ctx.sparse:
            return SparseTensor(flat.astype("int64"), rows.copy(), ctx.shape)
        out = xp.zeros(ctx.shape, dtype=grad.dtype)
        return scatter_add(out, flat, rows)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = x.dtype.type(slope)
        return array_module(x).where(x > 0, x, x * ctx.slope)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return array_module(grad).where(x > 0, grad, grad * ctx.slope)


class DropoutMask(Op):
    """x * mask, where the mask holds 0 for dropped elements and 1 / (1 - p) for kept ones."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.mask
