"""Ordering: ``sort``, ``argsort``, ``topk``, ``kthvalue``, ``unique``. Values are gathered from the
input by the sorted indices, so their gradient goes back to where each value came from."""
from collections import namedtuple

from minigrad.backend import array_module
from minigrad.functional._common import constant, normalize_dim
from minigrad.ops import index as ix

SortResult = namedtuple("sort", "values indices")
TopkResult = namedtuple("topk", "values indices")
KthvalueResult = namedtuple("kthvalue", "values indices")


def _stable_order(array, axis, descending):
    """Indices that sort ``array`` along ``axis`` (stable; NaN sorts as the largest, as in PyTorch)."""
    xp = array_module(array)
    if not descending:
        return xp.argsort(array, axis=axis, kind="stable")
    # stable and descending: sort the reversed axis ascending, reverse the order, map positions back
    order = xp.flip(xp.argsort(xp.flip(array, axis), axis=axis, kind="stable"), axis)
    return array.shape[axis] - 1 - order


def sort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    if input.ndim == 0:
        return SortResult(input * 1, constant(array_module(input.array).zeros((), "int64")))
    axis = normalize_dim(dim, input.ndim, "sort")
    order = _stable_order(input.array, axis, descending).astype("int64")
    return SortResult(ix.Sort.apply(input, order, axis), constant(order))


def argsort(input, dim=-1, descending=False, stable=False):  # noqa: A002
    return sort(input, dim, descending, stable).indices


def msort(input):  # noqa: A002
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "topk")
    size = input.shape[axis] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    order = _stable_order(input.array, axis, largest)
    order = order[(slice(None),) * axis + (slice(0, k),)].astype("int64")
    return TopkResult(ix.Topk.apply(input, order, axis), constant(order))


def kthvalue(input, k, dim=-1, keepdim=False):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "kthvalue")
    if not 1 <= k <= input.shape[axis]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    order = _stable_order(input.array, axis, False)[(slice(None),) * axis + (slice(k - 1, k),)].astype("int64")
    values, indices = ix.Gather.apply(input, order, axis), constant(order)
    if not keepdim:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return KthvalueResult(values, indices)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    xp = array_module(input.array)
    values, inverse, counts = xp.unique(input.array if dim is None else input.array, return_inverse=True,
                                        return_counts=True, axis=dim)
    result = [constant(values)]
    if return_inverse:
        result.append(constant(inverse.reshape(input.shape if dim is None else -1).astype("int64")))
    if return_counts:
        result.append(constant(counts.astype("int64")))
    return result[0] if len(result) == 1 else tuple(result)
