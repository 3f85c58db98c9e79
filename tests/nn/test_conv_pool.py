"""Convolution and pooling: gradcheck in float64, PyTorch differential tests (values and every
gradient, float32 and float64), max-pool ties, the batch split into blocks, and error paths."""
import numpy
import pytest

import minigrad
from minigrad.kernels import conv as conv_module
from minigrad.kernels.windows import col2im, im2col
from minigrad.ops.mathspace import ARRAY
from nn.functional_conv import conv2d
from nn.functional_pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d
from oracle import reference

TOLERANCE = {"float32": 1e-4, "float64": 1e-10}

# name, input shape, weight shape, keyword arguments ("bias": False drops the bias)
CONV_CASES = [
    ("plain", (2, 3, 7, 6), (4, 3, 3, 3), {}),
    ("stride2_pad1", (2, 3, 8, 7), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ("asymmetric_stride_pad", (1, 2, 7, 9), (3, 2, 2, 3), dict(stride=(2, 1), padding=(1, 0))),
    ("stride_beyond_kernel", (2, 2, 9, 8), (3, 2, 2, 2), dict(stride=3)),
    ("dilation", (2, 2, 9, 9), (3, 2, 3, 3), dict(dilation=2, padding=2)),
    ("dilation_stride", (1, 2, 10, 9), (2, 2, 3, 2), dict(dilation=(2, 3), stride=(2, 1), padding=(0, 1))),
    ("rows_stride_w", (2, 3, 8, 9), (4, 3, 3, 2), dict(dilation=(2, 1), stride=(1, 2), padding=(1, 2))),
    ("groups", (2, 4, 6, 6), (6, 2, 3, 3), dict(groups=2, padding=1)),
    ("depthwise", (1, 3, 6, 5), (3, 1, 3, 3), dict(groups=3)),
    ("same_odd_kernel", (1, 2, 6, 6), (2, 2, 3, 3), dict(padding="same")),
    ("same_even_kernel", (1, 2, 6, 7), (2, 2, 4, 2), dict(padding="same")),
    ("same_dilated", (1, 2, 7, 6), (2, 2, 2, 3), dict(padding="same", dilation=(3, 2))),
    ("valid", (1, 2, 5, 5), (3, 2, 2, 2), dict(padding="valid")),
    ("no_bias", (2, 3, 5, 5), (2, 3, 3, 3), dict(bias=False)),
    ("one_by_one", (2, 5, 4, 3), (3, 5, 1, 1), {}),
    ("kernel_fills_input", (2, 2, 3, 4), (3, 2, 3, 4), {}),
    ("unbatched", (3, 6, 6), (2, 3, 3, 3), dict(padding=1)),
]
CONV_IDS = [case[0] for case in CONV_CASES]


def conv_inputs(lib, x_shape, w_shape, options, dtype, requires=(True, True, True)):
    """The same seeded input, weight and bias for minigrad or torch; options minus "bias"."""
    rng = numpy.random.default_rng(0)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])]
    tensors = [lib.tensor(a.astype(dtype), requires_grad=r) for a, r in zip(arrays, requires)]
    if options.get("bias") is False:
        tensors[2] = None
    return tensors, {k: v for k, v in options.items() if k != "bias"}


def assert_close(ours, expected, tolerance):
    numpy.testing.assert_allclose(ours.detach().cpu().numpy(), expected, rtol=tolerance, atol=tolerance)


def _upstream(seed, shape, dtype):
    return numpy.random.default_rng(seed).standard_normal(tuple(shape)).astype(dtype)


