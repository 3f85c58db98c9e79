"""Array-level samplers that turn a :class:`minigrad.random.Generator`'s bits into numbers
exactly as PyTorch 2.13's CPU kernels do (checked against the x86-64 wheel with MKL on an
AVX-512 Intel Xeon).

Each takes a shape (or the parameters that define one), a NumPy dtype, the distribution's
parameters and a generator, and returns a NumPy array whose C order is PyTorch's order of
draws. The conventions they reproduce:

- A float32 uniform uses one 32-bit word (its low 24 bits); a float64 uniform uses one
  64-bit draw (two words, low 53 bits); ``u * (to - from) + from`` is one fused multiply-add.
- Most distributions (exponential, Cauchy, geometric, bernoulli with a scalar ``p``, log-normal)
  draw a float64 uniform per element whatever the tensor's dtype, compute in double, then cast.
- ``normal``: 16 or more elements of a contiguous tensor are filled in blocks of 16 with
  Box-Muller (8 cosines then 8 sines per block), the last partial block recomputed from 16
  fresh uniforms; float32 goes through the AVX2 kernel (PyTorch does not dispatch ``normal`` to
  AVX-512). Fewer elements, or a strided tensor, take one double Box-Muller pair per two
  values and cache the spare sine in the generator for the next call.
"""
import math

import numpy

from minigrad._floatmath import fma32, fma64, libm, log_ps, sincos_ps

f32, f64 = numpy.float32, numpy.float64
_MASK24, _MASK53 = numpy.uint64((1 << 24) - 1), numpy.uint64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
_WIDE_RANGE = 1 << 28  # integer ranges from here on draw 64 bits (PyTorch's skew limit)
_PERM_SMALL = 0xFFFFFFFF // 20  # below this, randperm swaps with 32-bit draws
_LOG_DOUBLE_MAX = math.log(numpy.finfo(f64).max)  # math.exp raises above this


def _count(shape):
    return int(numpy.prod(shape, dtype=numpy.int64))


def unit_float32(generator, count):
    """float32 uniforms in [0, 1): 24 random bits each."""
    return (generator.engine.words(count) & _MASK24).astype(f32) * f32(2.0 ** -24)


def unit_float64(generator, count):
    """float64 uniforms in [0, 1): 53 random bits each."""
    return (generator.engine.words64(count) & _MASK53).astype(f64) * 2.0 ** -53


def _opmath(dtype):
    """The dtype PyTorch computes a floating dtype's samples in (float16 goes through float32)."""
    return f64 if dtype == f64 else f32


def uniform(shape, dtype, low, high, generator):
    """``uniform_(low, high)``; a value that rounds up to ``high`` becomes ``low``."""
    count, opmath = _count(shape), _opmath(dtype)
    if opmath == f64:
        values = fma64(unit_float64(generator, count), high - low, low)
    else:
        low32, high32 = f32(low), f32(high)
        values = fma32(unit_float32(generator, count), high32 - low32, low32)
    values = values.astype(dtype)
    values[values == dtype.type(high)] = dtype.type(low)
    return values.reshape(shape)


def _box_muller_block32(uniforms, mean, std):
    """Rows of 16 float32 uniforms -> 16 normals: PyTorch's AVX2 ``NormalFill16``."""
    radius = numpy.sqrt(f32(-2.0) * log_ps(f32(1.0) - uniforms[:, :8]))
    sine, cosine = sincos_ps(f32(_TWO_PI) * uniforms[:, 8:])
    mean, std = f32(mean), f32(std)
    return numpy.concatenate([fma32(radius * cosine, std, mean), fma32(radius * sine, std, mean)], axis=1)


