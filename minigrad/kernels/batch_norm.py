"""Batch norm in training mode on raw arrays, in few passes over memory.

x is viewed as (N, C, L): channels on axis 1, every other axis folded into N (before) or L
(after). With n = N * L values per channel, sums over axes (0, 2) and per-channel values
broadcast over the rest:

    forward    mean = sum(x) / n
               var = sum((x - mean)^2) / n,  inv_std = 1 / sqrt(var + eps)
               out = x * alpha + (bias - mean * alpha),  alpha = weight * inv_std  (as PyTorch)
    backward   sum_g = sum(g),  sum_gc = sum(g * (x - mean))
               grad_x = scale * (g - (x - mean) * slope - offset), with the per-channel
               scale = weight * inv_std, slope = inv_std^2 * sum_gc / n, offset = sum_g / n

(the op in ``minigrad.ops.nn_ops`` computes the factors of grad_x). The data is walked in blocks
of whole samples, about 256 KB each: a block's sums are ``einsum`` (faster than
``.sum(axis=(0, 2))``), its elementwise steps write with ``out=`` into the result or into one
scratch block per thread, so they run in cache and make no full-size temporaries. x - mean is
made again block by block where it is needed rather than kept: writing and reading it back
cost more than the subtraction. Forward reads x three times and writes the output once;
backward reads x and g twice and writes the gradient once.

The blocks are fixed by the shape alone and their partial sums are added in block order in
float64, so a result does not depend on how many threads ran the blocks (``over_batch`` hands
each thread a range of blocks).
"""
from minigrad.backend import array_module
from minigrad.kernels.parallel import over_batch

# Elements per block: 256 KB of float32, so that a block, its result and a scratch block stay in
# the core's L2 cache between passes (alone, a subtract over 512 KB blocks ran 2x slower than over
# 128 KB ones; in the whole op 128-512 KB blocks were within the machine's noise).
BLOCK_ELEMENTS = 2 ** 16


def as_samples(array):
    """``array`` as a contiguous (N, C, L) array: a view, or a copy of a strided array (then
    every pass runs NumPy's contiguous loops, and the numbers are those of a contiguous input)."""
    return array_module(array).ascontiguousarray(array).reshape(array.shape[0], array.shape[1], -1)


def per_channel(values, samples):
    """Per-channel values laid out to broadcast over blocks of the (N, C, L) array ``samples``:
    one sample's worth, (C, L), when that is small, as NumPy's loops run contiguous operands
    about twice as fast as a broadcast (C, 1) one; otherwise (C, 1)."""
    column = values.reshape(-1, 1).astype(samples.dtype, copy=False)
    if samples.shape[2] == 1 or samples[0].size > BLOCK_ELEMENTS:
        return column
    rows = array_module(values).empty(samples.shape[1:], dtype=samples.dtype)
    rows[...] = column
    return rows


def _over_blocks(function, samples, passes):
    """``function(rows, scratch)`` for each block ``samples[rows]`` of whole samples of the
    (N, C, L) array ``samples``, run by the thread team; ``scratch`` is an array of the
    block's shape that each thread reuses. The results in block order."""
    xp, batch = array_module(samples), samples.shape[0]
    size = max(1, BLOCK_ELEMENTS // max(samples[0].size, 1))
    count = -(-batch // size)

    def part(first, last):
        scratch = xp.empty((min(size, batch),) + samples.shape[1:], dtype=samples.dtype)
        blocks = (slice(k * size, min((k + 1) * size, batch)) for k in range(first, last))
        return [function(rows, scratch[:rows.stop - rows.start]) for rows in blocks]

    return [result for results in over_batch(part, count, samples.size * passes, xp) for result in results]


def _total(partials, dtype, divisor=1):
    """The per-channel sum of the blocks' partial sums (added in block order in float64) / divisor."""
    xp = array_module(partials[0])
    return (xp.stack(partials).astype(xp.float64).sum(axis=0) / divisor).astype(dtype)


def forward(x, weight, bias, eps):
    """(out, mean, var, inv_std) for x of shape (N, C, ...); weight and bias hold C values;
    the statistics are 1-D."""
    xp, samples = array_module(x), as_samples(x)
    count = samples.shape[0] * samples.shape[2]
    mean = _total(_over_blocks(lambda rows, _: xp.einsum("nci->c", samples[rows]), samples, 1), x.dtype, count)
    center = per_channel(mean, samples)

    def squares(rows, scratch):
        centered = xp.subtract(samples[rows], center, out=scratch)
        return xp.einsum("nci,nci->c", centered, centered)

    var = _total(_over_blocks(squares, samples, 3), x.dtype, count)
    inv_std = 1 / xp.sqrt(var + eps)
    alpha = weight.reshape(-1) * inv_std
    alpha_rows, beta_rows = per_channel(alpha, samples), per_channel(bias.reshape(-1) - mean * alpha, samples)
    out = xp.empty(samples.shape, dtype=x.dtype)

    def normalize(rows, _):
        xp.add(xp.multiply(samples[rows], alpha_rows, out=out[rows]), beta_rows, out=out[rows])

    _over_blocks(normalize, samples, 3)
    return out.reshape(x.shape), mean, var, inv_std


def channel_sums(grad, x, mean, moment=True):
    """(sum(grad), sum(grad * (x - mean))) per channel, 1-D; the second is None unless ``moment``."""
    xp, grad, samples = array_module(grad), as_samples(grad), as_samples(x)
    center = per_channel(mean, samples)

    def sums(rows, scratch):
        if not moment:
            return xp.einsum("nci->c", grad[rows]), None
        centered = xp.subtract(samples[rows], center, out=scratch)
        return xp.einsum("nci->c", grad[rows]), xp.einsum("nci,nci->c", grad[rows], centered)

    pairs = _over_blocks(sums, samples, 4 if moment else 1)
    return (_total([s for s, _ in pairs], grad.dtype),
            _total([s for _, s in pairs], grad.dtype) if moment else None)


def input_grad(grad, x, mean, scale, slope, offset):
    """scale * (grad - (x - mean) * slope - offset), with per-channel mean, scale, slope and
    offset of any shape holding C values."""
    xp, samples, grads = array_module(grad), as_samples(x), as_samples(grad)
    center, scale, slope, offset = (per_channel(v, samples) for v in (mean, scale, slope, offset))
    out = xp.empty(samples.shape, dtype=grad.dtype)

    def part(rows, scratch):
        term = xp.subtract(samples[rows], center, out=scratch)
        xp.add(xp.multiply(term, slope, out=term), offset, out=term)
        xp.multiply(xp.subtract(grads[rows], term, out=out[rows]), scale, out=out[rows])

    _over_blocks(part, samples, 7)
    return out.reshape(grad.shape)
