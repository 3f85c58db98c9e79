"""The functional API: ``minigrad.exp(x)``, ``minigrad.cat([a, b])``... and the Tensor methods.

This module turns user arguments (Python numbers, dims, indices) into what the ops in
``minigrad.ops`` expect, applies PyTorch's type promotion, and reports mistakes in the
user's terms.
"""
import builtins
from collections import namedtuple

import numpy as numpy_module

from minigrad import dtypes
from minigrad.backend import array_module, module_for
from minigrad.ops import elementwise as ew, linalg, reduce, shape as sh
from minigrad.tensor import Tensor

MaxResult = namedtuple("max", "values indices")
MinResult = namedtuple("min", "values indices")


def _wrap(array):
    return Tensor._wrap(array, None, False)


def operand(value, dtype, like):
    """``value`` as a Tensor of ``dtype`` on ``like``'s device (numbers become constants)."""
    if isinstance(value, Tensor):
        if type(value.array) is not type(like.array) and value.device != like.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least "
                               f"two devices, {like.device} and {value.device}!")
        return value if value.dtype == dtype else cast(value, dtype)
    return _wrap(array_module(like.array).asarray(value, dtype=dtype))


def _binary(op, a, b, name, dtype=None):
    if (isinstance(a, Tensor) and isinstance(b, Tensor) and dtype is None and a.dtype == b.dtype
            and type(a.array) is type(b.array)):
        pass  # the common case: nothing to convert
    else:
        like = a if isinstance(a, Tensor) else b
        if hasattr(a, "__array__") and not isinstance(a, Tensor):
            a = Tensor(a, device=like.device)
        if hasattr(b, "__array__") and not isinstance(b, Tensor):
            b = Tensor(b, device=like.device)
        dtype = dtype or dtypes.result_type(a, b)
        a, b = operand(a, dtype, like), operand(b, dtype, like)
    try:
        return op.apply(a, b)
    except ValueError as error:
        if a.shape == b.shape or "broadcast" not in str(error):
            raise
        raise RuntimeError(f"{name}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast "
                           f"together") from None


def cast(x, dtype):
    dtype = dtypes.numpy.dtype(dtype)
    return x if x.dtype == dtype else ew.Cast.apply(x, dtype)


def _float_dtype(*operands):
    dtype = dtypes.result_type(*operands)
    return dtype if dtype.kind == "f" else dtypes.get_default_dtype()


# ---- arithmetic -------------------------------------------------------------------------

def add(a, b, alpha=1):
    return _binary(ew.Add, a, b if alpha == 1 else b * alpha, "add")


def sub(a, b, alpha=1):
    return _binary(ew.Sub, a, b if alpha == 1 else b * alpha, "sub")


def mul(a, b):
    return _binary(ew.Mul, a, b, "mul")


def div(a, b, rounding_mode=None):
    if rounding_mode is None:
        return _binary(ew.Div, a, b, "div", dtype=_float_dtype(a, b))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    dtype = dtypes.result_type(a, b)
    with no_history():
        quotient = div(a, b)
        xp = array_module(quotient.array)
        rounded = (xp.trunc if rounding_mode == "trunc" else xp.floor)(quotient.array)
    return _wrap(rounded.astype(dtype))


true_divide = divide = div
multiply, subtract = mul, sub


def pow(x, exponent):  # noqa: A001 - PyTorch's name
    if isinstance(x, Tensor) and not isinstance(exponent, Tensor):
        dtype = dtypes.result_type(x, exponent)
        return ew.Pow.apply(cast(x, dtype), exponent)
    return _binary(ew.PowTensor, x, exponent, "pow")


def neg(x):
    return ew.Neg.apply(x)


def _unary_float(op, x):
    return op.apply(x if x.dtype.kind == "f" else cast(x, dtypes.get_default_dtype()))


def exp(x):
    return _unary_float(ew.Exp, x)


def log(x):
    return _unary_float(ew.Log, x)


def log1p(x):
    return _unary_float(ew.Log1p, x)


