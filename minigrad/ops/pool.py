"""Max, average and adaptive pooling.

A window's elements are visited one kernel offset at a time: offset (i, j) of every window
is one strided slice of the padded input (see ``im2col.window_slices``), so a pooling pass is
kh*kw whole-array operations. When the stride equals the kernel these slices are exactly the
``(N, C, H/k, k, W/k, k)`` reshape's views, and NumPy handles them faster than a reduction
over two inner axes would.

Max pooling keeps, per window, the offset of its FIRST maximum in row-major order: that is
where PyTorch sends the gradient when several elements tie. Adaptive pooling (PyTorch's
uneven windows) averages with two small matrices, and takes maxima over gathered offsets.
"""
from minigrad.autograd import Op
from minigrad.backend import array_module, scatter_add
from minigrad.ops.im2col import window_slices


def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's output length; with ceil_mode the last window must start inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def pad_for_windows(x, padding, out_hw, kernel, stride, dilation, fill):
    """``x`` padded by ``padding`` and, for ceil_mode, far enough right/below that every window fits."""
    pads = []
    for axis, (p, out, k, s, d) in enumerate(zip(padding, out_hw, kernel, stride, dilation)):
        needed = (out - 1) * s + d * (k - 1) + 1
        pads.append((p, max(needed - x.shape[2 + axis] - p, 0)))
    if not any(before or after for before, after in pads):
        return x
    return array_module(x).pad(x, ((0, 0), (0, 0)) + tuple(pads), constant_values=fill)


def windows_overlap(kernel, stride, dilation):
    """Whether an input element can fall in two windows (then backward must add, not assign)."""
    return any(d * (k - 1) + 1 > s for k, s, d in zip(kernel, stride, dilation))


def lowest_value(dtype, xp):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def first_maximum(candidates):
    """Elementwise max of the arrays in ``candidates`` and, per element, the position in the list
    of the first candidate that reaches it: the window offset that takes the gradient."""
    xp = array_module(candidates[0])
    out = candidates[0].copy()
    for candidate in candidates[1:]:
        xp.maximum(out, candidate, out=out)
    winner = xp.zeros(out.shape, dtype=xp.uint8 if len(candidates) < 256 else xp.int32)
    unclaimed = xp.ones(out.shape, dtype=bool)  # windows whose maximum is not found yet
    for offset, candidate in enumerate(candidates):
        hit = candidate == out
        hit &= unclaimed
        unclaimed ^= hit
        if offset:
            winner += hit.astype(winner.dtype) * winner.dtype.type(offset)
    return out, winner


