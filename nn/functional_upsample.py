"""Resampling functions of ``nn.functional``: ``interpolate`` (nearest, nearest-exact, linear,
bilinear, trilinear, bicubic, area), the deprecated ``upsample*`` forms, and ``pixel_shuffle``.

Interpolation is separable: along each spatial axis every output position reads a few input
positions (``index_select``) and mixes them with weights. The positions and weights are
PyTorch's CPU ones, computed in the same precision (float32 for float32 inputs), and the axes
are mixed last axis first, as PyTorch nests them, so the results agree to rounding; the
gradient (scatter-adding through index_select) comes with its own derivative.
"""
import math
import warnings

import numpy

from minigrad import Tensor
from minigrad.backend import array_module
from nn.functional_pool import adaptive_avg_pool2d

INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
MODE_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
CUBIC_A = -0.75


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,  # noqa: A002
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dimensions (all but the first two) to ``size`` or by ``scale_factor``."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                             "bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dims = input.ndim - 2
    output_size, scales = _target_size(input, size, scale_factor, recompute_scale_factor, mode, dims)
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by minigrad")
    if input.ndim not in (3, 4, 5) or (mode not in MODE_DIMS and mode not in ("nearest", "nearest-exact", "area")):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
                                  f"nearest-exact (got {mode})")
    if mode in MODE_DIMS and input.ndim != MODE_DIMS[mode]:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {MODE_DIMS[mode]}D input")
    _check_sizes(input, output_size)
    if mode == "area":
        return _area(input, output_size)
    out = input
    for axis in reversed(range(dims)):
        sources, weights = _taps(mode, input.shape[2 + axis], output_size[axis], scales[axis], align_corners,
                                 input.array.dtype)
        out = _mix(out, 2 + axis, sources, weights)
    return out


def _target_size(input, size, scale_factor, recompute_scale_factor, mode, dims):  # noqa: A002
    """(output sizes, scale factors handed to the kernels: None where the sizes decide)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(input.shape[2:])} and output size of {size}. "
                                 f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 f"(o1, o2, ...,oK) format.")
            if not all(isinstance(s, (int, numpy.integer)) for s in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            return [int(s) for s in size], [None] * dims
        return [int(size)] * dims, [None] * dims
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dims:
            raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape "
                             f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             f"scale_factor in (s1, s2, ...,sK) format.")
        factors = [float(f) for f in scale_factor]
    else:
        factors = [float(scale_factor)] * dims
    output_size = [math.floor(input.shape[2 + d] * factors[d]) for d in range(dims)]
    if recompute_scale_factor or mode == "area":
        return output_size, [None] * dims
    return output_size, factors


def _check_sizes(input, output_size):  # noqa: A002
    if min(input.shape[2:]) > 0 and min(output_size) > 0:
        return
    names = ("D", "H", "W")[3 - len(output_size):]
    inside = ", ".join(f"{n}: {s}" for n, s in zip(names, input.shape[2:]))
    outside = ", ".join(f"{n}: {s}" for n, s in zip(names, output_size))
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({inside}) output ({outside})")


def _scale(in_size, out_size, factor, align_corners, opmath):
    """PyTorch's area_pixel_compute_scale: the input step per output step."""
    if align_corners:
        return opmath(in_size - 1) / opmath(out_size - 1) if out_size > 1 else opmath(0)
    if factor is not None and factor > 0:
        return opmath(1.0 / factor)
    return opmath(in_size) / opmath(out_size)


