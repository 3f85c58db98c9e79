"""Element-wise ops: each forward next to its backward.

``forward`` works on arrays. ``backward`` uses operators and ``ctx.math`` only, so the same lines
compute a plain gradient (on arrays) and a recorded one (on tensors, under ``create_graph``).
Binary ops broadcast; the engine sums each gradient back to its input's shape.
"""
import numpy

from minigrad.backend import array_module, device_of, move
from minigrad.engine import Op


def quiet():
    """Silence NumPy's overflow/divide warnings: like PyTorch, ops return inf and nan quietly."""
    return numpy.errstate(all="ignore")


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        return grad * b if needs_a else None, grad * a if needs_b else None


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with quiet():
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        with quiet():
            return grad / b if needs_a else None, -grad * ((a / b) / b) if needs_b else None


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Op, name="PowBackward0"):
    """x ** p for a Python-number exponent p: d/dx = p x^(p-1)."""

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
            return grad * (p * x ** (p - 1)) if p != 1 else grad


class PowTensor(Op, name="PowBackward1"):
    """base ** exponent, both tensors: d/dbase = p b^(p-1), d/dp = b^p log b (0 where b = 0 and p >= 0)."""

    @staticmethod
    def forward(ctx, base, exponent):
        with quiet():
            out = base ** exponent
        ctx.save_for_backward(base, exponent, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        base, exponent, out = ctx.saved_tensors
        m = ctx.math
        needs_base, needs_exponent = ctx.needs_input_grad
        with quiet():
            grad_base = grad * exponent * base ** (exponent - 1) if needs_base else None
            grad_exponent = None
            if needs_exponent:
                log_base = m.where((base == 0) & (exponent >= 0), 0, m.log(base))
                grad_exponent = grad * out * log_base
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


class Log1p(Op, name="Log1PBackward0"):
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
            return grad / (x + 1)


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
            return grad / (out * 2)


class Rsqrt(Op):
    """1 / sqrt(x): d/dx = -out^3 / 2."""

    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = 1 / array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out * out * out * -0.5


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * ctx.math.sign(x)


class Sign(Op):
    """sign(x): a step, so its gradient is zero everywhere (PyTorch's convention at 0 too)."""

    @staticmethod
    def forward(ctx, x):
        return array_module(x).sign(x)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.zeros_like(grad)


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).sin(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * ctx.math.cos(x)


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return -grad * ctx.math.sin(x)


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
        """PyTorch's threshold_backward: grad where out > 0 or out is NaN, +0.0 where out <= 0
        (so an infinite or NaN gradient of a dead unit gives 0, not NaN, and no -0.0)."""
        out, = ctx.saved_tensors
        if ctx.math.records:
            return ctx.math.where(out <= 0, 0.0, grad)
        return zero_where_dead(grad, out)


def zero_where_dead(grad, out):
    """``where(out <= 0, +0.0, grad)`` by the bits: grad's bits AND a mask of all ones (alive) or
    all zeros (dead). Arithmetic on a mask is branch-free, and faster here than ``where``, whose
    loop branches on every element of a half-random mask (bench/NOTES.md)."""
    xp = array_module(grad)
    bits = numpy.dtype(f"int{8 * grad.dtype.itemsize}")
    keep = xp.asarray(xp.less_equal(out, 0), dtype=bits)  # an array even for 0-d inputs
    keep -= 1                                    # dead: 1 - 1 = 0; alive: 0 - 1 = all ones
    return xp.bitwise_and(grad.view(bits), keep, out=keep).view(grad.dtype)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, slope):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = slope
        return array_module(x).where(positive, x, x * x.dtype.type(slope))

    @staticmethod
    def backward(ctx, grad):
        positive, = ctx.saved_tensors
        return ctx.math.where(positive, grad, grad * ctx.slope)


