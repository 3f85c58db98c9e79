"""2-D convolution by im2col: copy the input's windows into columns, then one matrix product.

Layout: for a block of the batch, ``columns[n, c, i, j, y, x]`` holds the padded input at
channel ``c``, row ``y*stride + i*dilation``, column ``x*stride + j*dilation``; it is filled
with one strided copy per kernel offset ``(i, j)`` (kh*kw copies, never a loop over pixels).
Viewed as ``(n, groups, C/groups*kh*kw, Ho*Wo)`` the columns meet the weight, viewed as
``(groups, O/groups, C/groups*kh*kw)``, in one batched matrix product whose result is
already in NCHW order. The batch is processed in blocks so the columns stay in cache.
"""
from minigrad.autograd import Op
from minigrad.backend import array_module

COLUMN_BLOCK_FLOATS = 2 ** 21  # ~8 MB of float32 columns per block of the batch


def output_size(size, kernel, stride, pad_total, dilation):
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def block_size(per_item):
    return max(1, COLUMN_BLOCK_FLOATS // max(per_item, 1))


def window(offset, count, stride):
    """The slice that picks ``count`` positions ``offset, offset + stride, ...``."""
    return slice(offset, offset + stride * (count - 1) + 1, stride)


def im2col(padded, kernel, stride, dilation, out_hw, out=None):
    """Columns ``(n, C, kh, kw, Ho, Wo)`` of ``padded`` (n, C, Hp, Wp): one copy per kernel offset."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    if out is None:
        out = array_module(padded).empty(padded.shape[:2] + (kh, kw, ho, wo), dtype=padded.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i, j] = padded[:, :, window(i * dh, ho, sh), window(j * dw, wo, sw)]
    return out


def col2im(columns, padded_grad, stride, dilation):
    """Add columns back onto the padded input's gradient: the adjoint of :func:`im2col`."""
    _, _, kh, kw, ho, wo = columns.shape
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(kh):
        for j in range(kw):
            padded_grad[:, :, window(i * dh, ho, sh), window(j * dw, wo, sw)] += columns[:, :, i, j]
    return padded_grad


class Conv2d(Op):
    """out[n, o] = sum over c, i, j of weight[o, c, i, j] * padded[n, c, y*s + i*d, x*s + j*d] (+ bias[o])."""

    @staticmethod
    def forward(ctx, x, weight, *bias, stride, padding, dilation, groups):
        xp = array_module(x)
        top, bottom, left, right = padding
        padded = xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right))) if any(padding) else x
        n, channels, hp, wp = padded.shape
        out_channels, group_channels, kh, kw = weight.shape
        ho = output_size(hp, kh, stride[0], 0, dilation[0])
        wo = output_size(wp, kw, stride[1], 0, dilation[1])
        w = weight.reshape(groups, out_channels // groups, group_channels * kh * kw)
        step = block_size(channels * kh * kw * ho * wo)
        out = xp.empty((n, groups, out_channels // groups, ho * wo), dtype=x.dtype)
        blocks = []
        for start in range(0, n, step):
            columns = im2col(padded[start:start + step], (kh, kw), stride, dilation, (ho, wo))
            xp.matmul(w, columns.reshape(columns.shape[0], groups, -1, ho * wo), out=out[start:start + step])
            blocks.append(columns)
        out = out.reshape(n, out_channels, ho, wo)
        if bias:
            out += bias[0].reshape(1, -1, 1, 1)
        ctx.save_for_backward(weight, *blocks)
        ctx.geometry = (x.shape, padded.shape, padding, stride, dilation, groups, step)
        return out

    @staticmethod
    def backward(ctx, grad):
        weight, *blocks = ctx.saved_tensors
        x_shape, padded_shape, padding, stride, dilation, groups, step = ctx.geometry
        xp = array_module(grad)
        n, out_channels, ho, wo = grad.shape
        grouped = grad.reshape(n, groups, out_channels // groups, ho * wo)
        w = weight.reshape(groups, out_channels // groups, -1)
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        grad_w = xp.zeros_like(w) if need_w else None
        padded_grad = xp.zeros(padded_shape, dtype=grad.dtype) if need_x else None
        for block, start in zip(blocks, range(0, n, step)):
            g = grouped[start:start + step]
            columns = block.reshape(block.shape[0], groups, -1, ho * wo)
            if need_w:
                grad_w += xp.matmul(g, columns.swapaxes(-1, -2)).sum(axis=0)
            if need_x:  # skipped for the first layer: nothing needs the image's gradient
                grad_columns = xp.matmul(w.swapaxes(-1, -2), g).reshape(block.shape)
                col2im(grad_columns, padded_grad[start:start + step], stride, dilation)
        grad_x = None
        if need_x:
            top, bottom, left, right = padding
            grad_x = padded_grad[:, :, top:padded_shape[2] - bottom, left:padded_shape[3] - right]
        grads = (grad_x, grad_w.reshape(weight.shape) if need_w else None)
        if len(ctx.needs_input_grad) == 3:
            grads += (grad.sum(axis=(0, 2, 3)) if ctx.needs_input_grad[2] else None,)
        return grads


def _pair(value, name):
    if isinstance(value, int):
        return value, value
    value = tuple(value)
    if len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"conv2d: {name} must be an int or a pair of ints, got {value!r}")
    return value


def conv_padding(padding, kernel, stride, dilation):
    """(top, bottom, left, right) for an int, a pair, "valid" or "same" (extra on bottom/right)."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        if stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        (kh, kw), (dh, dw) = kernel, dilation
        th, tw = dh * (kh - 1), dw * (kw - 1)
        return th // 2, th - th // 2, tw // 2, tw - tw // 2
    if isinstance(padding, str):
        raise ValueError(f"Invalid padding string '{padding}', should be one of ('valid', 'same')")
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got {padding}")
    return ph, ph, pw, pw


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002 - PyTorch's name
    """2-D convolution over an (N, C, H, W) or (C, H, W) input, with PyTorch's arguments."""
    from minigrad.functions import unsqueeze

    if input.ndim == 3:
        return conv2d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups)[0]
    if input.ndim != 4 or weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 3-D or 4-D input and a 4-D weight, got input of shape "
                           f"{tuple(input.shape)} and weight of shape {tuple(weight.shape)}")
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) <= 0 or min(dilation) <= 0:
        raise RuntimeError(f"conv2d: stride and dilation must be positive, got stride={stride}, dilation={dilation}")
    out_channels, group_channels, kh, kw = weight.shape
    if groups <= 0 or out_channels % groups:
        raise RuntimeError(f"conv2d: out_channels ({out_channels}) must be divisible by groups ({groups})")
    if input.shape[1] != group_channels * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {group_channels * groups} channels, but got "
                           f"{input.shape[1]} channels instead")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(f"conv2d: input ({input.dtype}), weight ({weight.dtype})"
                           f"{'' if bias is None else f' and bias ({bias.dtype})'} should have the same dtype")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"conv2d: bias of shape {tuple(bias.shape)} does not match {out_channels} output channels")
    pads = conv_padding(padding, (kh, kw), stride, dilation)
    for size, pad, k, d, axis in ((input.shape[2], pads[0] + pads[1], kh, dilation[0], "height"),
                                  (input.shape[3], pads[2] + pads[3], kw, dilation[1], "width")):
        if size + pad < d * (k - 1) + 1:
            raise RuntimeError(f"conv2d: the kernel {axis} ({d * (k - 1) + 1} with dilation) is larger than the "
                               f"padded input {axis} ({size + pad}); input shape {tuple(input.shape)}")
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return Conv2d.apply(*tensors, stride=stride, padding=pads, dilation=dilation, groups=groups)
