"""What every part of the stand-in shares: the pretend GPU's owner process and CuPy's CUDA errors."""
import os

DEVICE_COUNT = 1  # tests set 0 (with monkeypatch) to play a machine whose driver sees no GPU


class CUDARuntimeError(RuntimeError):
    """CuPy's ``cupy.cuda.runtime.CUDARuntimeError``: ``status`` is the CUDA error code."""

    def __init__(self, status, name, text):
        self.status = status
        super().__init__(f"{name}: {text}")


def initialization_error():
    return CUDARuntimeError(3, "cudaErrorInitializationError", "initialization error")


def no_device_error():
    return CUDARuntimeError(100, "cudaErrorNoDevice", "no CUDA-capable device is detected")


def invalid_device_error():
    return CUDARuntimeError(101, "cudaErrorInvalidDevice", "invalid device ordinal")


# The process that first used the device. CUDA cannot be used again in a process forked after
# that: every call there fails with an initialization error, which is what this reproduces.
_owner = {"pid": None}


def use_device():
    """Called by everything that would reach the GPU (kernels, copies, runtime calls)."""
    pid = os.getpid()
    if _owner["pid"] is None:
        _owner["pid"] = pid
    elif _owner["pid"] != pid:
        raise initialization_error()
    if DEVICE_COUNT < 1:
        raise no_device_error()
