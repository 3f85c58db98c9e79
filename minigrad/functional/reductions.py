"""Reductions: ``sum``, ``mean``, ``var``, ``max``, ``argmax``, ``logsumexp``, ``norm``, ``cumsum``..."""
import builtins
from collections import namedtuple

from minigrad import dtypes
from minigrad.backend import array_module
from minigrad.engine import Tensor
from minigrad.functional._common import cast, constant, normalize_dim, normalize_dims
from minigrad.functional.arithmetic import abs as absolute, maximum, minimum
from minigrad.functional.sorting import sort
from minigrad.functional.shapes import cat, narrow, select
from minigrad.ops import reduce

MaxResult = namedtuple("max", "values indices")
MinResult = namedtuple("min", "values indices")
SortResult = namedtuple("sort", "values indices")


def _dims(dim, axis):
    """PyTorch accepts NumPy's ``axis`` for ``dim`` in reductions."""
    return axis if dim is None else dim


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):  # noqa: A001, A002
    dim, keepdim = _dims(dim, axis), keepdim or bool(keepdims)
    x = cast(input, dtype) if dtype is not None else input
    if x.array.dtype.kind in "biu" and dtype is None:
        x = cast(x, dtypes.int64)  # PyTorch sums integers and bools in int64
    axes = normalize_dims(dim, x.ndim, "sum")
    if axes == ():
        axes = None  # sum(dim=()) reduces everything, as in PyTorch
    return (reduce.SumAll if axes is None else reduce.Sum).apply(x, axes, keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):  # noqa: A002
    dim, keepdim = _dims(dim, axis), keepdim or bool(keepdims)
    x = cast(input, dtype) if dtype is not None else input
    if x.array.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {x.dtype.legacy_name}")
    axes = normalize_dims(dim, x.ndim, "mean")
    return (reduce.MeanAll if axes is None else reduce.Mean).apply(x, axes, keepdim)


def _correction(correction, unbiased):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    if isinstance(dim, bool):  # var(x, False): the old positional ``unbiased``
        dim, unbiased = None, dim
    return reduce.Var.apply(input, normalize_dims(dim, input.ndim, "var"), _correction(correction, unbiased), keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return reduce.Std.apply(input, normalize_dims(dim, input.ndim, "std"), _correction(correction, unbiased), keepdim)


def _check_reducible(x, axes, name):
    """PyTorch refuses max/min-like reductions over an empty dimension."""
    if x.array.size:
        return
    if axes is None:
        if name in ("argmax", "argmin"):
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           f"reduction dim with the 'dim' argument.")
    for axis in axes:
        if x.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def amax(input, dim=(), keepdim=False):  # noqa: A002
    axes = None if dim in ((), None) else normalize_dims(dim, input.ndim, "amax")
    _check_reducible(input, axes, "amax")
    return reduce.Amax.apply(input, axes, keepdim)


def amin(input, dim=(), keepdim=False):  # noqa: A002
    axes = None if dim in ((), None) else normalize_dims(dim, input.ndim, "amin")
    _check_reducible(input, axes, "amin")
    return reduce.Amin.apply(input, axes, keepdim)


def _along_dim(x, dim, keepdim, op, result):
    axis = normalize_dim(dim, x.ndim, op.__name__)
    _check_reducible(x, (axis,) if x.ndim else None, "max" if result is MaxResult else "min")
    flat = x if x.ndim else x.reshape(1)
    values, indices = op.apply(flat, axis, keepdim or not x.ndim)
    if not x.ndim:
        values, indices = values.reshape(()), indices.reshape(())
    return result(values, indices)


