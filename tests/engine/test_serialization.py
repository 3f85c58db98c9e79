"""minigrad.save / minigrad.load: round trips, damage detection, refusal of unsafe content."""
import hashlib
import io
import json
import os
import pickle
import zipfile

import numpy
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from minigrad import serialization


def _equal(a, b):
    if isinstance(a, minigrad.Tensor):
        return (isinstance(b, minigrad.Tensor) and a.dtype == b.dtype and a.shape == b.shape
                and numpy.array_equal(a.detach().numpy(), b.detach().numpy(), equal_nan=True)
                and a.requires_grad == b.requires_grad)
    if isinstance(a, (numpy.ndarray, numpy.generic)):
        return type(a) is type(b) and a.dtype == b.dtype and numpy.array_equal(a, b, equal_nan=True)
    if isinstance(a, float):
        return isinstance(b, float) and (a == b or (a != a and b != b))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


arrays = st.sampled_from(["float32", "float64", "int64", "bool", "uint8"]).flatmap(
    lambda dtype: st.lists(st.integers(0, 5), min_size=0, max_size=6).map(
        lambda values: numpy.array(values, dtype=dtype)))
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=True), st.text(max_size=8),
    arrays, arrays.map(lambda a: minigrad.tensor(a)),
    arrays.filter(lambda a: a.dtype.kind == "f").map(lambda a: minigrad.tensor(a, requires_grad=True)),
    st.just(numpy.float32(1.5)), st.just(minigrad.tensor(3.0)))
nested = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.lists(children, max_size=3).map(tuple),
    st.dictionaries(st.one_of(st.text(max_size=5), st.integers(0, 100)), children, max_size=4)), max_leaves=12)


@settings(max_examples=60, deadline=None)
@given(nested)
def test_random_nested_structures_round_trip(obj):
    buffer = io.BytesIO()
    minigrad.save(obj, buffer)
    assert _equal(obj, minigrad.load(io.BytesIO(buffer.getvalue())))


def test_state_dict_like_round_trip_on_disk(tmp_path):
    state = {"model": {"conv1.weight": minigrad.randn(6, 3, 5, 5), "fc.bias": minigrad.zeros(2)},
             "optimizer": {"state": {0: {"momentum_buffer": minigrad.ones(3), "step": minigrad.tensor(4.0)}},
                           "param_groups": [{"lr": 0.0125, "momentum": 0.9, "nesterov": False, "params": [0]}]},
             "rng": minigrad.get_rng_state(), "epoch": 3}
    path = tmp_path / "last.ckpt"
    minigrad.save(state, path)
    assert _equal(state, minigrad.load(path))
    assert _equal(state, minigrad.load(str(path), map_location="cpu"))


def test_unsupported_objects_are_refused_when_saving(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['f'\] of type function"):
        minigrad.save({"f": lambda: 0}, tmp_path / "x")
    with pytest.raises(TypeError, match="dtype object"):
        minigrad.save(numpy.array([{}], dtype=object), tmp_path / "x")
    assert not os.listdir(tmp_path)


@pytest.fixture
def checkpoint(tmp_path):
    path = tmp_path / "model.ckpt"
    minigrad.save({"w": minigrad.arange(1000.0), "meta": {"epoch": 2}}, path)
    return path


def test_truncated_file_is_detected(checkpoint):
    data = checkpoint.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 5):
        checkpoint.write_bytes(data[:cut])
        with pytest.raises(minigrad.CheckpointError, match="truncated or corrupted"):
            minigrad.load(checkpoint)


def test_every_flipped_byte_is_detected(checkpoint):
    data = checkpoint.read_bytes()
    for position in range(0, len(data), max(1, len(data) // 97)):
        damaged = bytearray(data)
        damaged[position] ^= 0x5A
        checkpoint.write_bytes(bytes(damaged))
        with pytest.raises(minigrad.CheckpointError):
            minigrad.load(checkpoint)


def _forge(path, members, structure, declared=None):
    """Build a checkpoint whose checksums are all consistent: only safety checks can stop it."""
    header = {"format": serialization.FORMAT, "version": serialization.VERSION, "structure": structure,
              "arrays": sorted(members if declared is None else declared)}
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr(serialization.STRUCTURE_MEMBER, json.dumps(header, sort_keys=True))
        for name, data in members.items():
            archive.writestr(name, data)
    payload = payload.getvalue()
    path.write_bytes(serialization.MAGIC + hashlib.sha256(payload).digest() + payload)


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_object_array_with_pickle_payload_is_refused_without_running_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    buffer = io.BytesIO()
    numpy.save(buffer, numpy.array([_Payload()], dtype=object), allow_pickle=True)
    _forge(tmp_path / "evil.ckpt", {"array0.npy": buffer.getvalue()}, {"type": "ndarray", "array": "array0.npy"})
    with pytest.raises(minigrad.CheckpointError, match="not a plain numeric array"):
        minigrad.load(tmp_path / "evil.ckpt")
    assert not (tmp_path / "PWNED").exists()


def test_a_raw_pickle_file_is_refused_without_running_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.pt").write_bytes(pickle.dumps({"state": _Payload()}))
    with pytest.raises(minigrad.CheckpointError, match="not a readable minigrad checkpoint"):
        minigrad.load(tmp_path / "evil.pt")
    assert not (tmp_path / "PWNED").exists()


def test_edited_description_and_smuggled_members_are_refused(tmp_path):
    path = tmp_path / "x.ckpt"
    _forge(path, {"array0.npy": b"x"}, {"type": "pickle", "value": "..."})
    with pytest.raises(minigrad.CheckpointError, match="unknown entry"):
        minigrad.load(path)
    _forge(path, {"array0.npy": b"x", "extra.pkl": pickle.dumps(1)}, {"type": "int", "value": "1"},
           declared=["array0.npy"])
    with pytest.raises(minigrad.CheckpointError, match="unexpected members"):
        minigrad.load(path)


def test_missing_file_and_foreign_format(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.ckpt"):
        minigrad.load(tmp_path / "nope.ckpt")
    numpy.savez(tmp_path / "plain.npz", a=numpy.ones(2))
    with pytest.raises(minigrad.CheckpointError, match="not a readable minigrad checkpoint"):
        minigrad.load(tmp_path / "plain.npz")


def test_a_crash_during_save_leaves_the_previous_file_intact(checkpoint, monkeypatch):
    before = checkpoint.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(serialization.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        minigrad.save({"w": minigrad.zeros(5)}, checkpoint)
    assert checkpoint.read_bytes() == before
    assert [p.name for p in checkpoint.parent.iterdir()] == [checkpoint.name]


def test_detect_anomaly_names_the_op_and_shapes():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with minigrad.detect_anomaly():
        y = (x.sqrt() * minigrad.ones(3, 2)).sum()
        with pytest.raises(RuntimeError, match=r"'SqrtBackward0'.*\(2,\)"):
            y.backward()
    (x.sqrt() * 1).sum().backward()  # outside the context nothing is checked
    assert not bool(minigrad.isfinite(x.grad).all())
