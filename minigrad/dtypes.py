"""Data types and PyTorch's type-promotion rules.

A :class:`dtype` prints as ``minigrad.float32`` and wraps the NumPy dtype that stores the data
(``.dtype``): NumPy and CuPy accept it wherever they take a dtype, and it compares equal to that
NumPy dtype. Promotion follows PyTorch, not NumPy: a Python scalar or a zero-dimensional tensor
only changes the result's dtype when it belongs to a higher category (bool < integer <
floating), so ``float32 * 2.0`` stays float32 and ``int64 * 0.5`` becomes the default float dtype.
"""
import builtins

import numpy

_LEGACY_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class dtype:
    """A tensor element type, ``minigrad.float32`` and friends (PyTorch's ``torch.dtype``)."""

    __slots__ = ("dtype", "name", "is_floating_point", "is_signed", "itemsize")

    is_complex = False

    def __init__(self, name):
        self.dtype = numpy.dtype(name)
        self.name = self.dtype.name
        self.is_floating_point = self.dtype.kind == "f"
        self.is_signed = self.dtype.kind in "fi"
        self.itemsize = self.dtype.itemsize

    @property
    def kind(self):
        return self.dtype.kind

    @property
    def type(self):
        """The NumPy scalar type, for rounding a number to this dtype: ``x.dtype.type(0.1)``."""
        return self.dtype.type

    @property
    def legacy_name(self):
        """``Float`` for float32: the word in PyTorch's ``torch.FloatTensor``."""
        return _LEGACY_NAMES.get(self.name, self.name)

    def __eq__(self, other):
        if isinstance(other, dtype):
            return self is other
        if other is None or isinstance(other, (builtins.int, builtins.float)):
            return False
        try:
            return self.dtype == numpy.dtype(other)
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"minigrad.{self.name}"

    def __reduce__(self):
        return as_dtype, (self.name,)


_BY_NUMPY = {}


def as_dtype(value):
    """The :class:`dtype` for a NumPy dtype, a dtype name, a NumPy type or a :class:`dtype`."""
    if isinstance(value, dtype):
        return value
    key = numpy.dtype(value)
    found = _BY_NUMPY.get(key)
    if found is None:
        found = _BY_NUMPY.setdefault(key, dtype(key))
    return found


float16 = half = as_dtype("float16")
float32 = float = as_dtype("float32")
float64 = double = as_dtype("float64")
uint8 = as_dtype("uint8")
int8 = as_dtype("int8")
int16 = short = as_dtype("int16")
int32 = int = as_dtype("int32")
int64 = long = as_dtype("int64")
bool = as_dtype("bool")  # noqa: A001 - PyTorch's name

_DEFAULT_FLOAT = [float32.dtype]  # a one-slot box, changed only by set_default_dtype


def get_default_dtype():
    return as_dtype(_DEFAULT_FLOAT[0])


def set_default_dtype(d):
    """Set the dtype of floating tensors made from Python data (float32 or float64)."""
    d = numpy.dtype(d)
    if d.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {as_dtype(d)}")
    _DEFAULT_FLOAT[0] = d


def category(d):
    """0 for bool, 1 for integers, 2 for floating point."""
    return {"b": 0, "i": 1, "u": 1, "f": 2}.get(d.kind, 3)


def is_floating_point(d):
    return d.kind == "f"


def scalar_dtype(value):
    """The NumPy dtype PyTorch gives a Python number."""
    if isinstance(value, (numpy.bool_, type(True))):
        return bool.dtype
    if isinstance(value, (numpy.integer, type(1))):
        return int64.dtype
    if isinstance(value, (numpy.floating, type(1.0))):
        return _DEFAULT_FLOAT[0]
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def promote_types(a, b):
    """PyTorch's promotion of two tensor dtypes: the higher category wins outright
    (int64 with float32 gives float32); within a category the wider type wins."""
    a, b = numpy.dtype(a), numpy.dtype(b)
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return numpy.promote_types(a, b)


def _promote(current, d):
    return d if current is None else promote_types(current, d)


def result_type(*operands):
    """The NumPy dtype of an op on ``operands`` (tensors, arrays or Python scalars), PyTorch's way."""
    dimensioned = zero_dim = scalars = None
    for operand in operands:
        d = getattr(operand, "dtype", None)
        if d is None or isinstance(operand, numpy.generic):
            scalars = _promote(scalars, scalar_dtype(operand))
        elif operand.ndim:
            dimensioned = _promote(dimensioned, d)
        else:
            zero_dim = _promote(zero_dim, d)
    result = dimensioned
    for weaker, is_tensor in ((zero_dim, True), (scalars, False)):
        if weaker is None:
            continue
        if result is None:
            result = weaker
        elif category(weaker) > category(result):
            # a weaker operand of a higher category decides the category, not the width
            if not is_tensor:
                weaker = _DEFAULT_FLOAT[0] if category(weaker) == 2 else int64.dtype
            result = weaker
    return numpy.dtype(result)
