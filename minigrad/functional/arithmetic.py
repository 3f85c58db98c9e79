"""Element-wise functions: ``minigrad.add``, ``minigrad.exp``, ``minigrad.where``... with PyTorch's
type promotion (``float32 * 2.0`` stays float32, ``int * 0.5`` becomes float32)."""
import numpy

from minigrad import dtypes
from minigrad.backend import array_module
from minigrad.engine import Tensor
from minigrad.functional._common import cast, constant, device_anchor, float_dtype, operand, promote
from minigrad.functional.indexing import nonzero
from minigrad.ops import combined as cb
from minigrad.ops import elementwise as ew
from minigrad.ops.elementwise import quiet

PLAIN_NUMBERS = (float, int)  # exactly these types: bool, a subclass of int, promotes differently


def _binary(op, a, b, name, dtype=None):
    if dtype is None and type(b) in PLAIN_NUMBERS and isinstance(a, Tensor) and a.array.dtype.kind == "f":
        # the common ``x * 0.5``: a Python number takes a floating tensor's dtype (checks below skipped)
        b = constant(array_module(a.array).asarray(b, dtype=a.array.dtype))
    elif not (isinstance(a, Tensor) and isinstance(b, Tensor) and dtype is None and a.array.dtype == b.array.dtype
            and type(a.array) is type(b.array)):
        like = device_anchor(a, b)
        dtype = dtype or dtypes.result_type(a, b)
        a, b = operand(a, dtype, like), operand(b, dtype, like)
    try:
        return op.apply(a, b)
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise RuntimeError(f"The size of tensor a ({_mismatch(a.shape, b.shape)[0]}) must match the size of tensor b "
                           f"({_mismatch(a.shape, b.shape)[1]}) at non-singleton dimension "
                           f"{_mismatch(a.shape, b.shape)[2]}") from None


def _mismatch(a, b):
    for k in range(1, min(len(a), len(b)) + 1):
        if a[-k] != b[-k] and a[-k] != 1 and b[-k] != 1:
            return a[-k], b[-k], max(len(a), len(b)) - k
    return a, b, 0


def add(input, other, *, alpha=1):  # noqa: A002 - PyTorch's names
    return _binary(ew.Add, input, other if alpha == 1 else other * alpha, "add")


def sub(input, other, *, alpha=1):  # noqa: A002
    if isinstance(input, Tensor) and input.dtype.kind == "b" and isinstance(other, Tensor) and other.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    return _binary(ew.Sub, input, other if alpha == 1 else other * alpha, "sub")


def rsub(input, other, *, alpha=1):  # noqa: A002
    return sub(other, input, alpha=alpha)


def mul(input, other):  # noqa: A002
    return _binary(ew.Mul, input, other, "mul")


def div(input, other, *, rounding_mode=None):  # noqa: A002
    if rounding_mode is None:
        return _binary(ew.Div, input, other, "div", dtype=float_dtype(input, other))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    a, b = promote(input, other)
    xp = array_module(a.array)
    with quiet():
        if a.dtype.kind in "iu":
            if bool((b.array == 0).any()):
                raise RuntimeError("ZeroDivisionError")
            quotient = xp.floor_divide(a.array, b.array) if rounding_mode == "floor" else \
                (xp.trunc(a.array / b.array)).astype(a.array.dtype)
        else:
            quotient = (xp.floor if rounding_mode == "floor" else xp.trunc)(a.array / b.array)
    return cb.RoundedDiv.apply(a, b, quotient)


def floor_divide(input, other, *, _name="floor_divide"):  # noqa: A002
    """Rounded-down division; PyTorch records it but has no derivative for it (backward raises)."""
    quotient = div(input, other, rounding_mode="floor")
    if quotient.grad_fn is None:
        return quotient
    a, b = promote(input, other)
    return cb.NotImplementedDerivative.apply(a, b, quotient.array, _name)


def remainder(input, other):  # noqa: A002
    """Python's modulo: the result has the sign of the divisor."""
    a, b = promote(input, other)
    return cb.Remainder.apply(a, b) if isinstance(other, Tensor) else cb.RemainderScalar.apply(a, b.array)