def compare_conv_with_torch(x_shape, w_shape, options, dtype, requires=(True, True, True), device="cpu"):
    """Forward values and the gradients of input, weight and bias against torch.nn.functional.conv2d."""
    ours, kwargs = conv_inputs(minigrad, x_shape, w_shape, options, dtype, requires)

    def run(torch):
        theirs, _ = conv_inputs(torch, x_shape, w_shape, options, dtype, requires)
        out = torch.nn.functional.conv2d(*theirs, **kwargs)
        out.backward(torch.tensor(_upstream(5, out.shape, dtype)))
        return {"out": out, "grads": [None if t is None else t.grad for t in theirs]}

    expected = reference(run)
    ours = [None if t is None else t.detach().to(device).requires_grad_(t.requires_grad) for t in ours]
    out = conv2d(*ours, **kwargs)
    assert out.dtype == ours[0].dtype and out.shape == expected["out"].shape
    assert_close(out, expected["out"], TOLERANCE[dtype])
    out.backward(minigrad.tensor(_upstream(5, out.shape, dtype), device=device))
    for mine, grad in zip(ours, expected["grads"]):
        if mine is None:
            continue
        if grad is None:
            assert mine.grad is None
        else:
            assert mine.grad.dtype == mine.dtype
            assert_close(mine.grad, grad, TOLERANCE[dtype])


@pytest.mark.parametrize("name,x_shape,w_shape,options", CONV_CASES, ids=CONV_IDS)
def test_conv2d_gradcheck(name, x_shape, w_shape, options):
    tensors, kwargs = conv_inputs(minigrad, x_shape, w_shape, options, "float64")
    inputs = tuple(t for t in tensors if t is not None)
    assert minigrad.gradcheck(lambda x, w, b=None: conv2d(x, w, b, **kwargs), inputs)


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note about its own padded copy
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,x_shape,w_shape,options", CONV_CASES, ids=CONV_IDS)
def test_conv2d_against_torch(name, x_shape, w_shape, options, dtype, device):
    compare_conv_with_torch(x_shape, w_shape, options, dtype, device=device)


@pytest.mark.parametrize("requires", [(False, True, True), (True, False, False), (False, False, True),
                                      (True, True, False)],
                         ids=["first_layer", "frozen_weight", "bias_only", "no_bias_grad"])
def test_conv2d_gradients_only_where_needed(requires):
    compare_conv_with_torch((2, 3, 7, 7), (4, 3, 3, 3), dict(padding=1, stride=2), "float64", requires)


def test_conv2d_first_layer_skips_the_input_gradient():
    x = minigrad.randn(2, 3, 8, 8)
    w = minigrad.randn(4, 3, 3, 3, requires_grad=True)
    out = conv2d(x, w)
    assert out.grad_fn.needs_input_grad == (False, True)
    assert out.grad_fn.apply_backward([numpy.ones(out.shape, "float32")], ARRAY)[0] is None
    out.sum().backward()
    assert x.grad is None and w.grad.shape == w.shape


