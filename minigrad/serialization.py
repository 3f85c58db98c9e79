"""``minigrad.save`` and ``minigrad.load``: checkpoints that can never run code.

A file is a short header (a magic string and the SHA-256 of the rest) followed by a zip
archive (NumPy's ``.npz`` layout) holding one ``.npy`` member per array and a JSON member
describing the structure: nested dicts, lists and tuples of Tensors, NumPy arrays, numbers,
strings, bools and None. Loading uses ``allow_pickle=False`` throughout, so a pickle payload
or an object array is refused, never executed; the checksum covers every byte, so a
truncated, corrupted or edited file is reported instead of loaded. Saving is atomic: the file is written beside its
destination, flushed to disk, then renamed over it, so a crash mid-save leaves the previous
file intact.

Loading trusts nothing in the file (see ``minigrad/_checkpoint_file.py`` for the byte level):
every size is bounded by the file's real size before anything is allocated, each member is
read once however often the description names it, ``structure.json`` may be at most
``MAX_STRUCTURE_BYTES`` and nest at most ``MAX_DEPTH`` containers, and anything malformed
raises :class:`CheckpointError` naming what is wrong.

Identity and classes survive the round trip, as with ``torch.save``: a Tensor (or array)
that appears several times in the saved object is stored once and comes back as one object.
Subclasses of Tensor keep their class through a registry, so that ``minigrad`` itself never
imports ``nn``: ``nn/parameter.py`` calls ``register_tensor_class(Parameter)`` when ``nn`` is
imported; ``save`` writes the registered class name of a tensor (``"class": "Parameter"``),
and ``load`` rebuilds it with ``cls(tensor, requires_grad=...)``. A name that is not
registered when loading (a script that never imported ``nn``) gives a plain Tensor.
"""
import hashlib
import io
import json
import os
import sys
import tempfile
import zipfile

import numpy

from minigrad._checkpoint_file import CheckpointError, open_payload, read_array, read_member
from minigrad.backend import cuda_is_available, device as Device, move, to_numpy
from minigrad.engine import Tensor

MAGIC = b"MINIGRAD-CKPT\n"
FORMAT = "minigrad-checkpoint"
VERSION = 1
STRUCTURE_MEMBER = "structure.json"
MAX_STRUCTURE_BYTES = 32 << 20  # ~700,000 numbers; a LeNet training checkpoint needs ~20 KiB
MAX_DEPTH = 100  # nested containers; a state_dict nests 4 deep
SCALAR_KINDS = {"NoneType": type(None), "bool": bool, "str": str}

__all__ = ["CheckpointError", "load", "register_tensor_class", "save"]

_tensor_classes = {}  # name -> Tensor subclass, filled by the packages that define them


