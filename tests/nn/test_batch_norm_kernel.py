"""Training-mode batch norm through its few-pass kernel (minigrad.kernels.batch_norm): PyTorch's
values on the benchmark's shape and on shapes that take the kernel's other paths, the same
numbers with one thread or two, and the gradients only of the inputs that need one."""
import numpy
import pytest

import minigrad
from minigrad.kernels import batch_norm as kernel
from nn import functional as F
from oracle import Raised, assert_close_to, reference

SKETCH_ABOVE = 4096
TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture(autouse=True)
def restore_threads():
    threads = minigrad.get_num_threads()
    yield
    minigrad.set_num_threads(threads)


def _arrays(shape, offset=0.0, seed=0):
    rng = numpy.random.default_rng(seed)
    channels = shape[1]
    return (rng.standard_normal(shape) * 2 + offset, rng.standard_normal(shape), rng.standard_normal(channels),
            rng.standard_normal(channels))


def _observe(lib, arrays, dtype, layout=None):
    """Output, gradients of x, weight and bias and the updated running statistics of one
    training step of ``lib``'s batch norm."""
    x, grad, weight, bias = (lib.tensor(a, dtype=getattr(lib, dtype)) for a in arrays)
    if layout is not None:
        x = layout(x)
    for tensor in (x, weight, bias):
        tensor.requires_grad_(True)
    running_mean, running_var = lib.zeros(weight.shape[0], dtype=x.dtype), lib.ones(weight.shape[0], dtype=x.dtype)
    out = lib.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training=True, momentum=0.3)
    out.backward(grad if layout is None else layout(grad))
    return {name: value.detach().numpy().astype("float64") for name, value in
            (("out", out), ("grad x", x.grad), ("grad weight", weight.grad), ("grad bias", bias.grad),
             ("running mean", running_mean), ("running var", running_var))}


def _check(ours, expected, dtype):
    for name, value in ours.items():
        assert_close_to(value, expected[name], message=name, **TOLERANCE[dtype])


def _transposed(x):
    """A non-contiguous view: (C, N, L) stored, (N, C, L) seen."""
    return x.transpose(0, 1).contiguous().transpose(0, 1)


CASES = [  # (shape, dtype, mean of x, layout), id
    (((64, 16, 32, 32), "float32", 0.0, None), "bench-shape"),
    (((64, 16, 32, 32), "float64", 0.0, None), "bench-shape-float64"),
    (((8, 4, 6, 6), "float32", 100.0, None), "large-mean"),
    (((3000, 5), "float32", 0.0, None), "2d"),
    (((2, 3, 40000), "float32", 0.0, None), "sample-over-a-block"),
    (((9, 6, 50), "float32", 0.0, _transposed), "non-contiguous"),
]


@pytest.mark.parametrize("shape, dtype, offset, layout", [c[0] for c in CASES], ids=[c[1] for c in CASES])
def test_matches_pytorch(shape, dtype, offset, layout):
    arrays = _arrays(shape, offset)
    expected = reference(lambda torch: _observe(torch, arrays, dtype, layout), sketch_above=SKETCH_ABOVE)
    _check(_observe(minigrad, arrays, dtype, layout), expected, dtype)


@pytest.mark.parametrize("shape", [(64, 16, 32, 32), (2048, 3)], ids=["bench-shape", "2d"])
def test_threads_change_no_number(shape):
    arrays = _arrays(shape)
    results = []
    for threads in (1, 2):
        minigrad.set_num_threads(threads)
        results.append(_observe(minigrad, arrays, "float32"))
    for name, value in results[0].items():
        numpy.testing.assert_array_equal(value, results[1][name], err_msg=name)


def test_non_contiguous_input_gives_the_contiguous_numbers():
    arrays = _arrays((9, 6, 50))
    plain, strided = _observe(minigrad, arrays, "float32"), _observe(minigrad, arrays, "float32", _transposed)
    for name, value in plain.items():
        numpy.testing.assert_array_equal(value, strided[name], err_msg=name)


@pytest.mark.parametrize("needs", [(True, False, False), (False, True, False), (False, False, True)],
                         ids=["x", "weight", "bias"])
def test_only_the_gradients_asked_for(needs):
    x, _, weight, bias = (minigrad.tensor(a) for a in _arrays((4, 3, 5)))
    inputs = (x, weight, bias)
    for tensor, need in zip(inputs, needs):
        tensor.requires_grad_(need)
    F.batch_norm(x, None, None, weight, bias, training=True).pow(2).sum().backward()
    assert [t.grad is not None for t in inputs] == list(needs)


def test_second_derivative_of_the_input_matches_pytorch():
    x, grad, weight, bias = _arrays((4, 3, 5))

    def second(lib):
        xs, ws = lib.tensor(x, requires_grad=True), lib.tensor(weight, requires_grad=True)
        out = lib.nn.functional.batch_norm(xs, None, None, ws, lib.tensor(bias), training=True)
        first, = lib.autograd.grad((out * lib.tensor(grad)).sum(), xs, create_graph=True)
        return lib.autograd.grad((first * first).sum(), (xs, ws))

    ours = second(minigrad)
    expected = reference(lambda torch: [g.numpy() for g in second(torch)])
    for value, theirs in zip(ours, expected):
        numpy.testing.assert_allclose(value.numpy(), theirs, rtol=1e-9, atol=1e-11)


def test_the_kernel_statistics_are_the_batch_ones():
    x = numpy.random.default_rng(3).standard_normal((5, 4, 7))
    out, mean, var, inv_std = kernel.forward(x, numpy.ones(4), numpy.zeros(4), 1e-5)
    numpy.testing.assert_allclose(mean, x.mean(axis=(0, 2)), rtol=1e-12, atol=1e-15)
    numpy.testing.assert_allclose(var, x.var(axis=(0, 2)), rtol=1e-12)
    numpy.testing.assert_allclose(out, (x - mean[:, None]) * inv_std[:, None], rtol=1e-10, atol=1e-12)


ERRORS = [  # the errors batch_norm raised before the kernel, unchanged
    (lambda: F.batch_norm(minigrad.ones(1, 3), None, None, training=True),
     Raised("ValueError", "Expected more than 1 value per channel when training, got input size [1, 3]")),
    (lambda: F.batch_norm(minigrad.ones(4, 3), None, None, minigrad.ones(2), training=True),
     Raised("RuntimeError", "batch_norm: weight should contain 3 elements not 2")),
    (lambda: F.batch_norm(minigrad.ones(4), None, None, training=True),
     Raised("ValueError", "batch_norm: expected at least 2-D input (got 1D input)")),
    (lambda: F.batch_norm(minigrad.ones(4, 3), minigrad.zeros(2), minigrad.ones(3), training=True),
     Raised("RuntimeError", "running_mean should contain 3 elements not 2")),
]


@pytest.mark.parametrize("call, expected", ERRORS, ids=["one-value-per-channel", "weight-size", "1d", "running-size"])
def test_errors_are_unchanged(call, expected):
    assert Raised.of(call) == expected
