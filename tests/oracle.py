"""PyTorch's answers for the differential tests: computed live when PyTorch is installed, read
from the committed store (tests/references/) when it is not.

A test asks through a function of the torch module that returns plain values: arrays, numbers,
strings, None, and lists, tuples and dicts of them (dense torch tensors become NumPy arrays, a
``torch.dtype`` its name). An error is asked for with ``error_of``::

    from oracle import error_of, reference

    def test_tanh(self):
        x = numpy.linspace(-2, 2, 5)
        expected = reference(lambda torch: torch.tanh(torch.tensor(x)), "forward")
        numpy.testing.assert_allclose(minigrad.tanh(minigrad.tensor(x)).numpy(), expected)
        raised = reference(lambda torch: error_of(lambda: torch.zeros(2).view(3)), "error")
        assert raised == Raised.of(lambda: minigrad.zeros(2).view(3))

The answer is keyed by the test's id and the label, so a label is unique within one test.
What the test gets back went through the store's encoding in every mode, so a test passes on
stored references exactly when it passes live. With ``digest=True`` every array is kept as its
sha256 (``Digest``), for answers that must match bit for bit (random streams): compare those
with ``assert_identical``, which takes an array or a ``Digest``.

Large floating arrays (whole networks' weights after every step) would make the store too big:
with ``sketch_above=n`` the store keeps each floating array of more than ``n`` elements as a
``Sketch`` (its values at 64 spread positions, its norms and 8 signed sums), and a test gets the
full array live but the sketch from the store; ``assert_close_to`` compares either. A sketch
checks a necessary condition of the element-wise tolerance, so what passes live passes on the
store; a deviation confined to elements the sketch does not sample shows only in the sums.

Modes, chosen by the test-only environment variable ``MINIGRAD_TORCH_REFERENCES``: ``live``
(the default when torch imports), ``stored`` (read the store even with torch installed), and
``record`` (live, and write what was asked to the store at the end of the session; run
``python tests/record_references.py``). Without torch and without a stored answer the test is
skipped, saying so.
"""
import hashlib
import json
import os
import re
from pathlib import Path

import numpy
import pytest

STORE = Path(__file__).resolve().parent / "references"
MODES = ("live", "stored", "record")
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


def error_of(call):
    """For use inside a reference function: what ``call()`` raised (a ``Raised``), or None."""
    return Raised.of(call)


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


def assert_identical(ours, expected, message=""):
    """``ours`` (an array) equals ``expected`` bit for bit: an array (NaNs equal) or a ``Digest``."""
    ours = numpy.asarray(ours)
    if isinstance(expected, Digest):
        assert (ours.dtype.str, ours.shape) == (expected.dtype, expected.shape), \
            f"{message}: dtype/shape {ours.dtype.str}{ours.shape} != PyTorch's {expected.dtype}{expected.shape}"
        assert Digest.of(ours) == expected, f"{message}: the values differ from PyTorch's (compared by digest)"
        return
    expected = numpy.asarray(expected)
    assert (ours.dtype, ours.shape) == (expected.dtype, expected.shape), \
        f"{message}: dtype/shape {ours.dtype}{ours.shape} != PyTorch's {expected.dtype}{expected.shape}"
    assert numpy.array_equal(ours, expected, equal_nan=ours.dtype.kind in "fc"), f"{message}: values differ"


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


def assert_close_to(ours, expected, rtol, atol=0.0, message=""):
    """``assert_allclose(ours, expected)`` where ``expected`` is an array or a ``Sketch``."""
    if isinstance(expected, Sketch):
        expected.check(ours, rtol, atol, message)
    else:
        numpy.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol, err_msg=message)


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
    """The answers asked during a recording session, per module, written at the end."""

    def __init__(self):
        self.modules = {}  # module -> {test id: {label: value}}
        self.ran = {}      # module -> test ids that ran (their old answers are dropped)

    def add(self, module, test, label, value, sketch_above):
        self.modules.setdefault(module, {}).setdefault(test, {})[label] = (value, sketch_above)

    def write(self):
        STORE.mkdir(exist_ok=True)
        for module in sorted(set(self.modules) | set(self.ran)):
            old = ModuleStore(STORE / f"{module}.npz")
            answers = {test: {label: (decode(old.entries[n], old.blob), None) for label, n in labels.items()}
                       for test, labels in old.tests.items() if test not in self.ran.get(module, ())}
            answers.update(self.modules.get(module, {}))
            _write_module(STORE / f"{module}.npz", answers)


def _write_module(path, answers):
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


# ---- the oracle ---------------------------------------------------------------------------

class Oracle:
    """Answers ``reference`` calls for the test that is running (set by tests/conftest.py)."""

    def __init__(self):
        self.mode = os.environ.get("MINIGRAD_TORCH_REFERENCES") or None
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"MINIGRAD_TORCH_REFERENCES={self.mode!r}: expected one of {', '.join(MODES)}")
        self._torch = None
        self._stores = {}
        self.recorder = Recorder()
        self.test = None  # (module, test id, labels used so far)

    def torch(self):
        """The torch module, or None when it cannot be imported (or the store is forced)."""
        if self.mode == "stored":
            return None
        if self._torch is None:
            try:
                import torch
            except ImportError:
                if self.mode == "record":
                    raise RuntimeError("recording references needs PyTorch installed") from None
                self._torch = False
            else:
                self._torch = torch
        return self._torch or None

    def begin(self, item):
        module = Path(str(item.path)).stem
        self.test = (module, item.nodeid.split("::", 1)[1], set())
        if self.mode == "record":
            self.recorder.ran.setdefault(module, set()).add(self.test[1])

    def end(self):
        self.test = None

    def ask(self, fn, label, digest, sketch_above):
        if self.test is None:
            raise RuntimeError("reference() is only answered inside a running test")
        module, test, labels = self.test
        label = f"#{len(labels)}" if label is None else str(label)
        if label in labels:
            raise ValueError(f"{test} asks for the reference {label!r} twice: give each call its own label")
        labels.add(label)
        torch = self.torch()
        if torch is not None:
            value = round_trip(fn(torch), digest)  # a copy: later changes to what fn saw cannot reach it
            if self.mode == "record":
                self.recorder.add(module, test, label, value, sketch_above)
            return round_trip(value)
        found = self._store(module).get(test, label)
        if found is None:
            pytest.skip(f"PyTorch is not installed and no reference {label!r} is stored for {module}::{test} "
                        f"(record them with: python tests/record_references.py)")
        return decode(found[0], self._store(module).blob)

    def _store(self, module):
        if module not in self._stores:
            self._stores[module] = ModuleStore(STORE / f"{module}.npz")
        return self._stores[module]

    def finish(self):
        if self.mode == "record":
            self.recorder.write()


ORACLE = Oracle()


def reference(fn, label=None, *, digest=False, sketch_above=None):
    """PyTorch's answer ``fn(torch)`` for the running test, live or stored (see the module doc).
    ``label`` names the answer within the test (default: the call's number, ``#0``, ``#1``...)."""
    return ORACLE.ask(fn, label, digest, sketch_above)


def torch_available():
    """Whether the answers are computed live (PyTorch importable and not forced to the store)."""
    return ORACLE.torch() is not None


def torch_itself(why):
    """The torch module for a test that needs PyTorch itself, not its answers (it hands torch
    objects to the code under test); the test is skipped, saying ``why``, where it is not live."""
    if not torch_available():
        pytest.skip(f"needs PyTorch itself: {why}")
    return ORACLE.torch()
