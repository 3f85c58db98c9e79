"""Normalization layers: batch and instance norm (batch statistics while training, running
statistics in ``eval()`` mode when tracked), layer norm, group norm and local response norm."""
import numbers
import warnings

import minigrad
from nn import functional as F, init
from nn.module import Module
from nn.parameter import Parameter


def _add_scale_and_shift(module, shape, affine, bias, device, dtype):
    """Register ``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None where left out."""
    module.register_parameter(
        "weight", Parameter(minigrad.ones(shape, device=device, dtype=dtype)) if affine else None)
    module.register_parameter(
        "bias", Parameter(minigrad.zeros(shape, device=device, dtype=dtype)) if affine and bias else None)


def _reset_scale_and_shift(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """Per-channel affine parameters (``weight`` ones, ``bias`` zeros) and, when
    ``track_running_stats``, the buffers running_mean, running_var and num_batches_tracked."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats, self.use_bias = affine, track_running_stats, affine and bias
        _add_scale_and_shift(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", minigrad.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", minigrad.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", minigrad.tensor(0, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_parameters(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()
        _reset_scale_and_shift(self)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.use_bias}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Normalize each channel with the batch's statistics while training and keep running
    averages (``momentum``, or a cumulative average when momentum is None) for evaluation."""

    expected_dims = ()

    def forward(self, x):
        if x.ndim not in self.expected_dims:
            raise ValueError(f"expected {' or '.join(f'{d}D' for d in self.expected_dims)} input "
                             f"(got {x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise RuntimeError(f"{type(self).__name__}: expected {self.num_features} channels in dimension 1, got "
                             f"input of shape {tuple(x.shape)}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            with minigrad.no_grad():
                self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / self.num_batches_tracked.item()
        use_batch = self.training or not self.track_running_stats
        track = not use_batch or self.track_running_stats
        return F.batch_norm(x, self.running_mean if track else None, self.running_var if track else None,
                            self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L) inputs."""
    expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W) inputs."""
    expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch norm over (N, C, D, H, W) inputs."""
    expected_dims = (5,)


class _InstanceNorm(_NormBase):
    """Normalize each channel of each sample over its own positions. Without affine parameters
    and running statistics by default; an unbatched input is accepted."""

    unbatched_dims = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, x):
        dims = self.unbatched_dims
        if x.ndim not in (dims, dims + 1):
            raise ValueError(f"expected {dims}D or {dims + 1}D input (got {x.ndim}D input)")
        feature_dim = x.ndim - dims
        if x.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features "
                                 f"({self.num_features}), but got: {x.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          f"warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        if x.ndim == dims:
            return self._normalize(x.unsqueeze(0)).squeeze(0)
        return self._normalize(x)

    def _normalize(self, x):
        return F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)


class InstanceNorm1d(_InstanceNorm):
    """Instance norm over (N, C, L) or unbatched (C, L) inputs."""
    unbatched_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance norm over (N, C, H, W) or unbatched (C, H, W) inputs."""
    unbatched_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance norm over (N, C, D, H, W) or unbatched (C, D, H, W) inputs."""
    unbatched_dims = 4


class LayerNorm(Module):
    """Normalize over the last dimensions (``normalized_shape``), then scale and shift each element."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _add_scale_and_shift(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self):
        _reset_scale_and_shift(self)

    def forward(self, input):  # noqa: A002 - PyTorch's name
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalize groups of ``num_channels / num_groups`` channels, then scale and shift each channel."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _add_scale_and_shift(self, num_channels, affine, bias, device, dtype)

    def reset_parameters(self):
        _reset_scale_and_shift(self)

    def forward(self, input):  # noqa: A002
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Divide each channel by a power of the mean square of its ``size`` neighbouring channels."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):  # noqa: A002
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
