"""Convolution and pooling: gradcheck in float64 and PyTorch differential tests, incl. ties."""
import numpy
import pytest

import minigrad
from nn import functional as F

CONV_CASES = [
    ("plain", (2, 3, 7, 6), (4, 3, 3, 3), dict()),
    ("stride_padding", (2, 3, 8, 7), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ("asymmetric", (1, 2, 7, 9), (3, 2, 2, 3), dict(stride=(2, 1), padding=(1, 0))),
    ("dilation", (2, 2, 9, 9), (3, 2, 3, 3), dict(dilation=2, padding=2)),
    ("groups", (2, 4, 6, 6), (6, 2, 3, 3), dict(groups=2, padding=1)),
    ("depthwise", (1, 3, 6, 5), (3, 1, 3, 3), dict(groups=3)),
    ("same_odd", (1, 2, 6, 6), (2, 2, 3, 3), dict(padding="same")),
    ("same_even_kernel", (1, 2, 6, 7), (2, 2, 4, 2), dict(padding="same", dilation=(1, 2))),
    ("valid", (1, 2, 5, 5), (3, 2, 2, 2), dict(padding="valid")),
    ("no_bias", (2, 3, 5, 5), (2, 3, 3, 3), dict(bias=False)),
    ("unbatched", (3, 6, 6), (2, 3, 3, 3), dict(padding=1)),
]


def _conv_inputs(lib, x_shape, w_shape, options, dtype, seed=0):
    rng = numpy.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal(x_shape).astype(dtype), requires_grad=True)
    w = lib.tensor(rng.standard_normal(w_shape).astype(dtype), requires_grad=True)
    b = None if options.get("bias") is False else lib.tensor(rng.standard_normal(w_shape[0]).astype(dtype),
                                                             requires_grad=True)
    return x, w, b, {k: v for k, v in options.items() if k != "bias"}


