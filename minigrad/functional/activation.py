"""The softmax family and the activations that tensors have as methods (``x.softmax(1)``);
``nn.functional`` re-exports them with the rest of the layers' functions."""
import warnings

from minigrad.functional._common import cast
from minigrad.ops import elementwise as ew
from minigrad.ops import nn_ops


def softmax_dim(input, dim, name):  # noqa: A002 - PyTorch's name
    if dim is None:  # PyTorch's legacy choice, with its warning
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                      f"as an argument.", stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    rank = max(input.ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], but got {dim})")
    return dim % rank


def _float_input(input, dtype):  # noqa: A002
    if dtype is not None:
        return cast(input, dtype)
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"\"softmax_lastdim_kernel_impl\" not implemented for '{input.dtype.legacy_name}'")
    return input


def softmax(input, dim=None, dtype=None, *, _stacklevel=3):  # noqa: A002
    x = _float_input(input, dtype)
    axis = softmax_dim(x, dim, "softmax")
    return nn_ops.Softmax.apply(x, axis) if x.ndim else nn_ops.Softmax.apply(x.reshape(1), 0).reshape(())


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3):  # noqa: A002
    x = _float_input(input, dtype)
    axis = softmax_dim(x, dim, "log_softmax")
    return nn_ops.LogSoftmax.apply(x, axis) if x.ndim else nn_ops.LogSoftmax.apply(x.reshape(1), 0).reshape(())


def leaky_relu(input, negative_slope=0.01):  # noqa: A002
    return ew.LeakyRelu.apply(input, negative_slope)
