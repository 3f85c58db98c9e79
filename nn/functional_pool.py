"""``F.max_pool2d``, ``F.avg_pool2d`` and the adaptive poolings: PyTorch's argument checks and
output sizes, then the ops in ``minigrad.ops.pool``."""
from minigrad import Tensor
from minigrad.backend import array_module
from minigrad.kernels.pool import Windows, pooled_size, window_counts
from minigrad.ops import pool
from nn.functional_conv import pair


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
