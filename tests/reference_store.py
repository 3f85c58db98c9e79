"""The committed store of PyTorch's answers (tests/references/): what an answer may hold, how it
is encoded, one file per test module, and the recorder that writes them. tests/oracle.py is the
interface the tests use.

An answer is made of plain values: None, bools, numbers, strings, lists, tuples, dicts (any
plain keys), NumPy arrays and scalars, and three kinds of our own: ``Raised`` (an error's type
and message), ``Digest`` (an array's sha256, where only bit-for-bit equality is asked) and
``Sketch`` (a few numbers standing for a large floating array). Dense torch tensors become
arrays and a ``torch.dtype`` its name on the way in. An answer is encoded as JSON, its arrays as
references into one byte blob; a module's answers go into ``<module>.npz`` holding two uint8
arrays, ``index`` (the JSON: test id -> label -> entry number, and the entries) and ``blob``,
read back with ``allow_pickle=False``: loading runs no code.
"""
import hashlib
import json
import re

import numpy

UNSUPPORTED_DTYPE_KINDS = "OV"  # object and void arrays cannot be stored safely


class Raised:
    """What a call raised: the exception's class name and its message, with library names
    unified (``torch.float32`` and ``minigrad.float32`` read the same)."""

    def __init__(self, kind, message):
        self.kind = kind
        self.message = message

    @classmethod
    def from_error(cls, error):
        return cls(type(error).__name__, unify_names(str(error)))

    @classmethod
    def of(cls, call):
        """What ``call()`` raised, or None when it returned."""
        try:
            call()
        except Exception as error:  # noqa: BLE001 - the error is the observation
            return cls.from_error(error)
        return None

    @property
    def first_line(self):
        return self.message.splitlines()[0] if self.message else ""

    def __eq__(self, other):
        return isinstance(other, Raised) and (self.kind, self.message) == (other.kind, other.message)

    def __hash__(self):
        return hash((self.kind, self.message))

    def __repr__(self):
        return f"Raised({self.kind}: {self.message})"


def unify_names(text):
    """``torch.float32`` and ``minigrad.float32`` read the same; object addresses are dropped."""
    text = re.sub(r"\btorch\b", "minigrad", text)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", text)


class Digest:
    """The sha256 of an array's dtype, shape and bytes: what is stored where only bit-for-bit
    equality is asked."""

    def __init__(self, hexdigest, dtype, shape):
        self.hexdigest, self.dtype, self.shape = hexdigest, dtype, tuple(shape)

    @classmethod
    def of(cls, array):
        array = numpy.asarray(array)
        sha = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
        sha.update(array.tobytes())  # C order, whatever the strides
        return cls(sha.hexdigest(), array.dtype.str, array.shape)

    def __eq__(self, other):
        return isinstance(other, Digest) and self.hexdigest == other.hexdigest

    def __hash__(self):
        return hash(self.hexdigest)

    def __repr__(self):
        return f"Digest({self.dtype}, {self.shape}, {self.hexdigest[:12]}...)"


