"""What the public functions share: turning user arguments into what the ops take."""
import numpy

from minigrad import dtypes
from minigrad.backend import array_module, move
from minigrad.engine import Tensor, make_tensor
from minigrad.ops import elementwise as ew


def constant(array):
    """A tensor without history around ``array``."""
    return make_tensor(array)


def check_same_device(a, b):
    if type(a.array) is not type(b.array) and a.device != b.device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{a.device} and {b.device}!")


def cast(x, dtype):
    """``x`` as ``dtype`` (recorded as ToCopyBackward0 when it changes)."""
    dtype = numpy.dtype(dtype)
    return x if x.array.dtype == dtype else ew.Cast.apply(x, dtype)


def operand(value, dtype, like):
    """``value`` (a Tensor, array or number) as a Tensor of ``dtype`` on ``like``'s device."""
    if isinstance(value, Tensor):
        if value.array.ndim == 0 and array_module(value.array) is not array_module(like.array) and \
                value.device.type == "cpu":  # a 0-d CPU tensor acts as a scalar, as in PyTorch (history kept)
            value = ew.ToDevice.apply(value, like.device)
        check_same_device(value, like)
        return cast(value, dtype)
    if hasattr(value, "__array__") or hasattr(value, "__cuda_array_interface__"):
        value = array_module(like.array).asarray(value)
    return constant(array_module(like.array).asarray(value, dtype=dtype))


def device_anchor(*values):
    """The tensor whose device an op runs on: the first one not a 0-d CPU tensor (which acts as a
    scalar beside a CUDA tensor, as in PyTorch), else the first tensor."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    return next((t for t in tensors if t.array.ndim or array_module(t.array).__name__ != "numpy"), tensors[0])


def promote(*values):
    """The operands as Tensors of PyTorch's result dtype, on the anchor tensor's device."""
    like = device_anchor(*values)
    dtype = dtypes.result_type(*values)
    return tuple(operand(v, dtype, like) for v in values)


def as_tensor_operand(value, like):
    """A non-Tensor argument that holds arrays (a NumPy array, a list) as a Tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (list, tuple)) or hasattr(value, "__array__"):
        return constant(array_module(like.array).asarray(numpy.asarray(value) if isinstance(value, (list, tuple))
                                                         else value))
    return value


def float_dtype(*values):
    """The result dtype, or the default float dtype when that is an integer or bool type."""
    dtype = dtypes.result_type(*values)
    return dtype if dtype.kind == "f" else dtypes.get_default_dtype().dtype


def normalize_dims(dim, ndim, op="reduction"):
    """``dim`` (None, int or tuple, negatives allowed) as a sorted tuple of axes, or None for all."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, numpy.integer)) else tuple(dim)
    rank = max(ndim, 1)
    axes = []
    for d in dims:
        if not isinstance(d, (int, numpy.integer)) or isinstance(d, bool):
            raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, but found {type(d).__name__}")
        if not -rank <= d < rank:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {d})")
        axes.append(int(d) % rank)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return tuple(sorted(axes)) if ndim else None


def normalize_dim(dim, ndim, op="op"):
    """One dimension index, negatives allowed (a 0-d tensor accepts 0 and -1)."""
    axes = normalize_dims(dim, ndim, op)
    return 0 if axes is None else axes[0]


def size_args(size, name="size"):
    """``(2, 3)``, ``[2, 3]`` or ``2, 3`` as a tuple of ints, validated."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(size)
    for n in size:
        if isinstance(n, Tensor):
            n = n.item()
        if not isinstance(n, (int, numpy.integer)) or isinstance(n, bool):
            raise TypeError(f"{name} must be a tuple of ints, but got an element of type {type(n).__name__}")
    return tuple(int(n) for n in size)
