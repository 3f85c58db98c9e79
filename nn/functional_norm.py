"""Normalization functions of ``nn.functional``: batch, layer, group, instance and local
response normalization.

Batch norm has its own ops (``minigrad.ops.nn_ops``); the others are composed from
differentiable functions (instance norm is batch norm over a (1, N*C, ...) view, as PyTorch
computes it), so their second derivatives come for free.
"""
import minigrad
from minigrad import Tensor
from minigrad.backend import array_module
from minigrad.ops import nn_ops


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,  # noqa: A002
               momentum=0.1, eps=1e-05):
    """Normalize over every axis but 1. In training use the batch's statistics and update the
    running ones (the variance with Bessel's correction, as PyTorch); otherwise use the running ones."""
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected at least 2-D input (got {input.ndim}D input)")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != (channels,):
            raise RuntimeError(f"running_mean should contain {channels} elements not {tensor.numel()}"
                               if name == "running_mean" else
                               f"batch_norm: {name} should contain {channels} elements not {tensor.numel()}")
    shape = (1, channels) + (1,) * (input.ndim - 2)
    weight = weight if weight is not None else Tensor._wrap(_filled(input, (channels,), 1))
    bias = bias if bias is not None else Tensor._wrap(_filled(input, (channels,), 0))
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{list(input.shape)}")
        out, mean, var = nn_ops.BatchNorm.apply(input, weight, bias, eps)
        if running_mean is not None:
            with minigrad.no_grad():
                running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
                running_var.mul_(1 - momentum).add_(var * (count / (count - 1)), alpha=momentum)
        return out
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    xp = array_module(input.array)
    mean = Tensor._wrap(running_mean.array.reshape(shape).astype(input.array.dtype))
    inv_std = Tensor._wrap((1 / xp.sqrt(running_var.array + eps)).reshape(shape).astype(input.array.dtype))
    return nn_ops.Normalize.apply(input, mean, inv_std, weight.reshape(shape), bias.reshape(shape))


def _filled(input, shape, value):  # noqa: A002
    return array_module(input.array).full(shape, value, dtype=input.array.dtype)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):  # noqa: A002
    """Normalize over the last ``len(normalized_shape)`` axes with the biased variance."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(normalized_shape):]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(tensor.shape)} and normalized_shape = {list(normalized_shape)}")
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    out = _standardize(input, dims, eps)
    if weight is not None:
        out = out * weight
    return out if bias is None else out + bias


def _standardize(x, dims, eps):
    """(x - mean) / sqrt(var + eps) over ``dims``, with the biased variance."""
    centered = x - x.mean(dims, keepdim=True)
    return centered * ((centered * centered).mean(dims, keepdim=True) + eps).rsqrt()


def _per_channel(tensor, ndim):
    return tensor.reshape((1, -1) + (1,) * (ndim - 2))


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):  # noqa: A002
    """Normalize each group of ``channels / num_groups`` channels of each sample, then scale
    and shift each channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    batch, channels = input.shape[:2]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    _verify_batch_size([batch * channels // num_groups, num_groups] + list(input.shape[2:]))
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor.shape) != (channels,):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(tensor.shape)} and input of shape "
                               f"{list(input.shape)}")
    grouped = input.reshape(batch, num_groups, -1)
    out = _standardize(grouped, (2,), eps).reshape(input.shape)
    if weight is not None:
        out = out * _per_channel(weight, input.ndim)
    return out if bias is None else out + _per_channel(bias, input.ndim)


def _verify_batch_size(size):
    count = size[0]
    for extent in size[2:]:
        count *= extent
    if count == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,  # noqa: A002
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalize each channel of each sample over its own positions. As PyTorch does, this is
    batch norm of the (1, N*C, ...) view with the per-channel tensors repeated N times; the running
    statistics (when given) are then the mean over the batch of the N updated copies."""
    if use_input_stats:
        spatial = 1
        for extent in input.shape[2:]:
            spatial *= extent
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    batch, channels = input.shape[:2]

    def repeated(tensor):
        return None if tensor is None else tensor.repeat(batch)

    mean_copies, var_copies = repeated(running_mean), repeated(running_var)
    flat = input.reshape((1, batch * channels) + tuple(input.shape[2:]))
    out = batch_norm(flat, mean_copies, var_copies, repeated(weight), repeated(bias), use_input_stats, momentum, eps)
    with minigrad.no_grad():
        if running_mean is not None:
            running_mean.copy_(mean_copies.reshape(batch, channels).mean(0))
        if running_var is not None:
            running_var.copy_(var_copies.reshape(batch, channels).mean(0))
    return out.reshape(input.shape)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):  # noqa: A002
    """x / (k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta, the window
    centred on each channel and zero-padded at the ends (PyTorch's average includes the padding)."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    squares = input * input
    before, after = size // 2, (size - 1) // 2
    shape = list(input.shape)
    padded = minigrad.cat([squares.new_zeros(shape[:1] + [before] + shape[2:]), squares,
                           squares.new_zeros(shape[:1] + [after] + shape[2:])], dim=1)
    window = padded.narrow(1, 0, shape[1])
    for offset in range(1, size):
        window = window + padded.narrow(1, offset, shape[1])
    return input / ((window / size) * alpha + k) ** beta