class Sketch:
    """A large floating array kept as a few numbers: dtype and shape, the values at up to 64
    evenly spaced positions, its 1-norm and largest magnitude, and 8 sums with fixed
    pseudo-random signs (the signs depend only on the size)."""

    SAMPLES, SUMS = 64, 8

    def __init__(self, dtype, shape, samples, sums, norm1, largest):
        self.dtype, self.shape = dtype, tuple(shape)
        self.samples, self.sums = numpy.asarray(samples, numpy.float64), numpy.asarray(sums, numpy.float64)
        self.norm1, self.largest = float(norm1), float(largest)

    @staticmethod
    def _positions(size):
        return numpy.linspace(0, size - 1, min(size, Sketch.SAMPLES)).round().astype(numpy.int64)

    @staticmethod
    def _signs(size):
        return numpy.random.default_rng(size).choice(numpy.array([-1.0, 1.0]), (Sketch.SUMS, size))

    @classmethod
    def of(cls, array):
        flat = numpy.asarray(array, numpy.float64).ravel()
        return cls(array.dtype.str, array.shape, flat[cls._positions(flat.size)], cls._signs(flat.size) @ flat,
                   numpy.abs(flat).sum(), numpy.abs(flat).max(initial=0.0))

    def check(self, ours, rtol, atol, message=""):
        """Assert what ``assert_allclose(ours, full, rtol, atol)`` implies for the sketched array."""
        ours = numpy.asarray(ours)
        assert ours.shape == self.shape, f"{message}: shape {ours.shape} != PyTorch's {self.shape}"
        flat = ours.astype(numpy.float64).ravel()
        numpy.testing.assert_allclose(flat[self._positions(flat.size)], self.samples, rtol=rtol, atol=atol,
                                      err_msg=f"{message} (sampled elements)")
        sums = self._signs(flat.size) @ flat
        slack = atol * flat.size + rtol * self.norm1 + 1e-12 * (self.norm1 + numpy.abs(flat).sum())
        worst = float(numpy.abs(sums - self.sums).max(initial=0.0))
        assert worst <= slack, f"{message}: signed sums differ by {worst:.3g} > {slack:.3g} (sketch of PyTorch's)"

    def __repr__(self):
        return f"Sketch({self.dtype}, {self.shape})"


# ---- encoding: plain values <-> JSON plus one byte blob ------------------------------------

class _Encoder:
    """Turns an answer into JSON-able data, its arrays appended to one byte blob (identical
    arrays stored once)."""

    def __init__(self, sketch_above=None):
        self.blob = bytearray()
        self._offsets = {}
        self.sketch_above = sketch_above

    def encode(self, value, digest=False):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)) and type(value) in (int, float):
            return value
        if isinstance(value, complex):
            return {"complex": [value.real, value.imag]}
        if isinstance(value, Raised):
            return {"raised": [value.kind, value.message]}
        if isinstance(value, Digest):
            return {"digest": [value.hexdigest, value.dtype, list(value.shape)]}
        if isinstance(value, Sketch):
            return {"sketch": [value.dtype, list(value.shape), value.samples.tolist(), value.sums.tolist(),
                               value.norm1, value.largest]}
        if isinstance(value, numpy.generic):
            return {"scalar": self.encode(numpy.asarray(value), digest=False)}
        value = _from_torch(value)
        if isinstance(value, numpy.ndarray):
            return self._array(value, digest)
        if isinstance(value, tuple):
            return {"tuple": [self.encode(item, digest) for item in value]}
        if isinstance(value, list):
            return [self.encode(item, digest) for item in value]
        if isinstance(value, dict):
            return {"dict": [[self.encode(key), self.encode(item, digest)] for key, item in value.items()]}
        raise TypeError(f"a reference function must return plain values (arrays, numbers, strings, None, "
                        f"lists, tuples, dicts, Raised); got {type(value).__module__}.{type(value).__name__}")

    def _array(self, array, digest):
        if array.dtype.kind in UNSUPPORTED_DTYPE_KINDS:
            raise TypeError(f"cannot store an array of dtype {array.dtype}")
        if digest:
            return self.encode(Digest.of(array))
        if (self.sketch_above is not None and array.size > self.sketch_above and array.dtype.kind == "f"
                and numpy.isfinite(array).all()):
            return self.encode(Sketch.of(array))
        data = numpy.ascontiguousarray(array).tobytes()
        key = hashlib.sha256(data).hexdigest()
        if key not in self._offsets:
            self._offsets[key] = len(self.blob)
            self.blob.extend(data)
        return {"array": [self._offsets[key], len(data), array.dtype.str, list(array.shape)]}


def _from_torch(value):
    """Dense torch tensors become NumPy arrays, a dtype its name; anything else is left alone."""
    if type(value).__module__.split(".")[0] != "torch":
        return value
    if hasattr(value, "is_floating_point") and hasattr(value, "detach"):
        if str(value.layout) != "torch.strided":
            raise TypeError("convert sparse tensors yourself (indices and values) before returning them")
        return value.detach().cpu().resolve_conj().resolve_neg().numpy().copy()
    if hasattr(value, "is_floating_point"):  # a torch.dtype
        return str(value)
    return value


