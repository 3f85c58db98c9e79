"""The stand-in's ``cupy.ndarray``: a NumPy array kept out of reach behind CuPy's rules.

Views wrap NumPy views, so slicing, reshape, transpose and broadcast_to share memory as on a
GPU. What CuPy refuses is refused here with CuPy's error: implicit conversion to NumPy,
``numpy.ndarray`` operands (0-d included) of functions, ufuncs and operators, and any use of
the device in a process forked after its parent used it.
"""
import numpy

from cupy_standin import _cuda, _state

SCALARS = (bool, int, float, complex, numpy.generic)
UNSUPPORTED_DTYPE_KINDS = "OUSVMm"  # CuPy has no object, string, void or datetime arrays
IMPLICIT_CONVERSION = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
                       "a NumPy array explicitly.")


def unsupported(value):
    return TypeError(f"Unsupported type {type(value)}")


def wrap(host):
    """The device array whose memory is the NumPy array ``host`` (no copy)."""
    if host.dtype.kind in UNSUPPORTED_DTYPE_KINDS:
        raise ValueError(f"Unsupported dtype {host.dtype}")
    array = object.__new__(ndarray)
    array._host = host
    return array


def from_host(host):
    """A device copy of a NumPy array (what unpickling a CuPy array does)."""
    _state.use_device()
    return wrap(numpy.array(host, copy=True))


def to_device(value):
    """NumPy results as device arrays: scalars become 0-d arrays, as CuPy's reductions return."""
    if isinstance(value, numpy.ndarray):
        return wrap(value)
    if isinstance(value, numpy.generic):
        return wrap(numpy.asarray(value))
    if isinstance(value, (tuple, list)):
        return type(value)(to_device(v) for v in value)
    return value


def to_host(value, host_data=False):
    """The NumPy arrays behind the device arrays in ``value`` (through lists and tuples).
    A NumPy array is refused, as by CuPy, unless ``host_data`` (for the functions that copy
    host data to the device, or read indices from it)."""
    if isinstance(value, ndarray):
        return value._host
    if isinstance(value, numpy.ndarray) and not host_data:
        raise unsupported(value)
    if isinstance(value, (tuple, list)):
        return type(value)(to_host(v, host_data) for v in value)
    return value


def operand(value):
    """An operand of a ufunc: a device array or a Python/NumPy scalar, nothing else."""
    if isinstance(value, ndarray):
        return value._host
    if isinstance(value, SCALARS):
        return value
    raise unsupported(value)


def host_call(function, args, kwargs, host_data=False):
    """Run NumPy's ``function`` on the host arrays behind ``args``; results come back on the device.
    The GPU does not warn on overflow or division by zero, so neither does this."""
    _state.use_device()
    out = kwargs.get("out")
    host_args = to_host(args, host_data)
    host_kwargs = {key: to_host(value, host_data) for key, value in kwargs.items()}
    with numpy.errstate(all="ignore"):
        result = function(*host_args, **host_kwargs)
    return out if isinstance(out, ndarray) else to_device(result)


def _index(key):
    """``key`` for NumPy, with a trailing Ellipsis so that an element comes back as a 0-d view
    (CuPy never returns a scalar); and whether it is an advanced (array) index."""
    parts = key if isinstance(key, tuple) else (key,)
    advanced = any(isinstance(p, (ndarray, numpy.ndarray, list, tuple, bool, numpy.bool_)) for p in parts)
    parts = tuple(to_host(p, host_data=True) for p in parts)
    if not any(p is Ellipsis for p in parts):
        parts += (Ellipsis,)
    return parts, advanced


def _scatter(array, key, value, op):
    """``array[key] op= value`` with repeated indices accumulating (CuPy's scatter kernels)."""
    _state.use_device()
    index, advanced = _index(key)
    if not advanced:  # CuPy runs the plain ufunc, which refuses host operands
        value = operand(value)
    else:
        value = numpy.asarray(to_host(value, host_data=True), dtype=array.dtype)
        if op == "add" and value.dtype not in _ATOMIC_ADD_DTYPES:
            raise TypeError("scatter_add only supports int32, float16, float32, float64, uint32, uint64, as data "
                            "type")
    ufunc = {"add": numpy.add, "max": numpy.maximum, "min": numpy.minimum}[op]
    ufunc.at(array._host, index, value)


_ATOMIC_ADD_DTYPES = tuple(numpy.dtype(t) for t in ("int32", "float16", "float32", "float64", "uint32", "uint64"))


class Flags:
    """``ndarray.flags``: CuPy has only these three (no WRITEABLE: device arrays are always writable)."""

    def __init__(self, host):
        self.c_contiguous = bool(host.flags.c_contiguous)
        self.f_contiguous = bool(host.flags.f_contiguous)
        self.owndata = bool(host.flags.owndata)

    def __getitem__(self, name):
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous, "OWNDATA": self.owndata}[name]

    def __repr__(self):
        return "\n".join(f"  {name} : {self[name]}" for name in ("C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA"))


