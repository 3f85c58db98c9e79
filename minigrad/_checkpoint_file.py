"""The byte level of ``minigrad.load``: reading a checkpoint file without trusting any size in it.

A hostile file can declare anything: a zip directory larger than the file, members that
overlap so that one byte is read many times, a member compressed a thousandfold, a ``.npy``
header promising terabytes. Here every declared size is checked against the bytes that are
really in the file *before* anything is allocated, so loading never needs much more memory
than the file's own size:

* the 46-byte header (magic string and SHA-256) is read first: a file that is not a
  checkpoint (``/dev/zero``, a pickle, a huge video) is refused after reading 46 bytes;
* the checksum is computed in chunks, never by reading the whole file at once;
* the zip reader sees the file through :class:`_Window`, whose reads stop at the end of the
  payload whatever length is asked for;
* members must be stored (uncompressed, as ``save`` writes them), unencrypted, named once,
  and all together no larger than the payload (overlapping members are refused);
* a ``.npy`` member's shape times its item size must equal the bytes it holds, and its dtype
  must be bool, integer or floating (what ``save`` accepts).
"""
import hashlib
import io
import math
import os
import shutil
import tempfile
import zipfile
from contextlib import contextmanager

import numpy
from numpy.lib import format as npy_format

CHUNK = 1 << 20
DIGEST_SIZE = 32  # SHA-256
SAFE_KINDS = "biuf"  # bool, signed and unsigned integers, floating point
MAX_NPY_HEADER = 10_000  # NumPy's own limit for headers it parses safely
ALLOWED_FLAGS = 0x808  # a data descriptor follows the member (0x8), the name is UTF-8 (0x800)
# what Python's zipfile raises on damaged archives; anything from it becomes a CheckpointError
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError)


class CheckpointError(RuntimeError):
    """A checkpoint file that cannot be trusted: truncated, corrupted, tampered or unsafe."""


class _Window:
    """A read-only view of ``length`` bytes of ``file`` from ``start``: a read never returns
    (or allocates) more than what is left in the window, whatever size it asks for."""

    def __init__(self, file, start, length):
        self.file, self.start, self.length, self.position = file, start, length, 0

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        position = (0, self.position, self.length)[whence] + offset
        if position < 0:
            raise OSError(f"negative seek position {position}")
        self.position = position
        return position

    def read(self, size=-1):
        left = max(0, self.length - self.position)
        size = left if size is None or size < 0 else min(size, left)
        self.file.seek(self.start + self.position)
        data = self.file.read(size)
        self.position += len(data)
        return data


def _not_a_checkpoint(name, why):
    return CheckpointError(f"{name} is not a readable minigrad checkpoint (truncated or corrupted?): {why}")