def decode(data, blob):
    if isinstance(data, list):
        return [decode(item, blob) for item in data]
    if not isinstance(data, dict):
        return data
    (kind, body), = data.items()
    if kind == "array":
        offset, size, dtype, shape = body
        return numpy.frombuffer(bytes(blob[offset:offset + size]), dtype=numpy.dtype(dtype)).reshape(shape).copy()
    if kind == "scalar":
        return decode(body, blob)[()]
    if kind == "tuple":
        return tuple(decode(item, blob) for item in body)
    if kind == "dict":
        return {_hashable(decode(key, blob)): decode(item, blob) for key, item in body}
    if kind == "complex":
        return complex(*body)
    if kind == "raised":
        return Raised(*body)
    if kind == "digest":
        return Digest(body[0], body[1], body[2])
    if kind == "sketch":
        return Sketch(*body)
    raise ValueError(f"unknown entry {kind!r} in a reference store")


def _hashable(key):
    return tuple(_hashable(item) for item in key) if isinstance(key, (list, tuple)) else key


def round_trip(value, digest=False):
    """``value`` as it reads back from the store."""
    encoder = _Encoder()
    return decode(json.loads(json.dumps(encoder.encode(value, digest))), encoder.blob)


# ---- the store: one .npz per test module ----------------------------------------------------

class ModuleStore:
    """The answers of one test module: ``tests/references/<module>.npz`` holding ``index`` (UTF-8
    JSON: test id -> label -> entry number; entries) and ``blob`` (the arrays' bytes)."""

    def __init__(self, path):
        self.path = path
        self.tests, self.entries, self.blob = {}, [], b""
        if path.exists():
            with numpy.load(path, allow_pickle=False) as files:
                index = json.loads(files["index"].tobytes().decode("utf-8"))
                self.blob = files["blob"].tobytes()
            self.tests, self.entries = index["tests"], index["entries"]

    def get(self, test, label):
        number = self.tests.get(test, {}).get(label)
        return None if number is None else (self.entries[number],)


class Recorder:
    """The answers asked during a recording session, per module, written into ``store`` at the
    end: a module's file keeps the answers of its tests that did not run, and gets those of the
    tests that ran (a test that ran and asked nothing loses its old answers)."""

    def __init__(self, store):
        self.store = store
        self.modules = {}  # module -> {test id: {label: (value, sketch_above)}}
        self.ran = {}      # module -> test ids that ran

    def add(self, module, test, label, value, sketch_above):
        self.modules.setdefault(module, {}).setdefault(test, {})[label] = (value, sketch_above)

    def write(self):
        self.store.mkdir(exist_ok=True)
        for module in sorted(set(self.modules) | set(self.ran)):
            old = ModuleStore(self.store / f"{module}.npz")
            answers = {test: {label: (decode(old.entries[n], old.blob), None) for label, n in labels.items()}
                       for test, labels in old.tests.items() if test not in self.ran.get(module, ())}
            answers.update(self.modules.get(module, {}))
            write_module(self.store / f"{module}.npz", answers)


def write_module(path, answers):
    """Write {test id: {label: (value, sketch_above)}} to ``path`` (identical entries stored once);
    no answers remove the file."""
    if not answers:
        path.unlink(missing_ok=True)
        return
    encoder, entries, numbers, tests = _Encoder(), [], {}, {}
    for test in sorted(answers):
        tests[test] = {}
        for label in sorted(answers[test]):
            value, encoder.sketch_above = answers[test][label]
            text = json.dumps(encoder.encode(value), sort_keys=True)
            if text not in numbers:
                numbers[text] = len(entries)
                entries.append(json.loads(text))
            tests[test][label] = numbers[text]
    index = json.dumps({"tests": tests, "entries": entries}, separators=(",", ":")).encode("utf-8")
    numpy.savez_compressed(path, index=numpy.frombuffer(index, dtype=numpy.uint8),
                           blob=numpy.frombuffer(bytes(encoder.blob), dtype=numpy.uint8))


