"""What a view knows of its base, and how its history follows the base's in-place changes.

A view's array shares memory with its base's, so new values need nothing. Its ``grad_fn`` is
another matter: after the base changes in place, the view's history must start from the base's
new history. ``sync_view`` rebuilds it lazily, by replaying the view's chain of ops on the base.
"""
from minigrad.grad_mode import enable_grad, is_grad_enabled


class ViewInfo:
    """What a view knows of its base: the root ``base``, the ``chain`` of view ops that leads
    from it ((op, args, kwargs) per step), the base version its ``grad_fn`` was made at, and
    whether it was made with grad mode on (only such views follow their base's history)."""

    __slots__ = ("base", "chain", "version", "with_grad")

    def __init__(self, base, chain, version, with_grad):
        self.base, self.chain, self.version, self.with_grad = base, chain, version, with_grad


def link_view(output, source, op, args, kwargs):
    """Make ``output`` (whose array is a view of ``source``'s) a view of ``source``'s base."""
    step = ((op, args, kwargs),)
    info = source._view
    base, chain = (source, step) if info is None else (info.base, info.chain + step)
    output._view = ViewInfo(base, chain, source._version_counter[0], is_grad_enabled())
    output._version_counter = source._version_counter


def replay_view(value, chain, math):
    """Apply a view's chain of ops to ``value`` (the base, or a tensor or array shaped like it)."""
    for op, args, kwargs in chain:
        value = math.op(op, value, *args, **kwargs)
    return value


def sync_view(view):
    """After its base changed in place, give a view the history of its new values: its chain of
    view ops replayed on the base (PyTorch regenerates it the same way, lazily)."""
    info = view._view
    if info.version == view._version_counter[0]:
        return
    info.version = view._version_counter[0]
    base = info.base
    if not info.with_grad or (base._grad_fn is None and not base._requires_grad):
        return
    with enable_grad():
        replayed = base
        for op, args, kwargs in info.chain:
            replayed = op.apply(replayed, *args, **kwargs)
    view._grad_fn, view._output_nr, view._requires_grad = (replayed._grad_fn, replayed._output_nr,
                                                           replayed._requires_grad)
    if view._grad_fn is not None:
        view._grad_fn._label = "AsStridedBackward0"  # PyTorch's name for a view regenerated from its base
