"""Every in-place op, on every kind of target, against PyTorch.

The targets are a (3, 4) tensor ``b = x * 1`` made from a leaf ``x`` (so ``b`` has history), views
of it, the same under ``no_grad``, a plain tensor, and the leaf itself (PyTorch's error). Each op
may read a second leaf ``s`` shaped like its target. After the op the case observes ``b`` and a
view of ``b`` made before the op, both version counters, what the op returned, and the gradients
that ``(b * weights).sum().backward()`` leaves in ``x`` and ``s``.
"""
import pytest

from torch_compare import assert_same_observations, node_name


def last_pair(lib, t):
    """Index [[0, 1], [0, 1]...] picking the first two entries of ``t``'s last dimension."""
    return lib.tensor([0, 1]).repeat(*t.shape[:-1], 1)


# (id, op(t, s, lib)): ``s`` is a leaf shaped like ``t`` that requires grad
OPS = [
    ("add_", lambda t, s, lib: t.add_(s)),
    ("add_scalar", lambda t, s, lib: t.add_(2.5)),
    ("add_alpha", lambda t, s, lib: t.add_(s, alpha=-2)),
    ("sub_", lambda t, s, lib: t.sub_(s)),
    ("mul_", lambda t, s, lib: t.mul_(s)),
    ("mul_scalar", lambda t, s, lib: t.mul_(3)),
    ("div_", lambda t, s, lib: t.div_(s)),
    ("pow_", lambda t, s, lib: t.pow_(2)),
    ("pow_tensor", lambda t, s, lib: t.pow_(s)),
    ("zero_", lambda t, s, lib: t.zero_()),
    ("fill_", lambda t, s, lib: t.fill_(0.5)),
    ("fill_tensor", lambda t, s, lib: t.fill_(s.sum())),
    ("copy_", lambda t, s, lib: t.copy_(s)),
    ("copy_broadcast", lambda t, s, lib: t.copy_(s[..., :1])),
    ("normal_", lambda t, s, lib: t.normal_()),
    ("uniform_", lambda t, s, lib: t.uniform_(-1, 1)),
    ("bernoulli_", lambda t, s, lib: t.bernoulli_(0.5)),
    ("masked_fill_", lambda t, s, lib: t.masked_fill_(t > 3, -1.0)),
    ("masked_fill_tensor", lambda t, s, lib: t.masked_fill_(t > 3, s.sum())),
    ("index_add_", lambda t, s, lib: t.index_add_(0, lib.tensor([0, 0]), lib.stack([s[0], s[1] * 2]))),
    ("index_fill_", lambda t, s, lib: t.index_fill_(-1, lib.tensor([1]), -2.0)),
    ("index_put_", lambda t, s, lib: t.index_put_((lib.tensor([0]),), s[0])),
    ("index_put_accumulate", lambda t, s, lib: t.index_put_((lib.tensor([0, 0]),), s[1], accumulate=True)),
    ("scatter_", lambda t, s, lib: t.scatter_(-1, last_pair(lib, t), s[..., :2] * 2)),
    ("scatter_value", lambda t, s, lib: t.scatter_(-1, last_pair(lib, t), 7.0)),
    ("scatter_add_", lambda t, s, lib: t.scatter_add_(-1, last_pair(lib, t), s[..., :2])),
    ("clamp_", lambda t, s, lib: t.clamp_(2, 5)),
    ("clamp_min_", lambda t, s, lib: t.clamp_min_(3)),
    ("clamp_max_", lambda t, s, lib: t.clamp_max_(3)),
    ("relu_", lambda t, s, lib: t.sub_(4).relu_()),
    ("F.relu_inplace", lambda t, s, lib: lib.nn.functional.relu(t.sub_(4), inplace=True)),
    ("exp_", lambda t, s, lib: t.exp_()),
    ("sin_", lambda t, s, lib: t.sin_()),
    ("sigmoid_", lambda t, s, lib: t.sigmoid_()),
    ("tanh_", lambda t, s, lib: t.tanh_()),
    ("sqrt_", lambda t, s, lib: t.sqrt_()),
    ("neg_", lambda t, s, lib: t.neg_()),
    ("lerp_", lambda t, s, lib: t.lerp_(s, 0.3)),
    ("addcmul_", lambda t, s, lib: t.addcmul_(s, s, value=0.5)),
    ("addcdiv_", lambda t, s, lib: t.addcdiv_(s, s + 1, value=2)),
    ("setitem_basic", lambda t, s, lib: t.__setitem__((Ellipsis, 1), s[..., 0])),
    ("setitem_slice_scalar", lambda t, s, lib: t.__setitem__((Ellipsis, slice(1, None)), 0.25)),
    ("setitem_advanced", lambda t, s, lib: t.__setitem__((Ellipsis, [1, 0]), s[..., :2])),
    ("setitem_mask", lambda t, s, lib: t.__setitem__(t > 3, 0.0)),
    ("setitem_mask_tensor", lambda t, s, lib: t.__setitem__(t > 3, s.sum())),
    ("chain", lambda t, s, lib: t.mul_(2).add_(s).clamp_(max=8)),
]


