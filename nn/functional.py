"""``nn.functional``: the stateless forms of the layers (``F.relu``, ``F.conv2d``, ``F.cross_entropy``...)."""
import warnings

import minigrad
from minigrad.functions import matmul, sigmoid, tanh  # noqa: F401 - re-exported under PyTorch's names
from minigrad.ops import loss_ops, nn_ops
from minigrad.ops.conv import conv2d  # noqa: F401
from minigrad.ops.elementwise import Relu
from minigrad.ops.pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d  # noqa: F401
from minigrad.sampling import bernoulli_
from minigrad.tensor import Tensor
from nn.functional_loss import (binary_cross_entropy, binary_cross_entropy_with_logits,  # noqa: F401
                                cross_entropy, l1_loss, mse_loss, nll_loss, smooth_l1_loss)


def _inplace_result(input, result, inplace):  # noqa: A002 - PyTorch's name
    return input.copy_(result) if inplace else result


def relu(input, inplace=False):  # noqa: A002
    return _inplace_result(input, Relu.apply(input), inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    return _inplace_result(input, nn_ops.LeakyRelu.apply(input, negative_slope), inplace)


def _softmax_dim(input, dim, name):  # noqa: A002
    if dim is None:  # PyTorch's legacy choice, with its warning
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                      f"dim=X as an argument.", stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if not -max(input.ndim, 1) <= dim < max(input.ndim, 1):
        raise IndexError(f"{name}: Dimension out of range (expected to be in range of "
                         f"[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got {dim})")
    return dim % max(input.ndim, 1)


def softmax(input, dim=None, dtype=None):  # noqa: A002
    x = input.to(dtype) if dtype is not None else input
    return nn_ops.Softmax.apply(x, _softmax_dim(x, dim, "softmax"))


def log_softmax(input, dim=None, dtype=None):  # noqa: A002
    x = input.to(dtype) if dtype is not None else input
    return nn_ops.LogSoftmax.apply(x, _softmax_dim(x, dim, "log_softmax"))


def logsigmoid(input):  # noqa: A002
    """log(sigmoid(x)), stable for large |x|."""
    return loss_ops.LogSigmoid.apply(input)


def linear(input, weight, bias=None):  # noqa: A002
    """y = x W^T + b."""
    if input.shape[-1:] != weight.shape[1:]:
        raise RuntimeError(f"linear: input of shape {tuple(input.shape)} does not match weight of shape "
                           f"{tuple(weight.shape)} (mat1 and mat2 shapes cannot be multiplied "
                           f"({input.numel() // max(input.shape[-1], 1)}x{input.shape[-1]} and "
                           f"{weight.shape[1]}x{weight.shape[0]}))")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"linear: input ({input.dtype}) and weight ({weight.dtype}) must have the same dtype")
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return nn_ops.Linear.apply(*tensors)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):  # noqa: A002
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only).

    The mask is PyTorch's CPU one: a tensor laid out like ``input`` filled by
    ``bernoulli_(1 - p)`` (one double uniform per element, from ``generator`` or the default
    one), divided by 1 - p; p == 1 draws nothing and zeroes everything."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    noise = Tensor._wrap(minigrad.backend.array_module(input.array).zeros_like(input.array), None, False)
    if p < 1.0:
        bernoulli_(noise, 1.0 - p, generator=generator)
        noise.array /= input.dtype.type(1.0 - p)
    return _inplace_result(input, nn_ops.DropoutMask.apply(input, noise.array), inplace)


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
            raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not {tensor.numel()}")
    axes = (0,) + tuple(range(2, input.ndim))
    xp = minigrad.backend.array_module(input.array)
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{list(input.shape)}")
        mean, var = input.array.mean(axis=axes), input.array.var(axis=axes)
        if running_mean is not None:
            with minigrad.no_grad():
                m = momentum
                running_mean.mul_(1 - m).add_(Tensor._wrap(mean, None, False), alpha=m)
                running_var.mul_(1 - m).add_(Tensor._wrap(var * (count / (count - 1)), None, False), alpha=m)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var are needed outside training")
        mean, var = running_mean.array, running_var.array
    weight = weight if weight is not None else Tensor._wrap(xp.ones(channels, dtype=input.dtype), None, False)
    bias = bias if bias is not None else Tensor._wrap(xp.zeros(channels, dtype=input.dtype), None, False)
    return nn_ops.BatchNorm.apply(input, weight, bias, mean.astype(input.dtype, copy=False),
                                  var.astype(input.dtype, copy=False), eps, axes, training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,  # noqa: A002
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; ``sparse=True`` gives a row-sparse gradient.
    With ``max_norm`` the rows looked up are first rescaled in place to at most that norm."""
    if input.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {input.dtype} instead")
    rows = weight.shape[0]
    if input.numel() and (int(input.array.min()) < 0 or int(input.array.max()) >= rows):
        raise IndexError(f"embedding: index out of range in self (indices must be in [0, {rows - 1}])")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= rows
    if max_norm is not None:
        _renorm_rows(weight, input.array, max_norm, norm_type)
    return nn_ops.Embedding.apply(weight, input.array, padding_idx, sparse, scale_grad_by_freq)


@minigrad.no_grad()
def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale each looked-up row whose norm exceeds ``max_norm`` down to it, in place (as PyTorch)."""
    xp = minigrad.backend.array_module(weight.array)
    unique = xp.unique(indices.reshape(-1))
    picked = weight.array[unique]
    if norm_type == float("inf"):
        norms = xp.abs(picked).max(axis=1)
    else:
        norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight.dtype)
    weight[Tensor._wrap(unique, None, False)] = Tensor._wrap(picked * scale[:, None], None, False)


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """``pad`` lists (before, after) widths starting from the LAST dimension, as PyTorch.
    Negative widths crop (constant mode only)."""
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"Padding length must be divisible by 2 and at most twice the number of dimensions, "
                         f"got {len(pad)} for a {input.ndim}-D input")
    if mode not in nn_ops.Pad.MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if any(width < 0 for pair in widths for width in pair):
        if mode != "constant":
            raise RuntimeError(f"pad: negative padding is only supported in constant mode, got {tuple(pad)}")
        input = input[tuple(slice(max(-before, 0), size - max(-after, 0))  # noqa: A001
                            for (before, after), size in zip(widths, input.shape))]
        widths = [(max(before, 0), max(after, 0)) for before, after in widths]
    if mode == "reflect":
        for axis, (before, after) in enumerate(widths):
            if max(before, after) >= input.shape[axis]:
                raise RuntimeError(f"Padding size should be less than the corresponding input dimension, but got: "
                                   f"padding ({before}, {after}) at dimension {axis} of input {list(input.shape)}")
    return nn_ops.Pad.apply(input, tuple(widths), mode, 0 if value is None else value)


def one_hot(tensor, num_classes=-1):
    """int64 (..., num_classes) with a 1 at each index."""
    if tensor.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(tensor.array.max()) + 1 if tensor.numel() else 0
    if tensor.numel() and (int(tensor.array.min()) < 0 or int(tensor.array.max()) >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes and non-negative.")
    xp = minigrad.backend.array_module(tensor.array)
    return Tensor._wrap((tensor.array[..., None] == xp.arange(num_classes)).astype("int64"), None, False)
