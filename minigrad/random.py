"""PyTorch's CPU random generator, reproduced: same seed, same numbers.

``minigrad.manual_seed(s)`` puts the default :class:`Generator` in the Mersenne Twister
state PyTorch's ``torch.manual_seed(s)`` gives its CPU generator, and every sampler in
:mod:`minigrad.sampling` consumes that stream in PyTorch's order and turns bits into numbers
with PyTorch's arithmetic (see :mod:`minigrad._distributions`). ``get_rng_state`` returns
PyTorch's 5056 state bytes, so states can even be exchanged with PyTorch.

CUDA tensors draw from CuPy's generator, seeded by the same ``manual_seed``; PyTorch's CUDA
streams (Philox) are not reproduced there.
"""
import os

import numpy

from minigrad._mt19937 import Engine
from minigrad.backend import device as Device
from minigrad.engine import make_tensor

DEFAULT_SEED = 67280421310721  # PyTorch's default_rng_seed_val
_UINT64 = 1 << 64


def _seed_value(seed):
    """PyTorch's reading of a seed: any int from -2**63 to 2**64 - 1, negatives wrapped."""
    if isinstance(seed, numpy.integer):
        seed = int(seed)
    if not isinstance(seed, int):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not -(1 << 63) <= seed < _UINT64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _UINT64


class Generator:
    """A random stream with PyTorch's interface and, on the CPU, PyTorch's numbers.

    Besides the Mersenne Twister it carries PyTorch's cached normals: a Box-Muller draw
    makes two values and PyTorch keeps the second (the sine) for the next small ``randn``.
    ``get_state``/``set_state`` round-trip both.
    """

    def __init__(self, device="cpu"):
        self.device = Device(device)
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Seed the stream (PyTorch keeps all 64 bits as ``initial_seed`` but the twister
        only uses the low 32) and return the generator."""
        self.engine = Engine(_seed_value(seed))
        self.normal_double = self.normal_float = None
        self.cuda_manual_seed(self.engine.seed)
        return self

    def cuda_manual_seed(self, seed):
        """Seed only the CUDA stream (CuPy's), as ``torch.cuda.manual_seed`` does."""
        self._cuda_seed, self._cupy_state = _seed_value(seed), None
        return self

    def seed(self):
        """Re-seed from the operating system's entropy and return the new seed."""
        value = int.from_bytes(os.urandom(8), "little") >> 1
        self.manual_seed(value)
        return value

    def initial_seed(self):
        return self.engine.seed

    def get_state(self):
        """PyTorch's state bytes, as a uint8 CPU tensor of 5056 (torch.ByteTensor): the twister,
        its position and the cached normals."""
        return make_tensor(self.engine.pack(self.normal_double, self.normal_float))

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state` (or from ``torch.get_rng_state()``)."""
        array = new_state.numpy() if hasattr(new_state, "numpy") else new_state
        if not isinstance(array, numpy.ndarray) or array.dtype != numpy.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        self.engine, self.normal_double, self.normal_float = Engine.unpack(array)
        return self

    def cupy_random_state(self):
        """CuPy's generator for this generator's CUDA draws (created at the first one)."""
        if self._cupy_state is None:
            import cupy
            self._cupy_state = cupy.random.RandomState(self._cuda_seed % (1 << 63))
        return self._cupy_state

    def __repr__(self):
        return f"<minigrad.Generator device={self.device} initial_seed={self.engine.seed}>"


default_generator = Generator()


def resolve(generator):
    """``generator``, or the default one when it is None."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a minigrad.Generator, not {type(generator).__name__}")
    return generator


def manual_seed(seed):
    """Seed the default generator (every random draw in minigrad) and return it."""
    return default_generator.manual_seed(int(seed))


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)