def _box_muller_block64(uniforms, mean, std):
    """Rows of 16 float64 uniforms -> 16 normals: PyTorch's scalar ``NormalFill16``."""
    radius = numpy.sqrt(-2.0 * libm("log", 1.0 - uniforms[:, :8]))
    theta = _TWO_PI * uniforms[:, 8:]
    return numpy.concatenate([fma64(radius * libm("cos", theta), std, mean),
                              fma64(radius * libm("sin", theta), std, mean)], axis=1)


def _normal_blocks(count, dtype, mean, std, generator):
    opmath = _opmath(dtype)
    draw, block = (unit_float64, _box_muller_block64) if opmath == f64 else (unit_float32, _box_muller_block32)
    whole = count - count % 16
    if opmath == f64 or dtype == f32:
        # float and double fill the whole tensor with uniforms first, then transform it
        values = draw(generator, count)[:whole]
    else:
        values = draw(generator, whole)  # half precision goes block by block through a buffer
    values = block(values.reshape(-1, 16), mean, std).reshape(-1)
    if count % 16:
        tail = block(draw(generator, 16).reshape(1, 16), mean, std).reshape(-1)
        values = numpy.concatenate([values[:count - 16], tail])
    return values.astype(dtype)


def standard_normal_pairs(count, generator):
    """``count`` standard normals in PyTorch's serial order: the cached one first, then
    cosine/sine pairs from double Box-Muller; an unused sine is cached again."""
    values = []
    if count and generator.normal_double is not None:
        values.append(numpy.array([generator.normal_double]))
        generator.normal_double = None
        count -= 1
    pairs = (count + 1) // 2
    uniforms = unit_float64(generator, 2 * pairs).reshape(pairs, 2)
    radius = numpy.sqrt(-2.0 * libm("log1p", -uniforms[:, 1]))
    theta = _TWO_PI * uniforms[:, 0]
    fresh = numpy.stack([radius * libm("cos", theta), radius * libm("sin", theta)], axis=1).reshape(-1)
    if count % 2:
        generator.normal_double = float(fresh[-1])
    values.append(fresh[:count])
    return numpy.concatenate(values)


def normal(shape, dtype, mean, std, generator, contiguous=True):
    """``normal_(mean, std)`` on a tensor of ``shape``; ``contiguous`` picks the block path."""
    count = _count(shape)
    if count >= 16 and contiguous:
        return _normal_blocks(count, dtype, mean, std, generator).reshape(shape)
    values = fma64(standard_normal_pairs(count, generator), std, mean)
    return values.astype(dtype).reshape(shape)


def log_normal(shape, dtype, mean, std, generator):
    """``log_normal_``: exp of a serial (cached, double) normal."""
    values = fma64(standard_normal_pairs(_count(shape), generator), std, mean)
    overflow = values > _LOG_DOUBLE_MAX
    grown = libm("exp", numpy.where(overflow, 0.0, values))
    return numpy.where(overflow, numpy.inf, grown).astype(dtype).reshape(shape)


def exponential(shape, dtype, lambd, generator):
    values = (-1.0 / lambd) * libm("log1p", -unit_float64(generator, _count(shape)))
    return values.astype(dtype).reshape(shape)


def cauchy(shape, dtype, median, sigma, generator):
    turns = unit_float64(generator, _count(shape)) - 0.5
    return fma64(sigma, libm("tan", math.pi * turns), median).astype(dtype).reshape(shape)


def geometric(shape, dtype, p, generator):
    uniforms = unit_float64(generator, _count(shape))
    logs = numpy.where(uniforms > 0, libm("log", numpy.where(uniforms > 0, uniforms, 1.0)), -numpy.inf)
    trials = numpy.ceil(logs / math.log1p(-p))
    return trials.astype(dtype).reshape(shape)


def bernoulli_scalar(shape, dtype, p, generator):
    """``bernoulli_(p)`` with a float ``p``: one double uniform per element, ``u < p``.

    PyTorch builds with MKL once took an MKL (MCG31) path here on Intel CPUs; PyTorch 2.13's
    CPU wheel no longer has it and uses the generic kernel, as reproduced here.
    """
    return (unit_float64(generator, _count(shape)) < p).astype(dtype).reshape(shape)


