"""minigrad.load against hostile files: memory bombs, malformed descriptions, unsafe dtypes,
and the identities (shared tensors, Parameters) a checkpoint must keep (issue 17, items 3-4).

Forged files carry a correct checksum, so only the loader's own checks can stop them; every
test that loads one also bounds the memory the load may take (tracemalloc sees Python and
NumPy allocations)."""
import hashlib
import io
import json
import os
import re
import struct
import tracemalloc
import zipfile

import numpy
import pytest

import minigrad
import nn
from minigrad import serialization
from oracle import reference

MiB = 1 << 20


def _seal(payload):
    return serialization.MAGIC + hashlib.sha256(payload).digest() + payload


def _npy(array):
    buffer = io.BytesIO()
    numpy.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _forge(members, structure, declared=None, compression=zipfile.ZIP_STORED, header=None):
    """The bytes of a checkpoint whose checksum is right: ``members`` maps names to bytes."""
    if header is None:
        header = {"format": serialization.FORMAT, "version": serialization.VERSION, "structure": None,
                  "arrays": sorted(members if declared is None else declared)}
        raw = structure if isinstance(structure, str) else json.dumps(structure)  # str: JSON text as it is
        header = json.dumps(header).replace('"structure": null', f'"structure": {raw}').encode()
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", compression) as archive:
        archive.writestr(serialization.STRUCTURE_MEMBER, header if isinstance(header, bytes) else json.dumps(header))
        for name, data in members.items():
            archive.writestr(name, data)
    return _seal(payload.getvalue())


def _load_bounded(data, limit):
    """minigrad.load(bytes) with tracemalloc watching; fails if the load peaks above ``limit`` bytes."""
    tracemalloc.start()
    try:
        return minigrad.load(io.BytesIO(data))
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < limit, f"load peaked at {peak / MiB:.1f} MiB for a {len(data) / 1024:.0f} KiB file"


def _load_error(data, limit=8 * MiB):
    with pytest.raises(minigrad.CheckpointError) as caught:
        _load_bounded(data, limit)
    return str(caught.value)


# ---- item 3: memory bombs ------------------------------------------------------------------

def test_a_deflated_member_that_inflates_to_256_mib_is_refused_unread(tmp_path):
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_DEFLATED) as archive:
        header = {"format": serialization.FORMAT, "version": serialization.VERSION, "arrays": ["array0.npy"],
                  "structure": {"type": "ndarray", "array": "array0.npy"}}
        archive.writestr(serialization.STRUCTURE_MEMBER, json.dumps(header))
        with archive.open("array0.npy", "w", force_zip64=True) as member:
            numpy.lib.format.write_array_header_1_0(member, {"descr": "|u1", "fortran_order": False,
                                                             "shape": (256 * MiB,)})
            for _ in range(256):
                member.write(bytes(MiB))
    data = _seal(payload.getvalue())
    assert len(data) < 512 * 1024
    assert "compressed" in _load_error(data)


