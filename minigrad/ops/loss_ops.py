"""Loss ops: negative log-likelihood, binary cross entropy, log-sigmoid and mean squared error."""
from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.ops.elementwise import quiet
from minigrad.ops.index import IndexPut

LOG_FLOOR = -100.0  # PyTorch clamps BCE's logs here so that x = 0 or 1 gives a finite loss
EPSILON = 1e-12  # and bounds the denominator x (1 - x) of its gradient


class NLLLoss(Op, name="NllLossBackward0"):
    """-weight[t] * logp[i, t] for each row i of a (M, C) input, reduced by 'mean', 'sum' or 'none'.
    'mean' divides by the summed weights of the rows that are not ``ignore_index``. The gradient is
    -weight[t] (/ total) at column t of each row, zero elsewhere."""

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = array_module(logp)
        rows = xp.arange(logp.shape[0])
        keep = target != ignore_index
        safe_target = xp.where(keep, target, 0)
        row_weight = (weight[safe_target] if weight is not None else xp.ones(target.shape, logp.dtype)) * keep
        row_weight = row_weight.astype(logp.dtype, copy=False)
        losses = -logp[rows, safe_target] * row_weight
        ctx.index, ctx.shape, ctx.reduction = (rows, safe_target), logp.shape, reduction
        ctx.scale = -row_weight
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        total = row_weight.sum()
        with quiet():
            ctx.scale = ctx.scale / total
            return losses.sum() / total

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        return m.op(IndexPut, m.zeros(ctx.shape, grad), grad * ctx.scale, ctx.index)


class BinaryCrossEntropy(Op):
    """-(t log x + (1 - t) log(1 - x)) elementwise, each log clamped at -100; the input's
    gradient (x - t) / max(x (1 - x), 1e-12) stays finite at x = 0 and x = 1, as PyTorch's.
    The target's gradient log(1 - x) - log(x) is not clamped (PyTorch's neither)."""

    @staticmethod
    def forward(ctx, x, t):
        xp = array_module(x)
        with quiet():
            log_x = xp.maximum(xp.log(x), LOG_FLOOR)
            log_rest = xp.maximum(xp.log1p(-x), LOG_FLOOR)
        ctx.save_for_backward(x, t)
        return (t - 1) * log_rest - t * log_x

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        m = ctx.math
        needs_x, needs_t = ctx.needs_input_grad
        with quiet():
            grad_x = grad * (x - t) / m.clamp_min((1 - x) * x, EPSILON) if needs_x else None
            grad_t = grad * (m.log1p(-x) - m.log(x)) if needs_t else None
        return grad_x, grad_t


class LogSigmoid(Op):
    """log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)): no overflow for any x. d = sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        with quiet():
            return grad * ctx.math.sigmoid(-x)


class MseLoss(Op):
    """(x - t)^2 reduced by 'mean', 'sum' or 'none'; d/dx = 2 (x - t) grad (/ n), d/dt = -d/dx."""

    @staticmethod
    def forward(ctx, x, t, reduction):
        ctx.save_for_backward(x, t)
        difference = x - t
        losses = difference * difference
        ctx.reduction, ctx.count = reduction, losses.size
        if reduction == "none":
            return losses
        return losses.sum() if reduction == "sum" else losses.mean()

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        scale = 2.0 / max(ctx.count, 1) if ctx.reduction == "mean" else 2.0
        grad_x = grad * (x - t) * scale
        needs_x, needs_t = ctx.needs_input_grad
        return grad_x if needs_x else None, -grad_x if needs_t else None