class Clamp(Op, name="ClampBackward1"):
    """Clip to [low, high] (either may be None); the gradient flows where low <= x <= high."""

    @staticmethod
    def forward(ctx, x, low, high):
        xp = array_module(x)
        inside = xp.ones(x.shape, dtype=bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x <= high
        ctx.save_for_backward(inside)
        return xp.clip(x, low, high).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        inside, = ctx.saved_tensors
        return grad * inside


class Maximum(Op):
    """Element-wise maximum; on ties each input gets half of the gradient, as in PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(_share_of_first(a, b, a > b))
        return array_module(a).maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        share, = ctx.saved_tensors
        return grad * share, grad * (1 - share)


class Minimum(Maximum):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(_share_of_first(a, b, a < b))
        return array_module(a).minimum(a, b)


def _share_of_first(a, b, a_wins):
    xp = array_module(a)
    return xp.where(a_wins, 1.0, xp.where(a == b, 0.5, 0.0)).astype(a.dtype)


class Where(Op):
    """``condition ? a : b``; the condition is a plain bool array (it has no gradient)."""

    @staticmethod
    def forward(ctx, a, b, condition):
        ctx.condition = condition
        return array_module(a).where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        m, condition = ctx.math, ctx.condition
        needs_a, needs_b = ctx.needs_input_grad
        return (m.where(condition, grad, 0) if needs_a else None,
                m.where(condition, 0, grad) if needs_b else None)


class Cast(Op, name="ToCopyBackward0"):
    """Change dtype; the engine casts the gradient back to the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Clone(Op):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class PowScalarBase(PowTensor, name="PowBackward2"):
    """number ** tensor: the base arrives as a constant tensor."""


class Reciprocal(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = 1 / x
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return -grad * out * out


class Tan(Op):
    @staticmethod
    def forward(ctx, x):
        out = array_module(x).tan(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * (1 + out * out)


class Sinh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).sinh(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * ctx.math.cosh(x)


class Cosh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).cosh(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * ctx.math.sinh(x)


class Asin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        with quiet():
            return grad / ctx.math.sqrt(1 - x * x)


class Acos(Asin):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arccos(x)

    @staticmethod
    def backward(ctx, grad):
        return -Asin.backward(ctx, grad)


class Atan(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).arctan(x)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad / (1 + x * x)


class Expm1(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            out = array_module(x).expm1(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * (out + 1)


class Rounding(Op):
    """A step function (floor, ceil, round, trunc): zero gradient everywhere, as PyTorch's."""

    numpy_name = None

    @classmethod
    def forward(cls, ctx, x, *args):
        return getattr(array_module(x), cls.numpy_name)(x, *args)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.zeros_like(grad)


class Floor(Rounding):
    numpy_name = "floor"


class Ceil(Rounding):
    numpy_name = "ceil"


class Round(Rounding):
    numpy_name = "round"


class Trunc(Rounding):
    numpy_name = "trunc"


class MaskedFill(Where):
    """``x.masked_fill(mask, value)``: a where() whose first branch is the fill value."""


class Copy(Op, name="CopyBackwards"):
    """``dst.copy_(src)`` out of place: ``src`` broadcast and cast to ``dst``'s shape and dtype.
    The old contents of ``dst`` are overwritten, so they get no gradient."""

    name_prefix = "minigrad::autograd::"

    @staticmethod
    def forward(ctx, dst, src):
        out = array_module(dst).empty_like(dst)
        out[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.zeros_like(grad), grad


class Tril(Where):
    """``tril``/``triu``: a where() against zeros with a triangular mask."""


class Triu(Where):
    pass


class ToDevice(Op, name="ToCopyBackward0"):
    """A copy on another device; the gradient goes back to the input's device."""

    @staticmethod
    def forward(ctx, x, device):
        ctx.device = device_of(x)
        return move(x, device)

    @staticmethod
    def backward(ctx, grad):
        return ctx.math.op(ToDevice, grad, ctx.device)
