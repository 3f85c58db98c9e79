"""Shape functions. Those PyTorch makes views (``view``, ``reshape`` when it can, ``transpose``,
``squeeze``, ``expand``, ``narrow``, ``select``, ``split``, ``diagonal``...) share memory with
their input here too; ``cat``, ``stack``, ``flip``, ``roll``, ``repeat`` copy."""
import builtins

from minigrad import dtypes
from minigrad.backend import array_module
from minigrad.engine import Tensor, make_tensor
from minigrad.functional._common import check_same_device, normalize_dim, normalize_dims, operand, size_args
from minigrad.ops import elementwise as ew
from minigrad.ops import index as index_ops
from minigrad.ops import shape as sh


def _resolve_shape(shape, numel):
    shape = size_args(shape, "shape")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for n in shape:
        if n < -1:
            raise RuntimeError(f"invalid shape dimension {n}")
        known *= n if n != -1 else 1
    if (-1 in shape and (known == 0 or numel % known)) or (-1 not in shape and known != numel):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(numel // known if n == -1 else n for n in shape)


def _viewable(x, shape):
    if x.array.flags.c_contiguous or x.array.size == 0:
        return True
    return array_module(x.array).may_share_memory(x.array.reshape(shape), x.array)


def view(input, *shape):  # noqa: A002 - PyTorch's name
    """The same memory with another shape (it must be expressible with strides; else use reshape)."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Tensor)):
        return view_dtype(input, shape[0])
    shape = _resolve_shape(shape, input.array.size)
    if not _viewable(input, shape):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return sh.View.apply(input, shape)


def view_dtype(input, dtype):  # noqa: A002
    """The same bytes read as another dtype of the same size."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.itemsize != input.array.dtype.itemsize:
        raise RuntimeError(f"view(): dtypes of different element sizes are not supported here ({input.dtype} to "
                           f"{dtype})")
    return make_tensor(input.array.view(dtype.dtype))


def reshape(input, *shape):  # noqa: A002
    """A view when the memory layout allows, a copy otherwise (as PyTorch)."""
    shape = _resolve_shape(shape, input.array.size)
    if _viewable(input, shape):
        return sh.View.apply(input, shape)
    return sh.UnsafeView.apply(ew.Clone.apply(input), shape)


def view_as(input, other):  # noqa: A002
    return view(input, other.shape)


def reshape_as(input, other):  # noqa: A002
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):  # noqa: A002
    if input.ndim == 0:
        return reshape(input, 1)
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    middle = 1
    for n in input.shape[start:end + 1]:
        middle *= n
    return reshape(input, input.shape[:start] + (middle,) + input.shape[end + 1:])


def unflatten(input, dim, sizes):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "unflatten")
    sizes = list(sizes)
    if -1 in sizes:
        known = 1
        for n in sizes:
            known *= n if n != -1 else 1
        sizes[sizes.index(-1)] = input.shape[axis] // builtins.max(known, 1)
    return reshape(input, tuple(input.shape[:axis]) + tuple(sizes) + tuple(input.shape[axis + 1:]))


def squeeze(input, dim=None):  # noqa: A002
    axes = normalize_dims(dim, input.ndim, "squeeze")
    shape = tuple(n for i, n in enumerate(input.shape) if not (n == 1 and (axes is None or i in axes)))
    return (sh.SqueezeAll if dim is None else sh.Squeeze).apply(input, shape)


def unsqueeze(input, dim):  # noqa: A002
    axis = normalize_dim(dim, input.ndim + 1, "unsqueeze")
    return sh.Unsqueeze.apply(input, tuple(input.shape[:axis]) + (1,) + tuple(input.shape[axis:]))


def permute(input, *dims):  # noqa: A002
    dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    normalize_dims(dims, input.ndim, "permute")
    return sh.Permute.apply(input, tuple(d % builtins.max(input.ndim, 1) for d in dims))