def fmod(input, other):  # noqa: A002
    """C's fmod: the result has the sign of the dividend."""
    a, b = promote(input, other)
    return cb.Fmod.apply(a, b) if isinstance(other, Tensor) else cb.FmodScalar.apply(a, b.array)


divide = div


def true_divide(input, other):  # noqa: A002
    return div(input, other)
multiply, subtract = mul, sub


def pow(input, exponent):  # noqa: A001 - PyTorch's name
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        if isinstance(exponent, (numpy.ndarray, list, tuple)):
            return pow(input, operand(exponent, input.array.dtype, input))
        return ew.Pow.apply(cast(input, dtypes.result_type(input, exponent)), exponent)
    if not isinstance(input, Tensor):
        base, power = promote(input, exponent)
        return ew.PowScalarBase.apply(base, power)
    return _binary(ew.PowTensor, input, exponent, "pow")


def float_power(input, exponent):  # noqa: A002
    return pow(cast(input, dtypes.float64) if isinstance(input, Tensor) else input,
               cast(exponent, dtypes.float64) if isinstance(exponent, Tensor) else exponent)


def _unary_float(op, x):
    return op.apply(x if x.array.dtype.kind == "f" else cast(x, dtypes.get_default_dtype()))


def neg(input):  # noqa: A002
    if input.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return ew.Neg.apply(input)


negative = neg


def exp(input):  # noqa: A002
    return _unary_float(ew.Exp, input)


def expm1(input):  # noqa: A002
    return _unary_float(ew.Expm1, input)


def exp2(input):  # noqa: A002
    return _unary_float(cb.Exp2, input)


def log(input):  # noqa: A002
    return _unary_float(ew.Log, input)


def log2(input):  # noqa: A002
    return log(input) / float(numpy.log(2.0))


def log10(input):  # noqa: A002
    return log(input) / float(numpy.log(10.0))


def log1p(input):  # noqa: A002
    return _unary_float(ew.Log1p, input)


def sqrt(input):  # noqa: A002
    return _unary_float(ew.Sqrt, input)


def rsqrt(input):  # noqa: A002
    return _unary_float(ew.Rsqrt, input)


def reciprocal(input):  # noqa: A002
    return _unary_float(ew.Reciprocal, input)


def sin(input):  # noqa: A002
    return _unary_float(ew.Sin, input)


def cos(input):  # noqa: A002
    return _unary_float(ew.Cos, input)


def tan(input):  # noqa: A002
    return _unary_float(ew.Tan, input)


def tanh(input):  # noqa: A002
    return _unary_float(ew.Tanh, input)


def sinh(input):  # noqa: A002
    return _unary_float(ew.Sinh, input)


def cosh(input):  # noqa: A002
    return _unary_float(ew.Cosh, input)


def asin(input):  # noqa: A002
    return _unary_float(ew.Asin, input)


def acos(input):  # noqa: A002
    return _unary_float(ew.Acos, input)


def atan(input):  # noqa: A002
    return _unary_float(ew.Atan, input)


arcsin, arccos, arctan = asin, acos, atan


def sigmoid(input):  # noqa: A002
    return _unary_float(ew.Sigmoid, input)


def relu(input):  # noqa: A002
    return ew.Relu.apply(input)


def abs(input):  # noqa: A001, A002 - PyTorch's names
    return ew.Abs.apply(input)


absolute = abs


def sign(input):  # noqa: A002
    return ew.Sign.apply(input)


sgn = sign


def square(input):  # noqa: A002
    return pow(input, 2)


def floor(input):  # noqa: A002
    return input if input.dtype.kind in "biu" else ew.Floor.apply(input)


def ceil(input):  # noqa: A002
    return input if input.dtype.kind in "biu" else ew.Ceil.apply(input)


def trunc(input):  # noqa: A002
    return input if input.dtype.kind in "biu" else ew.Trunc.apply(input)


fix = trunc


def round(input, *, decimals=0):  # noqa: A001, A002
    """Halves round to even, as in PyTorch."""
    return input if input.dtype.kind in "biu" else ew.Round.apply(input, decimals)


def frac(input):  # noqa: A002
    return cb.Frac.apply(input)


def clamp(input, min=None, max=None, *, _op=ew.Clamp):  # noqa: A001, A002 - PyTorch's names
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = input if min is None else maximum(input, min)
        return result if max is None else minimum(result, max)
    dtype = dtypes.result_type(input, *(v for v in (min, max) if v is not None))
    return _op.apply(cast(input, dtype), min, max)


