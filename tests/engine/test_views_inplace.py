"""Views share their base's memory and version, and in-place ops follow PyTorch's autograd rules.

Every case runs under minigrad and under PyTorch (``torch_compare``) and compares what it
observes: values of the base and of views, ``_version``, ``_base``, contiguity, offsets into
memory, the node that records the op, gradients of every leaf, or the error where PyTorch raises.
"""
import pytest

import minigrad
from torch_compare import assert_same_observations, node_name, offset

# (id, view of a (2, 3, 4) tensor); each shares the tensor's memory
VIEW_OPS = [
    ("index_int", lambda t: t[1]),
    ("index_slices", lambda t: t[:, 1:3]),
    ("index_step", lambda t: t[..., ::2]),
    ("index_none", lambda t: t[None, 0, :, 1]),
    ("view", lambda t: t.view(6, 4)),
    ("view_flat", lambda t: t.view(-1)),
    ("view_as", lambda t: t.view_as(t.new_zeros(4, 6))),
    ("reshape_viewable", lambda t: t.reshape(4, 6)),
    ("transpose", lambda t: t.transpose(0, 2)),
    ("t", lambda t: t[0].t()),
    ("T", lambda t: t[1].T),
    ("mT", lambda t: t.mT),
    ("permute", lambda t: t.permute(2, 0, 1)),
    ("movedim", lambda t: t.movedim(0, -1)),
    ("swapaxes", lambda t: t.swapaxes(1, 2)),
    ("squeeze", lambda t: t[:1].squeeze(0)),
    ("squeeze_all", lambda t: t[:, :1, 2:3].squeeze()),
    ("unsqueeze", lambda t: t.unsqueeze(1)),
    ("narrow", lambda t: t.narrow(2, 1, 2)),
    ("select", lambda t: t.select(1, 2)),
    ("split", lambda t: t.split(1, dim=1)[1]),
    ("split_sizes", lambda t: t.split([1, 3], dim=2)[1]),
    ("chunk", lambda t: t.chunk(2, dim=2)[1]),
    ("unbind", lambda t: t.unbind(0)[1]),
    ("diagonal", lambda t: t.diagonal(0, 1, 2)),
    ("diagonal_offset", lambda t: t.diagonal(offset=1, dim1=-1, dim2=-2)),
    ("expand", lambda t: t[:, :1].expand(2, 3, 4)),
    ("flatten", lambda t: t.flatten()),
    ("flatten_partial", lambda t: t.flatten(1)),
    ("unflatten", lambda t: t.unflatten(2, (2, 2))),
    ("detach", lambda t: t.detach()),
    ("data", lambda t: t.data),
    ("chain", lambda t: t[1:].transpose(1, 2)[0, 1:]),
]
# shape ops that copy when they cannot view: no base, their own memory
COPY_OPS = [
    ("reshape_copies", lambda t: t.transpose(0, 1).reshape(-1)),
    ("flatten_copies", lambda t: t.permute(2, 1, 0).flatten()),
    ("contiguous_copies", lambda t: t.transpose(0, 2).contiguous()),
    ("advanced_index_copies", lambda t: t[:, [0, 2]]),
    ("mask_copies", lambda t: t[t > 10]),
]
WRITABLE_VIEWS = [case for case in VIEW_OPS if case[0] != "expand"]
DIFFERENTIABLE_VIEWS = [case for case in WRITABLE_VIEWS if case[0] not in ("detach", "data")]


def ids(table):
    return [case[0] for case in table]


def grid(lib, **kwargs):
    return lib.arange(24.0, **kwargs).reshape(2, 3, 4).clone()


def layout(lib, view_op, is_view):
    t = grid(lib)
    v = view_op(t)
    seen = {"base is t": v._base is t, "is view": v._is_view(), "contiguous": v.is_contiguous(),
            "stride": v.stride(), "shape": tuple(v.shape), "version": v._version, "value": v}
    if is_view:  # a copy's address has nothing to do with the tensor's
        seen.update({"offset": offset(v, t), "storage_offset": v.storage_offset()})
    return seen


