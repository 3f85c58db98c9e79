"""What the tests of tests/nn/test_more_*.py check on every layer and loss, written once.

A :class:`LayerCase` builds a module from ``lib.nn`` (``lib`` is minigrad or torch) and names
its inputs; :func:`observe_layer` runs it after seeding the library and returns, as NumPy
arrays, what the two libraries must agree on: the initial state_dict (PyTorch's random streams),
the outputs, the gradients of the inputs and of the parameters for a fixed upstream gradient,
and the state after the step (running statistics). Functional forms are checked in float64 with
gradcheck, gradgradcheck and PyTorch's first and second derivatives (:func:`second_derivatives`).
"""
from dataclasses import dataclass
from typing import Callable

import numpy

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from oracle import reference

TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
GRAD_TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-9, atol=1e-11)}
SECOND_ORDER = dict(rtol=1e-7, atol=1e-9)


@dataclass(frozen=True)
class LayerCase:
    """``build(nn)`` makes the module; ``shapes`` are its floating inputs (drawn from a normal
    distribution times ``scale``, all requiring grad); ``extra(lib)`` gives further arguments
    (targets, indices); ``train`` picks the mode. ``positive`` draws inputs from (0.1, 1.1)."""

    name: str
    build: Callable
    shapes: tuple
    extra: Callable = None
    train: bool = True
    scale: float = 1.0
    positive: bool = False

    def arrays(self, seed=0):
        state = numpy.random.RandomState(seed)
        if self.positive:
            return [state.uniform(0.1, 1.1, shape) for shape in self.shapes]
        return [state.standard_normal(shape) * self.scale for shape in self.shapes]


def layer(name, build, *shapes, **options):
    return LayerCase(name, build, shapes, **options)


def _numpy(value):
    return None if value is None else value.detach().cpu().numpy().astype("float64").copy()


def observe_layer(lib, entry, dtype="float32"):
    """Everything a layer does in ``lib`` for ``entry``, as plain arrays keyed by name."""
    lib.manual_seed(0)
    module = entry.build(lib.nn)
    seen = {f"init {key}": _numpy(value) for key, value in module.state_dict().items()}
    module.to(getattr(lib, dtype))
    module.train(entry.train)
    inputs = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in entry.arrays()]
    extra = entry.extra(lib) if entry.extra is not None else ()
    extra = extra if isinstance(extra, tuple) else (extra,)
    lib.manual_seed(1)
    result = module(*inputs, *extra)
    outputs = [r for r in (result if isinstance(result, tuple) else (result,)) if r.is_floating_point()]
    state = numpy.random.RandomState(2)
    upstream = [lib.tensor(state.standard_normal(tuple(o.shape)), dtype=o.dtype) for o in outputs]
    live = [(o, g) for o, g in zip(outputs, upstream) if o.requires_grad]
    if live:
        lib.autograd.backward([o for o, _ in live], [g for _, g in live])
    seen.update({f"output {k}": _numpy(o) for k, o in enumerate(outputs)})
    seen.update({f"input grad {k}": _numpy(x.grad) for k, x in enumerate(inputs)})
    seen.update({f"grad {name}": _numpy(p.grad) for name, p in module.named_parameters()})
    seen.update({f"state {key}": _numpy(value) for key, value in module.state_dict().items()})
    return seen


def described(module):
    """What a module shows without running: its repr, state_dict keys and parameter names."""
    return {"repr": repr(module), "state keys": list(module.state_dict()),
            "parameters": [name for name, _ in module.named_parameters()]}


def assert_same_layer(ours, theirs, dtype="float32"):
    assert list(ours) == list(theirs)
    for key, reference in theirs.items():
        if reference is None:
            assert ours[key] is None, key
            continue
        assert ours[key] is not None, key
        tolerance = GRAD_TOLERANCE[dtype] if "grad" in key else TOLERANCE[dtype]
        assert ours[key].shape == reference.shape, key
        numpy.testing.assert_allclose(ours[key], reference, err_msg=key, **tolerance)


def second_derivatives(lib, entry, arrays, grad_outputs, directions):
    """Outputs, first vector-Jacobian products (recorded) and their own vector-Jacobian products
    with ``directions``, with respect to the inputs and the upstream gradients, as arrays."""
    inputs = entry.tensors(lib, arrays)
    result = entry.fn(lib, *inputs)
    outputs = [r for r in (result if isinstance(result, (tuple, list)) else (result,)) if r.is_floating_point()]
    seeds = [lib.tensor(g.copy(), requires_grad=True) for g in grad_outputs]
    wrt = [x for x in inputs if x.requires_grad]
    first = lib.autograd.grad(outputs, wrt, seeds, create_graph=True, allow_unused=True)
    pairs = [(f, lib.tensor(d.copy())) for f, d in zip(first, directions) if f is not None and f.requires_grad]
    second = [None] * len(wrt + seeds)
    if pairs:
        second = lib.autograd.grad([f for f, _ in pairs], wrt + seeds, [d for _, d in pairs], allow_unused=True)

    def plain(tensor, like):
        if tensor is None or getattr(tensor, "_is_zerotensor", lambda: False)():
            return numpy.zeros(tuple(like.shape))
        return tensor.detach().numpy().copy()

    return ([plain(o, o) for o in outputs], [plain(f, x) for f, x in zip(first, wrt)],
            [plain(s, x) for s, x in zip(second, wrt + seeds)])


def assert_gradcheck_and_gradgradcheck(entry):
    """A functional case's first and second derivatives against finite differences (float64)."""
    inputs = entry.tensors(minigrad, entry.arrays())
    assert gradcheck(entry.bound(minigrad), inputs)
    assert gradgradcheck(entry.bound(minigrad), inputs)


def assert_second_derivatives_match_torch(entry):
    """A functional case's outputs, first and second derivatives against PyTorch's, with seeded
    upstream gradients and directions (one per input that takes a gradient)."""
    arrays = entry.arrays()
    with minigrad.no_grad():
        shape = tuple(entry.fn(minigrad, *entry.tensors(minigrad, arrays)).shape)
    state = numpy.random.RandomState(3)
    grad_outputs = [state.standard_normal(shape)]
    directions = [state.standard_normal(a.shape) for a, arg in zip(arrays, entry.args) if arg.grad]
    ours = second_derivatives(minigrad, entry, arrays, grad_outputs, directions)
    theirs = reference(lambda torch: second_derivatives(torch, entry, arrays, grad_outputs, directions))
    for stage, mine, expected in zip(("outputs", "first", "second"), ours, theirs):
        for k, (a, b) in enumerate(zip(mine, expected)):
            numpy.testing.assert_allclose(a, b, err_msg=f"{stage}[{k}]", **SECOND_ORDER)