@pytest.mark.parametrize("images_per_block", [1, 2], ids=["one_image", "partial_last_block"])
@pytest.mark.parametrize("name,x_shape,w_shape,options", [
    ("stride2_pad1", (5, 3, 8, 7), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ("groups_dilation", (5, 4, 9, 9), (6, 2, 3, 3), dict(groups=2, dilation=2, padding=(2, 1))),
    ("by_rows", (5, 3, 8, 9), (4, 3, 3, 2), dict(stride=(1, 2), dilation=(2, 1), padding=(1, 2))),
], ids=["stride2_pad1", "groups_dilation", "by_rows"])
def test_conv2d_batch_split_into_blocks(name, x_shape, w_shape, options, images_per_block, monkeypatch):
    """A large batch is processed in cache-sized blocks; make the blocks tiny to cover that path."""
    out_hw = conv2d(minigrad.zeros(*x_shape), minigrad.zeros(*w_shape), **options).shape[2:]
    column_bytes_per_image = x_shape[1] * w_shape[2] * w_shape[3] * out_hw[0] * out_hw[1] * 8  # float64
    monkeypatch.setattr(conv_module, "CPU_BLOCK_BYTES", images_per_block * column_bytes_per_image)
    geometry = conv_module.Geometry((0,) * 4, (1, 1), (1, 1), 1, w_shape[2:], out_hw)
    blocks = conv_module.BlockBuffers(x_shape, numpy.dtype("float64"), geometry, numpy).blocks
    assert len(blocks) == -(-x_shape[0] // images_per_block)
    compare_conv_with_torch(x_shape, w_shape, options, "float64")


def test_im2col_and_col2im_are_adjoint():
    """<im2col(x), c> == <x, col2im(c)>: col2im is exactly the transpose of the window copy."""
    rng = numpy.random.default_rng(3)
    source = rng.standard_normal((2, 9, 8, 3))  # (C, Hp, Wp, n)
    columns = rng.standard_normal((2, 2, 3, 4, 2, 3))  # (C, kh, kw, Ho, Wo, n), stride (2, 1), dilation (2, 3)
    copied = im2col(source, numpy.empty_like(columns), (2, 1), (2, 3))
    added = col2im(columns, numpy.zeros_like(source), (2, 1), (2, 3))
    numpy.testing.assert_allclose((copied * columns).sum(), (source * added).sum(), rtol=1e-12)


def test_stacked_convolutions_against_torch():
    """Layers of different shapes in one graph: the scratch buffers they share (padding border
    included) must not leak from one call into the next."""
    rng = numpy.random.default_rng(6)
    arrays = [rng.standard_normal(shape) for shape in ((3, 2, 9, 8), (4, 2, 3, 3), (5, 4, 2, 3), (3, 5, 3, 3))]

    def gradients(conv, lib):
        x, w1, w2, w3 = leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        hidden = conv(conv(x, w1), w2, padding=2, stride=(2, 1))
        (conv(hidden, w3, padding="same") * conv(hidden, w3, padding=1, dilation=1)).sum().backward()
        return [leaf.grad for leaf in leaves]

    expected = reference(lambda torch: gradients(torch.nn.functional.conv2d, torch))
    for mine, grad in zip(gradients(conv2d, minigrad), expected):
        assert_close(mine, grad, 1e-10)


def test_conv2d_keeps_float32_and_records_nothing_under_no_grad():
    x, w = minigrad.randn(2, 3, 6, 6, requires_grad=True), minigrad.randn(4, 3, 3, 3, requires_grad=True)
    with minigrad.no_grad():
        out = conv2d(x, w, padding="same")
    assert out.dtype == minigrad.float32 and out.grad_fn is None and not out.requires_grad
    assert out.shape == (2, 4, 6, 6)


def test_conv2d_empty_batch_and_integers_like_torch():
    values = numpy.random.default_rng(1).integers(-5, 5, (1, 2, 5, 5))
    kernel = numpy.random.default_rng(2).integers(-3, 3, (3, 2, 2, 2))

    def run(conv, lib):
        return {"empty": tuple(conv(lib.zeros(0, 3, 6, 6), lib.ones(2, 3, 3, 3)).shape),
                "integers": conv(lib.tensor(values), lib.tensor(kernel), padding=1).numpy()}

    ours, expected = run(conv2d, minigrad), reference(lambda torch: run(torch.nn.functional.conv2d, torch))
    assert ours["empty"] == expected["empty"]
    numpy.testing.assert_array_equal(ours["integers"], expected["integers"])


# name, function, keyword arguments
POOL_CASES = [
    ("max_2", "max_pool2d", dict(kernel_size=2)),
    ("max_overlap_pad", "max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("max_stride1", "max_pool2d", dict(kernel_size=(2, 3), stride=1)),
    ("max_gaps", "max_pool2d", dict(kernel_size=2, stride=3)),
    ("max_gaps_cover_width", "max_pool2d", dict(kernel_size=(1, 2), stride=(1, 3))),
    ("max_ceil", "max_pool2d", dict(kernel_size=3, stride=2, ceil_mode=True)),
    ("max_ceil_pad", "max_pool2d", dict(kernel_size=2, stride=2, padding=1, ceil_mode=True)),
    ("max_dilation", "max_pool2d", dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1))),
    ("max_dilation_stride", "max_pool2d", dict(kernel_size=3, stride=(2, 3), padding=1, dilation=2, ceil_mode=True)),
    ("avg_2", "avg_pool2d", dict(kernel_size=2)),
    ("avg_overlap_pad", "avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_exclude_pad", "avg_pool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_ceil", "avg_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_ceil_exclude_pad", "avg_pool2d", dict(kernel_size=(3, 2), stride=(2, 3), padding=1, ceil_mode=True,
                                                count_include_pad=False)),
    ("avg_divisor", "avg_pool2d", dict(kernel_size=2, divisor_override=3)),
    ("avg_gaps", "avg_pool2d", dict(kernel_size=(2, 1), stride=(3, 2))),
    ("adaptive_avg_uneven", "adaptive_avg_pool2d", dict(output_size=(3, 4))),
    ("adaptive_avg_one", "adaptive_avg_pool2d", dict(output_size=1)),
    ("adaptive_avg_upsample", "adaptive_avg_pool2d", dict(output_size=(8, 10))),
    ("adaptive_avg_keep_height", "adaptive_avg_pool2d", dict(output_size=(None, 4))),
    ("adaptive_max_uneven", "adaptive_max_pool2d", dict(output_size=(3, 4))),
    ("adaptive_max_one", "adaptive_max_pool2d", dict(output_size=1)),
    ("adaptive_max_upsample", "adaptive_max_pool2d", dict(output_size=(8, 10))),
]
POOL_IDS = [case[0] for case in POOL_CASES]
POOLS = {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d, "adaptive_avg_pool2d": adaptive_avg_pool2d,
         "adaptive_max_pool2d": adaptive_max_pool2d}


@pytest.mark.parametrize("name,function,options", POOL_CASES, ids=POOL_IDS)
def test_pooling_gradcheck(name, function, options):
    x = minigrad.tensor(numpy.random.default_rng(1).standard_normal((2, 2, 7, 9)), requires_grad=True)
    assert minigrad.gradcheck(lambda t: POOLS[function](t, **options), (x,))


def pool_input(kind, dtype):
    """Random values; rounded ones with many ties; or all-equal windows."""
    array = numpy.random.default_rng(2).standard_normal((2, 3, 7, 9))
    if kind == "ties":
        array = numpy.round(array)
    elif kind == "constant":
        array = numpy.full(array.shape, 0.5)
    return array.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["random", "ties", "constant"])
