"""In-place ops: ``add_``, ``mul_``, ``fill_``, ``copy_``... (random fills: :mod:`minigrad.sampling`).

Outside autograd (under ``no_grad``, or on tensors that need no gradient) they write into
the tensor's array with NumPy's ``out=`` and bump its version counter, so a backward that
saved the old values can tell they changed. On a tensor with history, in grad mode, the op
is recorded like its out-of-place form and the tensor takes over the result. On a leaf that
requires grad they raise, as in PyTorch.
"""
from minigrad import dtypes, functions
from minigrad.autograd import is_grad_enabled
from minigrad.backend import array_module
from minigrad.tensor import LEAF_INPLACE_MESSAGE, Tensor


def _records(tensor, *others):
    """Check the leaf rule; True when the op must be recorded for autograd."""
    if not is_grad_enabled():
        return False
    if tensor.requires_grad and tensor.is_leaf:
        raise RuntimeError(LEAF_INPLACE_MESSAGE)
    return tensor.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)


def _bump(tensor):
    tensor._version_counter[0] += 1
    return tensor


def _check_castable(tensor, other):
    result = dtypes.result_type(tensor, other)
    if dtypes.category(result) > dtypes.category(tensor.dtype):
        raise RuntimeError(f"result type {result} can't be cast to the desired output type {tensor.dtype}")


def _rebase(tensor, result):
    """Give ``tensor`` the values and the history of ``result`` (a recorded in-place op).

    The tensor moves to the result's new storage, so it also gets a new version counter:
    nodes that saved the old storage still hold it unchanged.
    """
    tensor.array = result.array.astype(tensor.dtype, copy=False)
    tensor.grad_fn, tensor._requires_grad = result.grad_fn, result.requires_grad
    tensor._version_counter = [tensor._version_counter[0] + 1]
    return tensor


def _array_of(value, tensor):
    if isinstance(value, Tensor):
        if value.device != tensor.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two "
                               f"devices, {tensor.device} and {value.device}!")
        return value.array
    return value


def _ufunc_(tensor, ufunc_name, other):
    _check_castable(tensor, other)
    array = tensor.array
    getattr(array_module(array), ufunc_name)(array, _array_of(other, tensor), out=array, casting="unsafe")
    return _bump(tensor)


def add_(tensor, other, alpha=1):
    if _records(tensor, other):
        return _rebase(tensor, functions.add(tensor, other, alpha))
    if alpha != 1:
        _check_castable(tensor, other)
        other = _array_of(other, tensor) * tensor.dtype.type(alpha)
    return _ufunc_(tensor, "add", other)


def mul_(tensor, other):
    if _records(tensor, other):
        return _rebase(tensor, functions.mul(tensor, other))
    return _ufunc_(tensor, "multiply", other)


def div_(tensor, other):
    if _records(tensor, other):
        return _rebase(tensor, functions.div(tensor, other))
    if tensor.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {tensor.dtype}")
    return _ufunc_(tensor, "true_divide", other)


def apply_(tensor, function, *args):
    """Run the out-of-place ``function(tensor, *args)`` and store its result in ``tensor``."""
    if _records(tensor, *args):
        return _rebase(tensor, function(tensor, *args))
    with functions.no_history():
        result = function(tensor.detach(), *args)
    _check_castable(tensor, result)
    tensor.array[...] = result.array
    return _bump(tensor)


def fill_(tensor, value):
    _records(tensor)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    tensor.array[...] = _array_of(value, tensor)
    return _bump(tensor)


def copy_(tensor, source):
    if _records(tensor, source):
        result = functions.expand(functions.cast(source.to(tensor.device), tensor.dtype), tensor.shape)
        return _rebase(tensor, functions.clone(result))
    source = source if isinstance(source, Tensor) else Tensor(source)
    try:
        tensor.array[...] = source.to(tensor.device).array
    except ValueError:
        raise RuntimeError(f"copy_: the source of shape {tuple(source.shape)} cannot be broadcast to the "
                           f"destination of shape {tuple(tensor.shape)}") from None
    return _bump(tensor)


def setitem(tensor, index, value):
    index = functions.index_arrays(index, tensor)
    if _records(tensor, value):
        from minigrad.ops.shape import SetItem
        value = functions.operand(value, tensor.dtype, tensor)
        return _rebase(tensor, SetItem.apply(tensor, value, index))
    tensor.array[index] = _array_of(value, tensor)
    return _bump(tensor)
