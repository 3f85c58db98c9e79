"""Higher-order gradients op by op (issue 12): for every entry of the op registry, gradcheck and
gradgradcheck in float64, and the values, first derivatives and vector-Jacobian products of the
first derivatives compared with PyTorch's ``autograd.grad(create_graph=True)`` (live, or its
stored answers)."""
import numpy
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck
from op_case import floating_outputs
from op_registry import CASES
from oracle import reference

CLOSE = dict(rtol=1e-7, atol=1e-9)

def params(entries, second_order=False):
    """One pytest parameter per entry, named after it."""
    return [pytest.param(e, id=e.name) for e in entries]


@pytest.mark.parametrize("entry", params([e for e in CASES if e.derivative], second_order=False))
def test_gradcheck(entry):
    inputs = entry.tensors(minigrad, entry.arrays())
    assert gradcheck(entry.bound(minigrad), inputs, fast_mode=entry.fast)


@pytest.mark.parametrize("entry", params(CASES, second_order=True))
def test_gradgradcheck(entry):
    inputs = entry.tensors(minigrad, entry.arrays())
    assert gradgradcheck(entry.bound(minigrad), inputs, fast_mode=entry.fast)


def _as_numpy(tensor, like):
    if tensor is None or getattr(tensor, "_is_zerotensor", lambda: False)():  # PyTorch's lazy zeros
        return numpy.zeros(tuple(like.shape))
    return tensor.detach().numpy().copy()


def derivatives(lib, entry, arrays, grad_outputs, directions):
    """The outputs of ``entry`` in ``lib``, their vector-Jacobian products with ``grad_outputs``
    (recorded), and the vector-Jacobian products of those with ``directions``, with respect to
    the inputs and to the grad_outputs: all as NumPy arrays, zeros where a gradient is None."""
    inputs = entry.tensors(lib, arrays)
    outputs = floating_outputs(entry.fn(lib, *inputs))
    seeds = [lib.tensor(g.copy(), requires_grad=True) for g in grad_outputs]
    live = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
    wrt = [x for x in inputs if x.requires_grad]
    first = lib.autograd.grad([o for o, _ in live], wrt, [s for _, s in live], create_graph=True, allow_unused=True)
    pairs = [(f, lib.tensor(d.copy())) for f, d in zip(first, directions) if f is not None and f.requires_grad]
    second = [None] * len(wrt + seeds)
    if pairs:
        second = lib.autograd.grad([f for f, _ in pairs], wrt + seeds, [d for _, d in pairs], allow_unused=True)
    return ([_as_numpy(o, o) for o in outputs], [_as_numpy(f, x) for f, x in zip(first, wrt)],
            [_as_numpy(s, x) for s, x in zip(second, wrt + seeds)])


def _draw(shapes):
    return [minigrad.randn(tuple(shape), dtype=minigrad.float64).numpy() for shape in shapes]


@pytest.mark.filterwarnings("ignore:Using padding=.same.")  # PyTorch notes its own zero-padded copy
@pytest.mark.parametrize("entry", params([e for e in CASES if e.torch], second_order=True))
def test_second_derivatives_match_torch(entry):
    arrays = entry.arrays()
    with minigrad.no_grad():
        shapes = [o.shape for o in floating_outputs(entry.fn(minigrad, *entry.tensors(minigrad, arrays)))]
    grad_outputs = _draw(shapes)
    directions = _draw([a.shape for a, arg in zip(arrays, entry.args) if arg.grad])
    ours = derivatives(minigrad, entry, arrays, grad_outputs, directions)
    theirs = reference(lambda torch: derivatives(torch, entry, arrays, grad_outputs, directions))
    for stage, mine, expected in zip(("outputs", "first derivatives", "second derivatives"), ours, theirs):
        assert len(mine) == len(expected), stage
        for k, (a, b) in enumerate(zip(mine, expected)):
            numpy.testing.assert_allclose(a, b, err_msg=f"{stage}[{k}]", **CLOSE)


@pytest.fixture
def on_cuda():
    """CUDA as the default device for the test (a GPU, or the CuPy stand-in on machines without one)."""
    if not minigrad.cuda.is_available():
        pytest.skip("no CUDA device")
    previous = minigrad.get_default_device()
    minigrad.set_default_device("cuda")
    yield
    minigrad.set_default_device(previous)


@pytest.mark.parametrize("entry", params(CASES, second_order=False))
def test_gradgradcheck_on_cuda(entry, on_cuda):
    inputs = entry.tensors(minigrad, entry.arrays())
    assert all(x.is_cuda for x in inputs)
    assert gradgradcheck(entry.bound(minigrad), inputs, fast_mode=entry.fast)
