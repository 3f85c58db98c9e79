"""``cupy.random`` of the stand-in: the basic draws, always returned as device arrays."""
import numpy

from cupy_standin import _array, _state

_generator = [numpy.random.RandomState(0)]  # replaced by seed()


def _draw(method, *args, dtype=None, **kwargs):
    _state.use_device()
    values = getattr(_generator[0], method)(*args, **kwargs)
    host = numpy.asarray(values)
    return _array.wrap(host.astype(dtype, copy=False) if dtype is not None else host)


def seed(seed=None):
    _generator[0] = numpy.random.RandomState(seed)


def rand(*size, dtype=float):
    return _draw("random_sample", size, dtype=dtype)


def randn(*size, dtype=float):
    return _draw("standard_normal", size, dtype=dtype)


def random_sample(size=None, dtype=float):
    return _draw("random_sample", size, dtype=dtype)


random = random_sample


def uniform(low=0.0, high=1.0, size=None, dtype=float):
    return _draw("uniform", _array.operand(low), _array.operand(high), size, dtype=dtype)


def normal(loc=0.0, scale=1.0, size=None, dtype=float):
    return _draw("normal", _array.operand(loc), _array.operand(scale), size, dtype=dtype)


def randint(low, high=None, size=None, dtype=int):
    return _draw("randint", low, high, size, dtype=dtype)


def permutation(num):
    if isinstance(num, _array.ndarray):
        return _array.wrap(_generator[0].permutation(num._host))
    return _draw("permutation", _array.operand(num))


def shuffle(a):
    if not isinstance(a, _array.ndarray):
        raise TypeError("The array must be cupy.ndarray")
    _state.use_device()
    _generator[0].shuffle(a._host)


class RandomState:
    """``cupy.random.RandomState``: a seeded stream whose draws come back as device arrays
    (NumPy's legacy generator underneath; CuPy's own numbers differ, as no test relies on them)."""

    _DRAWS = ("random_sample", "standard_normal", "uniform", "normal", "lognormal", "exponential",
              "standard_cauchy", "geometric", "randint", "permutation")

    def __init__(self, seed=None):
        self._generator = numpy.random.RandomState(None if seed is None else int(seed) % (1 << 32))

    def __getattr__(self, name):
        if name not in self._DRAWS:
            raise AttributeError(f"cupy.random.RandomState has no attribute {name!r}")

        def draw(*args, dtype=None, **kwargs):
            _state.use_device()
            host = numpy.asarray(getattr(self._generator, name)(*(a._host if isinstance(a, _array.ndarray) else a
                                                                   for a in args), **kwargs))
            return _array.wrap(host.astype(dtype, copy=False) if dtype is not None else host)
        return draw
