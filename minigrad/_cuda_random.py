"""The samplers of :mod:`minigrad._distributions` for CUDA tensors, drawn with CuPy.

Same names and arguments, same distributions, but CuPy's stream (a ``cupy.random.RandomState``
seeded from the generator's ``initial_seed``): PyTorch's CUDA numbers (Philox) are not
reproduced. Every array op goes through CuPy, so nothing leaves the GPU.
"""
from minigrad._distributions import default_modulus


def _state(generator):
    return generator.cupy_random_state()


def _float(dtype):
    """CuPy draws float32 or float64; float16 is drawn in float32 and cast."""
    return "float64" if dtype.name == "float64" else "float32"


def uniform(shape, dtype, low, high, generator):
    return _state(generator).uniform(low, high, shape, dtype=_float(dtype)).astype(dtype)


def normal(shape, dtype, mean, std, generator, contiguous=True):
    return _state(generator).normal(mean, std, shape, dtype=_float(dtype)).astype(dtype)


def log_normal(shape, dtype, mean, std, generator):
    return _state(generator).lognormal(mean, std, shape, dtype=_float(dtype)).astype(dtype)


def exponential(shape, dtype, lambd, generator):
    return _state(generator).exponential(1.0 / lambd, shape, dtype=_float(dtype)).astype(dtype)


def cauchy(shape, dtype, median, sigma, generator):
    return (median + sigma * _state(generator).standard_cauchy(shape, dtype=_float(dtype))).astype(dtype)


def geometric(shape, dtype, p, generator):
    return _state(generator).geometric(p, shape).astype(dtype)


def bernoulli_scalar(shape, dtype, p, generator):
    return (_state(generator).random_sample(shape) < p).astype(dtype)


def bernoulli_tensor(p, dtype, generator):
    return (_state(generator).random_sample(p.shape, dtype=_float(p.dtype)) < p).astype(dtype)


def integers(shape, dtype, low, span, generator):
    return (_state(generator).randint(0, span, shape, dtype="int64") + low).astype(dtype)


def full_range_int64(shape, dtype, generator):
    words = _state(generator).randint(0, 1 << 32, (2,) + tuple(shape), dtype="int64").astype("uint64")
    return ((words[0] << 32) | words[1]).view("int64").astype(dtype)


def random_default(shape, dtype, generator):
    return integers(shape, dtype, 0, default_modulus(dtype), generator)


def randperm(n, generator):
    return _state(generator).permutation(n).astype("int64")


def multinomial(probs, num_samples, replacement, generator):
    """Gumbel top-k without replacement; inverse cumulative sums with replacement."""
    import cupy
    state, rows = _state(generator), probs.reshape(-1, probs.shape[-1])
    if not replacement or num_samples == 1:
        keys = rows / state.exponential(1.0, rows.shape, dtype=_float(rows.dtype))
        chosen = cupy.argsort(-keys, axis=1)[:, :num_samples]
    else:
        cumulative = cupy.cumsum(rows, axis=1, dtype="float64")
        cumulative /= cumulative[:, -1:]
        uniforms = state.random_sample((rows.shape[0], num_samples))
        chosen = (cumulative[:, None, :-1] < uniforms[:, :, None]).sum(axis=2)
    return chosen.astype("int64").reshape(probs.shape[:-1] + (num_samples,))
