"""PyTorch's answers for the differential tests: computed live when PyTorch is installed, read
from the committed store (tests/references/, written by tests/record_references.py) when not.

A test asks through a function of the torch module that returns plain values: arrays, numbers,
strings, None, lists, tuples and dicts of them (a dense torch tensor becomes a NumPy array, a
``torch.dtype`` its name; tests/reference_store.py says exactly what may be stored). An error is
asked for with ``error_of``, which gives a ``Raised`` (type name and message) or None::

    from oracle import Raised, error_of, reference

    def test_tanh():
        x = numpy.linspace(-2, 2, 5)
        expected = reference(lambda torch: torch.tanh(torch.tensor(x)), "forward")
        numpy.testing.assert_allclose(minigrad.tanh(minigrad.tensor(x)).numpy(), expected)
        raised = reference(lambda torch: error_of(lambda: torch.zeros(2).view(3)), "error")
        assert raised == Raised.of(lambda: minigrad.zeros(2).view(3))

An answer is keyed by the test's id and the label (default: ``#0``, ``#1``... in call order), so
a label is unique within a test. The function runs only where PyTorch is live: whatever it needs
from minigrad's side it takes from the test's variables, never the other way round. What the
test gets back went through the store's encoding in every mode, so stored answers read exactly
as live ones. With ``digest=True`` each array is kept as its sha256 (a ``Digest``), for answers
that must match bit for bit (random streams): compare with ``assert_identical``.

Large floating arrays (a network's weights after every step) would make the store too big: with
``sketch_above=n`` the store keeps each floating array of more than ``n`` elements as a
``Sketch`` (its values at 64 spread positions, its norms and 8 signed sums); the test gets the
full array live and the sketch from the store, and ``assert_close_to`` compares either. A sketch
checks a necessary condition of the element-wise tolerance, so what passes live passes on the
store; a deviation confined to elements the sketch does not sample shows only in the sums.

Modes, chosen by the test-only environment variable ``MINIGRAD_TORCH_REFERENCES``: ``live`` (the
default; the store where torch does not import), ``stored`` (the store even with torch
installed) and ``record`` (live, and the answers asked are written to the store at the end of
the session). Without a live torch and without a stored answer the test is skipped, saying so.
"""
import os
from pathlib import Path

import numpy
import pytest

from reference_store import Digest, ModuleStore, Raised, Recorder, Sketch, decode, round_trip, unify_names

STORE = Path(__file__).resolve().parent / "references"
MODES = ("live", "stored", "record")
__all__ = ["Digest", "Raised", "Sketch", "assert_close_to", "assert_identical", "error_of", "reference",
           "torch_available", "torch_itself", "unify_names"]


def error_of(call):
    """For use inside a reference function: what ``call()`` raised (a ``Raised``), or None."""
    return Raised.of(call)


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


def assert_close_to(ours, expected, rtol, atol=0.0, message=""):
    """``assert_allclose(ours, expected)`` where ``expected`` is an array or a ``Sketch``."""
    if isinstance(expected, Sketch):
        expected.check(ours, rtol, atol, message)
    else:
        numpy.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol, err_msg=message)


# ---- the oracle ---------------------------------------------------------------------------

class Oracle:
    """Answers ``reference`` calls for the test that is running (set by tests/conftest.py).
    ``mode`` defaults to the environment's choice; ``torch`` (a module) replaces the import."""

    def __init__(self, mode=None, store=STORE, torch=None):
        self.mode = mode or os.environ.get("MINIGRAD_TORCH_REFERENCES") or None
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"MINIGRAD_TORCH_REFERENCES={self.mode!r}: expected one of {', '.join(MODES)}")
        self.store = store
        self._torch = torch
        self._stores = {}
        self.recorder = Recorder(store)
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
            self._stores[module] = ModuleStore(self.store / f"{module}.npz")
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
