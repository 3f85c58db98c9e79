"""One flat vector from parameters and back (for optimizers and tools that want a single vector)."""
import minigrad
from minigrad.engine import Tensor


def _same_device(param, device):
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated, in order (a differentiable copy)."""
    device, pieces = None, []
    for param in parameters:
        device = _same_device(param, device)
        pieces.append(param.reshape(-1))
    return minigrad.cat(pieces)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the matching slice of ``vec`` (viewed in the parameter's shape)."""
    if not isinstance(vec, Tensor):
        kind = type(vec)
        name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        raise TypeError(f"expected minigrad.Tensor, but got: {name}")
    device, start = None, 0
    for param in parameters:
        device = _same_device(param, device)
        count = param.numel()
        param.data = vec[start:start + count].view_as(param).data
        start += count
