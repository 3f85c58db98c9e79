"""Floating-point arithmetic exactly as PyTorch's CPU sampling kernels round it.

- ``fma32``/``fma64``: a fused multiply-add (one rounding), which the compiled kernels use
  wherever the compiler contracted ``x * scale + shift``.
- ``log_ps``/``sincos_ps``: the single-precision log and sine/cosine of ``avx_mathfun.h``
  (Cephes polynomials) that PyTorch's AVX2 ``randn`` kernel calls, operation by operation,
  with the multiply-adds the compiler fused in the released wheel.
- ``libm``: double-precision functions through Python's ``math`` module, which calls the
  same C library as PyTorch; NumPy's vectorised ``log``/``log1p`` differ in the last bit.
"""
import math

import numpy

f32, f64 = numpy.float32, numpy.float64
_SPLITTER = f64(134217729.0)  # 2**27 + 1: Veltkamp's split of a double into two halves


def _two_sum(a, b):
    """``s + t == a + b`` exactly, with ``s`` the rounded sum (Knuth)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _two_product(a, b):
    """``p + e == a * b`` exactly, with ``p`` the rounded product (Dekker)."""
    p = a * b
    a_split, b_split = _SPLITTER * a, _SPLITTER * b
    a_hi = a_split - (a_split - a)
    b_hi = b_split - (b_split - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _round_to_odd(s, t):
    """The sum ``s + t`` (``s`` its rounding, ``t`` the error) rounded to odd: an inexact
    result keeps an odd last bit, so a later rounding to nearest cannot round twice."""
    even = (s.view(numpy.uint64) & numpy.uint64(1)) == 0
    bump = (t != 0) & even
    return numpy.where(bump, numpy.nextafter(s, numpy.where(t > 0, numpy.inf, -numpy.inf)), s)


def _is_identity(b, c):
    """``x * 1 + 0``: nothing to round (rand, randn and their kin hit this every time)."""
    return numpy.ndim(b) == 0 and numpy.ndim(c) == 0 and b == 1 and c == 0


def fma64(a, b, c):
    """``a * b + c`` rounded once, in float64 (Boldo and Melquiond's emulation by rounding to odd)."""
    if _is_identity(b, c):
        return numpy.asarray(a, dtype=f64)
    a, b, c = (numpy.asarray(v, dtype=f64) for v in (a, b, c))
    p, e = _two_product(a, b)
    s, t = _two_sum(c, p)
    low, low_error = _two_sum(t, e)
    return s + _round_to_odd(low, low_error)


_HALF_FLOAT32_ULP = numpy.uint64(1 << 28)  # a float64 sitting halfway between two float32s...
_BELOW_FLOAT32 = numpy.uint64((1 << 29) - 1)  # ...has exactly this bit among the 29 that float32 drops


def fma32(a, b, c):
    """``a * b + c`` rounded once, in float32. The product is exact in float64 and so is the sum
    unless it rounds; that rounding can only mislead the final one when it lands exactly
    halfway between two float32s, and those rare sums are redone exactly (rounded to odd)."""
    a, b, c = (numpy.asarray(v, dtype=f64) for v in (a, b, c))
    if _is_identity(b, c):
        return a.astype(f32)
    p = a * b
    s = p + c
    tie = (s.view(numpy.uint64) & _BELOW_FLOAT32) == _HALF_FLOAT32_ULP
    if tie.any():
        p, c = numpy.broadcast_arrays(p, c)
        exact, error = _two_sum(p[tie], c[tie])
        s[tie] = _round_to_odd(exact, error)
    return s.astype(f32)


# avx_mathfun.h's Cephes coefficients, as float32
_LOG_POLY = [f32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                              1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                              3.3333331174e-1)]
_LOG_Q1, _LOG_Q2, _SQRT_HALF = f32(-2.12194440e-4), f32(0.693359375), f32(0.707106781186547524)
_FOUR_OVER_PI = f32(1.27323954473516)
_PI_PARTS = [f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)]
_COS_POLY = [f32(2.443315711809948e-005), f32(-1.388731625493765e-003), f32(4.166664568298827e-002)]
_SIN_POLY = [f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1)]


def log_ps(x):
    """``log256_ps`` for positive normal float32 inputs (Cephes ``logf``)."""
    bits = numpy.maximum(x, numpy.finfo(f32).tiny).view(numpy.uint32)
    exponent = ((bits >> 23).astype(numpy.int32) - 0x7F).astype(f32) + f32(1)
    mantissa = ((bits & numpy.uint32(0x807FFFFF)) | numpy.uint32(0x3F000000)).view(f32)  # in [0.5, 1)
    small = mantissa < _SQRT_HALF
    exponent = exponent - small.astype(f32)
    x = (mantissa - f32(1)) + numpy.where(small, mantissa, f32(0))
    z = x * x
    y = numpy.full_like(x, _LOG_POLY[0])
    for coefficient in _LOG_POLY[1:]:
        y = fma32(y, x, coefficient)
    y = fma32(y * x, z, exponent * _LOG_Q1)
    y = fma32(-z, f32(0.5), y)
    return fma32(exponent, _LOG_Q2, x + y)


def sincos_ps(x):
    """``sincos256_ps`` for float32 inputs of moderate size: (sin x, cos x)."""
    negative = numpy.signbit(x)
    x = numpy.abs(x)
    octant = ((x * _FOUR_OVER_PI).astype(numpy.int32) + 1) & ~1
    y = octant.astype(f32)
    for part in _PI_PARTS:  # x - y * pi/4 in three exact-ish pieces
        x = fma32(y, part, x)
    sin_negative = negative ^ ((octant & 4) != 0)
    cos_negative = (~(octant - 2) & 4) != 0
    z = x * x
    cos_poly = fma32(fma32(numpy.full_like(x, _COS_POLY[0]), z, _COS_POLY[1]), z, _COS_POLY[2])
    cos_poly = fma32(cos_poly * z, z, -(z * f32(0.5))) + f32(1)
    sin_poly = fma32(fma32(numpy.full_like(x, _SIN_POLY[0]), z, _SIN_POLY[1]), z, _SIN_POLY[2])
    sin_poly = fma32(x, sin_poly * z, x)
    use_sin_poly = (octant & 2) == 0
    sine = numpy.where(use_sin_poly, sin_poly, cos_poly)
    cosine = numpy.where(use_sin_poly, cos_poly, sin_poly)
    return numpy.where(sin_negative, -sine, sine), numpy.where(cos_negative, -cosine, cosine)


_LIBM = {name: numpy.frompyfunc(getattr(math, name), 1, 1)
         for name in ("log", "log1p", "sin", "cos", "tan", "exp")}


def libm(name, x):
    """The C library's double-precision ``name`` applied to each element of ``x``."""
    x = numpy.asarray(x, dtype=f64)
    if x.size == 0:
        return x.copy()
    return _LIBM[name](x).astype(f64)