@pytest.mark.parametrize("name,x_shape,w_shape,options", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d_gradcheck(name, x_shape, w_shape, options):
    x, w, b, kwargs = _conv_inputs(minigrad, x_shape, w_shape, options, "float64")
    inputs = (x, w) if b is None else (x, w, b)
    assert minigrad.gradcheck(lambda *t: F.conv2d(t[0], t[1], t[2] if len(t) > 2 else None, **kwargs), inputs)


@pytest.mark.parametrize("dtype,tolerance", [("float32", 1e-4), ("float64", 1e-10)])
@pytest.mark.parametrize("name,x_shape,w_shape,options", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv2d_against_torch(name, x_shape, w_shape, options, dtype, tolerance, device):
    torch = pytest.importorskip("torch")
    ours = _conv_inputs(minigrad, x_shape, w_shape, options, dtype)
    theirs = _conv_inputs(torch, x_shape, w_shape, options, dtype)
    if device != "cpu":
        ours = tuple(t.detach().to(device).requires_grad_() if t is not None else None for t in ours[:3]) + ours[3:]
    out = F.conv2d(*ours[:3], **ours[3])
    expected = torch.nn.functional.conv2d(*theirs[:3], **theirs[3])
    numpy.testing.assert_allclose(out.detach().cpu().numpy(), expected.detach().numpy(), rtol=tolerance, atol=tolerance)
    upstream = numpy.random.default_rng(5).standard_normal(expected.shape).astype(dtype)
    out.backward(minigrad.tensor(upstream, device=device))
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours[:3], theirs[:3]):
        if mine is not None:
            numpy.testing.assert_allclose(mine.grad.cpu().numpy(), reference.grad.numpy(), rtol=tolerance,
                                          atol=tolerance)


def test_conv2d_skips_the_input_gradient_when_nobody_needs_it():
    x = minigrad.randn(2, 3, 8, 8)
    w = minigrad.randn(4, 3, 3, 3, requires_grad=True)
    out = F.conv2d(x, w)
    assert out.grad_fn.needs_input_grad == (False, True)
    out.sum().backward()
    assert x.grad is None and w.grad.shape == w.shape


POOL_CASES = [
    ("max_2", "max", dict(kernel_size=2)),
    ("max_overlap_pad", "max", dict(kernel_size=3, stride=2, padding=1)),
    ("max_ceil", "max", dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("max_dilation", "max", dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1))),
    ("avg_2", "avg", dict(kernel_size=2)),
    ("avg_overlap_pad", "avg", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_no_pad_count", "avg", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_ceil", "avg", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_divisor", "avg", dict(kernel_size=2, divisor_override=3)),
    ("adaptive_uneven", "adaptive", dict(output_size=(3, 4))),
    ("adaptive_one", "adaptive", dict(output_size=1)),
]
POOLS = {"max": ("max_pool2d",), "avg": ("avg_pool2d",), "adaptive": ("adaptive_avg_pool2d",)}


@pytest.mark.parametrize("name,kind,options", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pooling_gradcheck(name, kind, options):
    x = minigrad.tensor(numpy.random.default_rng(1).standard_normal((2, 2, 7, 9)), requires_grad=True)
    assert minigrad.gradcheck(lambda t: getattr(F, POOLS[kind][0])(t, **options), (x,))


@pytest.mark.parametrize("ties", [False, True], ids=["random", "ties"])
@pytest.mark.parametrize("name,kind,options", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pooling_against_torch(name, kind, options, ties):
    """With ties (many equal values) the max-pool gradient must go to the first maximum, as in PyTorch."""
    torch = pytest.importorskip("torch")
    array = numpy.random.default_rng(2).standard_normal((2, 3, 7, 9)).astype("float32")
    if ties:
        array = numpy.round(array)
    ours, theirs = minigrad.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
    function = POOLS[kind][0]
    out, expected = getattr(F, function)(ours, **options), getattr(torch.nn.functional, function)(theirs, **options)
    numpy.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-6, atol=1e-6)
    upstream = numpy.random.default_rng(3).standard_normal(expected.shape).astype("float32")
    out.backward(minigrad.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_max_pool_indices_match_torch():
    torch = pytest.importorskip("torch")
    array = numpy.round(numpy.random.default_rng(4).standard_normal((1, 2, 6, 6)).astype("float32"))
    _, ours = F.max_pool2d(minigrad.tensor(array), 3, 2, 1, return_indices=True)
    _, theirs = torch.nn.functional.max_pool2d(torch.tensor(array), 3, 2, 1, return_indices=True)
    numpy.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("call,error,words", [
    (lambda: F.conv2d(minigrad.ones(1, 4, 8, 8), minigrad.ones(6, 3, 5, 5)), RuntimeError,
     r"weight of size \[6, 3, 5, 5\], expected input\[1, 4, 8, 8\] to have 3 channels, but got 4"),
    (lambda: F.conv2d(minigrad.ones(1, 3, 4, 4), minigrad.ones(2, 3, 5, 5)), RuntimeError, "larger than the padded"),
    (lambda: F.conv2d(minigrad.ones(1, 3, 8, 8), minigrad.ones(2, 3, 3, 3), stride=2, padding="same"), ValueError,
     "padding='same' is not supported for strided"),
    (lambda: F.conv2d(minigrad.ones(1, 3, 8, 8), minigrad.ones(2, 3, 3, 3), padding="full"), ValueError,
     "Invalid padding string"),
    (lambda: F.conv2d(minigrad.ones(3, 8), minigrad.ones(2, 3, 3, 3)), RuntimeError, "3-D or 4-D input"),
    (lambda: F.max_pool2d(minigrad.ones(1, 1, 4, 4), 2, padding=2), RuntimeError, "pad should be at most half"),
    (lambda: F.avg_pool2d(minigrad.ones(1, 1, 2, 2), 3), RuntimeError, "output size is too small"),
    (lambda: F.max_pool2d(minigrad.ones(4, 4), 2), RuntimeError, r"3-D \(C, H, W\) or 4-D"),
], ids=["channels", "kernel_too_large", "same_strided", "bad_padding", "bad_rank", "pool_padding", "pool_small",
        "pool_rank"])
def test_conv_and_pool_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()
