"""More element-wise functions: ``lerp``, ``addcmul``, ``addcdiv`` (each one node, as in PyTorch),
``atan2``, ``hypot``, ``logaddexp``, ``logit``, ``xlogy``. Operands are promoted as in ``arithmetic``."""
import numpy

from minigrad.engine import Tensor
from minigrad.functional._common import cast, float_dtype, operand, promote
from minigrad.functional.arithmetic import _mismatch, clamp, log, log1p, mul, where
from minigrad.ops import combined as cb


def lerp(input, end, weight):  # noqa: A002
    """input + weight * (end - input)."""
    if isinstance(weight, Tensor):
        return _broadcasting(cb.LerpTensor, *promote(input, end, weight))
    start, end = promote(input, end)
    return _broadcasting(cb.Lerp, start, end, weight)


def addcmul(input, tensor1, tensor2, *, value=1):  # noqa: A002
    return _broadcasting(cb.Addcmul, *promote(input, tensor1, tensor2), value)


def addcdiv(input, tensor1, tensor2, *, value=1):  # noqa: A002
    if all(isinstance(t, Tensor) and t.dtype.kind in "biu" for t in (tensor1, tensor2)):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    return _broadcasting(cb.Addcdiv, *promote(input, tensor1, tensor2), value)


def _broadcasting(op, *args):
    """``op`` on tensors that must broadcast together (PyTorch's message when they do not)."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    shape = tensors[0].shape
    for other in tensors[1:]:
        if _mismatch(shape, other.shape)[0] != shape:
            first, second, dim = _mismatch(shape, other.shape)
            raise RuntimeError(f"The size of tensor a ({first}) must match the size of tensor b ({second}) at "
                               f"non-singleton dimension {dim}")
        shape = numpy.broadcast_shapes(shape, other.shape)
    return op.apply(*args)


def _floats(input, other):  # noqa: A002
    dtype = float_dtype(input, other)
    like = input if isinstance(input, Tensor) else other
    return operand(input, dtype, like), operand(other, dtype, like)


def atan2(input, other):  # noqa: A002
    """The angle of the point (other, input), in (-pi, pi]."""
    return cb.Atan2.apply(*_floats(input, other))


arctan2 = atan2


def hypot(input, other):  # noqa: A002
    return cb.Hypot.apply(*_floats(input, other))


def logaddexp(input, other):  # noqa: A002
    return cb.Logaddexp.apply(*_floats(input, other))


def logit(input, eps=None):  # noqa: A002
    """log(p / (1 - p)), with p first clamped to [eps, 1 - eps] when ``eps`` is given."""
    p = input if input.dtype.kind == "f" else cast(input, float_dtype(input, input))
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p) - log1p(-p)


def xlogy(input, other):  # noqa: A002
    """input * log(other), and 0 where input is 0 (even where log(other) is not finite)."""
    x, y = _floats(input, other)
    return where(x == 0, 0.0, mul(x, log(y)))
