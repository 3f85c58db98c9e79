"""Functions that make new tensors: ``tensor``, ``zeros``, ``arange``, ``linspace``... (PyTorch's
signatures). The random ones (``rand``, ``randn``...) are in ``minigrad.sampling``."""
import warnings

import numpy

from minigrad import dtypes
from minigrad.backend import device as Device, get_default_device, module_for
from minigrad.engine import Tensor, as_array, make_tensor
from minigrad.functional._common import size_args


def creation_size(size):
    """A new tensor's size from ``(2, 3)``, ``[2, 3]`` or ``2, 3``; negative sizes are refused."""
    size = size_args(size)
    if any(n < 0 for n in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    return size


def _finish(array, device, requires_grad):
    """Move a freshly made NumPy array to ``device`` and wrap it."""
    target = Device(device) if device is not None else get_default_device()
    if target.type != "cpu":
        array = module_for(target).asarray(array)
    tensor = make_tensor(array)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def _dtype(dtype):
    return dtypes.get_default_dtype().dtype if dtype is None else numpy.dtype(dtype)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (floats default to float32, ints to int64)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
                      "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    result = make_tensor(as_array(data, dtype, device, copy=True))
    if requires_grad:
        result.requires_grad = True
    return result


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a NumPy array or tensor when nothing must change."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype) and (device is None or
                                                                                data.device == Device(device)):
        return data
    return make_tensor(as_array(data, dtype, device))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor: shared memory when possible (``as_tensor``), a copy with ``copy=True``."""
    result = make_tensor(as_array(obj, dtype, device, copy=True)) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        result = (result if result is not obj else result.detach()).requires_grad_()
    return result


def from_numpy(ndarray, /):
    """A tensor sharing memory with ``ndarray`` (its dtype is kept)."""
    if not isinstance(ndarray, numpy.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.kind not in "biuf":
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}. The only supported types are: "
                        f"float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return make_tensor(ndarray)


def _filled(fill, size, dtype, device, requires_grad):
    return _finish(numpy.full(creation_size(size), fill, dtype=_dtype(dtype)), device, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, memory_format=None):
    """Uninitialised in PyTorch; zeros here, so runs are reproducible."""
    return _filled(0, size, dtype, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    size = (size,) if isinstance(size, int) else size
    return _finish(numpy.full(creation_size(size), fill_value, dtype=numpy.dtype(dtype)), device, requires_grad)


def _like(other, dtype, device):
    return dtype or other.dtype, device or other.device


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    dtype, device = _like(input, dtype, device)
    return zeros(input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    dtype, device = _like(input, dtype, device)
    return ones(input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):  # noqa: A002
    dtype, device = _like(input, dtype, device)
    return full(input.shape, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` (default 0) up to, not including, ``end``; ints give int64."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = dtypes.result_type(start, end, step)
    count = int(numpy.ceil((end - start) / step))
    dtype = numpy.dtype(dtype)
    if dtype.kind == "f":  # PyTorch computes start + i * step in double, then rounds once
        array = (start + numpy.arange(count, dtype=numpy.float64) * step).astype(dtype)
    else:
        array = numpy.arange(start, end, step, dtype=dtype)
    return _finish(array, device, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = _dtype(dtype)
    # PyTorch's recipe: a step rounded to dtype, counted from the start for the first half
    # and back from the end for the second, each value rounded once (as a fused multiply-add)
    step = float(dtype.type((end - start) / max(steps - 1, 1)))
    index = numpy.arange(steps, dtype=numpy.float64)
    values = numpy.where(index < steps // 2, start + step * index, end - step * (steps - 1 - index))
    if steps == 1:
        values = numpy.array([start], dtype=numpy.float64)
    return _finish(values.astype(dtype), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    exponents = linspace(start, end, steps, dtype=dtypes.float64).array
    return _finish((base ** exponents).astype(_dtype(dtype)), device, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    return _finish(numpy.eye(n, m, dtype=_dtype(dtype)), device, requires_grad)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    rows, cols = numpy.tril_indices(row, offset, col)
    return _finish(numpy.stack([rows, cols]).astype(dtype or "int64"), device, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    rows, cols = numpy.triu_indices(row, offset, col)
    return _finish(numpy.stack([rows, cols]).astype(dtype or "int64"), device, False)
