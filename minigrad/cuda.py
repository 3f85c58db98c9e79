"""``minigrad.cuda.is_available()`` and friends."""
from minigrad import backend


def is_available():
    """True when CuPy is installed and sees a GPU (install the ``gpu`` extra for it)."""
    return backend.cuda_is_available()


def device_count():
    return backend.module_for(backend.device("cuda")).cuda.runtime.getDeviceCount() if is_available() else 0


def synchronize():
    if is_available():
        backend.module_for(backend.device("cuda")).cuda.Device().synchronize()
