"""Dropout functions of ``nn.functional``: element-wise, channel-wise (``dropout1d/2d/3d``) and
alpha dropout (which keeps SELU's zero mean and unit variance).

Masks are PyTorch's CPU ones: a tensor of the mask's shape filled by ``bernoulli_(1 - p)`` (one
double uniform per element, from the seeded generator), then scaled. Channel-wise masks have
shape (N, C, 1, ...): one draw per channel of each sample.
"""
import math
import warnings

from minigrad import Tensor
from minigrad.backend import array_module
from minigrad.ops import nn_ops
from minigrad.sampling import bernoulli_
from minigrad.views import apply_inplace

SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU: the value dropped units take


def _check_probability(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, p, shape=None, generator=None):  # noqa: A002 - PyTorch's name
    """Ones with probability 1 - p, zeros otherwise, in the input's dtype: laid out like the input
    when ``shape`` is None (PyTorch's empty_like: a transposed input gets transposed draws), else
    a contiguous array of ``shape`` (the channel masks)."""
    xp = array_module(input.array)
    if shape is None:
        noise = Tensor._wrap(xp.zeros_like(input.array))
    else:
        noise = Tensor._wrap(xp.zeros(shape, dtype=input.array.dtype))
    bernoulli_(noise, 1.0 - p, generator=generator)
    return noise.array


def _multiply(input, factor, inplace):  # noqa: A002
    return apply_inplace(input, lambda x: x * Tensor._wrap(factor)) if inplace else input * Tensor._wrap(factor)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):  # noqa: A002
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only)."""
    _check_probability(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        noise = array_module(input.array).zeros(input.shape, dtype=input.array.dtype)
    else:
        noise = _keep_mask(input, p, generator=generator)
        noise /= input.array.dtype.type(1.0 - p)
    if inplace:
        return apply_inplace(input, nn_ops.Dropout.apply, noise)
    return nn_ops.Dropout.apply(input, noise)


def _feature_dropout(input, p, training, inplace, alpha=False):  # noqa: A002
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _dropout_with_mask(input, p, shape, inplace, alpha)


def _dropout_with_mask(input, p, shape, inplace, alpha):  # noqa: A002
    dtype = input.array.dtype.type
    if p == 1.0:
        return _multiply(input, array_module(input.array).zeros((), dtype=input.array.dtype), inplace)
    noise = _keep_mask(input, p, shape)
    if not alpha:
        return _multiply(input, noise / dtype(1.0 - p), inplace)
    a = 1.0 / math.sqrt((SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    shift = (noise - dtype(1)) * dtype(SELU_ALPHA_PRIME * a) + dtype(SELU_ALPHA_PRIME * a * p)
    scaled = _multiply(input, noise * dtype(a), inplace)
    return scaled.add_(Tensor._wrap(shift)) if inplace else scaled + Tensor._wrap(shift)


def _unbatched(function, input, inplace, batched_dims):  # noqa: A002
    """Run ``function`` with a batch axis added to an input of ``batched_dims - 1`` dimensions."""
    if input.ndim == batched_dims:
        return function(input)
    if inplace:  # writing into the unsqueezed view writes into the input (minigrad has no unsqueeze_)
        function(input.unsqueeze(0))
        return input
    return function(input.unsqueeze(0)).squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p (scaling the rest)."""
    _check_probability(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           f"channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _unbatched(lambda x: _feature_dropout(x, p, training, inplace), input, inplace, 3)


def dropout2d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of an (N, C, H, W) input with probability p. As PyTorch, a 3-D input
    is read as (N, C, L) (with a warning), not as an unbatched image."""
    _check_probability(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      f"in an error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      f"inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    _check_probability(p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      f"in an error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      f"spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      f"inputs).", stacklevel=2)
    return _unbatched(lambda x: _feature_dropout(x, p, training, inplace), input, inplace, 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value, and
    an affine map a x + b restores the input's mean and variance."""
    _check_probability(p)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    return _dropout_with_mask(input, p, None, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):  # noqa: A002
    """Alpha dropout of whole channels."""
    _check_probability(p)
    return _feature_dropout(input, p, training, inplace, alpha=True)
