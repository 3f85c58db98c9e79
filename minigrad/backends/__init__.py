"""``minigrad.backends.cudnn``: the switches lessons set for reproducibility. minigrad has no
cuDNN; the flags are accepted and change nothing (its kernels are deterministic)."""
from minigrad.backends import cudnn  # noqa: F401