class ndarray:
    """``cupy.ndarray(shape, dtype=float)``: an array in (pretend) GPU memory."""

    __slots__ = ("_host", "__weakref__")
    __array_priority__ = 100  # CuPy's: an operand of higher priority (a Tensor) gets the reflected op
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        if memptr is not None or strides is not None:
            raise NotImplementedError("the CuPy stand-in allocates its own memory (memptr, strides)")
        _state.use_device()
        self._host = wrap(numpy.empty(shape, dtype=dtype, order=order))._host

    # ---- what CuPy forbids --------------------------------------------------------------

    def __array__(self, dtype=None, copy=None):
        raise TypeError(IMPLICIT_CONVERSION)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from cupy_standin import cupy_api
        standin = getattr(cupy_api, ufunc.__name__, None)
        if standin is None:
            return NotImplemented
        if isinstance(kwargs.get("out"), tuple):
            kwargs["out"] = kwargs["out"][0] if len(kwargs["out"]) == 1 else kwargs["out"]
        return getattr(standin, method)(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from cupy_standin import cupy_api
        module = {"numpy": cupy_api, "numpy.linalg": cupy_api.linalg}.get(func.__module__)
        standin = getattr(module, func.__name__, None) if module is not None else None
        if standin is None:
            return NotImplemented
        return standin(*args, **kwargs)

    # ---- metadata (no device access, as on a GPU) ----------------------------------------

    @property
    def shape(self):
        return self._host.shape

    @shape.setter
    def shape(self, shape):
        self._host = numpy.reshape(self._host, shape, copy=False)

    dtype = property(lambda self: self._host.dtype)
    ndim = property(lambda self: self._host.ndim)
    size = property(lambda self: self._host.size)
    itemsize = property(lambda self: self._host.itemsize)
    nbytes = property(lambda self: self._host.nbytes)
    strides = property(lambda self: self._host.strides)
    flags = property(lambda self: Flags(self._host))
    device = property(lambda self: _cuda.Device(0))
    data = property(lambda self: _cuda.MemoryPointer(self._host.__array_interface__["data"][0], 0))
    T = property(lambda self: wrap(self._host.T))
    real = property(lambda self: wrap(self._host.real))
    imag = property(lambda self: wrap(self._host.imag))

    def __len__(self):
        return len(self._host)

    # ---- transfers -----------------------------------------------------------------------

    def get(self, stream=None, order="C", out=None, blocking=True):
        """A NumPy copy of the array (into ``out`` when given)."""
        _state.use_device()
        if out is None:
            return numpy.array(self._host, order=order, copy=True)
        out[...] = self._host
        return out

    def set(self, arr, stream=None):
        """Copy the NumPy array ``arr`` (same shape and dtype) into this array."""
        if not isinstance(arr, numpy.ndarray):
            raise TypeError("Only numpy.ndarray can be set to cupy.ndarray")
        if arr.dtype != self.dtype:
            raise TypeError(f"{arr.dtype} array cannot be set to {self.dtype} array")
        if arr.shape != self.shape:
            raise ValueError(f"Shape mismatch. Old shape: {self.shape}, new shape: {arr.shape}")
        _state.use_device()
        self._host[...] = arr

    def __reduce__(self):
        return from_host, (self.get(),)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    # ---- Python conversions (each one a device-to-host copy) -----------------------------

    def _scalar(self, convert):
        _state.use_device()
        return convert(self._host)

    def __bool__(self):
        return self._scalar(bool)

    def __int__(self):
        return self._scalar(int)

    def __float__(self):
        return self._scalar(float)

    def __complex__(self):
        return self._scalar(complex)

    def __index__(self):
        return self._scalar(lambda host: host.__index__())

    def __repr__(self):
        return self._scalar(repr)

    def __str__(self):
        return self._scalar(str)

    def __format__(self, spec):
        return format(self.get(), spec)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __contains__(self, value):
        return bool((self == value).any())

    # ---- indexing --------------------------------------------------------------------------

    def __getitem__(self, key):
        _state.use_device()
        return wrap(self._host[_index(key)[0]])

    def __setitem__(self, key, value):
        _state.use_device()
        index, advanced = _index(key)
        if isinstance(value, ndarray):
            value = value._host
        elif isinstance(value, numpy.ndarray):
            if not advanced and value.ndim:  # CuPy fills a basic selection, and fill takes scalars only
                raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        elif not advanced and not isinstance(value, SCALARS):
            raise unsupported(value)
        self._host[index] = value

    def scatter_add(self, slices, value):
        _scatter(self, slices, value, "add")

    def scatter_max(self, slices, value):
        _scatter(self, slices, value, "max")

    def scatter_min(self, slices, value):
        _scatter(self, slices, value, "min")

    def fill(self, value):
        if isinstance(value, numpy.ndarray):
            if value.shape != ():
                raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
            value = value.item()
        _state.use_device()
        self._host.fill(operand(value))

    def sort(self, axis=-1, kind=None):
        _state.use_device()
        self._host.sort(axis=axis, kind=kind)


def _method(name, host_data=False):
    def method(self, *args, **kwargs):
        return host_call(getattr(numpy.ndarray, name), (self,) + args, kwargs, host_data)
    method.__name__ = method.__qualname__ = name
    return method


def _host_result(name):
    def method(self, *args):
        _state.use_device()
        return getattr(self._host, name)(*args)
    method.__name__ = method.__qualname__ = name
    return method


_DEVICE_METHODS = ("all", "any", "argmax", "argmin", "argpartition", "argsort", "astype", "clip", "compress",
                   "conj", "conjugate", "copy", "cumprod", "cumsum", "diagonal", "dot", "flatten", "max", "mean",
                   "min", "nonzero", "partition", "prod", "ravel", "repeat", "reshape", "round", "squeeze", "std",
                   "sum", "swapaxes", "trace", "transpose", "var", "view")
for _name in _DEVICE_METHODS:
    setattr(ndarray, _name, _method(_name))
for _name in ("take", "put"):  # their indices (and put's values) may come from the host
    setattr(ndarray, _name, _method(_name, host_data=True))
for _name in ("item", "tolist", "tobytes"):
    setattr(ndarray, _name, _host_result(_name))

ndarray.__module__ = "cupy"  # so errors and reprs name `cupy.ndarray`, as CuPy's do
