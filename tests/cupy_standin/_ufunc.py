"""The stand-in's ufuncs (``cupy.add``, ``cupy.exp``...) and the operators of its ndarray.

A ufunc takes device arrays and Python or NumPy scalars; a ``numpy.ndarray`` operand, even a
0-d one, raises CuPy's TypeError. Of the ufunc methods, CuPy has ``reduce``/``accumulate``
for add and multiply only, and ``at`` for add, maximum and minimum (its scatter kernels).
"""
import numpy

from cupy_standin import _array, _state
from cupy_standin._array import ndarray, operand, to_device

_SCATTER_OPS = {"add": "add", "maximum": "max", "minimum": "min"}
_REDUCTIONS = {"add": ("sum", "cumsum"), "multiply": ("prod", "cumprod")}


def _output(out):
    if out is None or isinstance(out, ndarray):
        return out
    raise TypeError("Output arguments must be cupy.ndarray")


class ufunc:
    """A NumPy ufunc behind CuPy's operand rules."""

    def __init__(self, numpy_ufunc):
        self._numpy = numpy_ufunc
        self.__name__ = numpy_ufunc.__name__
        self.nin, self.nout, self.nargs = numpy_ufunc.nin, numpy_ufunc.nout, numpy_ufunc.nargs

    def __repr__(self):
        return f"<ufunc '{self.__name__}'>"

    def __call__(self, *args, out=None, dtype=None, casting="same_kind", **kwargs):
        if len(args) > self.nin:  # outputs given by position
            args, out = args[:self.nin], args[self.nin] if len(args) == self.nin + 1 else args[self.nin:]
        if len(args) != self.nin:
            raise TypeError(f"Wrong number of arguments for {self.__name__}")
        _state.use_device()
        hosts = [operand(a) for a in args]
        outs = out if isinstance(out, tuple) else (out,) * (out is not None)
        for o in outs:
            _output(o)
        if outs:
            kwargs["out"] = tuple(o._host for o in outs)
        with numpy.errstate(all="ignore"):
            result = self._numpy(*hosts, dtype=dtype, casting=casting, **kwargs)
        return out if outs else to_device(result)

    def _reduction(self, which, array, *args, **kwargs):
        methods = _REDUCTIONS.get(self.__name__)
        if methods is None:
            method = ("reduce", "accumulate")[which]
            raise NotImplementedError(f"`cupy_{self.__name__}.{method}` is not supported yet")
        return getattr(_device_array(array), methods[which])(*args, **kwargs)

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False):
        return self._reduction(0, array, axis=axis, dtype=dtype, out=_output(out), keepdims=keepdims)

    def accumulate(self, array, axis=0, dtype=None, out=None):
        return self._reduction(1, array, axis=axis, dtype=dtype, out=_output(out))

    def outer(self, a, b, **kwargs):
        a, b = (x if isinstance(x, ndarray) else _array.from_host(numpy.asarray(x)) for x in (a, b))
        return self(a.reshape(a.shape + (1,) * b.ndim), b.reshape((1,) * a.ndim + b.shape), **kwargs)

    def at(self, a, indices, b=None):
        """``a[indices] op= b`` in place, repeated indices accumulating."""
        if self.__name__ not in _SCATTER_OPS:
            raise NotImplementedError(f"`cupy_{self.__name__}.at` is not supported yet")
        _array._scatter(_device_array(a), indices, b, _SCATTER_OPS[self.__name__])


def _device_array(value):
    if not isinstance(value, ndarray):
        raise _array.unsupported(value)
    return value


_cache = {}


def get(name):
    """The stand-in ufunc of NumPy's ufunc ``name`` (one object per name, as ``cupy.add is cupy.add``)."""
    if name not in _cache:
        _cache[name] = ufunc(getattr(numpy, name))
    return _cache[name]


# ---- the ndarray's operators: CuPy's ufuncs -----------------------------------------------

def _other(value):
    """The other operand of an operator; NotImplemented lets an operand of higher
    ``__array_priority__`` (a minigrad Tensor, say) take over, as CuPy does."""
    if isinstance(value, (ndarray,) + _array.SCALARS):
        return value
    if isinstance(value, numpy.ndarray):
        raise _array.unsupported(value)
    if getattr(value, "__array_priority__", -1) > ndarray.__array_priority__:
        return NotImplemented
    raise _array.unsupported(value)


def _binary(name, reflected=False, inplace=False):
    def operator(self, other):
        other = _other(other)
        if other is NotImplemented:
            return NotImplemented
        if inplace:
            return get(name)(self, other, out=self)
        return get(name)(other, self) if reflected else get(name)(self, other)
    return operator


def _comparison(name):
    def operator(self, other):
        if isinstance(other, numpy.ndarray):
            raise _array.unsupported(other)
        if not isinstance(other, (ndarray,) + _array.SCALARS):
            return NotImplemented
        return get(name)(self, other)
    return operator


def _unary(name):
    return lambda self: get(name)(self)


_BINARY = {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "true_divide",
           "floordiv": "floor_divide", "mod": "remainder", "pow": "power", "matmul": "matmul",
           "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor", "lshift": "left_shift",
           "rshift": "right_shift"}
for _short, _name in _BINARY.items():
    setattr(ndarray, f"__{_short}__", _binary(_name))
    setattr(ndarray, f"__r{_short}__", _binary(_name, reflected=True))
    setattr(ndarray, f"__i{_short}__", _binary(_name, inplace=True))
for _short, _name in {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal", "gt": "greater",
                      "ge": "greater_equal"}.items():
    setattr(ndarray, f"__{_short}__", _comparison(_name))
for _short, _name in {"neg": "negative", "pos": "positive", "abs": "absolute", "invert": "invert"}.items():
    setattr(ndarray, f"__{_short}__", _unary(_name))
