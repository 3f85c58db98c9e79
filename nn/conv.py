"""Convolution layers: Conv1d, Conv2d and ConvTranspose2d (the pooling layers are in nn.pooling)."""
import minigrad
from nn import functional as F
from nn.functional_conv import pair, single
from nn.linear import default_init
from nn.module import Module
from nn.parameter import Parameter

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _check_geometry(kernel_size, stride, padding, dilation):
    """PyTorch checks these when the layer first runs; here the constructor refuses them, with
    PyTorch's error type and words, before they fail deep inside the im2col arithmetic."""
    if min(kernel_size) <= 0:
        sides = zip(("kernel_height", "kernel_width") if len(kernel_size) == 2 else ("kernel_width",), kernel_size)
        raise RuntimeError("kernel size should be greater than zero, but got " +
                           " ".join(f"{side}: {size}" for side, size in sides))
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if not isinstance(padding, str) and min(padding) < 0:
        raise RuntimeError("negative padding is not supported")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")


class _ConvNd(Module):
    """What every convolution layer shares: the checks, the weight (out, in / groups, *kernel),
    or (in, out / groups, *kernel) when transposed, PyTorch's default initialisation and repr."""

    spatial_dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
                 bias, padding_mode, device, dtype):
        super().__init__()
        if groups <= 0 or in_channels % groups or out_channels % groups:
            raise ValueError(f"in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {PADDING_MODES}, but got padding_mode='{padding_mode}'")
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string '{padding}', should be one of ('valid', 'same')")
        tuple_of = pair if self.spatial_dims == 2 else single
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = tuple_of(kernel_size, "kernel_size"), tuple_of(stride, "stride")
        self.dilation, self.output_padding = tuple_of(dilation, "dilation"), tuple_of(output_padding, "output_padding")
        if padding == "same" and any(s != 1 for s in self.stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.padding = padding if isinstance(padding, str) else tuple_of(padding, "padding")
        self.padding_mode = padding_mode
        _check_geometry(self.kernel_size, self.stride, self.padding, self.dilation)
        channels = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(minigrad.empty(*channels, *self.kernel_size, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(minigrad.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        default_init(self.weight, self.bias)

    def _pad_widths(self):
        """F.pad's widths (last dimension first) for a padding_mode other than zeros."""
        if self.padding == "valid":
            return (0, 0) * self.spatial_dims
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(total // 2, total - total // 2) for total in totals]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(width for side in reversed(pairs) for width in side)

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        zeros, ones = (0,) * self.spatial_dims, (1,) * self.spatial_dims
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution of (N, C, L) or (C, L) inputs: weight (out_channels, in_channels / groups, k)."""

    spatial_dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input):  # noqa: A002 - PyTorch's name
        if self.padding_mode == "zeros":
            return F.conv1d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = F.pad(input, self._pad_widths(), mode=self.padding_mode)
        return F.conv1d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-D convolution: weight (out_channels, in_channels / groups, kh, kw), PyTorch's default initialisation."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, 0, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input):  # noqa: A002
        if self.padding_mode == "zeros":
            return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = F.pad(input, self._pad_widths(), mode=self.padding_mode)
        return F.conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """The transposed 2-D convolution (the gradient of Conv2d with respect to its input, as a layer):
    weight (in_channels, out_channels / groups, kh, kw). ``forward(input, output_size)`` picks
    ``output_padding`` so that the output has that size."""

    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, output_padding, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, input, output_size=None):  # noqa: A002
        output_padding = self._output_padding(input, output_size)
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                  self.groups, self.dilation)

    def _output_padding(self, input, output_size):  # noqa: A002
        if output_size is None:
            return self.output_padding
        leading = 2 if input.ndim == 4 else 1
        if len(output_size) == leading + 2:
            output_size = output_size[leading:]
        if len(output_size) != 2:
            raise ValueError(f"ConvTranspose2D: for {input.ndim}D input, output_size must have 2 or {leading + 2} "
                             f"elements (got {len(output_size)})")
        smallest = [(input.shape[leading + d] - 1) * self.stride[d] - 2 * self.padding[d] +
                    self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(2)]
        largest = [size + step - 1 for size, step in zip(smallest, self.stride)]
        for size, low, high in zip(output_size, smallest, largest):
            if not low <= size <= high:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {smallest} "
                                 f"to {largest} (for an input of {input.shape[leading:]})")
        return tuple(size - low for size, low in zip(output_size, smallest))
