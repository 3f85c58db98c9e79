"""``minigrad.save`` and ``minigrad.load``: checkpoints that can never run code.

A file is a short header (a magic string and the SHA-256 of the rest) followed by a zip
archive (NumPy's ``.npz`` layout) holding one ``.npy`` member per array and a JSON member
describing the structure: nested dicts, lists and tuples of Tensors, NumPy arrays, numbers,
strings, bools and None. Loading uses ``allow_pickle=False`` throughout, so a pickle payload
or an object array is refused, never executed; the checksum covers every byte, so a
truncated, corrupted or edited file is reported instead of loaded. Saving is atomic: the file is written beside its
destination, flushed to disk, then renamed over it, so a crash mid-save leaves the previous
file intact.
"""
import hashlib
import io
import json
import os
import tempfile
import zipfile

import numpy

from minigrad.backend import cuda_is_available, device as Device, move, to_numpy
from minigrad.engine import Tensor

MAGIC = b"MINIGRAD-CKPT\n"
FORMAT = "minigrad-checkpoint"
VERSION = 1
STRUCTURE_MEMBER = "structure.json"


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be trusted: truncated, corrupted, tampered or unsafe."""


class _Writer:
    """Turns a Python object into a JSON-able description plus named arrays."""

    def __init__(self):
        self.arrays = {}

    def array(self, array):
        if array.dtype.kind not in "biuf":
            raise TypeError(f"minigrad.save: arrays of dtype {array.dtype} cannot be saved safely "
                            f"(only bool, integer and floating arrays)")
        name = f"array{len(self.arrays)}.npy"
        buffer = io.BytesIO()
        numpy.save(buffer, numpy.asarray(array, order="C"), allow_pickle=False)
        self.arrays[name] = buffer.getvalue()
        return name

    def describe(self, obj, where="obj"):
        if obj is None or isinstance(obj, (bool, str)):
            return {"type": type(obj).__name__, "value": obj}
        if isinstance(obj, int):
            return {"type": "int", "value": str(obj)}  # as text: JSON numbers lose big ints
        if isinstance(obj, float):
            return {"type": "float", "value": repr(obj)}
        if isinstance(obj, Tensor):
            return {"type": "tensor", "array": self.array(to_numpy(obj.array)),
                    "requires_grad": obj.requires_grad, "device": str(obj.device),
                    "parameter": type(obj).__name__ == "Parameter"}
        if isinstance(obj, (numpy.ndarray, numpy.generic)):
            return {"type": "ndarray", "array": self.array(numpy.asarray(obj)),
                    "scalar": isinstance(obj, numpy.generic)}
        if isinstance(obj, (list, tuple)):
            return {"type": type(obj).__name__,
                    "items": [self.describe(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            return {"type": "dict", "items": [[self.describe(k, f"{where} key"), self.describe(v, f"{where}[{k!r}]")]
                                              for k, v in obj.items()]}
        raise TypeError(f"minigrad.save: cannot save {where} of type {type(obj).__name__}; supported are "
                        f"dicts, lists, tuples, Tensors, NumPy arrays, numbers, strings, bools and None")


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


class _Reader:
    def __init__(self, archive, header, name, map_location):
        self.archive, self.members, self.name = archive, set(header["arrays"]), name
        if isinstance(map_location, dict):
            self.map_location = {Device(saved): Device(target) for saved, target in map_location.items()}
        else:
            self.map_location = None if map_location is None else Device(map_location)

    def array(self, member):
        if member not in self.members:
            raise CheckpointError(f"{self.name}: the description names an unknown array {member!r}")
        try:
            data = self.archive.read(member)
        except (KeyError, zipfile.BadZipFile, OSError) as error:
            raise CheckpointError(f"{self.name}: cannot read {member}: {error}") from None
        try:
            return numpy.load(io.BytesIO(data), allow_pickle=False)
        except ValueError as error:  # object arrays need pickle: refused
            raise CheckpointError(f"{self.name}: {member} is not a plain numeric array ({error}); refusing "
                                  f"to load it") from None

    def build(self, node):
        kind = node.get("type") if isinstance(node, dict) else None
        simple = {"NoneType": lambda: None, "bool": lambda: bool(node["value"]), "str": lambda: str(node["value"]),
                  "int": lambda: int(node["value"]), "float": lambda: float(node["value"])}
        if kind in simple:
            return simple[kind]()
        if kind == "tensor":
            return self._tensor(node)
        if kind == "ndarray":
            array = self.array(node["array"])
            return array[()] if node.get("scalar") else array
        if kind in ("list", "tuple"):
            items = [self.build(item) for item in node["items"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {self._key(self.build(k)): self.build(v) for k, v in node["items"]}
        raise CheckpointError(f"{self.name}: unknown entry {kind!r} in the description")

    def _key(self, key):
        if isinstance(key, list):
            raise CheckpointError(f"{self.name}: a dict key is a list")
        return key

    def _device(self, saved):
        """Where a tensor saved on device ``saved`` goes: ``map_location``'s choice, else back there."""
        saved = Device(saved)
        if isinstance(self.map_location, dict):
            target = self.map_location.get(saved, saved)
        else:
            target = self.map_location or saved
        if target.type == "cuda" and not cuda_is_available():
            raise RuntimeError(f"{self.name}: Attempting to deserialize object on a CUDA device but "
                               f"minigrad.cuda.is_available() is False. If you are running on a CPU-only machine, "
                               f"please use minigrad.load with map_location='cpu' to map your tensors to the CPU.")
        return target

    def _tensor(self, node):
        array = self.array(node["array"])
        target = self._device(node.get("device", "cpu"))
        tensor = Tensor._wrap(move(array, target), None, False)
        if node.get("requires_grad") and array.dtype.kind == "f":
            tensor.requires_grad = True
        return tensor


