"""PyTorch-like text for tensors: ``tensor([2.], requires_grad=True)``."""
import numpy

from minigrad import dtypes
from minigrad.backend import to_numpy

_IMPLICIT_DTYPES = (dtypes.float32, dtypes.int64, dtypes.bool)


def _format_values(array):
    if array.dtype.kind == "f" and array.size:
        finite = array[numpy.isfinite(array)]
        whole = finite.size == 0 or bool(numpy.all(finite == numpy.round(finite)))
        big = finite.size and (numpy.abs(finite).max() >= 1e8 or 0 < numpy.abs(finite[finite != 0]).min(
            initial=1) < 1e-4)
        if big:
            options = {"floatmode": "maxprec", "precision": 4}
        elif whole:
            options = {"floatmode": "unique"}
        else:
            options = {"floatmode": "fixed", "precision": 4}
        return numpy.array2string(array, separator=", ", prefix="tensor(", **options)
    return numpy.array2string(array, separator=", ", prefix="tensor(")


def tensor_repr(tensor):
    parts = [_format_values(to_numpy(tensor.array))]
    if tensor.device.type != "cpu":
        parts.append(f"device='{tensor.device}'")
    if tensor.dtype not in _IMPLICIT_DTYPES or (tensor.numel() == 0 and tensor.dtype != dtypes.float32):
        parts.append(f"dtype=minigrad.{tensor.dtype}")
    if tensor.grad_fn is not None:
        parts.append(f"grad_fn={tensor.grad_fn!r}")
    elif tensor.requires_grad:
        parts.append("requires_grad=True")
    return "tensor(" + ", ".join(parts) + ")"