def _taps(mode, in_size, out_size, factor, align_corners, dtype):
    """For each output position along one axis: the input positions it reads (k, out) and their weights."""
    opmath = numpy.float64 if dtype == numpy.float64 else numpy.float32
    positions = numpy.arange(out_size)
    if mode in ("nearest", "nearest-exact"):
        return _nearest(positions, in_size, out_size, factor, mode == "nearest-exact"), None
    scale = _scale(in_size, out_size, factor, align_corners, opmath)
    if align_corners:
        source = scale * positions.astype(opmath)
    else:
        source = scale * (positions.astype(opmath) + opmath(0.5)) - opmath(0.5)
    if mode == "bicubic":
        return _cubic(source.astype(opmath), in_size, opmath)
    source = numpy.maximum(source, opmath(0))
    first = numpy.minimum(numpy.floor(source).astype(numpy.int64), in_size - 1)
    second = first + (first < in_size - 1)
    weight = numpy.clip(source - first.astype(opmath), opmath(0), opmath(1)).astype(opmath)
    return numpy.stack([first, second]), numpy.stack([opmath(1) - weight, weight])


def _nearest(positions, in_size, out_size, factor, exact):
    """PyTorch's nearest_idx: exact integer rules for equal and doubled sizes, else float32 arithmetic."""
    if not exact and out_size == in_size:
        return positions[None]
    if not exact and out_size == 2 * in_size:
        return (positions >> 1)[None]
    scale = numpy.float32(1.0 / factor) if factor is not None and factor > 0 else \
        numpy.float32(in_size) / numpy.float32(out_size)
    where = (positions + 0.5) * numpy.float64(scale) if exact else positions.astype(numpy.float32) * scale
    return numpy.minimum(numpy.floor(where.astype(numpy.float32)).astype(numpy.int64), in_size - 1)[None]


def _cubic(source, in_size, opmath):
    """Four taps around floor(source) (clamped to the edge) with Keys' cubic weights, A = -0.75."""
    start = numpy.floor(source)
    t = (source - start).astype(opmath)
    a = opmath(CUBIC_A)

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = numpy.stack([far(t + 1), near(t), near(1 - t), far(2 - t)]).astype(opmath)
    taps = numpy.stack([numpy.clip(start.astype(numpy.int64) - 1 + k, 0, in_size - 1) for k in range(4)])
    return taps, weights


def _mix(x, axis, sources, weights):
    """sum_k weights[k] * x[..., sources[k], ...] along ``axis`` (just the gather for nearest)."""
    xp = array_module(x.array)
    shape = [1] * x.ndim
    shape[axis] = -1
    out = None
    for k in range(sources.shape[0]):
        picked = x.index_select(axis, Tensor._wrap(xp.asarray(sources[k])))
        if weights is not None:
            picked = picked * Tensor._wrap(xp.asarray(weights[k].astype(x.array.dtype).reshape(shape)))
        out = picked if out is None else out + picked
    return out


def _area(input, output_size):  # noqa: A002
    """Area interpolation is adaptive average pooling."""
    if input.ndim == 4:
        return adaptive_avg_pool2d(input, tuple(output_size))
    if input.ndim == 3:
        return adaptive_avg_pool2d(input.unsqueeze(-2), (1, output_size[0])).squeeze(-2)
    raise NotImplementedError("interpolate: mode='area' of a 5-D input is not supported by minigrad")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):  # noqa: A002
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):  # noqa: A002
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):  # noqa: A002
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):  # noqa: A002
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r block."""
    r = upscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    if channels % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={channels} is not divisible by {r * r}")
    lead = len(batch)
    blocks = input.reshape(*batch, channels // (r * r), r, r, height, width)
    order = tuple(range(lead)) + tuple(lead + k for k in (0, 3, 1, 4, 2))
    return blocks.permute(order).reshape(*batch, channels // (r * r), height * r, width * r)


def pixel_unshuffle(input, downscale_factor):  # noqa: A002
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    r = downscale_factor
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, channels, height, width = input.shape
    for name, extent, axis in (("height", height, -2), ("width", width, -1)):
        if extent % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                               f"input.size({axis})={extent} is not divisible by {r}")
    lead = len(batch)
    blocks = input.reshape(*batch, channels, height // r, r, width // r, r)
    order = tuple(range(lead)) + tuple(lead + k for k in (0, 2, 4, 1, 3))
    return blocks.permute(order).reshape(*batch, channels * r * r, height // r, width // r)
