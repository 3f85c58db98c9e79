"""PyTorch's CPU Mersenne Twister: its seeding, its 32- and 64-bit draws, its state bytes.

PyTorch seeds MT19937 with the low 32 bits of the seed (Matsumoto and Nishimura's
``init_genrand`` recurrence) and hands out tempered 32-bit words; a 64-bit draw is two
words, the first one in the high half. NumPy's ``MT19937`` bit generator runs the same
twist and tempering in C, so we load PyTorch's key into it and read raw words from it:
only the seeding and the state layout are written here.

The state bytes are PyTorch's ``CPUGeneratorImplState`` on x86-64 (5056 bytes), so a state
from ``torch.get_rng_state().numpy()`` can be loaded here and the other way round.
"""
import numpy

WORDS = 624
STATE_BYTES = 5056
_SEEDED_LEFT = 1  # PyTorch's ``left`` right after seeding: the first draw twists

# CPUGeneratorImplState: the legacy TH struct (seed, left, seeded, next, 624 words widened to
# 64 bits, three doubles and a flag for the cached normal) then the cached float normal
_LAYOUT = numpy.dtype([
    ("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"), ("state", "<u8", (WORDS,)),
    ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"), ("normal_is_valid", "<i4"),
    ("pad", "<i4"), ("normal_float", "<f4"), ("normal_float_is_valid", "u1"), ("pad2", "u1", (3,)),
])
assert _LAYOUT.itemsize == STATE_BYTES


def seeded_key(seed):
    """The 624 state words PyTorch's ``mt19937(seed)`` starts from (before its first twist)."""
    key = numpy.empty(WORDS, dtype=numpy.uint32)
    word = seed & 0xFFFFFFFF
    key[0] = word
    for i in range(1, WORDS):
        word = (1812433253 * (word ^ (word >> 30)) + i) & 0xFFFFFFFF
        key[i] = word
    return key


class Engine:
    """One MT19937 stream with PyTorch's seeding and bookkeeping over NumPy's C twister.

    NumPy keeps a position ``pos`` (624: twist before the next word); PyTorch keeps ``left``
    and ``next`` with ``left + next == 625`` once running. Right after seeding PyTorch has
    ``left=1, next=0``, which NumPy cannot tell apart from an exhausted block, so the
    ``next`` to report while NumPy sits at 624 is kept in ``_idle_next``.
    """

    def __init__(self, seed):
        self.seed = seed
        self._bits = numpy.random.MT19937()
        self._load(seeded_key(seed), WORDS)
        self._idle_next = 0

    def _load(self, key, pos):
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    def words(self, count):
        """``count`` tempered 32-bit words (as uint64), PyTorch's ``random()`` in order."""
        if count <= 0:
            return numpy.empty(0, dtype=numpy.uint64)
        self._idle_next = WORDS
        return self._bits.random_raw(count)

    def words64(self, count):
        """``count`` 64-bit draws, PyTorch's ``random64()``: high word first."""
        pairs = self.words(2 * count).reshape(count, 2)
        return (pairs[:, 0] << numpy.uint64(32)) | pairs[:, 1]

    def pack(self, normal_double, normal_float):
        """PyTorch's state bytes, with the cached normals (``None`` when absent)."""
        state = self._bits.state["state"]
        pos = int(state["pos"])
        record = numpy.zeros((), dtype=_LAYOUT)
        record["seed"], record["seeded"] = self.seed, 1
        record["next"] = self._idle_next if pos == WORDS else pos
        record["left"] = WORDS + 1 - pos
        record["state"] = state["key"]
        if normal_double is not None:
            record["normal_y"], record["normal_is_valid"] = normal_double, 1
        if normal_float is not None:
            record["normal_float"], record["normal_float_is_valid"] = normal_float, 1
        return numpy.frombuffer(record.tobytes(), dtype=numpy.uint8).copy()

    @classmethod
    def unpack(cls, data):
        """(engine, cached double normal, cached float normal) from PyTorch's state bytes."""
        data = numpy.ascontiguousarray(data, dtype=numpy.uint8).reshape(-1)
        if data.size != STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_BYTES} but found the input "
                               f"RNG state size to be {data.size}")
        record = numpy.frombuffer(data.tobytes(), dtype=_LAYOUT)[0]
        left, after = int(record["left"]), int(record["next"])
        if not record["seeded"] or not 0 < left <= WORDS or after > WORDS:
            raise RuntimeError("Invalid mt19937 state")
        engine = cls.__new__(cls)
        engine.seed = int(record["seed"])
        engine._bits = numpy.random.MT19937()
        # a consistent running state has left + next == 625; left == 1 twists on the next draw
        pos = WORDS if left == _SEEDED_LEFT else after
        engine._load(record["state"].astype(numpy.uint32), pos)
        engine._idle_next = after
        double = float(record["normal_y"]) if record["normal_is_valid"] else None
        single = numpy.float32(record["normal_float"]) if record["normal_float_is_valid"] else None
        return engine, double, single
