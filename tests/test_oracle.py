"""The oracle that answers for PyTorch (tests/oracle.py) and its store (tests/reference_store.py):
answers read back as they were given, digests and sketches catch what they must, and a test
without a live torch gets the stored answer or is skipped."""
import math
from types import SimpleNamespace

import numpy
import pytest

import reference_store
from oracle import Oracle, assert_close_to, assert_identical
from reference_store import Digest, ModuleStore, Raised, Sketch, round_trip, write_module

PLAIN = [
    (None, "none"), (True, "bool"), (-3, "int"), (2 ** 70, "big-int"), (0.1, "float"), (math.inf, "infinity"),
    ("torch.float32", "string"), (1 + 2j, "complex"), ((1, [2, (3,)]), "tuple-with-list"),
    ({0: "a", (1, 2): "b", "c": None}, "dict-with-plain-keys"), (Raised("ValueError", "bad"), "raised"),
    (numpy.float32(0.1), "numpy-float32-scalar"), (numpy.int64(-5), "numpy-int-scalar"),
    (numpy.arange(6, dtype=numpy.int16).reshape(2, 3), "int16-array"), (numpy.array([True, False]), "bool-array"),
    (numpy.arange(12.0).reshape(3, 4).T, "transposed-float64-array"), (numpy.float64(7.5).reshape(()), "0-d-array"),
    (numpy.array([1 + 1j], dtype=numpy.complex64), "complex64-array"), (numpy.zeros((0, 3)), "empty-array"),
]


def same(a, b):
    """Equal values of equal types, recursively (arrays by dtype, shape and bits)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, numpy.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("value", [case[0] for case in PLAIN], ids=[case[1] for case in PLAIN])
def test_plain_values_read_back_as_given(value):
    assert same(round_trip(value), value)


@pytest.mark.parametrize("value", [object(), [numpy.array([object()])], {"f": len}], ids=["object", "object-array",
                                                                                         "function"])
def test_what_cannot_be_stored_safely_is_refused(value):
    with pytest.raises(TypeError, match="plain values|cannot store"):
        round_trip(value)


def test_digests_tell_apart_one_ulp_a_dtype_and_a_shape():
    values = numpy.linspace(0, 1, 7, dtype=numpy.float32)
    stored = round_trip(values, digest=True)
    assert isinstance(stored, Digest)
    assert_identical(values.copy(), stored)
    nudged = values.copy()
    nudged[3] = numpy.nextafter(nudged[3], numpy.float32(2))
    for other in (nudged, values.astype(numpy.float64), values.reshape(7, 1)):
        with pytest.raises(AssertionError):
            assert_identical(other, stored)
    assert Digest.of(numpy.float32(1.0)) != Digest.of(numpy.ones(1, numpy.float32))


def test_a_sketch_passes_what_the_tolerance_passes_and_catches_a_drift():
    rng = numpy.random.default_rng(0)
    expected = rng.standard_normal((60, 70))
    stored = reference_store.decode(*_encoded(expected, sketch_above=100))
    assert isinstance(stored, Sketch) and isinstance(reference_store.decode(*_encoded(expected, None)), numpy.ndarray)
    within = expected * (1 + 0.9e-6 * rng.choice([-1.0, 1.0], expected.shape))
    assert_close_to(within, stored, rtol=1e-6)
    drifted = expected + 1e-3  # every element, by much more than the tolerance
    with pytest.raises(AssertionError, match="signed sums|sampled"):
        assert_close_to(drifted, stored, rtol=1e-6)
    one_sampled = within.copy()
    one_sampled.flat[0] += 1.0  # the first element is always sampled
    with pytest.raises(AssertionError, match="sampled"):
        assert_close_to(one_sampled, stored, rtol=1e-6)


def _encoded(value, sketch_above):
    encoder = reference_store._Encoder(sketch_above)
    return encoder.encode(value), bytes(encoder.blob)


def test_a_module_store_keeps_each_answer_once_under_its_test_and_label(tmp_path):
    array = numpy.arange(5.0)
    write_module(tmp_path / "test_x.npz", {"test_a[1]": {"out": (array, None), "#1": ("same text", None)},
                                           "test_b": {"out": (array.copy(), None)}})
    store = ModuleStore(tmp_path / "test_x.npz")
    assert store.tests["test_a[1]"]["out"] == store.tests["test_b"]["out"]  # one entry for both
    assert same(reference_store.decode(store.get("test_b", "out")[0], store.blob), array)
    assert store.get("test_b", "#1") is None and store.get("test_c", "out") is None
    with numpy.load(tmp_path / "test_x.npz", allow_pickle=False) as files:
        assert sorted(files.files) == ["blob", "index"] and files["blob"].dtype == numpy.uint8


def _item(name):
    return SimpleNamespace(path="/somewhere/tests/nn/test_x.py", nodeid=f"tests/nn/test_x.py::{name}")


def test_recorded_answers_are_what_the_store_gives_back_and_missing_ones_skip(tmp_path):
    fake_torch = SimpleNamespace(answer=lambda: {"values": numpy.arange(3.0), "error": Raised("KeyError", "'k'")})
    recorder = Oracle(mode="record", store=tmp_path, torch=fake_torch)
    recorder.begin(_item("test_one[a]"))
    live = recorder.ask(lambda torch: torch.answer(), "answer", False, None)
    with pytest.raises(ValueError, match="twice"):
        recorder.ask(lambda torch: 1, "answer", False, None)
    recorder.end()
    recorder.finish()
    replay = Oracle(mode="stored", store=tmp_path)
    replay.begin(_item("test_one[a]"))
    assert same(replay.ask(lambda torch: pytest.fail("must not run"), "answer", False, None), live)
    with pytest.raises(pytest.skip.Exception, match="no reference 'other' is stored"):
        replay.ask(lambda torch: None, "other", False, None)


def test_re_recording_one_test_keeps_the_others(tmp_path):
    for name, value in (("test_one", 1), ("test_two", 2)):
        oracle = Oracle(mode="record", store=tmp_path, torch=SimpleNamespace())
        oracle.begin(_item(name))
        oracle.ask(lambda torch: value, None, False, None)
        oracle.finish()
    store = ModuleStore(tmp_path / "test_x.npz")
    assert sorted(store.tests) == ["test_one", "test_two"]
