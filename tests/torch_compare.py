"""Run one scenario under minigrad and under PyTorch and compare what each observed.

A scenario is a function of the library module (``minigrad`` or ``torch``) that returns a dict
of observations: tensors, numbers, bools, strings, None, or tuples of those. When it raises,
the observation is the error's type and message instead, so "PyTorch raises here" is checked
by the same table as "PyTorch computes this"::

    def scenario(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        y[0:2].zero_()
        y.sum().backward()
        return {"y": y, "x.grad": x.grad, "node": node_name(y)}

    assert_same_observations(scenario)
"""
import re

import numpy
import pytest

import minigrad


class Raised:
    """What a scenario raised: the exception's class name and its message (library names unified)."""

    def __init__(self, error):
        self.kind = type(error).__name__
        self.message = unify_names(str(error))

    def __eq__(self, other):
        return isinstance(other, Raised) and (self.kind, self.message) == (other.kind, other.message)

    def __repr__(self):
        return f"Raised({self.kind}: {self.message})"


def unify_names(text):
    """``torch.float32`` and ``minigrad.float32`` read the same; object addresses are dropped."""
    text = re.sub(r"\btorch\b", "minigrad", text)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", text)


def node_name(tensor):
    """The class name of a tensor's grad_fn (PyTorch's ``name()`` adds a C++ namespace to some)."""
    return None if tensor.grad_fn is None else repr(tensor.grad_fn).split()[0].lstrip("<")  # the printed name


def offset(view, base):
    """How many elements into ``base``'s memory ``view`` starts."""
    return (view.data_ptr() - base.data_ptr()) // view.element_size()


def observe(scenario, lib, seed=0):
    lib.manual_seed(seed)
    try:
        return scenario(lib)
    except Exception as error:  # noqa: BLE001 - the error is the observation
        return Raised(error)


def _comparable(value):
    """Tensors become (dtype, shape, values); everything else is compared as it is."""
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        array = value.detach().cpu().numpy()
        return ("tensor", unify_names(str(value.dtype)), tuple(array.shape), array)
    if isinstance(value, (tuple, list)) and not isinstance(value, str):
        return type(value).__name__, [_comparable(v) for v in value]
    if isinstance(value, str):
        return unify_names(value)
    return value


def _assert_equal(ours, theirs, where, rtol, atol):
    if isinstance(theirs, tuple) and theirs and theirs[0] == "tensor":
        assert isinstance(ours, tuple) and ours[0] == "tensor", f"{where}: expected a tensor, got {ours!r}"
        assert ours[1:3] == theirs[1:3], f"{where}: dtype/shape {ours[1:3]} != PyTorch's {theirs[1:3]}"
        numpy.testing.assert_allclose(ours[3], theirs[3], rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
    elif isinstance(theirs, tuple) and len(theirs) == 2 and isinstance(theirs[1], list):
        assert isinstance(ours, tuple) and len(ours) == 2 and len(ours[1]) == len(theirs[1]), \
            f"{where}: {ours!r} != PyTorch's {theirs!r}"
        for index, (a, b) in enumerate(zip(ours[1], theirs[1])):
            _assert_equal(a, b, f"{where}[{index}]", rtol, atol)
    else:
        assert ours == theirs, f"{where}: {ours!r} != PyTorch's {theirs!r}"


def assert_same_observations(scenario, rtol=1e-5, atol=1e-6, seed=0):
    """Run ``scenario`` under both libraries and assert every observation agrees."""
    torch = pytest.importorskip("torch")
    ours, theirs = observe(scenario, minigrad, seed), observe(scenario, torch, seed)
    if isinstance(theirs, Raised) or isinstance(ours, Raised):
        assert ours == theirs, f"minigrad: {ours!r}\nPyTorch:  {theirs!r}"
        return ours
    assert sorted(ours) == sorted(theirs), f"observed {sorted(ours)} but PyTorch {sorted(theirs)}"
    for key in theirs:
        _assert_equal(_comparable(ours[key]), _comparable(theirs[key]), key, rtol, atol)
    return ours
