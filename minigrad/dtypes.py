"""Data types and PyTorch's type-promotion rules.

Tensors store NumPy dtypes. Promotion follows PyTorch, not NumPy: a Python scalar or a
zero-dimensional tensor only changes the result's dtype when it belongs to a higher
category (bool < integer < floating), so ``float32 * 2.0`` stays float32 and
``int64 * 0.5`` becomes the default float dtype.
"""
import numpy

float16 = half = numpy.dtype("float16")
float32 = float = numpy.dtype("float32")
float64 = double = numpy.dtype("float64")
uint8 = numpy.dtype("uint8")
int8 = numpy.dtype("int8")
int16 = short = numpy.dtype("int16")
int32 = int = numpy.dtype("int32")
int64 = long = numpy.dtype("int64")
bool = numpy.dtype("bool")  # noqa: A001 - PyTorch's name

_DEFAULT_FLOAT = [float32]  # a one-slot box, changed only by set_default_dtype


def get_default_dtype():
    return _DEFAULT_FLOAT[0]


def set_default_dtype(dtype):
    """Set the dtype of floating tensors made from Python data (float32 or float64)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _DEFAULT_FLOAT[0] = dtype


def category(dtype):
    """0 for bool, 1 for integers, 2 for floating point."""
    return {"b": 0, "i": 1, "u": 1, "f": 2}.get(dtype.kind, 3)


def is_floating_point(dtype):
    return dtype.kind == "f"


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number."""
    if isinstance(value, (numpy.bool_, type(True))):
        return bool
    if isinstance(value, (numpy.integer, type(1))):
        return int64
    if isinstance(value, (numpy.floating, type(1.0))):
        return get_default_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def promote_types(a, b):
    """PyTorch's promotion of two tensor dtypes: the higher category wins outright
    (int64 with float32 gives float32); within a category the wider type wins."""
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return numpy.promote_types(a, b)


def _promote(current, dtype):
    return dtype if current is None else promote_types(current, dtype)


def result_type(*operands):
    """The dtype of an op on ``operands`` (tensors or Python scalars), PyTorch's way."""
    dimensioned = zero_dim = scalars = None
    for operand in operands:
        dtype = getattr(operand, "dtype", None)
        if dtype is None or isinstance(operand, numpy.generic):
            scalars = _promote(scalars, scalar_dtype(operand))
        elif operand.ndim:
            dimensioned = _promote(dimensioned, dtype)
        else:
            zero_dim = _promote(zero_dim, dtype)
    result = dimensioned
    for weaker, is_tensor in ((zero_dim, True), (scalars, False)):
        if weaker is None:
            continue
        if result is None:
            result = weaker
        elif category(weaker) > category(result):
            # a weaker operand of a higher category decides the category, not the width
            if not is_tensor:
                weaker = get_default_dtype() if category(weaker) == 2 else int64
            result = weaker
    return result