def load(path, map_location=None):
    """Read an object written by :func:`save`. Tensors come back on the device they were saved
    from, unless ``map_location`` says otherwise, as in PyTorch: a device ("cpu", "cuda",
    ``minigrad.device``) for every tensor, or a dict from saved device to device, such as
    ``{"cuda:0": "cpu"}``; a CUDA tensor on a machine without CUDA needs one. Raises
    :class:`CheckpointError` for a damaged or unsafe file and FileNotFoundError for a missing one."""
    name = getattr(path, "name", None) or os.fspath(path) if not hasattr(path, "read") else "<file object>"
    try:
        data = path.read() if hasattr(path, "read") else open(os.fspath(path), "rb").read()
    except FileNotFoundError:
        raise FileNotFoundError(f"checkpoint not found: {name}") from None
    header_size = len(MAGIC) + 32
    if not data.startswith(MAGIC):
        raise CheckpointError(f"{name} is not a readable minigrad checkpoint (truncated or corrupted?): "
                              f"it does not start with minigrad's header")
    payload = data[header_size:]
    if len(data) < header_size or hashlib.sha256(payload).digest() != data[len(MAGIC):header_size]:
        raise CheckpointError(f"{name} is not a readable minigrad checkpoint (truncated or corrupted?): "
                              f"its checksum does not match its contents")
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
        header = json.loads(archive.read(STRUCTURE_MEMBER))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as error:
        raise CheckpointError(f"{name} is not a readable minigrad checkpoint: {error}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{name} is not a minigrad checkpoint")
    if header.get("version") != VERSION:
        raise CheckpointError(f"{name} has format version {header.get('version')}; this minigrad reads "
                              f"version {VERSION}")
    extra = set(archive.namelist()) - set(header.get("arrays", ())) - {STRUCTURE_MEMBER}
    if extra:
        raise CheckpointError(f"{name} holds unexpected members {sorted(extra)}; refusing to load it")
    return _Reader(archive, header, name, map_location).build(header["structure"])