@pytest.mark.parametrize("name,view_op,is_view", [case + (True,) for case in VIEW_OPS] +
                         [case + (False,) for case in COPY_OPS], ids=ids(VIEW_OPS + COPY_OPS))
def test_view_layout(name, view_op, is_view):
    assert_same_observations(lambda lib: layout(lib, view_op, is_view))


@pytest.mark.parametrize("name,view_op", VIEW_OPS + COPY_OPS, ids=ids(VIEW_OPS + COPY_OPS))
def test_writes_through_a_view_reach_the_base_and_back(name, view_op):
    def scenario(lib):
        t = grid(lib)
        before, v = view_op(t), view_op(t)  # a view made before the write sees it too
        v.mul_(10)
        seen = {"t": t.clone(), "before": before.clone(), "versions": (t._version, v._version, before._version)}
        t.add_(1)
        return {**seen, "v after t.add_": v, "versions after": (t._version, v._version)}

    assert_same_observations(scenario)


@pytest.mark.parametrize("name,view_op", VIEW_OPS, ids=ids(VIEW_OPS))
def test_view_node_names(name, view_op):
    assert_same_observations(lambda lib: {"node": node_name(view_op(grid(lib).requires_grad_()))})


@pytest.mark.parametrize("name,view_op", VIEW_OPS, ids=ids(VIEW_OPS))
def test_inplace_on_a_view_of_a_tensor_with_history(name, view_op):
    def scenario(lib):
        x = grid(lib, dtype=lib.float64).div(10).requires_grad_()
        t = x * 2
        view_op(t).sin_()
        weights = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4)
        (t * weights).sum().backward()
        return {"t": t, "node": node_name(t), "x.grad": x.grad, "version": t._version}

    assert_same_observations(scenario)


SINGLE_VIEWS = [case for case in DIFFERENTIABLE_VIEWS if case[0] not in ("split", "split_sizes", "chunk", "unbind")]


@pytest.mark.parametrize("name,view_op", SINGLE_VIEWS, ids=ids(SINGLE_VIEWS))
def test_gradcheck_inplace_on_view(name, view_op):
    """(PyTorch refuses in-place writes into the pieces of split, chunk and unbind: they are left out.)"""
    def function(x, y):
        t = x * 1.5
        v = view_op(t)
        v.mul_(y.expand_as(v) if y.ndim <= v.ndim else y.sum()).sin_()
        return t

    x = minigrad.randn(2, 3, 4, dtype=minigrad.float64, requires_grad=True)
    y = minigrad.randn(1, dtype=minigrad.float64, requires_grad=True)
    assert minigrad.autograd.gradcheck(function, (x, y))


def saved_then_modified(make, modify):
    """``make(b)`` saves something for backward; ``modify(b, out)`` writes in place before backward."""
    def scenario(lib):
        x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        b = x * 1
        out = make(b)
        modify(b, out)
        out.sum().backward()
        return {"x.grad": x.grad}
    return scenario


def no_grad_view_then_write(target):
    def scenario(lib):
        x = lib.ones(3, requires_grad=True)
        base = x * 2 if target == "history" else x
        with lib.no_grad():
            v = base[:2]
        v.mul_(2)
        return {"base": base.detach(), "version": base._version}
    return scenario


def detached_write_then_backward(via):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = x * 1
        c = b * b
        getattr(b.detach() if via == "detach" else b.data, "zero_")()
        c.sum().backward()
        return {"x.grad": x.grad, "b": b.detach(), "version": b._version}
    return scenario


def sgd_step(lib):
    """The manual update of a lesson: ``w -= lr * w.grad`` under no_grad keeps ``w`` a trained leaf."""
    w = lib.tensor([1.0, -2.0], requires_grad=True)
    first = id(w)
    (w * w).sum().backward()
    with lib.no_grad():
        w -= 0.1 * w.grad
        w[0] += 1
    w.grad.zero_()
    (w * w).sum().backward()
    return {"w": w, "same object": id(w) == first, "leaf": w.is_leaf, "requires grad": w.requires_grad,
            "grad": w.grad, "version": w._version}