def history(lib, x, s):
    b = x * 1
    return b, b


# (id, (lib, x, s) -> (b, target)); ``b`` is the tensor whose gradient flows back to ``x``
TARGETS = [
    ("history", history),
    ("row", lambda lib, x, s: (lambda b: (b, b[1]))(x * 1)),
    ("columns", lambda lib, x, s: (lambda b: (b, b[:, 1:3]))(x * 1)),
    ("transposed", lambda lib, x, s: (lambda b: (b, b.t()))(x * 1)),
    ("chained_view", lambda lib, x, s: (lambda b: (b, b.narrow(1, 1, 3)[1:]))(x * 1)),
    ("plain", lambda lib, x, s: (lambda b: (b, b))(x.detach() * 1)),
    ("leaf", lambda lib, x, s: (x, x)),
    ("view_of_leaf", lambda lib, x, s: (x, x[1])),
]


def run(lib, op, target, grad_mode=True):
    x = (lib.arange(12.0).reshape(3, 4) / 2 + 0.5).requires_grad_()
    probe = lib.zeros(3, 4)
    b, t = target(lib, x, probe)
    s = (lib.arange(float(t.numel())).reshape(t.shape) / 3 + 0.25).requires_grad_()
    before = b[:, 2]
    with lib.set_grad_enabled(grad_mode):
        returned = op(t, s, lib)
    seen = {"b": b.detach().clone(), "before": before.detach().clone(), "returned is t": returned is t,
            "versions": (b._version, t._version, before._version), "b requires grad": b.requires_grad}
    if b.requires_grad:
        (b * lib.arange(12.0).reshape(3, 4)).sum().backward()
        seen.update({"x.grad": x.grad, "s.grad": s.grad})
    return seen


CASES = [pytest.param(op, target, id=f"{op_name}-{target_name}") for op_name, op in OPS
         for target_name, target in TARGETS]


@pytest.mark.parametrize("op,target", CASES)
def test_inplace_op_with_grad_mode(op, target):
    assert_same_observations(lambda lib: run(lib, op, target), rtol=2e-5)


@pytest.mark.parametrize("op,target", [case for case in CASES if case.id.split("-")[1] in
                                       ("history", "row", "transposed", "leaf", "view_of_leaf")])
def test_inplace_op_under_no_grad(op, target):
    """Writes without recording: the manual SGD step on a leaf, or an edit of a tensor with history."""
    assert_same_observations(lambda lib: run(lib, op, target, grad_mode=False), rtol=2e-5)


@pytest.mark.parametrize("name,op", OPS, ids=[case[0] for case in OPS])
def test_inplace_node_names(name, op):
    def scenario(lib):
        x = (lib.arange(12.0).reshape(3, 4) / 2 + 0.5).requires_grad_()
        b = x * 1
        op(b, (lib.arange(12.0).reshape(3, 4) / 3).requires_grad_(), lib)
        return {"node": node_name(b)}

    assert_same_observations(scenario)
