"""The one place that knows about array libraries.

Every op computes through the array module of its inputs (``numpy`` for the CPU,
``cupy`` for CUDA), so one implementation serves both devices. CuPy is optional:
it is imported the first time a CUDA device is asked for.
"""
import os
import sys

import numpy

INSTALL_HINT = 'install the GPU extra: pip install -e ".[gpu]" (CuPy for CUDA 12)'


class device:
    """Where a tensor's storage lives: ``device("cpu")`` or ``device("cuda")`` (``"cuda:0"``)."""

    __slots__ = ("type", "index")

    def __init__(self, spec, index=None):
        if isinstance(spec, device):
            spec, index = spec.type, spec.index
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string like 'cpu' or 'cuda', got {spec!r}")
        kind, _, number = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(f"Expected one of cpu, cuda device type at start of device string: {spec}")
        self.type = kind
        self.index = int(number) if number else index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = device("cpu")
_device_class = device  # set_default_device's parameter, named as PyTorch's, hides the class

_DEFAULT_DEVICE = [CPU]  # a one-slot box, changed only by set_default_device


def set_default_device(device):  # noqa: F811
    """Device of tensors created without ``device=`` ("cpu" or "cuda")."""
    chosen = _device_class(device) if device is not None else CPU
    module_for(chosen)  # fail now, with the install hint, if CUDA is not usable
    _DEFAULT_DEVICE[0] = chosen


def get_default_device():
    return _DEFAULT_DEVICE[0]


FORK_MESSAGE = ("Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use "
                "the 'spawn' start method (DataLoader workers load on the CPU: move batches to the GPU in the "
                "main process)")
_cuda_process = [None]  # the id of the process that initialised CUDA; a fork of it cannot use CUDA


def _import_cupy(dev=None):
    """CuPy, once it is known to see a GPU (GPU ``dev.index`` when ``dev`` is given)."""
    if _cuda_process[0] not in (None, os.getpid()):
        raise RuntimeError(FORK_MESSAGE)  # not "no GPU": the driver refuses a forked child
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(f"CUDA was requested but CuPy is not installed: {INSTALL_HINT}") from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError without a driver
        raise RuntimeError(f"CUDA was requested but no CUDA GPU is usable ({error}); "
                           f"minigrad needs an NVIDIA GPU and {INSTALL_HINT}") from error
    if count == 0:
        raise RuntimeError(f"CUDA was requested but no CUDA GPU was found; {INSTALL_HINT}")
    _cuda_process[0] = os.getpid()
    if dev is not None and not 0 <= (dev.index or 0) < count:
        raise RuntimeError(f"CUDA error: invalid device ordinal: {dev} was requested but there "
                           f"{'is 1 GPU' if count == 1 else f'are {count} GPUs'} (cuda:0 to cuda:{count - 1})")
    return cupy


def cuda_is_available():
    """True when CuPy imports and sees at least one GPU."""
    try:
        _import_cupy()
    except RuntimeError:
        return False
    return True


def module_for(dev):
    """The array module (numpy or cupy) that stores tensors of device ``dev``."""
    if dev.type == "cpu":
        return numpy
    return _import_cupy(dev)


def array_module(array):
    """The array module that owns ``array``; numpy unless CuPy is loaded and owns it."""
    cupy = sys.modules.get("cupy")
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy
    return numpy


def device_of(array):
    return CPU if array_module(array) is numpy else device("cuda", array.device.id)


def move(array, dev):
    """Copy ``array`` to device ``dev`` (a no-op when it is already there)."""
    current = array_module(array)
    if dev.type == "cpu":
        return array if current is numpy else array.get()
    cupy = _import_cupy(dev)
    if current is cupy:
        return array
    with cupy.cuda.Device(dev.index or 0):
        return cupy.asarray(array)


def to_numpy(array):
    """A NumPy view (CPU) or copy (CUDA) of ``array``."""
    return array if array_module(array) is numpy else array.get()


def scatter_add(target, index, values):
    """``target[index] += values`` where repeated indices accumulate: ``add.at`` of NumPy, and of
    CuPy 13 on (which deprecates its older ``cupyx.scatter_add``)."""
    array_module(target).add.at(target, index, values)
    return target
