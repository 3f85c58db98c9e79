"""Padding layers: constant (and zero), reflection, replication and circular padding of the last
1, 2 or 3 dimensions. ``padding`` is an int (the same on every side) or a tuple of widths listed
from the last dimension (left, right, top, bottom, front, back), as in ``F.pad``."""
from nn import functional as F
from nn.module import Module


def _widths(padding, sides):
    """An int repeated for every side; a sequence kept as given (PyTorch's _ntuple)."""
    if isinstance(padding, (tuple, list)):
        return tuple(padding)
    return (padding,) * sides


class _PadNd(Module):
    """Pads the last ``dims`` dimensions of an input with ``dims + 1`` or ``dims + 2`` dimensions."""

    dims = 2
    mode = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(padding, 2 * self.dims)

    def forward(self, input):  # noqa: A002 - PyTorch's name
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    mode = "constant"

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):  # noqa: A002
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    dims = 1


class ConstantPad2d(_ConstantPadNd):
    dims = 2


class ConstantPad3d(_ConstantPadNd):
    dims = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pads with the reflection of the input about its edge (the edge itself is not repeated)."""
    dims, mode = 1, "reflect"


class ReflectionPad2d(ReflectionPad1d):
    dims = 2


class ReflectionPad3d(ReflectionPad1d):
    dims = 3


class ReplicationPad1d(_PadNd):
    """Pads by repeating the edge values."""
    dims, mode = 1, "replicate"


class ReplicationPad2d(ReplicationPad1d):
    dims = 2


class ReplicationPad3d(ReplicationPad1d):
    dims = 3


class _CircularPadNd(_PadNd):
    """Pads with the values from the opposite end (wrapping around)."""

    mode = "circular"

    def forward(self, input):  # noqa: A002
        if input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(f"expected {self.dims + 1}D or {self.dims + 2}D input (got {input.ndim}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    dims = 1


class CircularPad2d(_CircularPadNd):
    dims = 2


class CircularPad3d(_CircularPadNd):
    dims = 3
