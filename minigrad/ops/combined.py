"""Element-wise ops that PyTorch records as one node although they could be written with others
(``lerp``, ``addcmul``, ``exp2``, ``remainder``...), and variants of existing ops that differ
only in the name PyTorch gives their node (``fill_`` of a number is ``FillBackward2``, of a
tensor ``FillBackward3``). A lesson that prints ``grad_fn`` sees PyTorch's names.
"""
import math

from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.ops.elementwise import Clamp, Copy, MaskedFill, quiet


class Lerp(Op, name="LerpBackward0"):
    """``start + weight * (end - start)`` for a number ``weight``."""

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.weight = weight
        return interpolate(start, end, weight)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weight
        return grad * (1 - w), grad * w


class LerpTensor(Op, name="LerpBackward1"):
    """``lerp`` with a tensor ``weight``, which gets the gradient ``end - start``."""

    @staticmethod
    def forward(ctx, start, end, weight):
        ctx.save_for_backward(start, end, weight)
        return interpolate(start, end, weight)

    @staticmethod
    def backward(ctx, grad):
        start, end, weight = ctx.saved_tensors
        return grad * (1 - weight), grad * weight, grad * (end - start)


def interpolate(start, end, weight):
    """PyTorch's two-sided formula: exact at both ends (weight 0 gives start, 1 gives end)."""
    xp = array_module(start)
    difference = end - start
    small = xp.abs(weight) < 0.5
    return xp.where(small, start + weight * difference, end - difference * (1 - weight)).astype(difference.dtype)


class Addcmul(Op):
    """``input + value * tensor1 * tensor2``."""

    @staticmethod
    def forward(ctx, x, tensor1, tensor2, value):
        ctx.save_for_backward(tensor1, tensor2)
        ctx.value = value
        return x + value * tensor1 * tensor2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, needs_1, needs_2 = ctx.needs_input_grad
        scaled = grad * ctx.value
        return grad, scaled * t2 if needs_1 else None, scaled * t1 if needs_2 else None


class Addcdiv(Op):
    """``input + value * tensor1 / tensor2``."""

    @staticmethod
    def forward(ctx, x, tensor1, tensor2, value):
        ctx.save_for_backward(tensor1, tensor2)
        ctx.value = value
        with quiet():
            return x + value * (tensor1 / tensor2)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, needs_1, needs_2 = ctx.needs_input_grad
        scaled = grad * ctx.value
        with quiet():
            return grad, scaled / t2 if needs_1 else None, -scaled * t1 / (t2 * t2) if needs_2 else None


class Exp2(Op):
    @staticmethod
    def forward(ctx, x):
        out = array_module(x).exp2(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        out, = ctx.saved_tensors
        return grad * out * math.log(2.0)


class Frac(Op):
    """``x - trunc(x)``: the gradient passes unchanged."""

    @staticmethod
    def forward(ctx, x):
        return x - array_module(x).trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Remainder(Op, name="RemainderBackward1"):
    """Python's modulo of two tensors: d/da = 1, d/db = -floor(a / b)."""

    rounding = "floor"
    numpy_name = "mod"

    @classmethod
    def forward(cls, ctx, a, b):
        xp = array_module(a)
        with quiet():
            ctx.save_for_backward(getattr(xp, cls.rounding)(a / b))  # a constant: no gradient of its own
            return getattr(xp, cls.numpy_name)(a, b)

    @staticmethod
    def backward(ctx, grad):
        quotient, = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        return grad if needs_a else None, -grad * quotient if needs_b else None


class Fmod(Remainder, name="FmodBackward1"):
    """C's fmod of two tensors: d/da = 1, d/db = -trunc(a / b)."""

    rounding = "trunc"
    numpy_name = "fmod"


class RemainderScalar(Op, name="RemainderBackward0"):
    """Modulo by a number: the gradient passes unchanged."""

    numpy_name = "mod"

    @classmethod
    def forward(cls, ctx, a, b):
        with quiet():
            return getattr(array_module(a), cls.numpy_name)(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad


class FmodScalar(RemainderScalar, name="FmodBackward0"):
    numpy_name = "fmod"


class RoundedDiv(Op, name="DivBackward2"):
    """Division rounded to an integer (``rounding_mode``): a step function, zero gradient."""

    @staticmethod
    def forward(ctx, a, b, quotient):
        return quotient

    @staticmethod
    def backward(ctx, grad):
        zeros = ctx.math.zeros_like(grad)
        return zeros, zeros


class Atan2(Op):
    """The angle of the point (other, input): d/dinput = other / r^2, d/dother = -input / r^2."""

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return array_module(y).arctan2(y, x)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        with quiet():
            scale = grad / (x * x + y * y)
            return scale * x, -scale * y


class Hypot(Op):
    """sqrt(a^2 + b^2) without overflow: d/da = a / out."""

    @staticmethod
    def forward(ctx, a, b):
        out = array_module(a).hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        with quiet():
            return grad * a / out, grad * b / out


class Logaddexp(Op):
    """log(exp(a) + exp(b)) computed stably: d/da = exp(a - out)."""

    @staticmethod
    def forward(ctx, a, b):
        out = array_module(a).logaddexp(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        m = ctx.math
        return grad * m.exp(a - out), grad * m.exp(b - out)


class ClampMin(Clamp, name="ClampMinBackward0"):
    pass


class ClampMax(Clamp, name="ClampMaxBackward0"):
    pass


class MaskedFillTensor(MaskedFill, name="MaskedFillBackward1"):
    """``masked_fill`` whose value is a 0-d tensor (it gets the sum of the masked gradient)."""


class Fill(Copy, name="FillBackward2"):
    """``fill_`` with a number."""


class FillTensor(Copy, name="FillBackward3"):
    """``fill_`` with a 0-d tensor."""


class Zero(Copy, name="ZeroBackward0"):
    pass


# random fills on a tensor with history: a copy of fresh values, named after the distribution

class NormalFill(Copy, name="NormalBackward0"):
    pass


class UniformFill(Copy, name="UniformBackward0"):
    pass


class BernoulliTensorFill(Copy, name="BernoulliBackward1"):
    """``bernoulli_`` with a tensor of probabilities."""


class BernoulliFill(Copy, name="BernoulliBackward2"):
    """``bernoulli_`` with a number."""


class ExponentialFill(Copy, name="ExponentialBackward0"):
    pass


class CauchyFill(Copy, name="CauchyBackward0"):
    pass


class LogNormalFill(Copy, name="LogNormalBackward0"):
    pass


class GeometricFill(Copy, name="GeometricBackward0"):
    pass


class RandomRangeFill(Copy, name="RandomBackward0"):
    """``random_(from, to)``."""


class RandomToFill(Copy, name="RandomBackward1"):
    """``random_(to)``."""


class RandomFill(Copy, name="RandomBackward2"):
    """``random_()``."""


class NotImplementedDerivative(Op, name="NotImplemented"):
    """An op PyTorch records but cannot differentiate (``floor_divide``): backward through it raises."""

    @staticmethod
    def forward(ctx, a, b, result, op_name):
        ctx.op_name = op_name
        return result

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"derivative for aten::{ctx.op_name} is not implemented")