def register_tensor_class(cls, name=None):
    """Let ``save``/``load`` keep tensors of class ``cls`` (a Tensor subclass whose constructor
    takes ``(tensor, requires_grad=...)`` and shares the tensor's storage) as that class."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"register_tensor_class expects a subclass of Tensor, got {cls!r}")
    _tensor_classes[name or cls.__name__] = cls
    return cls


def _registered_name(tensor):
    for name, cls in _tensor_classes.items():
        if type(tensor) is cls:
            return name
    return None


class _Writer:
    """Turns a Python object into a JSON-able description plus named arrays."""

    def __init__(self):
        self.arrays = {}
        self.names = {}  # id(object) -> member, so a shared Tensor or array is stored once
        self.path = set()  # ids of the containers being described: a cycle is refused

    def array(self, source, array):
        if array.dtype.kind not in "biuf":
            raise TypeError(f"minigrad.save: arrays of dtype {array.dtype} cannot be saved safely "
                            f"(only bool, integer and floating arrays)")
        if id(source) not in self.names:
            name = f"array{len(self.arrays)}.npy"
            buffer = io.BytesIO()
            numpy.save(buffer, numpy.asarray(array, order="C"), allow_pickle=False)
            self.arrays[name] = buffer.getvalue()
            self.names[id(source)] = name
        return self.names[id(source)]

    def describe(self, obj, where="obj", depth=0):
        if obj is None or isinstance(obj, (bool, str)):
            return {"type": type(obj).__name__, "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": _int_text(obj, where)}  # as text: JSON numbers lose big ints
        if isinstance(obj, float):
            return {"type": "float", "value": repr(obj)}
        if isinstance(obj, Tensor):
            node = {"type": "tensor", "array": self.array(obj, to_numpy(obj.array)),
                    "requires_grad": obj.requires_grad, "device": str(obj.device)}
            name = _registered_name(obj)
            return node if name is None else dict(node, **{"class": name})
        if isinstance(obj, (numpy.ndarray, numpy.generic)):
            return {"type": "ndarray", "array": self.array(obj, numpy.asarray(obj)),
                    "scalar": isinstance(obj, numpy.generic)}
        if isinstance(obj, (list, tuple, dict)):
            return self._container(obj, where, depth)
        raise TypeError(f"minigrad.save: cannot save {where} of type {type(obj).__name__}; supported are "
                        f"dicts, lists, tuples, Tensors, NumPy arrays, numbers, strings, bools and None")

    def _container(self, obj, where, depth):
        if id(obj) in self.path:
            raise ValueError(f"minigrad.save: {where} contains itself; a checkpoint cannot hold a cycle")
        if depth >= MAX_DEPTH:
            raise ValueError(f"minigrad.save: {where} is nested more than {MAX_DEPTH} containers deep")
        self.path.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = [[self.describe(k, f"{where} key", depth + 1), self.describe(v, f"{where}[{k!r}]", depth + 1)]
                         for k, v in obj.items()]
                return {"type": "dict", "items": items}
            return {"type": type(obj).__name__,
                    "items": [self.describe(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
        finally:
            self.path.discard(id(obj))


def _int_text(value, where):
    try:
        return str(int(value))
    except ValueError:  # Python refuses to print ints of more than sys.get_int_max_str_digits() digits
        raise ValueError(f"minigrad.save: the int at {where} has more than {sys.get_int_max_str_digits()} "
                         f"digits; it cannot be saved") from None


def save(obj, path):
    """Write ``obj`` to ``path`` (a file name or a writable binary file object), atomically."""
    writer = _Writer()
    structure = writer.describe(obj)
    header = {"format": FORMAT, "version": VERSION, "structure": structure, "arrays": sorted(writer.arrays)}
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(STRUCTURE_MEMBER, json.dumps(header, sort_keys=True))
        for name, data in writer.arrays.items():
            archive.writestr(name, data)
    payload = payload.getvalue()
    data = MAGIC + hashlib.sha256(payload).digest() + payload
    if hasattr(path, "write"):
        path.write(data)
    else:
        _atomic_write(os.fspath(path), data)


def _atomic_write(path, data):
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)


def _short(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


class _Reader:
    """Rebuilds the saved object from its description, checking every entry on the way."""

    def __init__(self, archive, members, name, map_location):
        self.archive, self.members, self.name = archive, members, name
        if isinstance(map_location, dict):
            self.map_location = {Device(saved): Device(target) for saved, target in map_location.items()}
        else:
            self.map_location = None if map_location is None else Device(map_location)
        self.arrays = {}  # member -> ndarray: each member is read once however often it is named
        self.tensors = {}  # member -> (Tensor, how it was described): a shared tensor comes back shared

    def fail(self, where, why):
        return CheckpointError(f"{self.name}: {why} (at {where} in the description)")

    def build(self, node, where="obj", depth=0):
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            raise self.fail(where, "an entry is not an object with a 'type'")
        kind = node["type"]
        if kind in SCALAR_KINDS:
            value = node.get("value")
            if type(value) is not SCALAR_KINDS[kind]:
                raise self.fail(where, f"a {kind} entry holds {_short(value)}")
            return value
        if kind in ("int", "float"):
            return self._number(node, kind, where)
        if kind == "tensor":
            return self._tensor(node, where)
        if kind == "ndarray":
            return self._ndarray(node, where)
        if kind in ("list", "tuple", "dict"):
            return self._container(node, kind, where, depth)
        raise CheckpointError(f"{self.name}: unknown entry {_short(kind)} in the description (at {where})")

    def _number(self, node, kind, where):
        text = node.get("value")
        if not isinstance(text, str):
            raise self.fail(where, f"an {kind} entry holds {_short(text)} instead of its digits")
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError as error:  # not a number, or more digits than Python converts
            raise self.fail(where, f"an {kind} entry holds {_short(text)}: {error}") from None

    def _container(self, node, kind, where, depth):
        if depth >= MAX_DEPTH:
            raise self.fail(where, f"containers nest more than {MAX_DEPTH} deep")
        items = node.get("items")
        if not isinstance(items, list):
            raise self.fail(where, f"a {kind} entry has no list of 'items'")
        if kind != "dict":
            values = [self.build(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(items)]
            return values if kind == "list" else tuple(values)
        result = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(where, "a dict item is not a [key, value] pair")
            key = self.build(pair[0], f"{where} key", depth + 1)
            try:
                hash(key)
            except TypeError:
                raise self.fail(where, f"a dict key is an unhashable {type(key).__name__}") from None
            result[key] = self.build(pair[1], f"{where}[{_short(key)}]", depth + 1)
        return result

    def _array(self, node, where):
        member = node.get("array")
        if not isinstance(member, str) or member not in self.members:
            raise self.fail(where, f"the description names an unknown array {_short(member)}")
        if member not in self.arrays:
            self.arrays[member] = read_array(self.archive, member, self.name)
        return member, self.arrays[member]

    def _ndarray(self, node, where):
        member, array = self._array(node, where)
        scalar = node.get("scalar", False)
        if not isinstance(scalar, bool) or (scalar and array.ndim != 0):
            raise self.fail(where, f"'scalar' is {_short(scalar)} for an array of shape {array.shape}")
        return array[()] if scalar else array

    def _device(self, saved):
        """Where a tensor saved on device ``saved`` goes: ``map_location``'s choice, else back there."""
        if isinstance(self.map_location, dict):
            target = self.map_location.get(saved, saved)
        else:
            target = self.map_location or saved
        if target.type == "cuda" and not cuda_is_available():
            raise RuntimeError(f"{self.name}: Attempting to deserialize object on a CUDA device but "
                               f"minigrad.cuda.is_available() is False. If you are running on a CPU-only machine, "
                               f"please use minigrad.load with map_location='cpu' to map your tensors to the CPU.")
        return target

    def _tensor(self, node, where):
        member, array = self._array(node, where)
        requires_grad, device, class_name = node.get("requires_grad", False), node.get("device", "cpu"), \
            node.get("class", "Parameter" if node.get("parameter") is True else None)
        if not isinstance(requires_grad, bool) or not isinstance(class_name, (str, type(None))):
            raise self.fail(where, "a tensor entry has a malformed 'requires_grad' or 'class'")
        description = (requires_grad, device, class_name)
        if member in self.tensors:
            tensor, first = self.tensors[member]
            if first != description:
                raise self.fail(where, f"the tensor stored in {member} is described twice, differently")
            return tensor
        try:
            saved_device = Device(device)
        except (TypeError, ValueError, RuntimeError) as error:
            raise self.fail(where, f"a tensor has an unknown device {_short(device)} ({error})") from None
        tensor = Tensor._wrap(move(array, self._device(saved_device)), None, False)
        grad = requires_grad and array.dtype.kind == "f"
        cls = _tensor_classes.get(class_name)
        if cls is not None:
            tensor = cls(tensor, requires_grad=grad)
        elif grad:
            tensor.requires_grad = True
        self.tensors[member] = (tensor, description)
        return tensor