def max(input, dim=None, keepdim=False, *, other=None):  # noqa: A001, A002
    """``max(x)`` the largest value; ``max(x, dim)`` (values, indices); ``max(x, y)`` element-wise."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    if dim is None:
        _check_reducible(input, None, "max")
        return reduce.MaxAll.apply(input, None, False)
    return _along_dim(input, dim, keepdim, reduce.MaxAlongDim, MaxResult)


def min(input, dim=None, keepdim=False):  # noqa: A001, A002
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    if dim is None:
        _check_reducible(input, None, "min")
        return reduce.MinAll.apply(input, None, False)
    return _along_dim(input, dim, keepdim, reduce.MinAlongDim, MinResult)


def _arg(x, dim, keepdim, name):
    xp = array_module(x.array)
    if dim is None:
        _check_reducible(x, None, name)
        index = getattr(x.array.reshape(-1), name)()
        return constant(xp.asarray(index, dtype="int64").reshape((1,) * x.ndim if keepdim else ()))
    axis = normalize_dim(dim, x.ndim, name)
    _check_reducible(x, (axis,) if x.ndim else None, name)
    array = x.array if x.ndim else x.array.reshape(1)
    result = getattr(array, name)(axis=axis, keepdims=keepdim).astype("int64")
    return constant(result if x.ndim else result.reshape(()))


def argmax(input, dim=None, keepdim=False):  # noqa: A002
    return _arg(input, dim, keepdim, "argmax")


def argmin(input, dim=None, keepdim=False):  # noqa: A002
    return _arg(input, dim, keepdim, "argmin")


def logsumexp(input, dim, keepdim=False):  # noqa: A002
    x = input if input.array.dtype.kind == "f" else cast(input, dtypes.get_default_dtype())
    axes = normalize_dims(dim, x.ndim, "logsumexp")
    return reduce.LogSumExp.apply(x, axes, keepdim)


def all(input, dim=None, keepdim=False):  # noqa: A001, A002
    return constant(input.array.all(axis=normalize_dims(dim, input.ndim, "all"), keepdims=keepdim))


def any(input, dim=None, keepdim=False):  # noqa: A001, A002
    return constant(input.array.any(axis=normalize_dims(dim, input.ndim, "any"), keepdims=keepdim))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):  # noqa: A002
    """The vector p-norm over ``dim`` (all elements by default); 'fro' is the 2-norm."""
    x = cast(input, dtype) if dtype is not None else input
    if p in ("fro", 2, 2.0, None):
        return reduce.Norm.apply(x, normalize_dims(dim, x.ndim, "norm"), keepdim)
    if p == float("inf"):
        return amax(absolute(x), () if dim is None else dim, keepdim)
    if p == -float("inf"):
        return amin(absolute(x), () if dim is None else dim, keepdim)
    if p == 0:
        return sum(x != 0, dim, keepdim).to(x.dtype)
    return sum(absolute(x) ** p, dim, keepdim) ** (1.0 / p)


def cumsum(input, dim, *, dtype=None):  # noqa: A002
    x = cast(input, dtype) if dtype is not None else input
    if x.array.dtype.kind in "biu" and dtype is None:
        x = cast(x, dtypes.int64)
    return reduce.Cumsum.apply(x, normalize_dim(dim, x.ndim, "cumsum"))


def cumprod(input, dim, *, dtype=None):  # noqa: A002
    """Running products, as a product of running sums of logs would lose zeros and signs: computed
    directly, with the gradient through a composition of differentiable ops (sums of prefixes)."""
    x = cast(input, dtype) if dtype is not None else input
    axis = normalize_dim(dim, x.ndim, "cumprod")
    if x.ndim == 0 or x.shape[axis] <= 1:
        return x * 1
    pieces = [narrow(x, axis, 0, 1)]
    for k in range(1, x.shape[axis]):
        pieces.append(pieces[-1] * narrow(x, axis, k, 1))
    return cat(pieces, axis)


def prod(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    x = cast(input, dtype) if dtype is not None else input
    if dim is None:
        flat = x.reshape(-1)
        return cumprod(flat, 0)[-1] if flat.numel() else constant(array_module(x.array).ones((), x.array.dtype))
    axis = normalize_dim(dim, x.ndim, "prod")
    result = select(cumprod(x, axis), axis, -1) if x.shape[axis] else \
        constant(x.array.prod(axis=axis))
    return result.unsqueeze(axis) if keepdim else result


def count_nonzero(input, dim=None):  # noqa: A002
    return constant((input.array != 0).sum(axis=normalize_dims(dim, input.ndim, "count_nonzero")).astype("int64"))


def aminmax(input, *, dim=None, keepdim=False):  # noqa: A002
    return amin(input, () if dim is None else dim, keepdim), amax(input, () if dim is None else dim, keepdim)


def median(input, dim=None, keepdim=False):  # noqa: A002
    """The lower median (PyTorch's, not the mean of the two middle values)."""
    if dim is None:
        values = sort(input.reshape(-1)).values
        return values[(values.numel() - 1) // 2]
    axis = normalize_dim(dim, input.ndim, "median")
    values, indices = sort(input, axis)
    middle = (input.shape[axis] - 1) // 2
    picked, index = select(values, axis, middle), select(indices, axis, middle)
    if keepdim:
        picked, index = picked.unsqueeze(axis), index.unsqueeze(axis)
    return MinResult(picked, index)


_ = builtins  # the module shadows sum, max, min, all and any with PyTorch's


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    """(variance, mean) over ``dim``, as ``var`` and ``mean`` compute them."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, None if isinstance(dim, bool) else dim, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):  # noqa: A002
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, None if isinstance(dim, bool) else dim, keepdim))


def nansum(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """The sum with NaNs counted as zero."""
    return sum(_without_nans(input), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):  # noqa: A002
    """The mean of the values that are not NaN (NaN where there are none)."""
    counted = sum(constant(~array_module(input.array).isnan(input.array)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / counted


def _without_nans(input):  # noqa: A002
    if input.dtype.kind != "f":
        return input
    return input.masked_fill(constant(array_module(input.array).isnan(input.array)), 0.0)


def dist(input, other, p=2):  # noqa: A002
    """The p-norm of ``input - other``."""
    return norm(input - other, p)


def bincount(input, weights=None, minlength=0):  # noqa: A002
    """How many times each non-negative integer occurs (or the sum of its ``weights``)."""
    if input.ndim != 1 or input.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input.numel() and builtins.int(input.array.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and tuple(weights.shape) != tuple(input.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    size = builtins.max(minlength, builtins.int(input.array.max()) + 1 if input.numel() else 0)
    xp = array_module(input.array)
    if weights is None:
        return constant(xp.bincount(input.array, minlength=size).astype("int64"))
    dtype = weights.array.dtype if weights.dtype.kind == "f" else dtypes.float64.dtype
    return constant(xp.zeros(size, dtype=dtype)).index_add(0, input, cast(weights, dtype))
