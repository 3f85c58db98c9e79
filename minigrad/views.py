"""In-place ops with PyTorch's autograd rules, including writes through views.

``apply_inplace(tensor, function, *args)`` computes ``function(tensor, *args)`` out of place and
writes the result into ``tensor``'s own memory, so every view of the same storage sees the new
values, and bumps the version counter they share. What autograd records depends on the tensor:

- nothing, under ``no_grad`` or when no operand requires grad;
- an error, for a leaf that requires grad (or a view of one), as in PyTorch;
- for a tensor with history, the result's history becomes the tensor's; values the new nodes
  saved from the tensor's old contents are copied first, since the write destroys them;
- for a view, the base's history is rewritten: the new base is the old base with the view's
  region replaced by the result (a ``ViewAssign`` node, which PyTorch calls ``CopySlices``).
  Its gradient is the old gradient outside the view and, through the result, the op's
  backward inside it. Other views of the base pick up their new history lazily
  (``view_history.sync_view``).
"""
from minigrad import dtypes
from minigrad.backend import array_module
from minigrad.engine import Op, Tensor
from minigrad.view_history import replay_view, sync_view
from minigrad.grad_mode import is_grad_enabled, no_grad

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
OVERLAP_MESSAGE = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
                   "location. Please clone() the tensor before performing the operation.")
MULTI_OUTPUT_MESSAGE = (
    "Output {1} of {0} is a view and is being modified inplace. This view is the output of a function that returns "
    "multiple views. Such functions do not allow the output views to be modified inplace. You should replace the "
    "inplace operation by an out-of-place one.")
NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use "
    "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
    "you want the inplace to be tracked).")


def check_inplace(tensor, *others):
    """Raise PyTorch's error if ``tensor`` may not be written in place; return True when the
    write must be recorded for autograd."""
    array = tensor.array
    if any(stride == 0 and size > 1 for stride, size in zip(array.strides, array.shape)) or \
            not getattr(array.flags, "writeable", True):  # CuPy arrays have no such flag: all are writable
        raise RuntimeError(OVERLAP_MESSAGE)
    if not is_grad_enabled():
        return False
    view = tensor._view
    if view is not None:
        sync_view(tensor)
        base = view.base
        if not view.with_grad and base._requires_grad:
            raise RuntimeError(NO_GRAD_VIEW_MESSAGE)
        if base._grad_fn is None and base._requires_grad:
            raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
        piece = (tensor._extra or {}).get("multi_output")
        if piece is not None and base._requires_grad:
            raise RuntimeError(MULTI_OUTPUT_MESSAGE.format(*piece))
    if tensor._grad_fn is None and tensor._requires_grad:
        raise RuntimeError(LEAF_MESSAGE)
    return tensor._requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)


def check_castable(tensor, dtype):
    """PyTorch refuses in-place results of a higher category (float into an int tensor...)."""
    if dtypes.category(dtypes.as_dtype(dtype).dtype) > dtypes.category(tensor.array.dtype):
        raise RuntimeError(f"result type {dtypes.as_dtype(dtype).legacy_name} can't be cast to the desired output "
                           f"type {tensor.dtype.legacy_name}")


def bump(tensor):
    tensor._version_counter[0] += 1
    return tensor


def write(tensor, array):
    """Store ``array`` (broadcast and cast) in ``tensor``'s memory and bump its version."""
    tensor.array[...] = array
    return bump(tensor)


def apply_inplace(tensor, function, *args, **kwargs):
    """``tensor <- function(tensor, *args)`` in place, recorded as the module docstring says."""
    if not check_inplace(tensor, *args, *kwargs.values()):
        with no_grad():
            result = function(tensor, *args, **kwargs)
        check_castable(tensor, result.array.dtype)
        return write(tensor, result.array)
    stops = {_edge_node(t) for t in (tensor, *args) if isinstance(t, Tensor)}
    result = function(tensor, *args, **kwargs)
    check_castable(tensor, result.array.dtype)
    if not _operand_aliases(tensor, args):  # else, as in PyTorch, the saved operand is stale: backward raises
        _protect_saved(result._grad_fn, tensor, stops)
    write(tensor, result.array)
    _retarget_saved_outputs(result._grad_fn, tensor)
    if tensor._view is None:
        tensor._grad_fn, tensor._output_nr, tensor._requires_grad = result._grad_fn, result._output_nr, True
    else:
        _rewrite_base_history(tensor, result)
    return tensor


def _operand_aliases(tensor, args):
    """Whether another operand shares the target's memory (``h.mul_(h)``): only the target's own
    old value is kept for backward (PyTorch's original_self), not an operand that aliases it."""
    xp = array_module(tensor.array)
    return any(isinstance(a, Tensor) and xp.may_share_memory(a.array, tensor.array) for a in args)


def _edge_node(tensor):
    if tensor._grad_fn is not None:
        return tensor._grad_fn
    return tensor._accumulator() if tensor._accumulator is not None else None


def _protect_saved(top, tensor, stops):
    """Copy what the op's new nodes saved from ``tensor``'s memory: the write will overwrite it."""
    xp = array_module(tensor.array)
    pending, seen = [top], set()
    while pending:
        node = pending.pop()
        if node is None or node in stops or node in seen:
            continue
        seen.add(node)
        if node._saved:
            node._saved = tuple(entry.snapshot() if entry is not None and not entry.is_output and
                                xp.may_share_memory(entry.array, tensor.array) else entry for entry in node._saved)
        pending.extend(child for child, _ in node._edges)


def _retarget_saved_outputs(node, tensor):
    """The result now lives in ``tensor``: saved outputs follow its memory and version."""
    for entry in (node._saved or ()) if node is not None else ():
        if entry is not None and entry.is_output:
            entry.array, entry.counter, entry.version = tensor.array, tensor._version_counter, tensor._version


def _rewrite_base_history(view, result):
    info = view._view
    base = info.base
    node = object.__new__(ViewAssign)
    node.chain = info.chain
    node._record([base, result], [base], [base.array])
    info.version = -1  # the view's own history is regenerated from the new base
    sync_view(view)


class ViewAssign(Op, name="CopySlices"):
    """A copy of ``base`` whose region ``chain`` (a view's ops) holds ``value`` instead.

    The gradient of ``base`` is the gradient with that region zeroed, and ``value`` gets the region.
    """

    name_prefix = "minigrad::autograd::"

    @staticmethod
    def forward(ctx, base, value, chain):
        ctx.chain = chain
        out = base.copy()
        replay_view(out, chain, ARRAY_VIEWS)[...] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        m = ctx.math
        inside = replay_view(grad, ctx.chain, m)
        needs_base, needs_value = ctx.needs_input_grad
        return (m.op(ViewAssign, grad, m.zeros((), grad), ctx.chain) if needs_base else None,
                inside if needs_value else None)


class _ArrayViews:
    """Running view ops on plain arrays (the part of ``ctx.math`` that view replay needs)."""

    records = False

    @staticmethod
    def op(op, *args, **kwargs):
        return op.forward(object.__new__(op), *args, **kwargs)


ARRAY_VIEWS = _ArrayViews()