def sqrt(x):
    return _unary_float(ew.Sqrt, x)


def rsqrt(x):
    return sqrt(x) ** -1


def sin(x):
    return _unary_float(ew.Sin, x)


def cos(x):
    return _unary_float(ew.Cos, x)


def tanh(x):
    return _unary_float(ew.Tanh, x)


def sigmoid(x):
    return _unary_float(ew.Sigmoid, x)


def relu(x):
    return ew.Relu.apply(x)


def abs(x):  # noqa: A001 - PyTorch's name
    return ew.Abs.apply(x)


def sign(x):
    return ew.Sign.apply(x)


def square(x):
    return x * x


def clamp(x, min=None, max=None):  # noqa: A002 - PyTorch's names
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = x if min is None else maximum(x, min)
        return result if max is None else minimum(result, max)
    return ew.Clamp.apply(x, min, max)


clip = clamp


def maximum(a, b):
    return _binary(ew.Maximum, a, b, "maximum")


def minimum(a, b):
    return _binary(ew.Minimum, a, b, "minimum")


def where(condition, a, b):
    condition = condition if isinstance(condition, Tensor) else Tensor(condition)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else condition
    dtype = dtypes.result_type(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else \
        dtypes.result_type(a, b)
    a, b = operand(a, dtype, like), operand(b, dtype, like)
    return ew.Where.apply(a, b, condition.array.astype(bool, copy=False))


def clone(x):
    return ew.Clone.apply(x)


# ---- comparisons and logic: bool results without history -------------------------------

def _compare(a, b, ufunc_name):
    like = a if isinstance(a, Tensor) else b
    dtype = dtypes.result_type(a, b)
    a, b = operand(a, dtype, like), operand(b, dtype, like)
    xp = array_module(a.array)
    return _wrap(getattr(xp, ufunc_name)(a.array, b.array))


def eq(a, b):
    return _compare(a, b, "equal")


def ne(a, b):
    return _compare(a, b, "not_equal")


def lt(a, b):
    return _compare(a, b, "less")


def le(a, b):
    return _compare(a, b, "less_equal")


def gt(a, b):
    return _compare(a, b, "greater")


def ge(a, b):
    return _compare(a, b, "greater_equal")


def logical_and(a, b):
    return _compare(a, b, "logical_and")


def logical_or(a, b):
    return _compare(a, b, "logical_or")


def logical_xor(a, b):
    return _compare(a, b, "logical_xor")


def logical_not(x):
    return _wrap(array_module(x.array).logical_not(x.array))


def isnan(x):
    return _wrap(array_module(x.array).isnan(x.array))


def isinf(x):
    return _wrap(array_module(x.array).isinf(x.array))


def isfinite(x):
    return _wrap(array_module(x.array).isfinite(x.array))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(array_module(a.array).allclose(a.array, b.array, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a, b):
    return a.shape == b.shape and bool((a.array == b.array).all())


# ---- reductions --------------------------------------------------------------------------

def _floating_sum(x):
    return x if x.dtype.kind != "b" else cast(x, dtypes.int64)


def sum(x, dim=None, keepdim=False, dtype=None):  # noqa: A001 - PyTorch's name
    x = cast(x, dtype) if dtype is not None else x
    if x.dtype.kind in "bi" and x.dtype != dtypes.int64 and dtype is None:
        x = cast(x, dtypes.int64)  # PyTorch sums integers and bools in int64
    return reduce.Sum.apply(x, reduce.normalize_dims(dim, x.ndim, "sum"), keepdim)


def mean(x, dim=None, keepdim=False, dtype=None):
    x = cast(x, dtype) if dtype is not None else x
    if x.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {x.dtype}")
    return reduce.Mean.apply(x, reduce.normalize_dims(dim, x.ndim, "mean"), keepdim)


def _correction(correction, unbiased):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes = reduce.normalize_dims(dim, x.ndim, "var")
    return reduce.Var.apply(x, axes, _correction(correction, unbiased), keepdim)


def std(x, dim=None, unbiased=None, keepdim=False, *, correction=None):
    axes = reduce.normalize_dims(dim, x.ndim, "std")
    return reduce.Std.apply(x, axes, _correction(correction, unbiased), keepdim)


def _check_not_empty(x, name):
    if x.numel() == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           f"Specify the reduction dim with the 'dim' argument.")


def amax(x, dim=(), keepdim=False):
    _check_not_empty(x, "amax")
    axes = None if dim in ((), None) else reduce.normalize_dims(dim, x.ndim, "amax")
    return reduce.Amax.apply(x, axes, keepdim)


def amin(x, dim=(), keepdim=False):
    _check_not_empty(x, "amin")
    axes = None if dim in ((), None) else reduce.normalize_dims(dim, x.ndim, "amin")
    return reduce.Amin.apply(x, axes, keepdim)


def _along_dim(x, dim, keepdim, take_min):
    axis, = reduce.normalize_dims(dim, x.ndim, "min" if take_min else "max") or (0,)
    values, indices = reduce.MaxAlongDim.apply(x if x.ndim else x.reshape(1), axis, keepdim or not x.ndim,
                                               take_min=take_min)
    if not x.ndim:
        values, indices = values.reshape(()), indices.reshape(())
    return (MinResult if take_min else MaxResult)(values, indices)


def max(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    """``max(x)`` the largest value; ``max(x, dim)`` (values, indices); ``max(x, y)`` element-wise."""
    if isinstance(dim, Tensor):
        return maximum(x, dim)
    if dim is None:
        return amax(x)
    return _along_dim(x, dim, keepdim, take_min=False)


def min(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return amin(x)
    return _along_dim(x, dim, keepdim, take_min=True)


def _arg(x, dim, keepdim, name):
    xp = array_module(x.array)
    if dim is None:
        index = getattr(x.array.reshape(-1), name)()
        return _wrap(xp.asarray(index, dtype=dtypes.int64).reshape((1,) * x.ndim if keepdim else ()))
    axis, = reduce.normalize_dims(dim, x.ndim, name) or (0,)
    array = x.array if x.ndim else x.array.reshape(1)
    result = getattr(array, name)(axis=axis, keepdims=keepdim).astype(dtypes.int64)
    return _wrap(result if x.ndim else result.reshape(()))


def argmax(x, dim=None, keepdim=False):
    return _arg(x, dim, keepdim, "argmax")


def argmin(x, dim=None, keepdim=False):
    return _arg(x, dim, keepdim, "argmin")


def logsumexp(x, dim, keepdim=False):
    x = x if x.dtype.kind == "f" else cast(x, dtypes.get_default_dtype())
    return reduce.LogSumExp.apply(x, reduce.normalize_dims(dim, x.ndim, "logsumexp"), keepdim)


def all(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    return _wrap(x.array.all(axis=reduce.normalize_dims(dim, x.ndim, "all"), keepdims=keepdim))


def any(x, dim=None, keepdim=False):  # noqa: A001 - PyTorch's name
    return _wrap(x.array.any(axis=reduce.normalize_dims(dim, x.ndim, "any"), keepdims=keepdim))


def norm(x, p=2, dim=None, keepdim=False):
    if p == float("inf"):
        return amax(abs(x), () if dim is None else dim, keepdim)
    if p == 2:
        return sqrt(sum(x * x, dim, keepdim))
    return sum(abs(x) ** p, dim, keepdim) ** (1.0 / p)


# ---- shapes --------------------------------------------------------------------------------

def _resolve_shape(shape, numel, name):
    shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)
    if shape.count(-1) > 1:
        raise RuntimeError(f"{name}: only one dimension can be inferred, got shape {list(shape)}")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    if (-1 in shape and (known == 0 or numel % known)) or (-1 not in shape and known != numel):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(numel // known if n == -1 else int(n) for n in shape)


def reshape(x, *shape):
    shape = _resolve_shape(shape, x.numel(), "reshape")
    return x if shape == x.shape else sh.Reshape.apply(x, shape)


view = reshape


def flatten(x, start_dim=0, end_dim=-1):
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = reduce.normalize_dims(start_dim, x.ndim)[0], reduce.normalize_dims(end_dim, x.ndim)[0]
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.shape[:start] + (-1,) + x.shape[end + 1:]
    return reshape(x, *shape) if x.numel() else reshape(x, *[0 if n == -1 else n for n in shape])


def squeeze(x, dim=None):
    axes = reduce.normalize_dims(dim, x.ndim, "squeeze")
    shape = [n for i, n in enumerate(x.shape) if not (n == 1 and (axes is None or i in axes))]
    return reshape(x, *shape)


def unsqueeze(x, dim):
    axis, = reduce.normalize_dims(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, *(x.shape[:axis] + (1,) + x.shape[axis:]))


def permute(x, *dims):
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {x.ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    axes = reduce.normalize_dims(dims, x.ndim, "permute") and tuple(d % x.ndim for d in dims)
    return sh.Permute.apply(x, axes) if axes else x


def transpose(x, dim0, dim1):
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    axes = list(range(x.ndim))
    a, b = reduce.normalize_dims(dim0, x.ndim)[0], reduce.normalize_dims(dim1, x.ndim)[0]
    axes[a], axes[b] = axes[b], axes[a]
    return sh.Permute.apply(x, tuple(axes))


swapaxes = transpose


def expand(x, *sizes):
    sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({x.ndim})")
    shape = tuple(x.shape[i - lead] if n == -1 else n for i, n in enumerate(sizes))
    for i, n in enumerate(x.shape):
        if n != 1 and n != shape[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                               f"size ({n}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(x.shape)}")
    return x if shape == x.shape else sh.Expand.apply(x, shape)


def contiguous(x):
    return x if x.array.flags.c_contiguous else sh.Contiguous.apply(x)


def index_arrays(index, like):
    """Replace Tensors (and, for a CUDA tensor ``like``, NumPy arrays and lists) inside an
    index by arrays of ``like``'s array module."""
    xp = array_module(like.array)

    def convert(part):
        if isinstance(part, Tensor):
            part = part.array
        if xp is not numpy_module and (isinstance(part, (list, numpy_module.ndarray))):
            return xp.asarray(part)
        return part

    return tuple(convert(i) for i in index) if isinstance(index, tuple) else convert(index)


def getitem(x, index):
    return sh.GetItem.apply(x, index_arrays(index, x))


def cat(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    dtype = dtypes.result_type(*tensors)
    tensors = [operand(t, dtype, tensors[0]) for t in tensors]
    axis, = reduce.normalize_dims(dim, tensors[0].ndim, "cat")
    try:
        return sh.Cat.apply(*tensors, axis=axis)
    except ValueError as error:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise RuntimeError(f"cat(): tensors must have the same shape except in dimension {dim}; got "
                           f"shapes {shapes}") from error


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {sorted(shapes)}")
    dtype = dtypes.result_type(*tensors)
    tensors = [operand(t, dtype, tensors[0]) for t in tensors]
    axis, = reduce.normalize_dims(dim, tensors[0].ndim + 1, "stack")
    return sh.Stack.apply(*tensors, axis=axis)


def split(x, split_size_or_sections, dim=0):
    axis, = reduce.normalize_dims(dim, x.ndim, "split")
    length = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        sizes = [builtins.min(step, length - start) for start in range(0, length, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * axis + (slice(start, start + size),)
        pieces.append(getitem(x, index))
        start += size
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    axis, = reduce.normalize_dims(dim, x.ndim, "chunk")
    step = -(-x.shape[axis] // chunks)
    return split(x, builtins.max(step, 1), dim)


def matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                           f"{b.ndim}D")
    dtype = dtypes.result_type(a, b)
    a, b = operand(a, dtype, a), operand(b, dtype, a)
    try:
        return linalg.MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
                           f"({a.shape[-1]} != {b.shape[-2] if b.ndim > 1 else b.shape[0]})") from None


mm = bmm = matmul


def dot(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def no_history():
    from minigrad.autograd import no_grad
    return no_grad()
