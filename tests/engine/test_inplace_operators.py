"""Augmented assignment (``a += b``...) is an in-place op on the same object, as in PyTorch.

Each operator is written as the Python statement a lesson uses. PyTorch has no ``__imatmul__``:
``a @= b`` computes ``a @ b`` and rebinds the name, leaving the old object alone, and so does
minigrad (checked below).
"""
import pytest

from torch_compare import assert_same_observations, node_name


def iadd(a, b):
    a += b
    return a


def isub(a, b):
    a -= b
    return a


def imul(a, b):
    a *= b
    return a


def itruediv(a, b):
    a /= b
    return a


def ifloordiv(a, b):
    a //= b
    return a


def imod(a, b):
    a %= b
    return a


def ipow(a, b):
    a **= b
    return a


def iand(a, b):
    a &= b
    return a


def ior(a, b):
    a |= b
    return a


def ixor(a, b):
    a ^= b
    return a


def ilshift(a, b):
    a <<= b
    return a


def irshift(a, b):
    a >>= b
    return a


def imatmul(a, b):
    a @= b
    return a


FLOAT_OPERATORS = [("+=", iadd), ("-=", isub), ("*=", imul), ("/=", itruediv), ("//=", ifloordiv), ("%=", imod),
                   ("**=", ipow)]
INTEGER_OPERATORS = FLOAT_OPERATORS[:3] + FLOAT_OPERATORS[4:] + [
    ("&=", iand), ("|=", ior), ("^=", ixor), ("<<=", ilshift), (">>=", irshift)]
BOOL_OPERATORS = [("&=", iand), ("|=", ior), ("^=", ixor), ("+=", iadd), ("*=", imul)]
# (id, a, b): the operands, made by the library under test
FLOAT_OPERANDS = [
    ("tensor", lambda lib: lib.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]]), lambda lib: lib.tensor([2.0, 0.5, -3.0])),
    ("scalar", lambda lib: lib.tensor([1.5, -2.0, 3.0]), lambda lib: 2),
    ("float64_by_float32", lambda lib: lib.tensor([1.5, -2.0], dtype=lib.float64), lambda lib: lib.tensor([2.0, 3.0])),
]
INTEGER_OPERANDS = [
    ("tensor", lambda lib: lib.tensor([[5, -7, 12], [3, 8, 1]]), lambda lib: lib.tensor([2, 3, 1])),
    ("scalar", lambda lib: lib.tensor([5, 7, 12], dtype=lib.int32), lambda lib: 2),
    ("float_scalar_refused", lambda lib: lib.tensor([5, 7]), lambda lib: 0.5),
    ("float_tensor_refused", lambda lib: lib.tensor([5, 7]), lambda lib: lib.tensor([1.5, 2.0])),
]
BOOL_OPERANDS = [("tensor", lambda lib: lib.tensor([True, False, True]), lambda lib: lib.tensor([True, True, False]))]


def identity_case(operator, make_a, make_b):
    def scenario(lib):
        a = make_a(lib)
        before, version = a, a._version
        result = operator(a, make_b(lib))
        return {"same object": result is before, "result": result, "old object": before,
                "version step": before._version - version}
    return scenario


def table(operators, operands):
    return [pytest.param(op, a, b, id=f"{symbol}-{name}") for symbol, op in operators for name, a, b in operands]


@pytest.mark.parametrize("operator,make_a,make_b", table(FLOAT_OPERATORS, FLOAT_OPERANDS) +
                         table(INTEGER_OPERATORS, INTEGER_OPERANDS) + table(BOOL_OPERATORS, BOOL_OPERANDS) +
                         table([("@=", imatmul)], [("matrix", lambda lib: lib.eye(2) * 2, lambda lib: lib.ones(2, 2))]))
def test_operator_keeps_the_object(operator, make_a, make_b):
    assert_same_observations(identity_case(operator, make_a, make_b))


def float_leaf(lib):
    return lib.tensor([1.5, -2.0, 3.0], requires_grad=True)


def symbol_id(value):
    return value if isinstance(value, str) else ""


@pytest.mark.parametrize("symbol,operator", FLOAT_OPERATORS + [("@=", imatmul)], ids=symbol_id)
def test_operator_on_a_leaf_that_requires_grad(symbol, operator):
    """PyTorch's error in grad mode; under no_grad, the lesson's update of a parameter."""
    def scenario(lib):
        w = float_leaf(lib)
        try:
            operator(w, lib.tensor([2.0, 0.5, 4.0]))
            refused = None
        except RuntimeError as error:
            refused = str(error)
        with lib.no_grad():
            updated = operator(w, lib.tensor([2.0, 0.5, 4.0]))
        return {"refused": refused, "same object": updated is w, "w": w, "leaf": w.is_leaf,
                "requires grad": w.requires_grad, "updated requires grad": updated.requires_grad}

    assert_same_observations(scenario)


@pytest.mark.parametrize("symbol,operator", FLOAT_OPERATORS, ids=symbol_id)
@pytest.mark.parametrize("target", ["whole", "row_view", "column_view"])
def test_operator_on_a_tensor_with_history(symbol, operator, target):
    def scenario(lib):
        x = lib.tensor([[1.5, 2.0, 3.0], [0.5, 4.0, 1.25]], requires_grad=True)
        s = lib.tensor([2.0, 0.5, 1.5], requires_grad=True)
        b = x * 1
        t = {"whole": b, "row_view": b[1], "column_view": b[:, 1]}[target]
        result = operator(t, s if target != "column_view" else s[:2])
        (b * lib.arange(1.0, 7.0).reshape(2, 3)).sum().backward()
        return {"same object": result is t, "b": b, "node": node_name(b), "x.grad": x.grad, "s.grad": s.grad,
                "version": b._version}

    assert_same_observations(scenario)


def test_matmul_assignment_rebinds_under_autograd():
    def scenario(lib):
        x = lib.eye(2, requires_grad=True)
        a = x * 3
        before = a
        a @= lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        a.sum().backward()
        return {"same object": a is before, "old": before, "new": a, "node": node_name(a), "x.grad": x.grad,
                "old version": before._version}

    assert_same_observations(scenario)