@pytest.mark.parametrize("name,function,options", POOL_CASES, ids=POOL_IDS)
def test_pooling_against_torch(name, function, options, kind, dtype, device):
    """With ties a max pool's gradient must go to the first maximum of each window, as in PyTorch."""
    array = pool_input(kind, dtype)

    def run(torch):
        theirs = torch.tensor(array, requires_grad=True)
        out = getattr(torch.nn.functional, function)(theirs, **options)
        out.backward(torch.tensor(_upstream(3, out.shape, dtype)))
        return {"out": out, "grad": theirs.grad}

    expected = reference(run)
    ours = minigrad.tensor(array, device=device, requires_grad=True)
    out = POOLS[function](ours, **options)
    assert out.dtype == ours.dtype
    assert_close(out, expected["out"], TOLERANCE[dtype])
    out.backward(minigrad.tensor(_upstream(3, out.shape, dtype), device=device))
    assert_close(ours.grad, expected["grad"], TOLERANCE[dtype])


@pytest.mark.parametrize("kind", ["random", "ties", "constant"])
@pytest.mark.parametrize("name,function,options", [c for c in POOL_CASES if "max" in c[1]],
                         ids=[c[0] for c in POOL_CASES if "max" in c[1]])
def test_max_pool_indices_match_torch(name, function, options, kind):
    array = pool_input(kind, "float32")
    expected = reference(lambda torch: getattr(torch.nn.functional, function)(
        torch.tensor(array), **options, return_indices=True)[1])
    for grad_mode in (True, False):
        with minigrad.set_grad_enabled(grad_mode):
            _, ours = POOLS[function](minigrad.tensor(array, requires_grad=True), **options, return_indices=True)
        assert ours.dtype == minigrad.int64
        numpy.testing.assert_array_equal(ours.numpy(), expected)


@pytest.mark.parametrize("options", [dict(kernel_size=3, stride=2, padding=1),
                                     dict(kernel_size=(3, 4), stride=(2, 3), padding=(1, 2), ceil_mode=True),
                                     dict(kernel_size=3, stride=2, dilation=(2, 3), padding=(1, 1))],
                         ids=["3x3s2", "uneven_ceil", "dilated"])