clip = clamp


def clamp_min(input, min):  # noqa: A001, A002
    return clamp(input, min=min, _op=cb.ClampMin)


def clamp_max(input, max):  # noqa: A001, A002
    return clamp(input, max=max, _op=cb.ClampMax)


def maximum(input, other):  # noqa: A002
    return _binary(ew.Maximum, input, other, "maximum")


def minimum(input, other):  # noqa: A002
    return _binary(ew.Minimum, input, other, "minimum")


def where(condition, input=None, other=None):  # noqa: A002
    """``condition ? input : other`` element-wise; ``where(condition)`` is ``nonzero(as_tuple=True)``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    condition = condition if isinstance(condition, Tensor) else constant(numpy.asarray(condition))
    if condition.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype}")
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else condition
    dtype = dtypes.result_type(*(v for v in (input, other)))
    a, b = operand(input, dtype, like), operand(other, dtype, like)
    return ew.Where.apply(a, b, condition.array)


def clone(input, *, memory_format=None):  # noqa: A002
    return ew.Clone.apply(input)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):  # noqa: A002
    xp = array_module(input.array)
    bad = xp.isnan(input.array) | xp.isinf(input.array)
    values = xp.asarray(xp.nan_to_num(input.array, nan=nan, posinf=posinf, neginf=neginf), dtype=input.array.dtype)
    return where(constant(xp.asarray(bad)), constant(values), input)


# ---- comparisons and logic: bool results without history ----------------------------------

def _compare(a, b, ufunc_name):
    a, b = promote(a, b)
    return constant(getattr(array_module(a.array), ufunc_name)(a.array, b.array))


def eq(input, other):  # noqa: A002
    return _compare(input, other, "equal")


def ne(input, other):  # noqa: A002
    return _compare(input, other, "not_equal")


def lt(input, other):  # noqa: A002
    return _compare(input, other, "less")


def le(input, other):  # noqa: A002
    return _compare(input, other, "less_equal")


def gt(input, other):  # noqa: A002
    return _compare(input, other, "greater")


def ge(input, other):  # noqa: A002
    return _compare(input, other, "greater_equal")


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other):  # noqa: A002
    return _compare(input, other, "logical_and")


def logical_or(input, other):  # noqa: A002
    return _compare(input, other, "logical_or")


def logical_xor(input, other):  # noqa: A002
    return _compare(input, other, "logical_xor")


def logical_not(input):  # noqa: A002
    return constant(array_module(input.array).logical_not(input.array))


def _bitwise(a, b, ufunc_name):
    a, b = promote(a, b)
    if a.dtype.kind == "f":
        raise RuntimeError(f"\"{ufunc_name}_cpu\" not implemented for '{a.dtype.legacy_name}'")
    return constant(getattr(array_module(a.array), ufunc_name)(a.array, b.array))


def bitwise_and(input, other):  # noqa: A002
    return _bitwise(input, other, "bitwise_and")


def bitwise_or(input, other):  # noqa: A002
    return _bitwise(input, other, "bitwise_or")


def bitwise_xor(input, other):  # noqa: A002
    return _bitwise(input, other, "bitwise_xor")


def bitwise_not(input):  # noqa: A002
    if input.dtype.kind == "f":
        raise RuntimeError("bitwise_not_cpu not implemented for 'Float'")
    return constant(array_module(input.array).invert(input.array))


def bitwise_left_shift(input, other):  # noqa: A002
    return _bitwise(input, other, "left_shift")


def bitwise_right_shift(input, other):  # noqa: A002
    return _bitwise(input, other, "right_shift")


def isnan(input):  # noqa: A002
    return constant(array_module(input.array).isnan(input.array))


def isinf(input):  # noqa: A002
    return constant(array_module(input.array).isinf(input.array))


def isfinite(input):  # noqa: A002
    return constant(array_module(input.array).isfinite(input.array))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    a, b = promote(input, other)
    return constant(array_module(a.array).isclose(a.array, b.array, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


def equal(input, other):  # noqa: A002
    return tuple(input.shape) == tuple(other.shape) and bool((input.array == other.array).all())
