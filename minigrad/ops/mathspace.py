"""The two namespaces an op's backward computes with (``ctx.math``).

``ARRAY`` runs on raw arrays: the fast first-order pass. ``TENSOR`` runs the same functions as
recorded ops on tensors, so that a gradient computed with ``create_graph=True`` is itself part of
the graph and can be differentiated again. Backward code uses Python's operators (which both
arrays and tensors have) and these functions, never NumPy directly.

``op(SomeOp, *args)`` runs any op: its ``forward`` on arrays, or its ``apply`` on tensors.
"""
import numpy

from minigrad.backend import array_module
from minigrad.engine import Tensor, make_tensor
from minigrad.functional.shapes import reshape
from minigrad.ops import elementwise as ew
from minigrad.kernels import conv as conv_kernel
from minigrad.ops import conv, reduce, shape


class _Math:
    records = False

    def sum_to(self, x, shape_):
        """Sum ``x`` over the axes broadcasting added or stretched, down to ``shape_``."""
        shape_ = tuple(shape_)
        if tuple(x.shape) == shape_:
            return x
        leading = x.ndim - len(shape_)
        stretched = tuple(leading + i for i, n in enumerate(shape_) if n == 1 and x.shape[leading + i] != 1)
        return self.reshape(self.sum(x, tuple(range(leading)) + stretched, True), shape_)

    def swap(self, x):
        """The last two axes exchanged (a batch of matrices transposed)."""
        axes = list(range(x.ndim))
        axes[-2], axes[-1] = axes[-1], axes[-2]
        return self.permute(x, tuple(axes))

    def unsqueeze(self, x, axis):
        shape_ = list(x.shape)
        shape_.insert(axis % (x.ndim + 1), 1)
        return self.reshape(x, tuple(shape_))

    def clamp_min(self, x, low):
        return self.op(ew.Clamp, x, low, None)

    def conv_grads(self, x, weight, grad, geometry, needs_x, needs_weight):
        """A convolution's two gradients (None where not needed): the ops ``ConvInputGrad`` and
        ``ConvWeightGrad``, which on arrays share one pass when both are needed."""
        grad_x = self.op(conv.ConvInputGrad, grad, weight, geometry=geometry, x_shape=tuple(x.shape)) \
            if needs_x else None
        grad_w = self.op(conv.ConvWeightGrad, x, grad, geometry=geometry, weight_shape=tuple(weight.shape)) \
            if needs_weight else None
        return grad_x, grad_w


class ArrayMath(_Math):
    """Functions on NumPy/CuPy arrays."""

    records = False

    def conv_grads(self, x, weight, grad, geometry, needs_x, needs_weight):
        if needs_x and needs_weight:
            return conv_kernel.both_grads(x, weight, grad, geometry)
        return super().conv_grads(x, weight, grad, geometry, needs_x, needs_weight)

    @staticmethod
    def as_tensor(x):
        return x if getattr(x, "is_sparse", False) else make_tensor(x)

    @staticmethod
    def from_tensor(tensor):
        return tensor.array if isinstance(tensor, Tensor) else tensor

    @staticmethod
    def op(op, *args, **kwargs):
        out = op.forward(object.__new__(op), *args, **kwargs)
        return numpy.asarray(out) if isinstance(out, numpy.generic) else out

    @staticmethod
    def sum(x, axes=None, keepdim=False):
        out = x.sum(axis=axes, keepdims=keepdim)
        return numpy.asarray(out) if isinstance(out, numpy.generic) else out

    @staticmethod
    def reshape(x, shape_):
        return x.reshape(shape_)

    @staticmethod
    def expand(x, shape_):
        return array_module(x).broadcast_to(x, shape_)

    @staticmethod
    def permute(x, axes):
        return x.transpose(axes)

    @staticmethod
    def cast(x, dtype):
        return x.astype(dtype)

    @staticmethod
    def where(condition, a, b):
        like = a if hasattr(a, "dtype") else b
        out = array_module(like).where(condition, a, b)
        return out.astype(like.dtype, copy=False)

    @staticmethod
    def zeros_like(x):
        return array_module(x).zeros_like(x)

    @staticmethod
    def zeros(shape_, like):
        return array_module(like).zeros(shape_, dtype=like.dtype)

    @staticmethod
    def exp(x):
        return array_module(x).exp(x)

    @staticmethod
    def log(x):
        return array_module(x).log(x)

    @staticmethod
    def log1p(x):
        return array_module(x).log1p(x)

    @staticmethod
    def sin(x):
        return array_module(x).sin(x)

    @staticmethod
    def cos(x):
        return array_module(x).cos(x)

    @staticmethod
    def sign(x):
        return array_module(x).sign(x)

    @staticmethod
    def sigmoid(x):
        return 1 / (1 + array_module(x).exp(-x))

    @staticmethod
    def sinh(x):
        return array_module(x).sinh(x)

    @staticmethod
    def cosh(x):
        return array_module(x).cosh(x)

    @staticmethod
    def sqrt(x):
        return array_module(x).sqrt(x)


class TensorMath(_Math):
    """The same functions as recorded ops on tensors (used under ``create_graph``)."""

    records = True

    @staticmethod
    def as_tensor(x):
        return x

    @staticmethod
    def from_tensor(tensor):
        return tensor

    @staticmethod
    def op(op, *args, **kwargs):
        return op.apply(*args, **kwargs)

    @staticmethod
    def sum(x, axes=None, keepdim=False):
        return (reduce.SumAll if axes is None else reduce.Sum).apply(x, axes, keepdim)

    @staticmethod
    def reshape(x, shape_):
        return reshape(x, shape_)

    @staticmethod
    def expand(x, shape_):
        return x if tuple(x.shape) == tuple(shape_) else shape.Expand.apply(x, tuple(shape_))

    @staticmethod
    def permute(x, axes):
        return shape.Permute.apply(x, tuple(axes))

    @staticmethod
    def cast(x, dtype):
        return ew.Cast.apply(x, numpy.dtype(dtype))

    @staticmethod
    def where(condition, a, b):
        condition = condition.array if isinstance(condition, Tensor) else condition
        like = a if isinstance(a, Tensor) else b
        a, b = (_constant(v, like) for v in (a, b))
        return ew.Where.apply(a, b, condition)

    @staticmethod
    def zeros_like(x):
        return make_tensor(array_module(x.array).zeros_like(x.array))

    @staticmethod
    def zeros(shape_, like):
        return make_tensor(array_module(like.array).zeros(shape_, dtype=like.array.dtype))

    @staticmethod
    def exp(x):
        return ew.Exp.apply(x)

    @staticmethod
    def log(x):
        return ew.Log.apply(x)

    @staticmethod
    def log1p(x):
        return ew.Log1p.apply(x)

    @staticmethod
    def sin(x):
        return ew.Sin.apply(x)

    @staticmethod
    def cos(x):
        return ew.Cos.apply(x)

    @staticmethod
    def sign(x):
        return ew.Sign.apply(x)

    @staticmethod
    def sigmoid(x):
        return ew.Sigmoid.apply(x)

    @staticmethod
    def sinh(x):
        return ew.Sinh.apply(x)

    @staticmethod
    def cosh(x):
        return ew.Cosh.apply(x)

    @staticmethod
    def sqrt(x):
        return ew.Sqrt.apply(x)


def _constant(value, like):
    if isinstance(value, Tensor):
        return value
    return make_tensor(array_module(like.array).asarray(value, dtype=like.array.dtype))


ARRAY = ArrayMath()
TENSOR = TensorMath()