def test_max_pool_from_stride_phases_is_the_same_as_in_place(options, monkeypatch):
    """Overlapping strided windows read the input's stride phases; reading the padded input in
    place must give the same maxima, indices and gradient to the last bit, NaN and ties included."""
    rng = numpy.random.default_rng(4)
    array = rng.integers(-2, 3, (3, 2, 13, 17)).astype(numpy.float32)
    array[0, 1, 4, 5], array[2, 0, 0, 0], array[1, 1, 12, 16] = numpy.nan, -numpy.inf, numpy.nan

    def pooled():
        x = minigrad.tensor(array, requires_grad=True)
        out, indices = max_pool2d(x, **options, return_indices=True)
        out.backward(minigrad.tensor(_upstream(5, out.shape, "float32")))
        return out.detach().numpy(), indices.numpy(), x.grad.numpy()

    from minigrad.kernels import pool
    assert pool.Windows.sliding(array.shape, *_geometry(options)).phases is not None
    phased = pooled()
    monkeypatch.setattr(pool, "StridePhases", lambda *args: None)
    for ours, plain in zip(phased, pooled()):
        numpy.testing.assert_array_equal(ours, plain)


def _geometry(options):
    pair = lambda value: value if isinstance(value, tuple) else (value, value)  # noqa: E731
    kernel, stride = pair(options["kernel_size"]), pair(options["stride"])
    padding, dilation = pair(options.get("padding", 0)), pair(options.get("dilation", 1))
    from minigrad.kernels.pool import pooled_size
    out_hw = tuple(pooled_size(size, k, s, p, d, options.get("ceil_mode", False))
                   for size, k, s, p, d in zip((13, 17), kernel, stride, padding, dilation))
    return kernel, stride, padding, dilation, out_hw


@pytest.mark.parametrize("function,options", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", dict(kernel_size=2, ceil_mode=True)),
    ("adaptive_avg_pool2d", dict(output_size=(2, 3))),
    ("adaptive_max_pool2d", dict(output_size=(2, 3))),
], ids=["max", "avg", "adaptive_avg", "adaptive_max"])
def test_pooling_unbatched_input(function, options):
    array = numpy.random.default_rng(4).standard_normal((3, 7, 5)).astype("float32")
    out = POOLS[function](minigrad.tensor(array), **options)
    expected = reference(lambda torch: getattr(torch.nn.functional, function)(torch.tensor(array), **options))
    assert_close(out, expected, 1e-6)


@pytest.mark.parametrize("function,options", [
    ("max_pool2d", dict(kernel_size=2, stride=1, padding=1)),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", dict(kernel_size=2, divisor_override=3)),
], ids=["max_padded", "avg_padded", "avg_divisor"])
def test_integer_pooling_like_torch(function, options):
    array = numpy.random.default_rng(5).integers(-9, 9, (1, 2, 5, 6))
    out = POOLS[function](minigrad.tensor(array), **options)
    expected = reference(lambda torch: getattr(torch.nn.functional, function)(torch.tensor(array), **options))
    assert out.dtype == minigrad.int64
    numpy.testing.assert_array_equal(out.numpy(), expected)


def ones(*shape):
    return minigrad.ones(*shape)


