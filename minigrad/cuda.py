"""``minigrad.cuda``: PyTorch's ``torch.cuda`` functions that lessons call, with or without a GPU.

Seeding functions seed the CUDA stream (CuPy's generator) when a GPU is usable and do nothing
otherwise, as ``torch.cuda.manual_seed`` does on a machine without CUDA.
"""
from minigrad import backend, random


def is_available():
    """True when CuPy is installed and sees a GPU (install the ``gpu`` extra for it)."""
    return backend.cuda_is_available()


def _cupy():
    return backend.module_for(backend.device("cuda"))


def device_count():
    return _cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def current_device():
    if not is_available():
        raise RuntimeError("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
                           "installed a driver (minigrad also needs CuPy: the gpu extra).")
    return _cupy().cuda.Device().id


def get_device_name(device=None):
    if not is_available():
        raise RuntimeError("Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
                           "installed a driver (minigrad also needs CuPy: the gpu extra).")
    index = 0 if device is None else backend.device(device).index if not isinstance(device, int) else device
    properties = _cupy().cuda.runtime.getDeviceProperties(index or 0)
    name = properties["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device=None):
    if is_available():
        _cupy().cuda.Device().synchronize()


def manual_seed(seed):
    """Seed the CUDA stream (CuPy's generator; PyTorch's CUDA numbers are not reproduced).
    ``minigrad.manual_seed`` seeds it too. Harmless without a GPU, as in PyTorch."""
    random.default_generator.cuda_manual_seed(int(seed))


manual_seed_all = manual_seed


def seed():
    if is_available():
        _cupy().random.seed()


seed_all = seed


def empty_cache():
    if is_available():
        _cupy().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    return int(_cupy().get_default_memory_pool().used_bytes()) if is_available() else 0
