"""Element-wise ops: each forward next to its backward.

Binary ops broadcast; their backward sums the gradient back to each input's shape with
:func:`unbroadcast`, the one helper that knows how broadcasting expanded an input.
"""
import numpy

from minigrad.autograd import Op
from minigrad.backend import array_module


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(leading + i for i, n in enumerate(shape) if n == 1 and grad.shape[leading + i] != 1)
    grad = grad.sum(axis=tuple(range(leading)) + stretched, keepdims=True)
    return grad.reshape(shape)


def quiet():
    """Silence NumPy's overflow/divide warnings: like PyTorch, ops return inf and nan quietly."""
    return numpy.errstate(all="ignore")


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(grad, ctx.shapes[1])


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a - b

    @staticmethod
    def backward(ctx, grad):
        grad_b = unbroadcast(-grad, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, ctx.shapes[0]), grad_b


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad * b, a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(grad * a, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with quiet():
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        with quiet():
            grad_a = unbroadcast(grad / b, a.shape) if ctx.needs_input_grad[0] else None
            grad_b = unbroadcast(-grad * ((a / b) / b), b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Op):
    """x ** exponent for a Python-number exponent."""

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(x)
        ctx.exponent = exponent
        with quiet():
            return x ** x.dtype.type(exponent)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return grad * 0
        with quiet():
            return grad * (x.dtype.type(p) * x ** x.dtype.type(p - 1))


class PowTensor(Op):
    """base ** exponent where both are tensors (a number base arrives as a tensor too)."""

    @staticmethod
    def forward(ctx, base, exponent):
        with quiet():
            out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        base, exponent, out = ctx.saved_tensors
        xp = array_module(grad)
        grad_base = grad_exponent = None
        with quiet():
            if ctx.needs_input_grad[0]:
                grad_base = unbroadcast(grad * (exponent * base ** (exponent - 1)), base.shape)
            if ctx.needs_input_grad[1]:
                # d/dp b^p = b^p log b, taken as 0 where b == 0 and p >= 0 (PyTorch's choice)
                log_term = xp.where((base == 0) & (exponent >= 0), 0, out * xp.log(base))
                grad_exponent = unbroadcast(grad * log_term.astype(grad.dtype), exponent.shape)
        return grad_base, grad_exponent


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = array_module(x).exp(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        with quiet():
            return grad / x


class Log1p(Op):
    """log(1 + x), accurate for small x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).log1p(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        with quiet():
            return grad / (1 + x)


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        with quiet():
            return grad / (2 * out)


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * array_module(x).sign(x)


class Sign(Op):
    @staticmethod
    def forward(ctx, x):
        return array_module(x).sign(x)

    @staticmethod
    def backward(ctx, grad):
        return array_module(grad).zeros_like(grad)


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).sin(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * array_module(x).cos(x)


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * -array_module(x).sin(x)


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        out = array_module(x).tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * (1 - out * out)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = 1 / (1 + array_module(x).exp(-x))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * (1 - out) * out


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        out = array_module(x).maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * (out > 0)


class Clamp(Op):
    """Clip to [low, high] (either may be None); the gradient flows where low <= x <= high."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.bounds = low, high
        return array_module(x).clip(x, low, high).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        low, high = ctx.bounds
        keep = True
        if low is not None:
            keep = x >= low
        if high is not None:
            keep = keep & (x <= high)
        return grad * keep


class Maximum(Op):
    """Element-wise maximum; on ties each input gets half of the gradient, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        return _split_between(ctx, grad, lambda a, b: a > b)


class Minimum(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return array_module(a).minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        return _split_between(ctx, grad, lambda a, b: a < b)


def _split_between(ctx, grad, a_wins):
    a, b = ctx.saved_tensors
    xp = array_module(grad)
    share_a = xp.where(a_wins(a, b), 1.0, xp.where(a == b, 0.5, 0.0)).astype(grad.dtype)
    grad_a = unbroadcast(grad * share_a, a.shape) if ctx.needs_input_grad[0] else None
    grad_b = unbroadcast(grad * (1 - share_a), b.shape) if ctx.needs_input_grad[1] else None
    return grad_a, grad_b


class Where(Op):
    """``condition ? a : b``; the condition arrives as a plain array (it has no gradient)."""

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.save_for_backward(condition)
        ctx.shapes = a.shape, b.shape
        return array_module(a).where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition, = ctx.saved_tensors
        xp = array_module(grad)
        zero = grad.dtype.type(0)
        grad_a = unbroadcast(xp.where(condition, grad, zero), ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(xp.where(condition, zero, grad), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Cast(Op):
    """Change dtype; the gradient goes back in the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype)


class Clone(Op):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad
