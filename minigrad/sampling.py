"""Random tensors (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``...) and in-place random fills (``uniform_``, ``normal_``, ``random_``...),
with PyTorch's signatures, checks and, on the CPU, PyTorch's numbers for the same seed.

Values come from :mod:`minigrad._distributions` (CPU, PyTorch's stream) or
:mod:`minigrad._cuda_random` (CUDA, CuPy's stream). A fill visits the elements in memory
order, as PyTorch's TensorIterator does, so a transposed tensor gets PyTorch's values too.
"""
import numpy

from minigrad import _cuda_random, _distributions, dtypes
from minigrad.backend import array_module, device as Device, get_default_device, module_for
from minigrad.engine import Tensor, make_tensor
from minigrad.factories import _finish, creation_size as _size
from minigrad.grad_mode import no_grad
from minigrad.ops import combined as cb
from minigrad.ops.elementwise import Copy
from minigrad.random import resolve
from minigrad.views import apply_inplace, bump, check_inplace

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                 "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                 "bool": "bool"}
_INT64_MIN = -(1 << 63)


def _samplers(device):
    return _cuda_random if device.type == "cuda" else _distributions


def _type_name(dtype):
    return _TYPE_NAMES.get(numpy.dtype(dtype).name, str(dtype))


def _require_float(dtype, kernel):
    if dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(dtype)}\'')


def _memory_order(array):
    """Axes from the largest stride to the smallest: the view of ``array`` whose C order is
    its memory order (PyTorch's TensorIterator order for one output)."""
    return sorted(range(array.ndim), key=lambda axis: -abs(array.strides[axis]))


def _fill(tensor, draw, node=Copy):
    """Write ``draw(shape, contiguous)`` into ``tensor``: the one place random fills touch a
    tensor. Elements are visited in memory order. On a tensor with history the fill is recorded
    like ``copy_`` of the new values (their gradient with respect to the old ones is zero)."""
    if check_inplace(tensor):
        values = array_module(tensor.array).empty_like(tensor.array)  # the same memory layout
        _draw_into(values, draw)
        return apply_inplace(tensor, lambda t: node.apply(t, make_tensor(values)))
    _draw_into(tensor.array, draw)
    return bump(tensor)


def _draw_into(array, draw):
    if array.size:
        view = array.transpose(_memory_order(array))
        view[...] = draw(view.shape, bool(array.flags.c_contiguous))


def _empty(size, dtype, device):
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    target = Device(device) if device is not None else get_default_device()
    return make_tensor(module_for(target).empty(_size(size), dtype=dtype))


def _new(size, dtype, device, requires_grad, fill, *args, generator=None):
    """A fresh tensor of ``size`` filled in place by ``fill`` (how PyTorch builds ``rand``...)."""
    tensor = fill(_empty(size, dtype, device), *args, generator=generator)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


# ---- in-place fills (also Tensor methods) -----------------------------------------------------

def uniform_(tensor, a=0.0, b=1.0, *, generator=None):
    _require_float(tensor.dtype, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, _: samplers.uniform(shape, tensor.dtype, float(a), float(b), gen),
                 cb.UniformFill)


def normal_(tensor, mean=0.0, std=1.0, *, generator=None):
    _require_float(tensor.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, contiguous: samplers.normal(shape, tensor.dtype, float(mean), float(std),
                                                                   gen, contiguous), cb.NormalFill)


def bernoulli_(tensor, p=0.5, *, generator=None):
    """Ones with probability ``p`` (a float, or a tensor broadcastable to ``tensor``).

    A float ``p`` draws one double uniform per element: PyTorch 2.13's CPU wheel has no MKL
    path here any more (older builds drew from MKL's MCG31 on Intel CPUs)."""
    samplers, gen = _samplers(tensor.device), resolve(generator)
    if isinstance(p, Tensor):
        _require_float(p.dtype, "bernoulli_tensor_cpu_p_")
        probs = p.to(tensor.device).array
        return _fill(tensor, lambda shape, _: samplers.bernoulli_tensor(
            _broadcast(probs, tensor), tensor.dtype, gen).reshape(shape), cb.BernoulliTensorFill)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    return _fill(tensor, lambda shape, _: samplers.bernoulli_scalar(shape, tensor.dtype, float(p), gen),
                 cb.BernoulliFill)


def _broadcast(probs, tensor):
    """``probs`` expanded to ``tensor``'s shape, laid out in ``tensor``'s memory order."""
    xp = array_module(probs)
    expanded = xp.broadcast_to(probs, tensor.shape)
    return xp.ascontiguousarray(expanded.transpose(_memory_order(tensor.array)))


def exponential_(tensor, lambd=1.0, *, generator=None):
    if tensor.dtype.kind != "f":
        raise RuntimeError(f"Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_type_name(tensor.dtype)}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, _: samplers.exponential(shape, tensor.dtype, float(lambd), gen),
                 cb.ExponentialFill)


def cauchy_(tensor, median=0.0, sigma=1.0, *, generator=None):
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    if tensor.dtype.kind != "f":
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_C_TYPE_NAMES.get(tensor.dtype.name)}")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, _: samplers.cauchy(shape, tensor.dtype, float(median), float(sigma), gen),
                 cb.CauchyFill)


def log_normal_(tensor, mean=1.0, std=2.0, *, generator=None):
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    _require_float(tensor.dtype, "log_normal_cpu")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, _: samplers.log_normal(shape, tensor.dtype, float(mean), float(std), gen),
                 cb.LogNormalFill)


def geometric_(tensor, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    samplers, gen = _samplers(tensor.device), resolve(generator)
    return _fill(tensor, lambda shape, _: samplers.geometric(shape, tensor.dtype, float(p), gen),
                 cb.GeometricFill)


def random_(tensor, *bounds, to=None, generator=None):
    """``random_()``, ``random_(to)``, ``random_(from, to)``: integers in [from, to), where a
    ``to`` of None means up to the dtype's largest value (2**mantissa for floats)."""
    if len(bounds) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(bounds)} given)")
    samplers, gen, dtype = _samplers(tensor.device), resolve(generator), tensor.dtype
    if not bounds and to is None:
        return _fill(tensor, lambda shape, _: samplers.random_default(shape, dtype, gen), cb.RandomFill)
    if len(bounds) == 2:
        low, high = bounds
    elif len(bounds) == 1:
        low, high = (0, bounds[0]) if to is None else (bounds[0], to)
    else:
        low, high = 0, to
    if high is None and low == _INT64_MIN:
        return _fill(tensor, lambda shape, _: samplers.full_range_int64(shape, dtype, gen),
                     cb.RandomRangeFill)
    low, span = _integer_span(int(low), None if high is None else int(high), dtype)
    node = cb.RandomRangeFill if len(bounds) == 2 or (bounds and to is not None) else cb.RandomToFill
    return _fill(tensor, lambda shape, _: samplers.integers(shape, dtype, low, span, gen), node)


def _integer_span(low, high, dtype):
    """PyTorch's (from, range) for ``random_(low, high)``, with its checks and, for floats,
    its nudging of bounds that the dtype cannot hold exactly."""
    if high is not None:
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        if dtype.kind == "f":
            low, high = _float_bound(low, 1, dtype), _float_bound(high, -1, dtype)
            if low >= high:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, "
                                   f"but got from={low} >= to={high}")
        _check_in_range(low, high - 1, dtype)
        return low, high - low
    if dtype.kind == "f":
        top = 1 << (numpy.finfo(dtype).nmant + 1)
        low = _float_bound(low, 1, dtype)
        if low >= top:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted "
                               f"to dtype, but got from={low} > to_inc={top}")
    else:
        top = 1 if dtype == dtypes.bool else int(numpy.iinfo(dtype).max)
    _check_in_range(low, top, dtype)
    return low, top - low + 1


def _float_bound(bound, step, dtype):
    """PyTorch's update_from (step 1) / update_to (step -1): move a bound whose neighbour
    rounds past it in ``dtype`` by the dtype's spacing there."""
    neighbour = int(dtype.type(bound + step))
    if (neighbour < bound) if step > 0 else (neighbour >= bound):
        exponent = abs(bound + step).bit_length() - 1
        return neighbour + step * (1 << (exponent - numpy.finfo(dtype).nmant))
    return bound


def _check_in_range(low, top, dtype):
    if dtype.kind == "f":
        smallest, largest = -float(numpy.finfo(dtype).max), float(numpy.finfo(dtype).max)
    elif dtype == dtypes.bool:
        smallest, largest = 0, 1
    else:
        smallest, largest = int(numpy.iinfo(dtype).min), int(numpy.iinfo(dtype).max)
    name = _C_TYPE_NAMES.get(dtype.name, dtype.name)
    if not smallest <= low <= largest:
        raise RuntimeError(f"from is out of bounds for {name}")
    if not smallest <= top <= largest:
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


# ---- factories ------------------------------------------------------------------------------

def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1) (PyTorch's numbers for the same seed on the CPU)."""
    return _new(size, dtype, device, requires_grad, uniform_, generator=generator)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples (PyTorch's numbers for the same seed on the CPU)."""
    return _new(size, dtype, device, requires_grad, normal_, generator=generator)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, generator=None):
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, generator=None):
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: randint(low=0, high, size)")
    size = (size,) if isinstance(size, int) else size
    dtype = dtype if dtype is not None else dtypes.int64
    return _new(size, dtype, device, requires_grad, random_, low, high, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1 (PyTorch's Fisher-Yates shuffle of its stream)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = numpy.dtype(dtype) if dtype is not None else dtypes.int64
    if dtype.kind in "iu" and n > numpy.iinfo(dtype).max:
        raise RuntimeError(f"value cannot be converted to type {dtype.name}_t without overflow")
    target = Device(device) if device is not None else get_default_device()
    order = _samplers(target).randperm(int(n), resolve(generator))
    tensor = _finish(order.astype(dtype), target, False)
    if requires_grad:
        tensor.requires_grad = True
    return tensor


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """``normal(mean, std)`` with tensors or floats (shapes broadcast), or
    ``normal(mean, std, size)`` with floats; drawn as PyTorch does: N(0, 1) (or N(0, std) for
    a float ``std``), then scaled and shifted in the output's dtype."""
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_is_tensor or std_is_tensor):
        if size is None:
            raise TypeError("normal() with float mean and std needs a size")
        return _new(size, dtype, device, requires_grad, normal_, mean, std, generator=generator)
    if std_is_tensor and std.numel() and bool((std.array < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    like = mean if mean_is_tensor else std
    shape = numpy.broadcast_shapes(tuple(mean.shape) if mean_is_tensor else (),
                                   tuple(std.shape) if std_is_tensor else ())
    draws = _new(shape, like.dtype, like.device, False, normal_, 0.0, 1.0 if std_is_tensor else std,
                 generator=generator)
    with no_grad():
        if std_is_tensor:
            draws = draws * std
        return draws + mean


def bernoulli(input, p=None, *, generator=None):
    """Zeros and ones of ``input``'s shape and dtype: ones with probability ``input`` (or ``p``)."""
    out = _empty(input.shape, input.dtype, input.device)
    return bernoulli_(out, input if p is None else p, generator=generator)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices of categories drawn from the rows of ``input`` (unnormalised probabilities)."""
    _check_multinomial(input, num_samples, replacement)
    indices = _samplers(input.device).multinomial(input.array, int(num_samples), replacement, resolve(generator))
    return _finish(indices, input.device, False)


def _check_multinomial(input, num_samples, replacement):
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_type_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    probs = input.array
    xp = array_module(probs)
    if not replacement or num_samples == 1:
        if not bool((xp.isfinite(probs) & (probs >= 0)).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    elif not bool((probs >= 0).all()):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0)")
    elif not bool(xp.isfinite(probs).all()):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)")
    if bool((probs.sum(axis=-1) <= 0).any()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


TENSOR_METHODS = {"uniform_": uniform_, "normal_": normal_, "bernoulli_": bernoulli_, "bernoulli": bernoulli,
                  "random_": random_, "exponential_": exponential_, "cauchy_": cauchy_,
                  "log_normal_": log_normal_, "geometric_": geometric_, "multinomial": multinomial}