class MaxPool2d(Op):
    """out = max over each window; ``winner`` keeps which kernel offset held the first maximum."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_hw, with_indices=False):
        xp = array_module(x)
        padded = pad_for_windows(x, padding, out_hw, kernel, stride, dilation, lowest_value(x.dtype, xp))
        out, winner = first_maximum([padded[:, :, rows, cols]
                                     for _, _, rows, cols in window_slices(kernel, stride, dilation, out_hw)])
        ctx.save_for_backward(winner)
        ctx.geometry = (x.shape, padded.shape, kernel, stride, padding, dilation)
        if with_indices:
            return out, MaxPool2d.flat_indices(winner, x.shape, kernel, stride, padding, dilation)
        return out

    @staticmethod
    def backward(ctx, grad):
        winner, = ctx.saved_tensors
        x_shape, padded_shape, kernel, stride, padding, dilation = ctx.geometry
        xp = array_module(grad)
        overlap = windows_overlap(kernel, stride, dilation)
        tiled = kernel == stride and dilation == (1, 1) and padded_shape == x_shape and all(
            o * s == size for o, s, size in zip(winner.shape[2:], stride, x_shape[2:]))
        padded_grad = (xp.empty if tiled else xp.zeros)(padded_shape, dtype=grad.dtype)  # tiled: all written
        for offset, (_, _, rows, cols) in enumerate(window_slices(kernel, stride, dilation, winner.shape[2:])):
            if overlap:
                padded_grad[:, :, rows, cols] += grad * (winner == offset)
            else:  # each input element belongs to one window at most: write in place
                xp.multiply(grad, winner == offset, out=padded_grad[:, :, rows, cols])
        return crop(padded_grad, padding, x_shape)

    @staticmethod
    def flat_indices(winner, x_shape, kernel, stride, padding, dilation):
        """Where each maximum sits in its unpadded input plane, as ``h * W + w`` (PyTorch's indices)."""
        xp = array_module(winner)
        ho, wo = winner.shape[2:]
        i, j = winner // kernel[1], winner % kernel[1]
        rows = xp.arange(ho).reshape(-1, 1) * stride[0] - padding[0] + i * dilation[0]
        cols = xp.arange(wo).reshape(1, -1) * stride[1] - padding[1] + j * dilation[1]
        return (rows * x_shape[3] + cols).astype(xp.int64)


def crop(padded, padding, x_shape):
    if padded.shape == x_shape:
        return padded
    (ph, pw), (h, w) = padding, x_shape[2:]
    return padded[:, :, ph:ph + h, pw:pw + w]


def window_counts(xp, size, out, kernel, stride, padding, include_pad):
    """How many elements each window along one axis divides by (PyTorch's rule): windows are
    clipped to the padded input, and with ``include_pad=False`` to the input itself."""
    start = xp.arange(out) * stride - padding
    end = xp.minimum(start + kernel, size + padding)
    if not include_pad:
        start, end = xp.maximum(start, 0), xp.minimum(end, size)
    return end - start


class AvgPool2d(Op):
    """out = (sum over each window) / divisor; ``divisor`` is a number or an (Ho, Wo) array."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_hw, divisor):
        xp = array_module(x)
        padded = pad_for_windows(x, padding, out_hw, kernel, stride, (1, 1), fill=0)
        slices = [padded[:, :, rows, cols] for _, _, rows, cols in window_slices(kernel, stride, (1, 1), out_hw)]
        total = slices[0].copy() if len(slices) == 1 else slices[0] + slices[1]
        for candidate in slices[2:]:
            total += candidate
        ctx.geometry = (x.shape, padded.shape, kernel, stride, padding)
        ctx.divisor = divisor
        if x.dtype.kind != "f":  # integer pooling truncates, like PyTorch's
            return xp.trunc(total / divisor).astype(x.dtype)
        return xp.divide(total, divisor, out=total)

    @staticmethod
    def backward(ctx, grad):
        x_shape, padded_shape, kernel, stride, padding = ctx.geometry
        xp = array_module(grad)
        share = grad / ctx.divisor
        padded_grad = xp.zeros(padded_shape, dtype=grad.dtype)
        overlap = windows_overlap(kernel, stride, (1, 1))
        for _, _, rows, cols in window_slices(kernel, stride, (1, 1), grad.shape[2:]):
            if overlap:
                padded_grad[:, :, rows, cols] += share
            else:
                padded_grad[:, :, rows, cols] = share
        return crop(padded_grad, padding, x_shape)


def pool_pair(value, name, op):
    """An int or one/two ints as a pair, with PyTorch's error otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    value = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(value) == 1:
        value = value * 2
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise RuntimeError(f"{op}: {name} must either be a single int, or a tuple of two ints, got {value!r}")
    return value


def check_pool_input(x, op):
    from minigrad.tensor import Tensor
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.ndim not in (3, 4) or any(size == 0 for size in x.shape[-3:]):
        raise RuntimeError(f"{op}: Expected 3D (C, H, W) or 4D (N, C, H, W) input with non-zero channels and "
                           f"sizes (a 0 batch size is allowed), but got input of shape {list(x.shape)}")


def pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Validated (kernel, stride, padding, dilation, out_hw) for a 4-D input ``x``."""
    kernel = pool_pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == [] or stride == () else pool_pair(stride, "stride", op)
    padding, dilation = pool_pair(padding, "padding", op), pool_pair(dilation, "dilation", op)
    if min(kernel) <= 0:
        raise RuntimeError(f"{op}: kernel_size must be greater than zero, but got kernel_size={kernel}")
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: stride should not be zero, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got dilation={dilation}")
    if min(padding) < 0 or padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but got pad={padding}, "
                           f"kernel_size={kernel} and dilation={dilation}")
    out_hw = tuple(pooled_size(x.shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
                   for a in range(2))
    if min(out_hw) <= 0:
        raise RuntimeError(f"{op}: Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
                           f"({x.shape[1]}x{out_hw[0]}x{out_hw[1]}). Output size is too small (kernel_size={kernel}, "
                           f"stride={stride}, padding={padding}, dilation={dilation})")
    return kernel, stride, padding, dilation, out_hw


def batched(function, x):
    """Run ``function`` on a 4-D input; an unbatched (C, H, W) input gets a batch axis of 1 and loses it after."""
    if x.ndim == 4:
        return function(x)
    result = function(x.unsqueeze(0))
    return tuple(r.squeeze(0) for r in result) if isinstance(result, tuple) else result.squeeze(0)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Max over each window of an (N, C, H, W) or (C, H, W) input; ``stride`` defaults to ``kernel_size``.
    ``return_indices`` also gives each maximum's flat position ``h * W + w`` in its input plane."""
    check_pool_input(input, "max_pool2d")

    def pool(x):
        geometry = pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
        return MaxPool2d.apply(x, *geometry, with_indices=return_indices)

    return batched(pool, input)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over each window of an (N, C, H, W) or (C, H, W) input, with PyTorch's divisor rules:
    ``count_include_pad`` counts the zero padding, ``divisor_override`` replaces the count."""
    check_pool_input(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")

    def pool(x):
        kernel, step, pad, _, out_hw = pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
        xp = array_module(x.array)
        if divisor_override is not None:
            divisor = divisor_override
        else:
            counts = [window_counts(xp, x.shape[2 + a], out_hw[a], kernel[a], step[a], pad[a], count_include_pad)
                      for a in range(2)]
            divisor = (counts[0].reshape(-1, 1) * counts[1]).astype(x.dtype if x.dtype.kind == "f" else "float64")
            if bool((divisor == kernel[0] * kernel[1]).all()):
                divisor = kernel[0] * kernel[1]  # every window is full: divide by a number
        return AvgPool2d.apply(x, kernel, step, pad, out_hw, divisor)

    return batched(pool, input)


def adaptive_windows(xp, size, out):
    """PyTorch's adaptive windows along one axis: window i spans floor(i*size/out) .. ceil((i+1)*size/out)."""
    index = xp.arange(out)
    return (index * size) // out, -((-(index + 1) * size) // out)


def adaptive_offsets(xp, size, out):
    """(L, out) indices: row t is the t-th element of every window, L the longest window; a shorter
    window repeats its last element, which never wins a max over a window it already belongs to."""
    start, end = adaptive_windows(xp, size, out)
    longest = int((end - start).max()) if out else 0
    return xp.minimum(start + xp.arange(longest).reshape(-1, 1), end - 1)


class AdaptiveAvgPool2d(Op):
    """out = A_h x A_w^T, where row i of A averages the input rows of window i."""

    @staticmethod
    def forward(ctx, x, out_hw):
        rows = averaging_matrix(array_module(x), x.shape[2], out_hw[0], x.dtype)
        cols = averaging_matrix(array_module(x), x.shape[3], out_hw[1], x.dtype)
        ctx.save_for_backward(rows, cols)
        return rows @ x @ cols.T

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.saved_tensors
        return rows.T @ grad @ cols


def averaging_matrix(xp, size, out, dtype):
    start, end = adaptive_windows(xp, size, out)
    position = xp.arange(size)
    inside = (position >= start.reshape(-1, 1)) & (position < end.reshape(-1, 1))
    return (inside / (end - start).reshape(-1, 1)).astype(dtype)


class AdaptiveMaxPool2d(Op):
    """Max over adaptive windows, gathered one window offset at a time like :class:`MaxPool2d`."""

    @staticmethod
    def forward(ctx, x, out_hw, with_indices=False):
        xp = array_module(x)
        rows, cols = adaptive_offsets(xp, x.shape[2], out_hw[0]), adaptive_offsets(xp, x.shape[3], out_hw[1])
        if 0 in out_hw:  # nothing to pool over
            out, winner = xp.empty(x.shape[:2] + out_hw, dtype=x.dtype), xp.zeros(x.shape[:2] + out_hw, xp.uint8)
        else:
            out, winner = first_maximum([x[:, :, r.reshape(-1, 1), c] for r in rows for c in cols])
        ctx.save_for_backward(winner)
        ctx.geometry = (x.shape, rows, cols)
        if with_indices:
            return out, AdaptiveMaxPool2d.flat_indices(winner, x.shape, rows, cols)
        return out

    @staticmethod
    def backward(ctx, grad):
        winner, = ctx.saved_tensors
        x_shape, rows, cols = ctx.geometry
        grad_x = array_module(grad).zeros(x_shape, dtype=grad.dtype)
        for offset, (r, c) in enumerate((r, c) for r in rows for c in cols):
            # windows may share elements at the same offset when they overlap: accumulate
            scatter_add(grad_x, (slice(None), slice(None), r.reshape(-1, 1), c), grad * (winner == offset))
        return grad_x

    @staticmethod
    def flat_indices(winner, x_shape, rows, cols):
        xp = array_module(winner)
        ho, wo = winner.shape[2:]
        row = rows[winner // cols.shape[0], xp.arange(ho).reshape(-1, 1)]
        col = cols[winner % cols.shape[0], xp.arange(wo)]
        return (row * x_shape[3] + col).astype(xp.int64)


def adaptive_output_size(x, output_size, op):
    single = output_size is None or isinstance(output_size, int)
    size = (output_size, output_size) if single else tuple(output_size)
    if len(size) != 2 or not all(s is None or isinstance(s, int) for s in size):
        raise RuntimeError(f"{op}: output_size must be an int, None or a pair of them, got {output_size!r}")
    out_hw = tuple(x.shape[-2 + a] if size[a] is None else size[a] for a in range(2))
    if min(out_hw) < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {output_size}")
    return out_hw


def adaptive_avg_pool2d(input, output_size):  # noqa: A002 - PyTorch's name
    """Average pooling of an (N, C, H, W) or (C, H, W) input to ``output_size`` (an int or a pair;
    ``None`` keeps that input size), with PyTorch's windows."""
    check_pool_input(input, "adaptive_avg_pool2d")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"adaptive_avg_pool2d: not implemented for {input.dtype} input, use a float dtype")
    out_hw = adaptive_output_size(input, output_size, "adaptive_avg_pool2d")
    return batched(lambda x: AdaptiveAvgPool2d.apply(x, out_hw), input)


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002 - PyTorch's name
    """Max pooling to ``output_size``; ``return_indices`` as in :func:`max_pool2d`."""
    check_pool_input(input, "adaptive_max_pool2d")
    out_hw = adaptive_output_size(input, output_size, "adaptive_max_pool2d")
    return batched(lambda x: AdaptiveMaxPool2d.apply(x, out_hw, with_indices=return_indices), input)
