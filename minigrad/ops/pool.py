"""Pooling: max and average over sliding windows, and adaptive average pooling.

Windows are gathered like im2col's columns: one strided slice per kernel offset, stacked on a
leading axis of size kh*kw. Max pooling keeps the argmax over that axis, so the gradient goes
to the first maximum of each window in row-major order, as in PyTorch.
"""
from minigrad.autograd import Op
from minigrad.backend import array_module
from minigrad.ops.conv import window


def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's output length; with ceil_mode the last window must start inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pad_for_windows(x, padding, out_hw, kernel, stride, dilation, fill):
    """Pad ``x`` by ``padding`` and, for ceil_mode, far enough right/below that every window fits."""
    xp = array_module(x)
    pads = []
    for axis, (p, out, k, s, d) in enumerate(zip(padding, out_hw, kernel, stride, dilation)):
        needed = (out - 1) * s + d * (k - 1) + 1
        pads.append((p, max(needed - x.shape[2 + axis] - p, 0)))
    if not any(a or b for a, b in pads):
        return x
    return xp.pad(x, ((0, 0), (0, 0)) + tuple(pads), constant_values=fill)


def gather_windows(padded, kernel, stride, dilation, out_hw):
    """(kh*kw, N, C, Ho, Wo): entry [i*kw + j] is the window element at kernel offset (i, j)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    xp = array_module(padded)
    windows = xp.empty((kh * kw,) + padded.shape[:2] + (ho, wo), dtype=padded.dtype)
    for i in range(kh):
        for j in range(kw):
            windows[i * kw + j] = padded[:, :, window(i * dh, ho, sh), window(j * dw, wo, sw)]
    return windows


def first_position_of(windows, best):
    """For each window, the first offset (in row-major kernel order) holding its maximum: where
    PyTorch sends the gradient. (A loop over the kh*kw offsets beats argmax along axis 0.)"""
    xp = array_module(windows)
    winner = xp.full(best.shape, len(windows) - 1, dtype=xp.int16)
    for offset in range(len(windows) - 2, -1, -1):
        xp.copyto(winner, offset, where=windows[offset] == best)
    return winner


class MaxPool2d(Op):
    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_hw):
        padded = pad_for_windows(x, padding, out_hw, kernel, stride, dilation, fill=-float("inf"))
        windows = gather_windows(padded, kernel, stride, dilation, out_hw)
        out = windows.max(axis=0)
        winner = first_position_of(windows, out)
        ctx.save_for_backward(winner)
        ctx.geometry = (x.shape, padded.shape, kernel, stride, padding, dilation, out_hw)
        ctx.winner = winner
        return out

    @staticmethod
    def backward(ctx, grad):
        winner, = ctx.saved_tensors
        x_shape, padded_shape, (kh, kw), (sh, sw), (ph, pw), (dh, dw), (ho, wo) = ctx.geometry
        xp = array_module(grad)
        padded_grad = xp.zeros(padded_shape, dtype=grad.dtype)
        overlapping = sh < dh * (kh - 1) + 1 or sw < dw * (kw - 1) + 1
        zero = grad.dtype.type(0)
        for i in range(kh):
            for j in range(kw):
                target = padded_grad[:, :, window(i * dh, ho, sh), window(j * dw, wo, sw)]
                if overlapping:  # an input element may win in several windows: add
                    target += xp.where(winner == i * kw + j, grad, zero)
                else:  # each input element belongs to one window: a masked copy is enough
                    xp.copyto(target, grad, where=winner == i * kw + j)
        return padded_grad[:, :, ph:ph + x_shape[2], pw:pw + x_shape[3]]


def window_counts(size, out, kernel, stride, padding, include_pad):
    """How many elements each window along one axis averages over (PyTorch's divisor rule)."""
    counts = []
    for o in range(out):
        start = o * stride - padding
        end = min(start + kernel, size + padding)
        counts.append(end - start if include_pad else min(end, size) - max(start, 0))
    return counts


class AvgPool2d(Op):
    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_hw, divisor):
        padded = pad_for_windows(x, padding, out_hw, kernel, stride, (1, 1), fill=0)
        out = gather_windows(padded, kernel, stride, (1, 1), out_hw).sum(axis=0) / divisor
        ctx.geometry = (x.shape, padded.shape, kernel, stride, padding, out_hw)
        ctx.divisor = divisor
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x_shape, padded_shape, (kh, kw), (sh, sw), (ph, pw), (ho, wo) = ctx.geometry
        xp = array_module(grad)
        share = (grad / ctx.divisor).astype(grad.dtype, copy=False)
        padded_grad = xp.zeros(padded_shape, dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                padded_grad[:, :, window(i, ho, sh), window(j, wo, sw)] += share
        return padded_grad[:, :, ph:ph + x_shape[2], pw:pw + x_shape[3]]


class AdaptiveAvgPool2d(Op):
    """out = A_h x A_w^T: row i of A averages the input rows floor(i*H/Ho) .. ceil((i+1)*H/Ho)."""

    @staticmethod
    def forward(ctx, x, out_hw):
        xp = array_module(x)
        rows = averaging_matrix(xp, x.shape[2], out_hw[0], x.dtype)
        cols = averaging_matrix(xp, x.shape[3], out_hw[1], x.dtype)
        ctx.save_for_backward(rows, cols)
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.saved_tensors
        return rows.T @ grad @ cols


def averaging_matrix(xp, size, out, dtype):
    matrix = xp.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _pair(value, name, op):
    if isinstance(value, int):
        return value, value
    value = tuple(value)
    if len(value) == 1:
        return value * 2
    if len(value) != 2:
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    return value


def _check_input(x, op):
    if x.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {tuple(x.shape)}")


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, op):
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == [] or stride == () else _pair(stride, "stride", op)
    padding, dilation = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    if min(kernel) <= 0 or min(stride) <= 0 or min(dilation) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive, got {kernel}, {stride}, {dilation}")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={padding} "
                           f"and kernel_size={kernel}")
    out_hw = tuple(pooled_size(x.shape[-2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
                   for a in range(2))
    if min(out_hw) <= 0:
        raise RuntimeError(f"{op}: output size is too small: input {tuple(x.shape)} with kernel {kernel}, "
                           f"stride {stride}, padding {padding} gives {out_hw}")
    return kernel, stride, padding, dilation, out_hw


def _batched(function, x, *args):
    from minigrad.functions import unsqueeze
    if x.ndim == 3:
        result = function(unsqueeze(x, 0), *args)
        return tuple(r[0] for r in result) if isinstance(result, tuple) else result[0]
    return function(x, *args)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Max over each window; ``return_indices`` also gives the flat (h*W + w) input index of each max."""
    _check_input(input, "max_pool2d")

    def pool(x):
        kernel, step, pad, dil, out_hw = _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode,
                                                        "max_pool2d")
        out = MaxPool2d.apply(x, kernel, step, pad, dil, out_hw)
        if not return_indices:
            return out
        return out, _flat_indices(out, x, kernel, step, pad, dil, out_hw)

    return _batched(pool, input)


def _flat_indices(out, x, kernel, stride, padding, dilation, out_hw):
    """Positions (h * W + w in the unpadded input) of each window's maximum."""
    from minigrad.tensor import Tensor
    xp = array_module(x.array)
    winner = out.grad_fn.winner if out.grad_fn is not None else None
    if winner is None:  # recompute without history
        padded = pad_for_windows(x.array, padding, out_hw, kernel, stride, dilation, -float("inf"))
        winner = gather_windows(padded, kernel, stride, dilation, out_hw).argmax(axis=0)
    i, j = winner // kernel[1], winner % kernel[1]
    rows = xp.arange(out_hw[0]).reshape(-1, 1) * stride[0] - padding[0] + i * dilation[0]
    cols = xp.arange(out_hw[1]).reshape(1, -1) * stride[1] - padding[1] + j * dilation[1]
    return Tensor._wrap((rows * x.shape[3] + cols).astype("int64"), None, False)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over each window (PyTorch's divisor rules for padding and ceil_mode)."""
    _check_input(input, "avg_pool2d")
    if divisor_override is not None and divisor_override <= 0:
        raise RuntimeError(f"avg_pool2d: divisor must be not zero, got {divisor_override}")

    def pool(x):
        kernel, step, pad, _, out_hw = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
        xp = array_module(x.array)
        if divisor_override is not None:
            divisor = x.dtype.type(divisor_override)
        else:
            counts = [window_counts(x.shape[2 + a], out_hw[a], kernel[a], step[a], pad[a], count_include_pad)
                      for a in range(2)]
            divisor = xp.asarray(counts[0], dtype=x.dtype).reshape(-1, 1) * xp.asarray(counts[1], dtype=x.dtype)
        return AvgPool2d.apply(x, kernel, step, pad, out_hw, divisor)

    return _batched(pool, input)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002 - PyTorch's name
    """Average pooling to a fixed output size; ``None`` in output_size keeps that input size."""
    _check_input(input, "adaptive_avg_pool2d")
    size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
    out_hw = tuple(input.shape[-2 + a] if size[a] is None else size[a] for a in range(2))
    if min(out_hw) <= 0:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be positive, got {output_size}")
    return _batched(lambda x: AdaptiveAvgPool2d.apply(x, out_hw), input)
