"""Indexing: ``x[i]``, ``x[i] = v``, ``gather``, ``scatter``, ``index_select``, ``masked_select``,
``nonzero``, ``sort``, ``topk``... Basic indices (ints, slices, None, ...) make views, as in PyTorch;
index tensors and masks make copies."""
import numpy

from minigrad.backend import array_module
from minigrad.engine import Tensor
from minigrad.functional._common import constant, normalize_dim, operand
from minigrad.functional.shapes import broadcast_tensors
from minigrad.ops import combined as cb
from minigrad.ops import elementwise as ew
from minigrad.ops import index as ix
from minigrad.ops import shape as sh


def _index_part(part, xp):
    """An index component as NumPy/CuPy understands it (Tensors and lists become arrays)."""
    if isinstance(part, Tensor):
        part = part.array
    if isinstance(part, (list, tuple)):
        part = numpy.asarray([p.item() if isinstance(p, Tensor) else p for p in part])
    if hasattr(part, "dtype") and hasattr(part, "shape") and not isinstance(part, numpy.generic):
        if part.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return xp.asarray(part)
    return part


def is_basic(part):
    return part is None or part is Ellipsis or isinstance(part, slice) or (
        isinstance(part, (int, numpy.integer)) and not isinstance(part, bool))


def normalize_index(index, like):
    xp = array_module(like.array)
    parts = index if isinstance(index, tuple) else (index,)
    return tuple(_index_part(p, xp) for p in parts)


def getitem(input, index):  # noqa: A002
    parts = normalize_index(index, input)
    if all(is_basic(p) for p in parts):
        return basic_view(input, parts)
    return ix.Index.apply(input, parts if len(parts) > 1 else parts[0])


def basic_view(x, parts):
    """Ints, slices, None and Ellipsis as a chain of views (select, slice, unsqueeze)."""
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    if sum(1 for p in parts if p is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    result, dim, changed = x, 0, False
    for part in parts:
        if part is Ellipsis:
            dim += x.ndim - consumed
        elif part is None:
            result = sh.Unsqueeze.apply(result, result.shape[:dim] + (1,) + result.shape[dim:])
            dim, changed = dim + 1, True
        elif isinstance(part, slice):
            size = result.shape[dim]
            start, stop, step = part.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            if (start, max(stop, start), step) != (0, size, 1):
                result, changed = sh.Slice.apply(result, dim, start, max(stop, start), step), True
            dim += 1
        else:
            size = result.shape[dim]
            if not -size <= part < size:
                raise IndexError(f"index {part} is out of bounds for dimension {dim} with size {size}")
            result, changed = sh.Select.apply(result, dim, int(part) % size), True
    return result if changed else sh.Slice.apply(x, 0, 0, x.shape[0]) if x.ndim else sh.View.apply(x, ())


def index_put(input, indices, values, accumulate=False):  # noqa: A002
    key = normalize_index(tuple(indices), input)
    return ix.IndexPut.apply(input, operand(values, input.array.dtype, input), key, accumulate)


def index_select(input, dim, index):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "index_select")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    return ix.IndexSelect.apply(input, (slice(None),) * axis + (index.array.reshape(-1),))


def masked_select(input, mask):  # noqa: A002
    input, mask = broadcast_tensors(input, mask)
    return ix.MaskedSelect.apply(input, mask.array)


def masked_fill(input, mask, value):  # noqa: A002
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    node = cb.MaskedFillTensor if isinstance(value, Tensor) else ew.MaskedFill
    return node.apply(operand(value, input.array.dtype, input), input, mask.array)


def gather(input, dim, index):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "gather")
    if index.dtype.kind not in "iu":
        raise RuntimeError("gather(): Expected dtype int64 for index")
    _check_index_fits(input, index, axis, None, "input")
    return ix.Gather.apply(input, index.array, axis)