def _read_header(archive, name):
    data = read_member(archive, STRUCTURE_MEMBER, MAX_STRUCTURE_BYTES, name)
    try:
        header = json.loads(data)
    except RecursionError:
        raise CheckpointError(f"{name}: {STRUCTURE_MEMBER} nests too deeply to parse (containers may nest at most "
                              f"{MAX_DEPTH} deep)") from None
    except ValueError as error:  # UnicodeDecodeError is a ValueError
        raise CheckpointError(f"{name}: {STRUCTURE_MEMBER} is not valid JSON ({type(error).__name__}: "
                              f"{str(error)[:200]})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{name} is not a minigrad checkpoint")
    if header.get("version") != VERSION:
        raise CheckpointError(f"{name} has format version {_short(header.get('version'))}; this minigrad reads "
                              f"version {VERSION}")
    arrays = header.get("arrays")
    if not isinstance(arrays, list) or not all(isinstance(member, str) for member in arrays):
        raise CheckpointError(f"{name}: {STRUCTURE_MEMBER} has no list of array names ('arrays')")
    if "structure" not in header:
        raise CheckpointError(f"{name}: {STRUCTURE_MEMBER} has no 'structure'")
    extra = set(archive.namelist()) - set(arrays) - {STRUCTURE_MEMBER}
    if extra:
        raise CheckpointError(f"{name} holds unexpected members {sorted(extra)[:10]}; refusing to load it")
    return header, set(arrays)


def load(path, map_location=None):
    """Read an object written by :func:`save`. Tensors come back on the device they were saved
    from, unless ``map_location`` says otherwise, as in PyTorch: a device ("cpu", "cuda",
    ``minigrad.device``) for every tensor, or a dict from saved device to device, such as
    ``{"cuda:0": "cpu"}``; a CUDA tensor on a machine without CUDA needs one. Raises
    :class:`CheckpointError` for a damaged, malformed or unsafe file, FileNotFoundError for a
    missing one and IsADirectoryError for a folder."""
    with open_payload(path, MAGIC) as (archive, name):
        header, members = _read_header(archive, name)
        return _Reader(archive, members, name, map_location).build(header["structure"])
