"""Seeded random number generation.

One default :class:`Generator` feeds every random factory, ``nn.init``, dropout, data
shuffling and random transforms, so ``minigrad.manual_seed(n)`` makes a whole run
reproducible. Numbers are drawn on the CPU with NumPy's PCG64 and then moved to the
tensor's device, so a seed gives the same numbers on CPU and CUDA.
"""
import json

import numpy

DEFAULT_SEED = 67280421310721  # PyTorch's default seed, for familiarity


class Generator:
    """A random number generator with PyTorch's interface (``manual_seed``, ``get_state``...).

    ``self.numpy`` is the underlying ``numpy.random.Generator``: draw from it directly
    when writing array code (``generator.numpy.standard_normal(shape)``).
    """

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            raise ValueError(f"seed must be non-negative, got {seed}")
        self._seed = seed
        self.numpy = numpy.random.Generator(numpy.random.PCG64(seed))
        return self

    def seed(self):
        """Re-seed from the operating system's entropy and return the new seed."""
        return self.manual_seed(int(numpy.random.SeedSequence().entropy % (2**63)))._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 array (JSON text), like PyTorch's ByteTensor."""
        state = {"seed": self._seed, "bit_generator": self.numpy.bit_generator.state}
        text = json.dumps(state, default=str)
        return numpy.frombuffer(text.encode("ascii"), dtype=numpy.uint8).copy()

    def set_state(self, state):
        array = numpy.asarray(getattr(state, "numpy", lambda: state)(), dtype=numpy.uint8)
        try:
            saved = json.loads(array.tobytes().decode("ascii"))
            bit_state = saved["bit_generator"]
            for key in ("state", "inc"):
                bit_state["state"][key] = int(bit_state["state"][key])
            bit_generator = numpy.random.PCG64()
            bit_generator.state = bit_state
        except (ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"invalid generator state: {error}") from error
        self._seed = int(saved["seed"])
        self.numpy = numpy.random.Generator(bit_generator)
        return self

    def __repr__(self):
        return f"<minigrad.Generator seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (every random draw in minigrad) and return it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def numpy_generator(generator=None):
    """The NumPy generator to draw from: ``generator``'s, or the default one's."""
    return (generator or default_generator).numpy