def _check_index_fits(input, index, axis, src, name="self"):  # noqa: A002
    """PyTorch's checks of gather/scatter: same rank, index no larger than input (but along
    ``axis``) nor than ``src``, and every index value inside ``input``'s ``axis``."""
    if index.ndim != input.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {name} tensor")
    too_big = any(n > m for d, (n, m) in enumerate(zip(index.shape, input.shape)) if d != axis)
    if src is not None and (too_big or any(n > m for n, m in zip(index.shape, src.shape))):
        raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} apart "
                           f"from dimension {axis} and to be no larger size than src {list(src.shape)}")
    if too_big:
        raise RuntimeError(f"Size does not match at dimension {next(d for d in range(index.ndim) if d != axis)} "
                           f"expected index {list(index.shape)} to be no larger than self {list(input.shape)} "
                           f"apart from dimension {axis}")
    size = input.shape[axis] if input.ndim else 1
    outside = (index.array < -size) | (index.array >= size)
    if index.numel() and bool(outside.any()):
        value = int(index.array[outside].reshape(-1)[0])
        raise RuntimeError(f"index {value} is out of bounds for dimension {axis} with size {size}")


def scatter(input, dim, index, src=None, *, value=None, reduce=None):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "scatter")
    if src is None and value is None:
        raise TypeError("scatter() needs a src tensor or a value")
    _check_index_fits(input, index, axis, src if isinstance(src, Tensor) and src.ndim else None)
    source = _scatter_source(input, index, src if src is not None else value)
    if reduce not in (None, "add"):
        raise NotImplementedError(f"scatter(reduce={reduce!r}) is not supported; use 'add' or scatter_reduce")
    node = ix.Scatter if isinstance(src, Tensor) else ix.ScatterValue
    return node.apply(input, source, index.array, axis, reduce == "add")


def scatter_add(input, dim, index, src):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "scatter_add")
    _check_index_fits(input, index, axis, src)
    return ix.ScatterAdd.apply(input, _scatter_source(input, index, src), index.array, axis, True)


def _scatter_source(input, index, src):  # noqa: A002
    if isinstance(src, Tensor):
        if src.ndim:
            src = src[tuple(slice(0, n) for n in index.shape)]
        return src.to(input.dtype)
    return operand(src, input.array.dtype, input)


def index_add(input, dim, index, source, *, alpha=1):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "index_add")
    key = (slice(None),) * axis + (index.array,)
    return ix.IndexAdd.apply(input, source * alpha if alpha != 1 else source, key, True)


def index_fill(input, dim, index, value):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "index_fill")
    key = (slice(None),) * axis + (index.array,)
    node = ix.IndexFillTensor if isinstance(value, Tensor) else ix.IndexFill
    return node.apply(input, operand(value, input.array.dtype, input), key, False)


def take(input, index):  # noqa: A002
    return ix.Index.apply(input.reshape(-1), index.array)


def take_along_dim(input, indices, dim):  # noqa: A002
    return gather(input, dim, indices)


def nonzero(input, *, as_tuple=False):  # noqa: A002
    xp = array_module(input.array)
    positions = xp.nonzero(input.array if input.ndim else input.array.reshape(1))
    if as_tuple:
        return tuple(constant(p.astype("int64")) for p in positions)
    return constant(xp.stack(positions, axis=1).astype("int64") if positions else xp.zeros((0, 0), "int64"))


def argwhere(input):  # noqa: A002
    return nonzero(input)


def masked_scatter(input, mask, source):  # noqa: A002
    """A copy of ``input`` whose elements where ``mask`` is true are ``source``'s first ones, in order."""
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.legacy_name}")
    mask = broadcast_tensors(mask, input)[0] if tuple(mask.shape) != tuple(input.shape) else mask
    count = int(mask.array.sum())
    if source.numel() < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    values = source.reshape(-1)[:count]
    return ix.MaskedScatter.apply(input, operand(values, input.array.dtype, input), mask.array, False)