@contextmanager
def _opened(source):
    """(seekable binary file, its name) for a path or a file object."""
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<file object>"))
        seekable = getattr(source, "seekable", lambda: False)()
        yield source, name, seekable
        return
    name = os.fspath(source)
    try:
        file = open(name, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"checkpoint not found: {name}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"checkpoint {name} is a directory, not a file") from None
    with file:
        yield file, name, file.seekable()


@contextmanager
def open_payload(source, magic):
    """Check the header of ``source`` (a path or a binary file object) and yield
    ``(zipfile.ZipFile, name)`` over its payload. Raises CheckpointError for anything else."""
    with _opened(source) as (file, name, seekable):
        header = file.read(len(magic) + DIGEST_SIZE)
        if not header.startswith(magic):
            raise _not_a_checkpoint(name, "it does not start with minigrad's header")
        if len(header) < len(magic) + DIGEST_SIZE:
            raise _not_a_checkpoint(name, "it ends inside its header")
        with _seekable_rest(file, seekable) as (body, start):
            size = body.seek(0, io.SEEK_END) - start
            body.seek(start)
            if _digest(body, size) != header[len(magic):]:
                raise _not_a_checkpoint(name, "its checksum does not match its contents")
            try:
                archive = zipfile.ZipFile(_Window(body, start, size))
            except ZIP_ERRORS as error:
                raise CheckpointError(f"{name} is not a readable minigrad checkpoint: {error}") from None
            with archive:
                check_members(archive, size, name)
                yield archive, name


@contextmanager
def _seekable_rest(file, seekable):
    """(a seekable file holding the rest of ``file``, the offset where that rest starts).
    A pipe or socket is copied to a temporary file first: its size is only known at its end."""
    if seekable:
        yield file, file.tell()
        return
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(file, copy, CHUNK)
        yield copy, 0


def _digest(file, size):
    digest = hashlib.sha256()
    left = size
    while left:
        chunk = file.read(min(CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest.digest()


def check_members(archive, payload_size, name):
    """Refuse members that are compressed, encrypted, named twice, or larger (alone or
    together) than the payload that holds them."""
    seen, total = set(), 0
    for info in archive.infolist():
        member = info.filename
        if member in seen:
            raise CheckpointError(f"{name}: the member {member!r} appears twice in the archive; refusing to load it")
        seen.add(member)
        if info.flag_bits & ~ALLOWED_FLAGS:
            raise CheckpointError(f"{name}: the member {member!r} uses zip features minigrad does not write "
                                  f"(encryption, patches: flags {info.flag_bits:#x}); refusing to load it")
        if info.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(f"{name}: the member {member!r} is compressed (zip method {info.compress_type}); "
                                  f"minigrad checkpoints store members uncompressed, and compressed ones are refused "
                                  f"because they can inflate without bound")
        total += info.file_size
        if info.file_size != info.compress_size or total > payload_size:
            raise CheckpointError(f"{name}: the member {member!r} declares {info.file_size} bytes, more than the "
                                  f"{payload_size}-byte archive holds (overlapping or forged members?)")


def read_member(archive, member, limit, name):
    """The bytes of ``member``, refused when it declares more than ``limit`` bytes."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise CheckpointError(f"{name}: the archive has no member {member!r}") from None
    if info.file_size > limit:
        raise CheckpointError(f"{name}: {member} is {info.file_size} bytes, over the limit of {limit} bytes")
    try:
        return archive.read(info)
    except ZIP_ERRORS as error:
        raise CheckpointError(f"{name}: cannot read {member}: {error}") from None


def read_array(archive, member, name):
    """The NumPy array stored as ``member`` (a ``.npy`` file), checked before it is allocated."""
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise CheckpointError(f"{name}: the archive has no member {member!r}") from None
    try:
        with archive.open(info) as file:
            shape, fortran_order, dtype = _npy_header(file, member, name)
            count = math.prod(shape)
            body = info.file_size - file.tell()
            if count * dtype.itemsize != body:
                raise CheckpointError(f"{name}: {member} declares shape {shape} of {dtype} ({count * dtype.itemsize} "
                                      f"bytes) but holds {body} bytes of data")
            buffer = _read_exactly(file, body, member, name)
    except ZIP_ERRORS as error:
        raise CheckpointError(f"{name}: cannot read {member}: {error}") from None
    array = numpy.frombuffer(buffer, dtype=dtype, count=count)
    try:
        array = array.reshape(shape, order="F" if fortran_order else "C")
    except ValueError as error:  # e.g. a zero-size array with a dimension past NumPy's index range
        raise CheckpointError(f"{name}: {member} has an unusable shape {shape}: {error}") from None
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def _npy_header(file, member, name):
    try:
        version = npy_format.read_magic(file)
        if version == (1, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_1_0(file, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_2_0(file, max_header_size=MAX_NPY_HEADER)
        else:
            raise ValueError(f".npy format version {version} is not supported")
    except ZIP_ERRORS[:3]:  # the archive itself is damaged: reported by read_array
        raise
    except Exception as error:  # NumPy parses the header with literal_eval: any failure means a bad header
        raise CheckpointError(f"{name}: {member} is not a plain numeric array ({type(error).__name__}: {error}); "
                              f"refusing to load it") from None
    if dtype.kind not in SAFE_KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise CheckpointError(f"{name}: {member} is not a plain numeric array (dtype {dtype}); only bool, integer "
                              f"and floating arrays are loaded, as minigrad.save writes them")
    if any(size < 0 for size in shape):
        raise CheckpointError(f"{name}: {member} declares a negative dimension in shape {shape}")
    return shape, fortran_order, dtype


def _read_exactly(file, size, member, name):
    """``size`` bytes of ``file`` into one writable buffer, read in chunks (no second copy)."""
    buffer = bytearray(size)
    view, filled = memoryview(buffer), 0
    while filled < size:
        got = file.readinto(view[filled:filled + CHUNK])
        if not got:
            raise CheckpointError(f"{name}: {member} ends after {filled} of its {size} bytes")
        filled += got
    return buffer
