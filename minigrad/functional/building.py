"""Tensors built from others: ``diag``, ``meshgrid``, ``column_stack``, ``dstack``, ``ravel``,
``diff``, ``cross``. Each is written with differentiable functions, so gradients come for free."""
import builtins
import warnings

from minigrad.backend import array_module
from minigrad.engine import Tensor
from minigrad.functional._common import normalize_dim
from minigrad.functional.indexing import index_put
from minigrad.functional.shapes import atleast_1d, cat, diagonal, narrow, reshape, select, stack


def diag(input, diagonal=0):  # noqa: A002 - PyTorch's names
    """A 1-D tensor placed on a diagonal of a square matrix, or a matrix's diagonal as a new 1-D tensor."""
    if input.ndim == 1:
        n, k = input.shape[0], diagonal
        size = n + builtins.abs(k)
        xp = array_module(input.array)
        rows = xp.arange(n) + builtins.max(-k, 0)
        columns = xp.arange(n) + builtins.max(k, 0)
        zeros = Tensor._wrap(xp.zeros((size, size), dtype=input.array.dtype))
        return index_put(zeros, (rows, columns), input)
    if input.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    return _diagonal_copy(input, diagonal)


def _diagonal_copy(matrix, offset):
    return diagonal(matrix, offset).clone()


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: one tensor per input, each expanded over the others' lengths (views)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.ndim}D")
    order = list(tensors)
    if indexing == "xy" and len(order) >= 2:
        order[0], order[1] = order[1], order[0]
    shape = tuple(t.numel() for t in order)
    grids = []
    for axis, t in enumerate(order):
        view_shape = [1] * len(order)
        view_shape[axis] = -1
        grids.append(reshape(t, tuple(view_shape)).expand(*shape))
    if indexing == "xy" and len(grids) >= 2:  # computed as "ij" with the first two inputs swapped
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def column_stack(tensors):
    """1-D tensors become columns; the rest are joined along dimension 1."""
    columns = [reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in tensors]
    return cat(columns, 1)


def dstack(tensors):
    """Joined along a third dimension (1-D (n,) becomes (1, n, 1), 2-D (a, b) becomes (a, b, 1))."""
    def three_d(t):
        t = atleast_1d(t)
        return reshape(t, (1, t.shape[0], 1)) if t.ndim == 1 else reshape(t, tuple(t.shape) + (1,)) \
            if t.ndim == 2 else t
    return cat([three_d(t) for t in tensors], 2)


def ravel(input):  # noqa: A002
    return reshape(input, (-1,))


def diff(input, n=1, dim=-1, prepend=None, append=None):  # noqa: A002
    """The n-th forward difference along ``dim``, after joining ``prepend`` and ``append``."""
    axis = normalize_dim(dim, input.ndim, "diff")
    x = cat([t for t in (prepend, input, append) if t is not None], axis) if prepend is not None or \
        append is not None else input
    for _ in range(n):
        length = x.shape[axis]
        if length == 0:
            break
        later, earlier = narrow(x, axis, 1, length - 1), narrow(x, axis, 0, length - 1)
        x = later != earlier if x.dtype.kind == "b" else later - earlier
    return x


def cross(input, other, dim=None):  # noqa: A002
    """The cross product of 3-vectors along ``dim`` (by default the first dimension of size 3)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.", UserWarning, stacklevel=2)
        dim = next((d for d, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    axis = normalize_dim(dim, input.ndim, "cross")
    if input.shape[axis] != 3 or other.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[axis]} and "
                           f"{other.shape[axis]}")
    a = [select(input, axis, i) for i in range(3)]
    b = [select(other, axis, i) for i in range(3)]
    return stack([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], axis)
