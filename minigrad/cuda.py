"""``minigrad.cuda.is_available()`` and friends."""
from minigrad import backend, random


def is_available():
    """True when CuPy is installed and sees a GPU (install the ``gpu`` extra for it)."""
    return backend.cuda_is_available()


def device_count():
    return backend.module_for(backend.device("cuda")).cuda.runtime.getDeviceCount() if is_available() else 0


def synchronize():
    if is_available():
        backend.module_for(backend.device("cuda")).cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the CUDA stream (CuPy's generator; PyTorch's CUDA numbers are not reproduced).
    ``minigrad.manual_seed`` seeds it too. Harmless without a GPU, as in PyTorch."""
    random.default_generator.cuda_manual_seed(int(seed))


manual_seed_all = manual_seed
