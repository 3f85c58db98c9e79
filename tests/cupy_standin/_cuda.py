"""``cupy.cuda`` of the stand-in: one pretend GPU, the runtime calls minigrad makes, ``Device``."""
import types

from cupy_standin import _state

_current = [0]  # the current device id, changed by Device.use() and `with Device(i)`


def _check(device_id):
    _state.use_device()
    if not 0 <= device_id < _state.DEVICE_COUNT:
        raise _state.invalid_device_error()


def _get_device_count():
    _state.use_device()
    return _state.DEVICE_COUNT


def _get_device():
    _state.use_device()
    return _current[0]


def _set_device(device_id):
    _check(device_id)
    _current[0] = device_id


runtime = types.ModuleType("cupy.cuda.runtime", "CUDA runtime calls (the few minigrad and its tests make).")
runtime.CUDARuntimeError = _state.CUDARuntimeError
runtime.getDeviceCount = _get_device_count
runtime.getDevice = _get_device
runtime.setDevice = _set_device
runtime.deviceSynchronize = _state.use_device


class Device:
    """``cupy.cuda.Device(i)``: selects GPU ``i`` for the code inside ``with``."""

    def __init__(self, device=None):
        self.id = _current[0] if device is None else int(device)
        self._previous = []

    def use(self):
        _set_device(self.id)

    def synchronize(self):
        _check(self.id)

    @property
    def compute_capability(self):
        _check(self.id)
        return "90"

    def __enter__(self):
        _check(self.id)
        self._previous.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc_info):
        _current[0] = self._previous.pop()

    def __int__(self):
        return self.id

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(("cuda", self.id))

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class MemoryPointer:
    """What ``ndarray.data`` is: an address on a device."""

    def __init__(self, ptr, device_id):
        self.ptr, self.device_id = ptr, device_id

    @property
    def device(self):
        return Device(self.device_id)

    def __int__(self):
        return self.ptr


def is_available():
    try:
        return _get_device_count() > 0
    except _state.CUDARuntimeError:
        return False


def get_device_id():
    return _get_device()