def views_see_base_writes(lib):
    x = lib.ones(2, 3, requires_grad=True)
    b = x * 2
    row, column, flat = b[1], b[:, 2], b.view(-1)
    b.add_(lib.arange(6.0).reshape(2, 3))
    flat[0] = 10.0
    (row.sum() + column.sum() * 2).backward()
    return {"row": row, "column": column, "b": b, "x.grad": x.grad,
            "versions": (b._version, row._version, column._version, flat._version)}


SCENARIOS = [
    ("saved_input_modified", saved_then_modified(lambda b: b * b, lambda b, out: b.add_(1))),
    ("saved_input_of_sin_modified", saved_then_modified(lambda b: b.sin(), lambda b, out: b.mul_(2))),
    ("exp_saves_only_its_output", saved_then_modified(lambda b: b.exp(), lambda b, out: b.mul_(2))),
    ("saved_output_modified", saved_then_modified(lambda b: b.exp(), lambda b, out: out.add_(1))),
    ("sigmoid_output_modified", saved_then_modified(lambda b: b.sigmoid(), lambda b, out: out.mul_(2))),
    ("add_saves_nothing", saved_then_modified(lambda b: b + 1, lambda b, out: b.zero_())),
    ("view_of_saved_modified", saved_then_modified(lambda b: b * b, lambda b, out: b[1:].zero_())),
    ("relu_inplace_after_use", saved_then_modified(lambda b: b.tanh(), lambda b, out: out.relu_())),
    ("leaf_add_", lambda lib: lib.ones(2, requires_grad=True).add_(1)),
    ("leaf_setitem", lambda lib: lib.ones(2, requires_grad=True).__setitem__(0, 5.0)),
    ("view_of_leaf_zero_", lambda lib: lib.ones(2, 2, requires_grad=True)[0].zero_()),
    ("leaf_iadd", lambda lib: lib.ones(2, requires_grad=True).__iadd__(1)),
    ("expand_write", lambda lib: lib.ones(3)[:1].expand(4).add_(1)),
    ("expand_setitem_all", lambda lib: lib.zeros(1, 3).expand(2, 3).__setitem__(Ellipsis, 1.0)),
    ("expand_row_written", lambda lib: (lambda t, e: (e[0].fill_(2), {"t": t, "e": e})[1])(
        *(lambda t: (t, t.expand(2, 3)))(lib.zeros(1, 3)))),
    ("no_grad_view_of_history_written", no_grad_view_then_write("history")),
    ("no_grad_view_of_leaf_written", no_grad_view_then_write("leaf")),
    ("detach_shares_version", detached_write_then_backward("detach")),
    ("data_hides_writes", detached_write_then_backward("data")),
    ("manual_sgd_step", sgd_step),
    ("views_see_base_writes", views_see_base_writes),
    ("operand_is_the_target", saved_then_modified(lambda b: b, lambda b, out: b.mul_(b))),
    ("view_node_after_base_write",
     lambda lib: (lambda b: (b.add_(1), {"node": node_name(b[0:2])})[1])(lib.ones(3, requires_grad=True) * 2)),
    ("old_view_node_after_base_write",
     lambda lib: (lambda b, v: (b.add_(1), {"node": node_name(v)})[1])(*(lambda b: (b, b[0:2]))(
         lib.ones(3, requires_grad=True) * 2))),
    ("chained_views_share_root_base",
     lambda lib: (lambda t: {"root": t[1:][0].t()._base is t, "version": t[1:].add_(1)._version})(lib.ones(3, 2, 2))),
]
ENGINE_GAPS = {}


@pytest.mark.parametrize("name,scenario", [
    pytest.param(name, scenario, marks=pytest.mark.xfail(strict=True, reason=ENGINE_GAPS[name]))
    if name in ENGINE_GAPS else (name, scenario) for name, scenario in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_inplace_autograd_rules(name, scenario):
    assert_same_observations(scenario)
