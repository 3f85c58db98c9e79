"""Moving between dtypes and devices: ``to``, ``cpu``, ``cuda``, ``float``, ``type``..., and the
``new_*`` constructors that copy a tensor's dtype and device."""
import builtins

import numpy

from minigrad import dtypes
from minigrad.backend import array_module, device as Device, device_of, move
from minigrad.engine import Tensor, as_array, make_tensor
from minigrad.functional._common import cast, size_args
from minigrad.ops import elementwise as ew

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _parse_to(args, dtype, device):
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, (str, Device)):
            device = arg
        elif arg is not None and not isinstance(arg, builtins.bool):
            dtype = arg
    return dtype, device


def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``; the tensor
    itself when nothing changes (unless ``copy``)."""
    dtype, device = _parse_to(args, dtype, device)
    result = self
    if device is not None and Device(device) != self.device:
        result = ew.ToDevice.apply(result, Device(device))
    if dtype is not None:
        result = cast(result, dtypes.as_dtype(dtype).dtype)
    return ew.Clone.apply(result) if copy and result is self else result


def cpu(self, memory_format=None):
    return to(self, "cpu")


def cuda(self, device=None, non_blocking=False, memory_format=None):
    return to(self, "cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)


def float(self, memory_format=None):  # noqa: A001 - PyTorch's names
    return to(self, dtypes.float32)


def double(self, memory_format=None):
    return to(self, dtypes.float64)


def half(self, memory_format=None):
    return to(self, dtypes.float16)


def long(self, memory_format=None):
    return to(self, dtypes.int64)


def int(self, memory_format=None):  # noqa: A001
    return to(self, dtypes.int32)


def short(self, memory_format=None):
    return to(self, dtypes.int16)


def char(self, memory_format=None):
    return to(self, dtypes.int8)


def byte(self, memory_format=None):
    return to(self, dtypes.uint8)


def bool(self, memory_format=None):  # noqa: A001
    return to(self, dtypes.bool)


def type(self, dtype=None, non_blocking=False):  # noqa: A001
    """``x.type()`` is the legacy name ('minigrad.FloatTensor'); ``x.type(dtype)`` converts."""
    if dtype is None:
        return f"minigrad.{_TYPE_NAMES.get(self.array.dtype.name, self.array.dtype.name)}Tensor"
    if isinstance(dtype, str):
        legacy = {f"{prefix}.{name}Tensor": key for key, name in _TYPE_NAMES.items()
                  for prefix in ("minigrad", "torch")}
        dtype = legacy.get(dtype, dtype)
    return to(self, dtype)


def type_as(self, other):
    return to(self, other.dtype)


def size(self, dim=None):
    if dim is None:
        return self.shape
    rank = max(self.ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")
    return self.array.shape[dim] if self.ndim else 1


def dim(self):
    return self.array.ndim


def numel(input):  # noqa: A002
    return builtins.int(input.array.size)


def element_size(self):
    return self.array.dtype.itemsize


def is_floating_point(input):  # noqa: A002
    return input.array.dtype.kind == "f"


def is_complex(self):
    return False


def _new(self, array, requires_grad):
    tensor = make_tensor(move(array, self.device))
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
    return to(_new(self, numpy.zeros(size_args(size), dtype=numpy.dtype(dtype or self.dtype)), requires_grad),
              device=device)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
    return to(_new(self, numpy.ones(size_args(size), dtype=numpy.dtype(dtype or self.dtype)), requires_grad),
              device=device)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
    return new_zeros(self, *size, dtype=dtype, device=device, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    array = numpy.full(size_args((size,) if isinstance(size, builtins.int) else size), fill_value,
                       dtype=numpy.dtype(dtype or self.dtype))
    return to(_new(self, array, requires_grad), device=device)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    tensor = make_tensor(as_array(data, dtype or self.dtype, device or self.device, copy=True))
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor


# ---- reading values out ----------------------------------------------------------------------

def numpy_(self, *, force=False):
    """The NumPy array behind the tensor (shared memory); refused while it requires grad."""
    if self.requires_grad and not force:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    if array_module(self.array) is not numpy:
        if not force:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                            f"the tensor to host memory first.")
        return self.array.get()
    return self.array


def array_(self, dtype=None, copy=None):
    """``numpy.asarray(tensor)``: the same rules as ``numpy()``."""
    array = numpy_(self)
    return array if dtype is None else array.astype(dtype)


def item(self):
    if self.array.size != 1:
        raise RuntimeError(f"a Tensor with {self.array.size} elements cannot be converted to Scalar")
    return self.array.reshape(()).item()


def tolist(self):
    return self.array.tolist()


def float_(self):
    return builtins.float(item(self))


def int_(self):
    return builtins.int(item(self))


def index_(self):
    if self.array.dtype.kind not in "iu" or self.array.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return builtins.int(item(self))


def bool_(self):
    if self.array.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(item(self))


def format_(self, spec):
    return item(self).__format__(spec) if self.array.ndim == 0 else object.__format__(self, spec)


def length(self):
    if self.array.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self.array.shape[0]


def iterate(self):
    if self.array.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self.array.shape[0]))


# ---- memory layout -----------------------------------------------------------------------------

def is_contiguous(self, memory_format=None):
    return builtins.bool(self.array.flags.c_contiguous)


def data_ptr(self):
    """Address of the first element (views of one storage differ by their offset)."""
    if array_module(self.array) is numpy:
        return self.array.__array_interface__["data"][0]
    return self.array.data.ptr


def storage_offset(self):
    base = self._base
    return 0 if base is None else (data_ptr(self) - data_ptr(base)) // self.array.itemsize


def stride(self, dim=None):
    strides = tuple(s // self.array.itemsize for s in self.array.strides)
    return strides if dim is None else strides[dim]
