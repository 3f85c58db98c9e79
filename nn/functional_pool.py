"""``F.max_pool2d``, ``F.avg_pool2d``, the adaptive poolings, their 1-D forms (2-D pools of height
1) and max unpooling: PyTorch's argument checks and output sizes, then the ops in ``minigrad.ops.pool``."""
from minigrad import Tensor
from minigrad.backend import array_module
from minigrad.kernels.pool import Windows, pooled_size, window_counts
from minigrad.ops import pool
from nn.functional_conv import pair, single


def check_pool_input(x, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if x.ndim not in (3, 4) or any(size == 0 for size in x.shape[-3:]):
        raise RuntimeError(f"{op}: Expected 3D (C, H, W) or 4D (N, C, H, W) input with non-zero channels and sizes "
                           f"(a 0 batch size is allowed), but got input of shape {list(x.shape)}")


def pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Validated (kernel, stride, padding, dilation, out_hw) for a 4-D input ``x``."""
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None or stride == [] or stride == () else pair(stride, "stride", op)
    padding, dilation = pair(padding, "padding", op), pair(dilation, "dilation", op)
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

    def run(x):
        kernel, step, pad, dilation_, out_hw = pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode,
                                                             "max_pool2d")
        windows = Windows.sliding(tuple(x.shape), kernel, step, pad, dilation_, out_hw)
        index = pool.sliding_flat_index(windows, kernel, step, pad, dilation_) if return_indices else None
        return pool.MaxPool2d.apply(x, windows, index)

    return batched(run, input)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over each window of an (N, C, H, W) or (C, H, W) input, with PyTorch's divisor rules:
    ``count_include_pad`` counts the zero padding, ``divisor_override`` replaces the count."""
    check_pool_input(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")

    def run(x):
        kernel, step, pad, _, out_hw = pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
        xp = array_module(x.array)
        if divisor_override is not None:
            divisor = divisor_override
        else:
            counts = [window_counts(xp, x.shape[2 + a], out_hw[a], kernel[a], step[a], pad[a], count_include_pad)
                      for a in range(2)]
            divisor = (counts[0].reshape(-1, 1) * counts[1]).astype(x.array.dtype if x.array.dtype.kind == "f"
                                                                    else "float64")
            if bool((divisor == kernel[0] * kernel[1]).all()):
                divisor = kernel[0] * kernel[1]  # every window is full: divide by a number
        return pool.AvgPool2d.apply(x, Windows.sliding(tuple(x.shape), kernel, step, pad, (1, 1), out_hw), divisor)

    return batched(run, input)


def adaptive_output_size(x, output_size, op):
    single = output_size is None or isinstance(output_size, int)
    size = (output_size, output_size) if single else tuple(output_size)
    if len(size) != 2 or not all(s is None or isinstance(s, int) for s in size):
        raise RuntimeError(f"{op}: output_size must be an int, None or a pair of them, got {output_size!r}")
    out_hw = tuple(x.shape[-2 + a] if size[a] is None else size[a] for a in range(2))
    if min(out_hw) < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {output_size}")
    return out_hw


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Average pooling of an (N, C, H, W) or (C, H, W) input to ``output_size`` (an int or a pair;
    ``None`` keeps that input size), with PyTorch's windows."""
    check_pool_input(input, "adaptive_avg_pool2d")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"adaptive_avg_pool2d: not implemented for {input.dtype.name} input, use a float dtype")
    out_hw = adaptive_output_size(input, output_size, "adaptive_avg_pool2d")
    return batched(lambda x: pool.AdaptiveAvgPool2d.apply(x, out_hw), input)


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002
    """Max pooling to ``output_size``; ``return_indices`` as in :func:`max_pool2d`."""
    check_pool_input(input, "adaptive_max_pool2d")
    out_hw = adaptive_output_size(input, output_size, "adaptive_max_pool2d")

    def run(x):
        windows = Windows.adaptive(tuple(x.shape), out_hw, array_module(x.array))
        if 0 in out_hw:
            empty = x.array[:, :, :out_hw[0], :out_hw[1]] * 0
            return (Tensor._wrap(empty), Tensor._wrap(empty.astype("int64"))) if return_indices else Tensor._wrap(empty)
        return pool.AdaptiveMaxPool2d.apply(x, windows, pool.adaptive_flat_index(windows) if return_indices else None)

    return batched(run, input)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,  # noqa: A002
               return_indices=False):
    """Max over each window of an (N, C, L) or (C, L) input: a 2-D max pool of height 1
    (the indices are positions along L)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    (kernel,) = single(kernel_size, "kernel_size", "max_pool1d")
    (step,) = (kernel,) if stride is None or stride == [] or stride == () else single(stride, "stride", "max_pool1d")
    (pad,), (spread,) = single(padding, "padding", "max_pool1d"), single(dilation, "dilation", "max_pool1d")
    if pad > kernel // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={pad} and "
                           f"kernel_size={kernel}")
    if kernel > 0 and step > 0 and spread > 0 and \
            pooled_size(input.shape[-1], kernel, step, pad, spread, ceil_mode) <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: "
                           f"{pooled_size(input.shape[-1], kernel, step, pad, spread, ceil_mode)}")
    result = max_pool2d(input.unsqueeze(-2), (1, kernel), (1, step), (0, pad), (1, spread), ceil_mode, return_indices)
    return tuple(r.squeeze(-2) for r in result) if return_indices else result.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):  # noqa: A002
    """Mean over each window of an (N, C, L) or (C, L) input: a 2-D average pool of height 1."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for avg_pool1d)")
    (kernel,) = single(kernel_size, "kernel_size", "avg_pool1d")
    (step,) = (kernel,) if stride is None or stride == [] or stride == () else single(stride, "stride", "avg_pool1d")
    (pad,) = single(padding, "padding", "avg_pool1d")
    if pad > kernel // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pad}, "
                           f"kernel_size={kernel} and dilation=1")
    length = pooled_size(input.shape[-1], kernel, step, pad, 1, ceil_mode) if kernel > 0 and step > 0 else 1
    if length <= 0:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (1,) + tuple(input.shape[-2:])))}). Calculated "
                           f"output size: ({input.shape[-2]}x1x{length}). Output size is too small")
    return avg_pool2d(input.unsqueeze(-2), (1, kernel), (1, step), (0, pad), ceil_mode, count_include_pad).squeeze(-2)


