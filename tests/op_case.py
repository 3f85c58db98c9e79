"""What one entry of the op registry is (tests/op_registry.py): a function written once against
a library, and the inputs to call it with.

    OpCase("mul/broadcast", lambda T, x, y: T.mul(x, y), (Arg(2, 3), Arg(3)))

``fn(T, *tensors)`` is called with ``T`` = ``minigrad`` or ``torch``, so the same lines run in
both libraries; constants it needs (indices, masks, integer targets) it builds with ``T.tensor``.
Each ``Arg`` is one tensor input: its shape and where its values are drawn from. Kinds keep the
values where the op is smooth (``offgrid`` stays 0.1 away from every multiple of 0.5, the kinks
of relu, abs, clamp(+-0.5), floor and round); continuous random values never tie, so max, sort
and pooling have one winner each.
"""
from dataclasses import dataclass
from typing import Callable

import numpy

import minigrad

# kind -> (low, high) of a uniform draw; offgrid is shifted onto the half-integer grid afterwards
RANGES = {"real": (-1.0, 1.0), "pos": (0.5, 2.0), "small": (-0.7, 0.7), "prob": (0.1, 0.9), "offgrid": (0.1, 0.4)}


@dataclass(frozen=True, init=False)
class Arg:
    """One tensor input: ``Arg(2, 3, kind="pos", grad=False)``."""

    shape: tuple
    kind: str = "real"
    grad: bool = True

    def __init__(self, *shape, kind="real", grad=True):
        if kind not in RANGES:
            raise ValueError(f"unknown kind {kind!r}: expected one of {sorted(RANGES)}")
        object.__setattr__(self, "shape", tuple(shape))
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "grad", grad)

    def sample(self):
        """Float64 values drawn with minigrad's generator (seed it first)."""
        low, high = RANGES[self.kind]
        values = (minigrad.rand(self.shape, dtype=minigrad.float64, device="cpu") * (high - low) + low).numpy()
        if self.kind == "offgrid":  # a random cell of the 0.5-grid in [-2, 2), kept 0.1 from its edges
            cells = numpy.floor(minigrad.rand(self.shape, dtype=minigrad.float64, device="cpu").numpy() * 8) - 4
            values = values + cells / 2
        return numpy.asarray(values, dtype=numpy.float64)


@dataclass(frozen=True)
class OpCase:
    """A registry entry. ``fast``: check Jacobian projections only (gradcheck's fast_mode), for
    inputs with many elements. ``torch``: whether PyTorch's second derivative is the reference
    (False where PyTorch's is wrong or missing). ``derivative``: whether the first gradient is the
    true derivative (False for embedding's padding_idx and scale_grad_by_freq, which alter it on
    purpose, so only the gradient's own derivative is checked)."""

    name: str
    fn: Callable
    args: tuple
    fast: bool = False
    torch: bool = True
    derivative: bool = True

    def arrays(self):
        return [arg.sample() for arg in self.args]

    def tensors(self, lib, arrays):
        return [lib.tensor(a.copy(), requires_grad=arg.grad) for a, arg in zip(arrays, self.args)]

    def bound(self, lib):
        """``fn`` with the library filled in, as gradcheck wants it."""
        def call(*tensors):
            return self.fn(lib, *tensors)
        return call


def case(name, fn, *args, fast=False, torch=True, derivative=True):
    return OpCase(name, fn, tuple(args), fast, torch, derivative)


def floating_outputs(result):
    """The floating tensors ``fn`` returned (one tensor or a tuple; index outputs dropped)."""
    items = result if isinstance(result, (tuple, list)) else (result,)
    return [r for r in items if r.is_floating_point()]
