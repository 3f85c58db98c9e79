"""Property tests: checkpoints truncated, mutated byte by byte or with a rewritten description
(and the checksum recomputed, so only the loader's checks stand in the way) either load or
raise CheckpointError, never another exception, and never take unbounded memory."""
import hashlib
import io
import json
import tracemalloc
import zipfile

import numpy
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import minigrad
import nn
from minigrad import serialization

MEMORY_LIMIT = 4 << 20  # bytes; the sample checkpoint is a few KiB


def _sample():
    minigrad.manual_seed(0)
    net = nn.Linear(3, 2)
    return {"model": net.state_dict(), "params": list(net.parameters()), "step": 3, "lr": 0.1,
            "misc": ("text", None, True, numpy.arange(4), numpy.float32(2.5)), 7: [minigrad.tensor(1.0)]}


def _checkpoint():
    buffer = io.BytesIO()
    minigrad.save(_sample(), buffer)
    return buffer.getvalue()


HEADER_SIZE = len(serialization.MAGIC) + 32
PAYLOAD = _checkpoint()[HEADER_SIZE:]
# where the zip keeps its sizes, offsets and names: mutations there are the interesting ones
ZIP_RECORDS = [at for signature in (b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06")
               for at in range(len(PAYLOAD)) if PAYLOAD.startswith(signature, at)]
NPY_HEADERS = [at for at in range(len(PAYLOAD)) if PAYLOAD.startswith(b"\x93NUMPY", at)]


def _seal(payload):
    return serialization.MAGIC + hashlib.sha256(payload).digest() + payload


def _load_or_refuse(data):
    """Load ``data``; a CheckpointError is fine, any other exception or a memory peak over the
    limit fails the test."""
    tracemalloc.start()
    try:
        minigrad.load(io.BytesIO(data))
    except minigrad.CheckpointError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"a {len(data)}-byte checkpoint took {peak} bytes to load"


positions = st.one_of(
    st.integers(0, len(PAYLOAD) - 1),
    st.builds(lambda base, offset: min(base + offset, len(PAYLOAD) - 1), st.sampled_from(ZIP_RECORDS),
              st.integers(0, 46)),
    st.builds(lambda base, offset: min(base + offset, len(PAYLOAD) - 1), st.sampled_from(NPY_HEADERS),
              st.integers(0, 127)))
values = st.one_of(st.binary(min_size=1, max_size=1),
                   st.sampled_from([b"\xff\xff\xff\xff", b"\x00\x00\x00\x80", b"\x00\x00\x00\x00", b"\x08\x00",
                                    b"9999999", b"(1099511627776,)", b"'|O'", b"'<c8'"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(positions, values), min_size=1, max_size=6), st.integers(0, len(PAYLOAD)))
def test_mutated_and_truncated_checkpoints_load_or_raise_checkpoint_error(mutations, length):
    payload = bytearray(PAYLOAD)
    for position, value in mutations:
        payload[position:position + len(value)] = value
    _load_or_refuse(_seal(bytes(payload[:length] if length % 3 == 0 else payload)))


def _structure():
    archive = zipfile.ZipFile(io.BytesIO(PAYLOAD))
    return json.loads(archive.read(serialization.STRUCTURE_MEMBER)), archive


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=False), st.text(max_size=6),
              st.sampled_from(["array0.npy", "array1.npy", "tensor", "ndarray", "dict", "list", "tuple", "int",
                               "float", "str", "bool", "NoneType", "cuda", "Parameter", "9" * 5000])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.sampled_from(["type", "value", "items", "array", "scalar",
                                                                "requires_grad", "device", "class"]),
                                               children, max_size=4)),
    max_leaves=10)


def _rezip(header, members):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr(serialization.STRUCTURE_MEMBER, header if isinstance(header, bytes) else json.dumps(header))
        for name, data in members.items():
            archive.writestr(name, data)
    return _seal(payload.getvalue())


def _members(archive):
    return {name: archive.read(name) for name in archive.namelist() if name != serialization.STRUCTURE_MEMBER}


npy_values = st.one_of(values, st.sampled_from([b"'shape': (-1,)", b"'shape': (99999999999,)", b"'descr': '|O'",
                                                b"'descr': '<M8[D]'", b"'descr': [('a', '<f4')]", b"((((((((",
                                                b"'fortran_order': True", b"\x03\x00"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_checkpoints_with_mutated_members_load_or_raise_checkpoint_error(data):
    """Members edited and the archive rebuilt, so zip's CRCs agree: the .npy checks must hold."""
    header, archive = _structure()
    members = _members(archive)
    for _ in range(data.draw(st.integers(1, 4))):
        name = data.draw(st.sampled_from(sorted(members)))
        content = bytearray(members[name])
        position = data.draw(st.integers(0, min(len(content), 140)))
        value = data.draw(npy_values)
        content[position:position + len(value)] = value
        members[name] = bytes(content[:data.draw(st.integers(0, len(content)))] if data.draw(st.booleans())
                              else content)
    _load_or_refuse(_rezip(header, members))


def _nodes(tree, path=()):
    """Every (container, key) position in a JSON tree."""
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else ()
    for key, value in items:
        yield tree, key
        yield from _nodes(value, path + (key,))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_checkpoints_with_a_rewritten_description_load_or_raise_checkpoint_error(data):
    header, archive = _structure()
    positions_in_tree = list(_nodes(header))
    for _ in range(data.draw(st.integers(1, 4))):
        container, key = data.draw(st.sampled_from(positions_in_tree))
        container[key] = data.draw(json_values)
        positions_in_tree = list(_nodes(header))
    _load_or_refuse(_rezip(header, _members(archive)))


def test_the_unmutated_sample_loads():
    """The property tests above start from a checkpoint that does load."""
    loaded = minigrad.load(io.BytesIO(_seal(PAYLOAD)))
    assert loaded["params"][0] is not None and isinstance(loaded["params"][0], nn.Parameter)
    assert loaded["step"] == 3 and loaded[7][0].item() == pytest.approx(1.0)