ERROR_CASES = [
    ("conv_channels", lambda: conv2d(ones(16, 4, 32, 32), ones(6, 3, 5, 5)), RuntimeError,
     r"Given groups=1, weight of size \[6, 3, 5, 5\], expected input\[16, 4, 32, 32\] to have 3 channels, "
     r"but got 4 channels instead"),
    ("conv_groups", lambda: conv2d(ones(1, 4, 8, 8), ones(6, 2, 3, 3), groups=4), RuntimeError,
     r"Given groups=4, expected weight to be divisible by 4"),
    ("conv_kernel_too_large", lambda: conv2d(ones(1, 3, 4, 4), ones(2, 3, 5, 5)), RuntimeError,
     r"padded input size per channel: \(4 x 4\). Kernel size: \(5 x 5\)"),
    ("conv_dilated_kernel_too_large", lambda: conv2d(ones(1, 3, 6, 6), ones(2, 3, 3, 3), dilation=3),
     RuntimeError, r"Kernel size: \(7 x 7\)"),
    ("conv_same_strided", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), stride=2, padding="same"),
     RuntimeError, "padding='same' is not supported for strided convolutions"),
    ("conv_padding_string", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), padding="full"), RuntimeError,
     "Invalid padding string: 'full'"),
    ("conv_negative_padding", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), padding=-1), RuntimeError,
     "negative padding"),
    ("conv_zero_stride", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), stride=0), RuntimeError,
     "non-positive stride"),
    ("conv_three_strides", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), stride=(1, 2, 3)), RuntimeError,
     "expected stride to be a single integer value or a list of 2 values"),
    ("conv_rank", lambda: conv2d(ones(3, 8), ones(2, 3, 3, 3)), RuntimeError,
     r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[3, 8\]"),
    ("conv_bias_shape", lambda: conv2d(ones(1, 3, 8, 8), ones(2, 3, 3, 3), ones(5)), RuntimeError,
     r"expected bias to be 1-dimensional with 2 elements, but got bias of size \[5\]"),
    ("conv_dtypes", lambda: conv2d(ones(1, 3, 8, 8).double(), ones(2, 3, 3, 3)), RuntimeError,
     "same dtype, got float64, float32"),
    ("conv_not_a_tensor", lambda: conv2d(numpy.ones((1, 3, 8, 8)), ones(2, 3, 3, 3)), TypeError,
     "argument 'input' must be Tensor, not ndarray"),
    ("max_pool_padding", lambda: max_pool2d(ones(1, 1, 4, 4), 2, padding=2), RuntimeError,
     "pad should be at most half of effective kernel size"),
    ("avg_pool_padding", lambda: avg_pool2d(ones(1, 1, 6, 6), 3, padding=2), RuntimeError,
     "pad should be at most half"),
    ("pool_output_too_small", lambda: avg_pool2d(ones(1, 1, 2, 2), 3), RuntimeError,
     r"Given input size: \(1x2x2\). Calculated output size: \(1x0x0\). Output size is too small"),
    ("pool_not_a_tensor", lambda: avg_pool2d(numpy.ones((1, 1, 4, 4)), 2), TypeError,
     "avg_pool2d\\(\\): argument 'input' must be Tensor, not ndarray"),
    ("pool_rank", lambda: max_pool2d(ones(4, 4), 2), RuntimeError, r"Expected 3D \(C, H, W\) or 4D"),
    ("pool_zero_stride", lambda: max_pool2d(ones(1, 1, 4, 4), 2, stride=0), RuntimeError,
     "stride should not be zero"),
    ("pool_zero_kernel", lambda: avg_pool2d(ones(1, 1, 4, 4), 0), RuntimeError, "kernel_size must be greater"),
    ("pool_three_kernel_sizes", lambda: max_pool2d(ones(1, 1, 4, 4), (2, 2, 2)), RuntimeError,
     "kernel_size must either be a single int, or a tuple of two ints"),
    ("pool_zero_divisor", lambda: avg_pool2d(ones(1, 1, 4, 4), 2, divisor_override=0), RuntimeError,
     "divisor must be not zero"),
    ("adaptive_rank", lambda: adaptive_avg_pool2d(ones(4, 4), 2), RuntimeError, "Expected 3D"),
    ("adaptive_negative", lambda: adaptive_max_pool2d(ones(1, 1, 4, 4), -1), RuntimeError,
     "output_size must be non-negative"),
    ("adaptive_avg_integers", lambda: adaptive_avg_pool2d(ones(1, 1, 4, 4).long(), 2), NotImplementedError,
     "not implemented for int64"),
]


@pytest.mark.parametrize("name,call,error,words", ERROR_CASES, ids=[case[0] for case in ERROR_CASES])
def test_conv_and_pool_errors(name, call, error, words):
    with pytest.raises(error, match=words):
        call()