def test_one_member_named_3000_times_is_read_once_and_shared():
    structure = {"type": "list", "items": [{"type": "tensor", "array": "array0.npy"}] * 1500 +
                 [{"type": "ndarray", "array": "array0.npy"}] * 1500}
    data = _forge({"array0.npy": _npy(numpy.ones(MiB // 4, numpy.float32))}, structure)
    loaded = _load_bounded(data, limit=6 * MiB)
    assert len(loaded) == 3000
    assert all(item is loaded[0] for item in loaded[:1500])
    assert all(item is loaded[1500] for item in loaded[1500:])


def _inflate_declared_sizes(data, member, size):
    """Make the zip's local header and central directory claim ``member`` holds ``size`` bytes."""
    payload = bytearray(data[len(serialization.MAGIC) + 32:])
    name = member.encode()
    # (record signature, where its name starts, where its compressed and uncompressed sizes sit)
    for signature, name_at, sizes_at in ((b"PK\x03\x04", 30, 18), (b"PK\x01\x02", 46, 20)):
        at = payload.find(signature)
        while payload[at + name_at:at + name_at + len(name)] != name:
            at = payload.find(signature, at + 1)
        payload[at + sizes_at:at + sizes_at + 8] = struct.pack("<II", size, size)
    return _seal(bytes(payload))


def test_a_structure_json_declaring_2_gb_is_refused_unread():
    data = _inflate_declared_sizes(_forge({}, {"type": "int", "value": "1"}), serialization.STRUCTURE_MEMBER,
                                   2_000_000_000)
    assert "declares 2000000000 bytes" in _load_error(data)


def test_a_structure_json_over_the_limit_is_refused_unparsed(monkeypatch):
    monkeypatch.setattr(serialization, "MAX_STRUCTURE_BYTES", 1 * MiB)
    padding = {"type": "str", "value": "x" * (2 * MiB)}
    message = _load_error(_forge({}, padding), limit=3 * MiB)
    assert "over the limit of 1048576 bytes" in message


def test_a_npy_header_declaring_7_tib_is_refused_before_allocating():
    npy = _npy(numpy.zeros(4, numpy.float32)).replace(b"(4,)", f"({7 * 2 ** 40 // 4},)".encode(), 1)
    data = _forge({"array0.npy": npy}, {"type": "ndarray", "array": "array0.npy"})
    assert "declares shape (1924145348608,) of float32" in _load_error(data)


def test_members_that_overlap_are_refused():
    data = _forge({"array0.npy": _npy(numpy.ones(1000))}, {"type": "ndarray", "array": "array0.npy"})
    forged = _inflate_declared_sizes(data, "array0.npy", len(data) - 100)  # reaches over the directory
    assert "more than the" in _load_error(forged)


def test_dev_zero_is_refused_after_reading_its_header():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    tracemalloc.start()
    try:
        with pytest.raises(minigrad.CheckpointError, match="does not start with minigrad's header"):
            minigrad.load("/dev/zero")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < MiB


@pytest.mark.parametrize("start", [b"\x00" * 46, serialization.MAGIC + bytes(32)], ids=["foreign", "our-magic"])
def test_a_1_gib_file_is_never_read_whole(tmp_path, start):
    path = tmp_path / "huge.ckpt"
    with open(path, "wb") as file:  # sparse: takes no disk space
        file.write(start)
        file.truncate(1 << 30)
    tracemalloc.start()
    try:
        with pytest.raises(minigrad.CheckpointError, match="header|checksum"):
            minigrad.load(path)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 4 * MiB


def test_a_directory_is_refused_naming_it(tmp_path):
    with pytest.raises(IsADirectoryError, match=f"{tmp_path.name}.* is a directory"):
        minigrad.load(tmp_path)


# ---- item 4: malformed descriptions --------------------------------------------------------

def _nested(depth):
    """JSON text of lists nested ``depth`` deep (too deep for json.dumps to write)."""
    return '{"type": "list", "items": [' * depth + '{"type": "int", "value": "1"}' + "]}" * depth


ARRAY = {"array0.npy": _npy(numpy.arange(3.0))}
MALFORMED = [
    ({"type": "list"}, "no list of 'items'", "list-without-items"),
    ({"type": "dict", "items": 3}, "no list of 'items'", "dict-items-not-a-list"),
    ({"type": "tensor"}, "unknown array None", "tensor-without-array"),
    ({"type": "tensor", "array": ["array0.npy"]}, "unknown array", "array-name-is-a-list"),
    ({"type": "dict", "items": [[{"type": "list", "items": []}, {"type": "int", "value": "1"}]]},
     "unhashable list", "list-as-dict-key"),
    ({"type": "dict", "items": [[{"type": "dict", "items": []}, {"type": "int", "value": "1"}]]},
     "unhashable dict", "dict-as-dict-key"),
    ({"type": "dict", "items": [[{"type": "int", "value": "1"}]]}, "not a \\[key, value\\] pair", "half-a-pair"),
    ({"type": "int", "value": "9" * 5000}, "Exceeds the limit", "int-of-5000-digits"),
    ({"type": "int", "value": 12}, "instead of its digits", "int-as-json-number"),
    ({"type": "float", "value": "abc"}, "could not convert", "float-not-a-number"),
    ({"type": "bool", "value": "yes"}, "a bool entry holds 'yes'", "bool-as-string"),
    ({"type": "str", "value": None}, "a str entry holds None", "str-as-null"),
    ({"type": 7}, "not an object with a 'type'", "type-not-a-string"),
    ([1, 2], "not an object with a 'type'", "entry-not-an-object"),
    ({"type": "ndarray", "array": "array0.npy", "scalar": True}, "'scalar' is True", "scalar-of-shape-3"),
    ({"type": "tensor", "array": "array0.npy", "device": "tpu"}, "unknown device 'tpu'", "unknown-device"),
    ({"type": "tensor", "array": "array0.npy", "device": "cuda:x"}, "unknown device", "bad-device-index"),
    ({"type": "tensor", "array": "array0.npy", "requires_grad": "yes"}, "malformed 'requires_grad'",
     "requires-grad-not-bool"),
    ({"type": "list", "items": [{"type": "tensor", "array": "array0.npy"},
                                {"type": "tensor", "array": "array0.npy", "requires_grad": True}]},
     "described twice, differently", "one-tensor-two-descriptions"),
    (_nested(150), "containers nest more than 100 deep", "nested-150-deep"),
    (_nested(600), "nest", "nested-600-deep"),
    ({"type": "pickle", "value": "..."}, "unknown entry 'pickle'", "unknown-type"),
]


@pytest.mark.parametrize("structure, message", [case[:2] for case in MALFORMED], ids=[case[2] for case in MALFORMED])
def test_a_malformed_description_raises_checkpoint_error_naming_it(structure, message):
    assert re.search(message, _load_error(_forge(ARRAY, structure)))


HEADERS = [
    (b"[" * 100_000 + b"]" * 100_000, "nests too deeply to parse", "json-nested-100000-deep"),
    (b"\xff\xfe not json", "not valid JSON", "not-utf8"),
    ({"format": serialization.FORMAT, "version": serialization.VERSION, "arrays": []}, "has no 'structure'",
     "no-structure"),
    ({"format": serialization.FORMAT, "version": [1], "arrays": [], "structure": {}}, "format version \\[1\\]",
     "version-a-list"),
    ({"format": serialization.FORMAT, "version": serialization.VERSION, "arrays": {"a": 1}, "structure": {}},
     "no list of array names", "arrays-a-dict"),
    ([1, 2, 3], "is not a minigrad checkpoint", "header-a-list"),
]


@pytest.mark.parametrize("header, message", [case[:2] for case in HEADERS], ids=[case[2] for case in HEADERS])
def test_a_malformed_structure_json_raises_checkpoint_error(header, message):
    data = _forge({}, None, header=header if isinstance(header, bytes) else json.dumps(header).encode())
    with pytest.raises(minigrad.CheckpointError, match=message):
        minigrad.load(io.BytesIO(data))


def test_a_member_named_twice_and_an_encrypted_member_are_refused():
    payload = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(payload, "w") as archive:
        archive.writestr(serialization.STRUCTURE_MEMBER, json.dumps({}))
        archive.writestr(serialization.STRUCTURE_MEMBER, json.dumps({}))
    assert "appears twice" in _load_error(_seal(payload.getvalue()))
    data = bytearray(_forge({}, {"type": "int", "value": "1"}))
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 1  # the central directory's "encrypted" flag
    assert "encryption" in _load_error(_seal(bytes(data[len(serialization.MAGIC) + 32:])))


UNSAFE_DTYPES = [numpy.zeros(2, numpy.complex64), numpy.array(["2024-01-01"], "datetime64[D]"),
                 numpy.zeros(2, [("a", "<i4"), ("b", "<f4")]), numpy.array(["abc"]), numpy.array([b"abc"])]


@pytest.mark.parametrize("array", UNSAFE_DTYPES, ids=["complex", "datetime64", "structured", "str", "bytes"])
def test_load_refuses_the_dtypes_save_refuses(array):
    with pytest.raises(TypeError, match="cannot be saved safely"):
        minigrad.save(array, io.BytesIO())
    data = _forge({"array0.npy": _npy(array)}, {"type": "ndarray", "array": "array0.npy"})
    assert "is not a plain numeric array" in _load_error(data)


# ---- saving refuses what loading would refuse ------------------------------------------------

def test_save_refuses_a_list_that_contains_itself():
    cycle = [1]
    cycle.append(cycle)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[1\] contains itself"):
        minigrad.save({"a": cycle}, io.BytesIO())


def test_save_refuses_nesting_past_the_limit_and_writes_nothing(tmp_path):
    deep = 1
    for _ in range(600):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 100 containers deep"):
        minigrad.save(deep, tmp_path / "deep.ckpt")
    assert not list(tmp_path.iterdir())
    shallow = 1
    for _ in range(serialization.MAX_DEPTH):
        shallow = [shallow]
    buffer = io.BytesIO()
    minigrad.save(shallow, buffer)  # the deepest object save accepts, load accepts too
    assert minigrad.load(io.BytesIO(buffer.getvalue())) == shallow


# ---- identities: shared tensors and Parameters, as torch.load keeps them -----------------------

def _round_trip(obj, library):
    buffer = io.BytesIO()
    library.save(obj, buffer)
    buffer.seek(0)
    return library.load(buffer)


def test_shared_tensors_come_back_shared_as_in_pytorch():
    def sharing(library):
        shared = library.arange(3.0)
        loaded = _round_trip({"a": shared, "b": [shared, library.arange(3.0)]}, library)
        return loaded["a"] is loaded["b"][0], loaded["b"][1] is not loaded["a"]

    assert sharing(minigrad) == reference(sharing) == (True, True)


def test_a_shared_tensor_is_stored_once():
    big = minigrad.zeros(100_000)
    once, twice = io.BytesIO(), io.BytesIO()
    minigrad.save([big], once)
    minigrad.save([big, big, big], twice)
    assert len(twice.getvalue()) - len(once.getvalue()) < 1000


@pytest.mark.parametrize("requires_grad", [True, False], ids=["trainable", "frozen"])
def test_a_parameter_comes_back_a_parameter_as_in_pytorch(requires_grad):
    expected = reference(lambda torch: (lambda loaded: (type(loaded).__name__, loaded.requires_grad))(
        _round_trip([torch.nn.Parameter(torch.ones(2), requires_grad=requires_grad)], torch)[0]))
    loaded = _round_trip([nn.Parameter(minigrad.ones(2), requires_grad=requires_grad)], minigrad)[0]
    assert (type(loaded).__name__, loaded.requires_grad) == expected == ("Parameter", requires_grad)
    assert isinstance(loaded, nn.Parameter)


def test_parameters_of_a_module_come_back_shared_and_trainable():
    net = nn.Linear(3, 2)
    params = list(net.parameters())
    loaded = _round_trip({"params": params, "first": params[0]}, minigrad)
    assert all(isinstance(p, nn.Parameter) and p.is_leaf and p.requires_grad for p in loaded["params"])
    assert loaded["first"] is loaded["params"][0]
    assert numpy.array_equal(loaded["first"].detach().numpy(), params[0].detach().numpy())


def test_an_older_file_flagging_parameter_loads_as_a_parameter():
    structure = {"type": "tensor", "array": "array0.npy", "requires_grad": True, "device": "cpu", "parameter": True}
    loaded = minigrad.load(io.BytesIO(_forge({"array0.npy": _npy(numpy.ones(2, numpy.float32))}, structure)))
    assert isinstance(loaded, nn.Parameter) and loaded.requires_grad


def test_register_tensor_class_refuses_what_is_not_a_tensor_class():
    with pytest.raises(TypeError, match="subclass of Tensor"):
        serialization.register_tensor_class(dict)
