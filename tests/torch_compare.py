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

PyTorch's side goes through tests/oracle.py: live when PyTorch is installed, from the committed
references otherwise.
"""
import numpy

import minigrad
from oracle import Raised, reference, unify_names


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
        return Raised.from_error(error)


def _comparable(value):
    """Tensors become (dtype, shape, values); dtypes and strings their unified names; everything
    else is compared as it is. The result is made of plain values, so PyTorch's can be stored."""
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        array = value.detach().cpu().numpy()
        return ("tensor", unify_names(str(value.dtype)), tuple(array.shape), array)
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [_comparable(v) for v in value]
    if isinstance(value, str) or type(value).__name__ == "dtype":
        return unify_names(str(value))
    return value


def _observations(scenario, lib, seed):
    seen = observe(scenario, lib, seed)
    return seen if isinstance(seen, Raised) else {key: _comparable(value) for key, value in seen.items()}


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


def assert_same_observations(scenario, rtol=1e-5, atol=1e-6, seed=0, label=None):
    """Run ``scenario`` under minigrad and PyTorch (live or stored) and assert every observation agrees."""
    ours = _observations(scenario, minigrad, seed)
    theirs = reference(lambda torch: _observations(scenario, torch, seed), label)
    if isinstance(theirs, Raised) or isinstance(ours, Raised):
        assert ours == theirs, f"minigrad: {ours!r}\nPyTorch:  {theirs!r}"
        return ours
    assert sorted(ours) == sorted(theirs), f"observed {sorted(ours)} but PyTorch {sorted(theirs)}"
    for key in theirs:
        _assert_equal(ours[key], theirs[key], key, rtol, atol)
    return ours