def transpose(input, dim0, dim1):  # noqa: A002
    axes = list(range(input.ndim))
    if input.ndim == 0:
        normalize_dims((dim0, dim1), 0)
        return sh.Transpose.apply(input, ())
    a, b = normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim)
    axes[a], axes[b] = axes[b], axes[a]
    return sh.Transpose.apply(input, tuple(axes))


swapdims = transpose


def swapaxes(input, axis0, axis1):  # noqa: A002
    """``transpose`` under NumPy's name and argument names."""
    return transpose(input, axis0, axis1)


def t(input):  # noqa: A002
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return sh.T.apply(input, tuple(reversed(range(input.ndim))))


def movedim(input, source, destination):  # noqa: A002
    source = [normalize_dim(s, input.ndim) for s in (source if isinstance(source, (tuple, list)) else (source,))]
    target = [normalize_dim(d, input.ndim) for d in
              (destination if isinstance(destination, (tuple, list)) else (destination,))]
    order = [i for i in range(input.ndim) if i not in source]
    for d, s in sorted(zip(target, source)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def expand(input, *sizes):  # noqa: A002
    sizes = size_args(sizes, "size")
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(input.shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({input.ndim})")
    shape = tuple(input.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    for i, n in enumerate(input.shape):
        if n != 1 and n != shape[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[lead + i]}) must match the existing size ({n}) "
                               f"at non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(input.shape)}")
    return sh.Expand.apply(input, shape)


def expand_as(input, other):  # noqa: A002
    return expand(input, other.shape)


def broadcast_to(input, size):  # noqa: A002
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that ``shapes`` broadcast to, with PyTorch's error (sizes named in argument
    order) when they do not."""
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for k in range(rank, 0, -1):
        sizes = [s[-k] for s in shapes if len(s) >= k]
        wide = [n for n in sizes if n != 1]
        if any(n != wide[0] for n in wide):
            a, b = next((x, y) for x in wide for y in wide if x != y)
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                               f"dimension {rank - k}")
        result.append(wide[0] if wide else 1)
    return tuple(result)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def contiguous(input, memory_format=None):  # noqa: A002
    return input if input.array.flags.c_contiguous else ew.Clone.apply(input)


def narrow(input, dim, start, length):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "narrow")
    size = input.shape[axis]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start %= builtins.max(size, 1) if start < 0 else size + 1
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return sh.Slice.apply(input, axis, start, start + length)


def select(input, dim, index):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "select")
    size = input.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at dimension "
                         f"{axis}")
    return sh.Select.apply(input, axis, int(index) % size)


def diagonal(input, offset=0, dim1=0, dim2=1):  # noqa: A002
    a, b = normalize_dim(dim1, input.ndim), normalize_dim(dim2, input.ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return sh.Diagonal.apply(input, offset, a, b)


def split(tensor, split_size_or_sections, dim=0):
    axis = normalize_dim(dim, tensor.ndim, "split")
    length = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and length):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {length}")
        sizes = [builtins.min(step, length - start) for start in range(0, length, step)] if step else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size "
                               f"at dimension {dim}), but got split_sizes={sizes}")
    piece = sh.SplitSlice if isinstance(split_size_or_sections, int) else sh.SplitWithSizesSlice
    pieces, start = [], 0
    for size in sizes:
        pieces.append(piece.apply(tensor, axis, start, start + size))
        start += size
    return _multi_output(pieces, "Split" if piece is sh.SplitSlice else "SplitWithSizes")


def _multi_output(pieces, name):
    """Mark the views one call returned together: PyTorch refuses in-place writes into them
    while they record gradients (``views.check_inplace``)."""
    for number, piece in enumerate(pieces):
        piece._extras()["multi_output"] = (name, number)
    return tuple(pieces)


def chunk(input, chunks, dim=0):  # noqa: A002
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    axis = normalize_dim(dim, input.ndim, "chunk")
    step = -(-input.shape[axis] // chunks)
    return split(input, builtins.max(step, 1) if input.shape[axis] else 0, dim)


def tensor_split(input, indices_or_sections, dim=0):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "tensor_split")
    length = input.shape[axis]
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        bounds = [k * (length // n) + builtins.min(k, length % n) for k in range(n + 1)]
    else:
        bounds = [0] + list(indices_or_sections) + [length]
    return tuple(sh.Slice.apply(input, axis, builtins.min(a, length), builtins.min(builtins.max(a, b), length))
                 for a, b in zip(bounds, bounds[1:]))


def unbind(input, dim=0):  # noqa: A002
    axis = normalize_dim(dim, input.ndim, "unbind")
    return _multi_output([sh.UnbindSelect.apply(input, axis, i) for i in range(input.shape[axis])], "Unbind")


def _joinable(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{name}(): argument 'tensors' must be tuple of Tensors, not {type(t).__name__}")
        check_same_device(t, tensors[0])
    dtype = dtypes.result_type(*tensors)
    return [operand(t, dtype, tensors[0]) for t in tensors]


def cat(tensors, dim=0):
    tensors = _joinable(tensors, "cat")
    tensors = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    axis = normalize_dim(dim, tensors[0].ndim, "cat")
    for number, t in enumerate(tensors):
        if t.ndim != tensors[0].ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {tensors[0].ndim} and {t.ndim}")
        for d in range(t.ndim):
            if d != axis and t.shape[d] != tensors[0].shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected size "
                                   f"{tensors[0].shape[d]} but got size {t.shape[d]} for tensor number "
                                   f"{number} in the list.")
    return sh.Cat.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors, dim=0):
    tensors = _joinable(tensors, "stack")
    for number, t in enumerate(tensors):
        if tuple(t.shape) != tuple(tensors[0].shape):
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry "
                               f"0 and {list(t.shape)} at entry {number}")
    axis = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return sh.Stack.apply(*tensors, axis=axis)


def hstack(tensors):
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0)


def flip(input, dims):  # noqa: A002
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return sh.Flip.apply(input, normalize_dims(dims, input.ndim, "flip") or ())


def fliplr(input):  # noqa: A002
    return flip(input, 1)


def flipud(input):  # noqa: A002
    return flip(input, 0)


def roll(input, shifts, dims=None):  # noqa: A002
    if dims is None:
        return reshape(roll(flatten(input), shifts, 0), input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    return sh.Roll.apply(input, shifts, tuple(normalize_dim(d, input.ndim) for d in dims))


def repeat(input, *sizes):  # noqa: A002
    sizes = size_args(sizes, "repeats")
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    return sh.Repeat.apply(input, sizes)


def tile(input, dims):  # noqa: A002
    dims = size_args((dims,) if isinstance(dims, int) else tuple(dims), "dims")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def atleast_1d(input):  # noqa: A002
    return reshape(input, 1) if input.ndim == 0 else input


def atleast_2d(input):  # noqa: A002
    return reshape(input, (1,) * (2 - input.ndim) + tuple(input.shape)) if input.ndim < 2 else input


def _triangle(op, input, diagonal, lower):  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
    xp = array_module(input.array)
    ones = xp.ones(input.shape[-2:], dtype=bool)
    mask = xp.tril(ones, diagonal) if lower else xp.triu(ones, diagonal)
    zero = make_tensor(xp.zeros((), dtype=input.array.dtype))
    return op.apply(input, zero, mask)


def tril(input, diagonal=0):  # noqa: A002
    return _triangle(ew.Tril, input, diagonal, True)


def triu(input, diagonal=0):  # noqa: A002
    return _triangle(ew.Triu, input, diagonal, False)


def repeat_interleave(input, repeats, dim=None, *, output_size=None):  # noqa: A002
    """Each element repeated ``repeats`` times (a number or one count per element) along ``dim``."""
    x = flatten(input) if dim is None else input
    axis = 0 if dim is None else normalize_dim(dim, x.ndim, "repeat_interleave")
    xp = array_module(x.array)
    counts = repeats.array if isinstance(repeats, Tensor) else repeats
    positions = xp.repeat(xp.arange(x.shape[axis]), counts)
    return index_ops.Index.apply(x, (slice(None),) * axis + (positions,))
