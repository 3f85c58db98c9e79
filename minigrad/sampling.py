"""Random tensors and in-place random fills, drawn from the seeded generator (``minigrad.random``)."""
import numpy

from minigrad import dtypes
from minigrad.engine import Tensor
from minigrad.factories import _finish
from minigrad.functional._common import size_args
from minigrad.random import numpy_generator
from minigrad.backend import module_for
from minigrad.views import bump, check_inplace


def _random(draw, size, dtype, device, requires_grad):
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.get_default_dtype().dtype
    if dtype.kind != "f":
        raise RuntimeError(f"random floats need a floating dtype, got {dtype}")
    return _finish(draw(size_args(size)).astype(dtype), device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1) from the seeded generator."""
    return _random(numpy_generator(generator).random, size, dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples from the seeded generator."""
    return _random(numpy_generator(generator).standard_normal, size, dtype, device, requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device, requires_grad=requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high) (``randint(high, size)`` starts at 0)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() needs high and size: randint(low=0, high, size)")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.int64.dtype
    array = numpy_generator(generator).integers(low, high, size_args((size,) if isinstance(size, int) else size))
    return _finish(array.astype(dtype), device, False)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.int64.dtype
    return _finish(numpy_generator(generator).permutation(n).astype(dtype), device, False)


def _fill(tensor, array):
    """Write random values into ``tensor`` (refused on a leaf that requires grad, as any in-place op)."""
    if check_inplace(tensor):
        raise RuntimeError("random fills of tensors with history are not recorded")
    if tensor.array.dtype.kind != "f":
        raise RuntimeError(f"random fill expects a floating point tensor, got {tensor.dtype}")
    tensor.array[...] = module_for(tensor.device).asarray(array.astype(tensor.array.dtype))
    return bump(tensor)


def normal_(tensor, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(tensor, numpy_generator(generator).normal(mean, std, tuple(tensor.shape)))


def uniform_(tensor, a=0.0, b=1.0, *, generator=None):
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    return _fill(tensor, numpy_generator(generator).uniform(a, b, tuple(tensor.shape)))


TENSOR_METHODS = {"normal_": normal_, "uniform_": uniform_}
_ = Tensor
