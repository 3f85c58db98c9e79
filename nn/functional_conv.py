"""``F.conv2d`` and ``F.conv_transpose2d``: PyTorch's argument checks, then the ops in ``minigrad.ops.conv``."""
from minigrad import Tensor
from minigrad.ops.conv import Conv2d, ConvTranspose2d, geometry_of


def pair(value, name, op="conv2d"):
    """An int or a sequence of one or two ints as a pair (the one helper for conv and pooling
    arguments); PyTorch's error, in its words for convolutions or for pooling, otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = tuple(value) * 2
    if not isinstance(value, (tuple, list)) or len(value) != 2 or \
            not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if "pool" in op:
            raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of two ints, got {value!r}")
        raise RuntimeError(f"{op}: expected {name} to be a single integer value or a list of 2 values to match the "
                           f"convolution dimensions, but got {name}={value!r}")
    return tuple(value)


def conv_padding(padding, kernel, stride, dilation):
    """(top, bottom, left, right) for an int, a pair, "valid" or "same" (the odd extra goes bottom/right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"conv2d: Invalid padding string: {padding!r}, should be one of ('valid', 'same')")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        (kh, kw), (dh, dw) = kernel, dilation
        total_h, total_w = dh * (kh - 1), dw * (kw - 1)
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got padding={padding}")
    return ph, ph, pw, pw


def _check_tensors(input, weight, bias, op):  # noqa: A002 - PyTorch's name
    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        if not isinstance(value, Tensor) and not (name == "bias" and value is None):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    devices = {str(t.device) for t in (input, weight, bias) if t is not None}
    if len(devices) > 1:
        raise RuntimeError(f"{op}: expected input, weight and bias on the same device, got {sorted(devices)}")
    dtypes = [t.dtype for t in (input, weight, bias) if t is not None]
    if any(d != dtypes[0] for d in dtypes):
        raise RuntimeError(f"{op}: input, weight and bias must have the same dtype, got {', '.join(d.name for d in dtypes)}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to {op}, but got input of size: "
                           f"{list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"{op}: expected a 4-D weight, got weight of size {list(weight.shape)}")


def _check_groups(input, weight, bias, groups):  # noqa: A002
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"non-positive groups is not supported, got groups={groups}")
    out_channels, group_channels = weight.shape[:2]
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size {list(weight.shape)} instead")
    if input.shape[-3] != group_channels * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {group_channels * groups} channels, but got "
                           f"{input.shape[-3]} channels instead")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")


def _positive_pairs(stride, dilation, op):
    stride, dilation = pair(stride, "stride", op), pair(dilation, "dilation", op)
    if min(stride) <= 0:
        raise RuntimeError(f"non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, got dilation={dilation}")
    return stride, dilation


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """2-D convolution of an (N, C, H, W) or unbatched (C, H, W) input with a weight
    (O, C/groups, kh, kw); ``padding`` is an int, a pair, ``"valid"`` or ``"same"``."""
    _check_tensors(input, weight, bias, "conv2d")
    _check_groups(input, weight, bias, groups)
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    stride, dilation = _positive_pairs(stride, dilation, "conv2d")
    kernel = tuple(weight.shape[2:])
    pads = conv_padding(padding, kernel, stride, dilation)
    padded = (input.shape[2] + pads[0] + pads[1], input.shape[3] + pads[2] + pads[3])
    extent = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if padded[0] < extent[0] or padded[1] < extent[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel size: "
                           f"({extent[0]} x {extent[1]}). Kernel size can't be greater than actual input size")
    geometry = geometry_of(tuple(input.shape), tuple(weight.shape), stride, pads, dilation, groups)
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return Conv2d.apply(*tensors, geometry=geometry)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,  # noqa: A002
                     dilation=1):
    """The transposed convolution: the gradient of conv2d with respect to its input, as a layer.
    ``weight`` is (C_in, C_out/groups, kh, kw); the output is (N, C_out, H_out, W_out) with
    H_out = (H - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1."""
    _check_tensors(input, weight, bias, "conv_transpose2d")
    if input.ndim == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    stride, dilation = _positive_pairs(stride, dilation, "conv_transpose2d")
    ph, pw = pair(padding, "padding", "conv_transpose2d")
    oh, ow = pair(output_padding, "output_padding", "conv_transpose2d")
    if oh >= max(stride[0], dilation[0]) or ow >= max(stride[1], dilation[1]):
        raise RuntimeError("output padding must be smaller than either stride or dilation")
    in_channels = weight.shape[0]
    if input.shape[1] != in_channels:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {in_channels} channels, but got {input.shape[1]} channels "
                           f"instead")
    kernel = weight.shape[2:]
    out_hw = tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1
                   for n, s, p, d, k, o in zip(input.shape[2:], stride, (ph, pw), dilation, kernel, (oh, ow)))
    x_shape = (input.shape[0], weight.shape[1] * groups) + out_hw
    conv_weight_shape = (in_channels, weight.shape[1]) + tuple(kernel)
    geometry = geometry_of(x_shape, conv_weight_shape, stride, (ph, ph, pw, pw), dilation, groups)
    out = ConvTranspose2d.apply(input, weight, geometry=geometry, x_shape=x_shape)
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def single(value, name, op="conv1d"):
    """An int or a sequence of one int as a 1-tuple, with PyTorch's error otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], int):
        return tuple(value)
    if "pool" in op:
        size = len(value) if isinstance(value, (tuple, list)) else 0
        raise RuntimeError(f"{op}() {name} must be an int, list of ints or tuple of ints of size 1 but got size {size}")
    shown = list(value) if isinstance(value, (tuple, list)) else value
    raise RuntimeError(f"expected {name} to be a single integer value or a list of 1 values to match the convolution "
                       f"dimensions, but got {name}={shown}")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """1-D convolution of an (N, C, L) or unbatched (C, L) input with a weight (O, C/groups, k):
    a 2-D convolution of height 1 (``padding`` is an int, a 1-tuple, ``"valid"`` or ``"same"``)."""
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"conv1d(): argument '{name}' must be Tensor, not {type(value).__name__}")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
                           f"{list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"Expected {weight.ndim}-dimensional input for {weight.ndim}-dimensional weight "
                           f"{list(weight.shape)}, but got {input.ndim + (input.ndim == 2)}-dimensional input of size "
                           f"{list(input.shape) if input.ndim == 3 else [1] + list(input.shape)} instead")
    (step,), (spread,) = single(stride, "stride"), single(dilation, "dilation")
    if isinstance(padding, str):
        if padding not in ("valid", "same"):
            raise RuntimeError(f"Invalid padding string: {padding!r}")
        pads = padding
    else:
        pads = (0, single(padding, "padding")[0])
    if input.ndim == 3 and input.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got "
                           f"{input.shape[1]} channels instead")
    if not isinstance(pads, str) and pads[1] >= 0 and step > 0 and spread > 0 and \
            input.shape[-1] + 2 * pads[1] < spread * (weight.shape[-1] - 1) + 1:
        raise RuntimeError(f"Calculated padded input size per channel: ({input.shape[-1] + 2 * pads[1]}). Kernel size: "
                           f"({spread * (weight.shape[-1] - 1) + 1}). Kernel size can't be greater than actual input "
                           f"size")
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, step), pads, (1, spread), groups)
    return out.squeeze(-2)
