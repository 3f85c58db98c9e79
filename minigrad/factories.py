"""Functions that make new tensors: ``zeros``, ``arange``, ``eye``... (PyTorch's signatures).

Random ones (``rand``, ``randn``, ``randint``, ``randperm``...) live in :mod:`minigrad.sampling`.
"""
import numpy

from minigrad import dtypes
from minigrad.backend import device as Device, module_for
from minigrad.tensor import Tensor, _to_array, get_default_device


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(size)
    for n in size:
        if not isinstance(n, (int, numpy.integer)) or n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension or a non-integer size: "
                               f"{list(size)}")
    return size


def _finish(array, device, requires_grad):
    """Move a freshly made NumPy array to ``device`` and wrap it."""
    target = Device(device) if device is not None else get_default_device()
    if target.type != "cpu":
        array = module_for(target).asarray(array)
    tensor = Tensor._wrap(array, None, False)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (floats default to float32, ints to int64)."""
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype) and device is None:
        return data
    return Tensor._wrap(_to_array(data, dtype, device), None, False)


def from_numpy(array):
    """A tensor sharing memory with the NumPy ``array`` (its dtype is kept)."""
    if not isinstance(array, numpy.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor._wrap(array, None, False)


def _filled(fill, size, dtype, device, requires_grad):
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return _finish(numpy.full(_size(size), fill, dtype=dtype), device, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    return _filled(0, size, dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    return _filled(fill_value, (size,) if isinstance(size, int) else size, dtype, device, requires_grad)


def _like(other, dtype, device):
    return dtype or other.dtype, device or other.device


def zeros_like(other, dtype=None, device=None, requires_grad=False):
    dtype, device = _like(other, dtype, device)
    return zeros(other.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(other, dtype=None, device=None, requires_grad=False):
    dtype, device = _like(other, dtype, device)
    return ones(other.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(other, dtype=None, device=None, requires_grad=False):
    return zeros_like(other, dtype, device, requires_grad)


def full_like(other, fill_value, dtype=None, device=None, requires_grad=False):
    dtype, device = _like(other, dtype, device)
    return full(other.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` (default 0) up to, not including, ``end``; ints give int64."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError(f"arange: upper bound {end} and lower bound {start} inconsistent with step sign {step}")
    if dtype is None:
        dtype = dtypes.result_type(start, end, step)
    count = int(numpy.ceil((end - start) / step))
    array = (start + numpy.arange(count, dtype=numpy.float64) * step).astype(dtype) \
        if numpy.dtype(dtype).kind == "f" else numpy.arange(start, end, step, dtype=dtype)
    return _finish(array, device, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    # PyTorch's recipe: a step rounded to dtype, counted from the start for the first half
    # and back from the end for the second, each value rounded once (as a fused multiply-add)
    step = float(dtype.type((end - start) / max(steps - 1, 1)))
    index = numpy.arange(steps, dtype=numpy.float64)
    values = numpy.where(index < steps // 2, start + step * index, end - step * (steps - 1 - index))
    return _finish(values.astype(dtype), device, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    return _finish(numpy.eye(n, m, dtype=dtype), device, requires_grad)