def bernoulli_tensor(p, dtype, generator):
    """``bernoulli_(p)`` with an array ``p`` (already broadcast to the output's shape):
    float64 ``p`` compares a double uniform, other float dtypes a float32 one."""
    if p.dtype == f64:
        uniforms = unit_float64(generator, p.size)
    else:
        uniforms = unit_float32(generator, p.size)
        p = p.astype(f32)
    return (uniforms < p.reshape(-1)).astype(dtype).reshape(p.shape)


def integers(shape, dtype, low, span, generator):
    """``random_(low, low + span)``: ``draw % span + low`` with 64-bit draws once ``span``
    reaches 2**28; wraps like PyTorch's unsigned arithmetic before the cast to ``dtype``."""
    engine = generator.engine
    draws = engine.words64(_count(shape)) if span >= _WIDE_RANGE else engine.words(_count(shape))
    values = (draws % numpy.uint64(span) + numpy.uint64(low % (1 << 64))).view(numpy.int64)
    return values.astype(dtype).reshape(shape)


def full_range_int64(shape, dtype, generator):
    """``random_(-2**63, None)``: the 64-bit draw itself, as a signed number."""
    return generator.engine.words64(_count(shape)).view(numpy.int64).astype(dtype).reshape(shape)


def default_modulus(dtype):
    """``random_()``'s range: [0, max] for integers, [0, 2**mantissa] for floats."""
    if dtype.kind == "f":
        return (1 << (numpy.finfo(dtype).nmant + 1)) + 1
    if dtype == numpy.bool_:
        return 2
    return int(numpy.iinfo(dtype).max) + 1


def random_default(shape, dtype, generator):
    """``random_()`` with no bounds: 64-bit draws for int64 and float64, 32-bit otherwise."""
    count = _count(shape)
    wide = dtype in (numpy.dtype(numpy.int64), numpy.dtype(f64))
    draws = generator.engine.words64(count) if wide else generator.engine.words(count)
    return (draws % numpy.uint64(default_modulus(dtype))).astype(dtype).reshape(shape)


def randperm(n, generator):
    """A permutation of 0..n-1: PyTorch's forward Fisher-Yates with ``random() % (n - i)``
    (the inside-out variant with 64-bit draws for n above 2**32 / 20)."""
    if n < _PERM_SMALL:
        order = list(range(n))
        for i, draw in enumerate(generator.engine.words(n - 1).tolist()):
            j = i + draw % (n - i)
            order[i], order[j] = order[j], order[i]
        return numpy.array(order, dtype=numpy.int64)
    order = numpy.empty(n, dtype=numpy.int64)
    for i in range(n):
        j = int(generator.engine.words64(1)[0] % (i + 1))
        order[i] = order[j]
        order[j] = i
    return order


def multinomial(probs, num_samples, replacement, generator):
    """Category indices drawn from the rows of ``probs`` (1-D or 2-D, already validated).

    Without replacement (or for a single sample) PyTorch draws an exponential per entry and
    takes the largest ``p / q`` (the Gumbel top-k trick); with replacement it inverts each
    row's normalised cumulative sum with one double uniform per sample.
    """
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement or num_samples == 1:
        keys = rows / exponential(rows.shape, rows.dtype, 1.0, generator)
        chosen = numpy.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        chosen = numpy.empty((rows.shape[0], num_samples), dtype=numpy.int64)
        for r, row in enumerate(rows):
            cumulative = numpy.cumsum(row, dtype=row.dtype)
            cumulative = cumulative / cumulative[-1]
            cumulative[-1] = 1
            chosen[r] = numpy.searchsorted(cumulative.astype(f64), unit_float64(generator, num_samples))
    return chosen.astype(numpy.int64).reshape(probs.shape[:-1] + (num_samples,))
