"""The stand-in's ``cupy`` module: NumPy's functions behind CuPy's rules.

Any NumPy name CuPy also has is served by the module ``__getattr__``: a ufunc becomes a
stand-in ufunc, a function is wrapped (device arrays in, NumPy arrays refused, results back as
device arrays), and types and constants (``float32``, ``inf``) are NumPy's own, as in CuPy.
Only ``array``/``asarray``/``asanyarray`` take host data, and ``asnumpy``/``ndarray.get`` bring
it back. Names NumPy has and CuPy lacks raise AttributeError.
"""
import functools
import types

import numpy

from cupy_standin import _array, _cuda, _random, _state, _ufunc
from cupy_standin._array import ndarray

cuda = _cuda
random = _random
ufunc = _ufunc.ufunc

# NumPy names with no CuPy counterpart (the ones code written for NumPy is likely to reach for)
MISSING = frozenset({
    "errstate", "seterr", "geterr", "seterrcall", "geterrcall", "nditer", "nested_iters", "ndenumerate",
    "frompyfunc", "set_printoptions", "get_printoptions", "printoptions", "array2string", "asmatrix", "matrix",
    "recarray", "memmap", "char", "rec", "ma", "ctypeslib", "emath", "testing", "object_", "str_", "bytes_",
    "void", "datetime64", "timedelta64", "datetime_data", "busday_count", "busday_offset", "is_busday",
    "character", "flexible", "longdouble", "clongdouble", "float128", "complex256", "asarray_chkfinite",
    "einsum_path", "genfromtxt", "loadtxt", "savetxt", "fromregex", "fromstring", "frombuffer", "from_dlpack",
    "fft", "polynomial", "dtypes", "exceptions", "typing", "f2py", "show_config", "info",
})
# CuPy returns these answers as 0-d device arrays, where NumPy returns a Python bool
_ZERO_D_ANSWERS = frozenset({"allclose", "array_equal", "array_equiv"})


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    """A device array copied from ``obj`` (host data, a device array, nested lists, scalars)."""
    if not copy:
        return asarray(obj, dtype=dtype)
    _state.use_device()
    return _array.wrap(numpy.array(_array.to_host(obj, host_data=True), dtype=dtype, order=order, ndmin=ndmin))


def asarray(a, dtype=None, order=None, blocking=False):
    """``a`` itself when it is a device array of ``dtype``; otherwise a device copy."""
    if isinstance(a, ndarray) and (dtype is None or numpy.dtype(dtype) == a.dtype):
        return a
    _state.use_device()
    return _array.wrap(numpy.array(_array.to_host(a, host_data=True), dtype=dtype, order=order or "K"))


asanyarray = asarray


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    """A NumPy array holding ``a``: a copy for a device array, ``a`` itself for host data."""
    if isinstance(a, ndarray):
        return a.get(stream=stream, order=order, out=out)
    return numpy.asarray(a, order=order)


def broadcast_to(array, shape):
    """A view of ``array`` with ``shape``: writable, as every CuPy array is (NumPy's is read-only)."""
    host = _array.to_host(array)
    if not isinstance(host, numpy.ndarray):
        raise _array.unsupported(array)
    view = numpy.broadcast_to(host, shape)
    return _array.wrap(numpy.lib.stride_tricks.as_strided(host, view.shape, view.strides))


def _as_strided(x, shape=None, strides=None):
    """A view of ``x`` with other strides (CuPy's ``lib.stride_tricks.as_strided``)."""
    host = _array.to_host(x)
    return _array.wrap(numpy.lib.stride_tricks.as_strided(host, shape, strides))


lib = types.ModuleType("cupy.lib")  # only what CuPy's lib offers and minigrad uses
lib.stride_tricks = types.ModuleType("cupy.lib.stride_tricks")
lib.stride_tricks.as_strided = _as_strided


def broadcast_arrays(*args):
    shape = numpy.broadcast_shapes(*(a.shape for a in args))
    return [broadcast_to(a, shape) for a in args]


def get_array_module(*args):
    return cupy_module() if any(isinstance(a, ndarray) for a in args) else numpy


def cupy_module():
    """This module as ``import cupy`` sees it."""
    import sys
    return sys.modules.get("cupy", sys.modules[__name__])


def is_available():
    return _cuda.is_available()


def _wrapped(name, function):
    if isinstance(function, numpy.ufunc):
        return _ufunc.get(name)
    if isinstance(function, type) or not callable(function):
        return function  # dtypes, scalar types, finfo/iinfo, constants: NumPy's own, as in CuPy

    @functools.wraps(function)
    def device_function(*args, **kwargs):
        result = _array.host_call(function, args, kwargs)
        return _array.wrap(numpy.asarray(result)) if name in _ZERO_D_ANSWERS else result
    return device_function


def _namespace(module_name, numpy_module, missing=frozenset()):
    """A module whose attributes are ``numpy_module``'s, wrapped (fetched once, then kept)."""
    def lookup(name):
        if name.startswith("_") or name in missing or not hasattr(numpy_module, name):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = _wrapped(name, getattr(numpy_module, name))
        setattr(namespace, name, value)
        return value
    namespace = types.ModuleType(module_name)
    namespace.__getattr__ = lookup
    return namespace


linalg = _namespace("cupy.linalg", numpy.linalg)
_top = _namespace("cupy", numpy, MISSING)


def __getattr__(name):
    value = getattr(_top, name)
    globals()[name] = value  # later lookups find it directly
    return value
