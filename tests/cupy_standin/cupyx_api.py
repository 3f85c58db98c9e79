"""The stand-in's ``cupyx``: the scatter functions (``scatter_add`` is deprecated for ``cupy.add.at``)."""
import warnings

from cupy_standin._array import ndarray


def _device_array(a):
    if not isinstance(a, ndarray):
        raise TypeError(f"Unsupported type {type(a)}")
    return a


def scatter_add(a, slices, value):
    warnings.warn("cupyx.scatter_add is deprecated. Use cupy.add.at instead.", DeprecationWarning, stacklevel=2)
    _device_array(a).scatter_add(slices, value)


def scatter_max(a, slices, value):
    _device_array(a).scatter_max(slices, value)


def scatter_min(a, slices, value):
    _device_array(a).scatter_min(slices, value)
