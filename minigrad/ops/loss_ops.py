"""Loss ops with a fused backward: negative log-likelihood and binary cross entropy."""
from minigrad.autograd import Op
from minigrad.backend import array_module
from minigrad.ops.elementwise import quiet

LOG_FLOOR = -100.0  # PyTorch clamps BCE's logs here so that x = 0 or 1 gives a finite loss
EPSILON = 1e-12  # and bounds the denominator x (1 - x) of its gradient


class NLLLoss(Op):
    """-weight[t] * logp[i, t] for each row i of a (M, C) input, reduced by 'mean', 'sum' or 'none'.
    'mean' divides by the summed weights of the rows that are not ``ignore_index``."""

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = array_module(logp)
        rows = xp.arange(logp.shape[0])
        keep = target != ignore_index
        safe_target = xp.where(keep, target, 0)
        row_weight = (weight[safe_target] if weight is not None else xp.ones(target.shape, logp.dtype)) * keep
        row_weight = row_weight.astype(logp.dtype, copy=False)
        losses = -logp[rows, safe_target] * row_weight
        ctx.target, ctx.row_weight, ctx.shape, ctx.reduction = safe_target, row_weight, logp.shape, reduction
        if reduction == "none":
            return losses
        if reduction == "sum":
            return losses.sum()
        ctx.total = row_weight.sum()
        with quiet():
            return losses.sum() / ctx.total

    @staticmethod
    def backward(ctx, grad):
        xp = array_module(grad)
        scale = -ctx.row_weight * grad
        if ctx.reduction == "mean":
            with quiet():
                scale = scale / ctx.total
        out = xp.zeros(ctx.shape, dtype=grad.dtype)
        out[xp.arange(ctx.shape[0]), ctx.target] = scale
        return out


class BinaryCrossEntropy(Op):
    """-(t log x + (1 - t) log(1 - x)) elementwise, each log clamped at -100; the input's
    gradient (x - t) / max(x (1 - x), 1e-12) stays finite at x = 0 and x = 1, as PyTorch's.
    The target's gradient log(1 - x) - log(x) is not clamped (PyTorch's neither)."""

    @staticmethod
    def forward(ctx, x, t):
        xp = array_module(x)
        with quiet():
            log_x = xp.maximum(xp.log(x), x.dtype.type(LOG_FLOOR))
            log_rest = xp.maximum(xp.log1p(-x), x.dtype.type(LOG_FLOOR))
        ctx.save_for_backward(x, t)
        return (t - 1) * log_rest - t * log_x

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        xp = array_module(grad)
        grad_x = grad_t = None
        if ctx.needs_input_grad[0]:
            grad_x = grad * (x - t) / xp.maximum((1 - x) * x, x.dtype.type(EPSILON))
        if len(ctx.needs_input_grad) > 1 and ctx.needs_input_grad[1]:
            with quiet():
                grad_t = grad * (xp.log1p(-x) - xp.log(x))
        return grad_x, grad_t


class LogSigmoid(Op):
    """log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)): no overflow for any x."""

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        xp = array_module(grad)
        exp_neg = xp.exp(-xp.abs(x))  # sigmoid(-x) without overflow, for either sign of x
        return grad * xp.where(x >= 0, exp_neg, 1) / (1 + exp_neg)