def unpool_output_size(input, kernel_size, stride, padding, output_size):  # noqa: A002
    """The spatial output size of max_unpool: the inverse of pooling's, or ``output_size`` if it is
    one of the sizes that pooling maps to the input's."""
    dims = len(kernel_size)
    default = [(input.shape[-dims + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(dims)]
    if output_size is None:
        return default
    if len(output_size) == dims + 2:
        output_size = output_size[2:]
    if len(output_size) != dims:
        raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for d in range(dims):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
    return list(output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of max_pool2d: each value goes to the position its index names in a
    zero plane of the unpooled size (the gradient gathers from those positions)."""
    kernel = pair(kernel_size, "kernel_size", "max_unpool2d")
    step = pair(stride, "stride", "max_unpool2d") if stride is not None else kernel
    size = unpool_output_size(input, kernel, step, pair(padding, "padding", "max_unpool2d"), output_size)
    return _scatter_planes(input, indices, tuple(size), "max_unpooling2d")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):  # noqa: A002
    """The partial inverse of max_pool1d."""
    kernel = single(kernel_size, "kernel_size", "max_unpool1d")
    step = single(stride, "stride", "max_unpool1d") if stride is not None else kernel
    size = unpool_output_size(input, kernel, step, single(padding, "padding", "max_unpool1d"), output_size)
    return _scatter_planes(input.unsqueeze(-1), indices.unsqueeze(-1), (size[0], 1), "max_unpooling2d").squeeze(-1)


def _scatter_planes(x, indices, size, op):
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input to {op} should be a 3d or 4d Tensor, but got a tensor with {x.ndim} dimensions.")
    if indices.dtype != "int64":
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype.legacy_name}")
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(x.shape)}) but "
                           f"got indices tensor with shape: {list(indices.shape)}")
    planes = size[0] * size[1]
    if indices.numel() and (int(indices.array.min()) < 0 or int(indices.array.max()) >= planes):
        bad = int(indices.array.max()) if int(indices.array.max()) >= planes else int(indices.array.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size {size[0]}x{size[1]})")
    leading = tuple(x.shape[:-2])
    flat = x.reshape(leading + (-1,))
    out = flat.new_zeros(leading + (planes,)).scatter(-1, indices.reshape(leading + (-1,)), flat)
    return out.reshape(leading + size)
