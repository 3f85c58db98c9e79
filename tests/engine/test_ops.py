"""Every engine op, three ways: gradcheck in float64, and forward values and gradients against
PyTorch in float32 and float64. One table row per op form; ``fn(lib, *tensors)`` is written
once and run with ``lib`` = minigrad and ``lib`` = torch (live, or PyTorch's stored answers)."""
import numpy
import pytest

import minigrad
from oracle import reference

# (id, input shapes, fn(lib, *tensors), input domain)
ANY, POSITIVE = "any", "positive"
CASES = [
    ("add", [(3, 4), (3, 4)], lambda m, a, b: a + b, ANY),
    ("add_broadcast", [(2, 3, 4), (3, 1)], lambda m, a, b: a + b, ANY),
    ("add_alpha", [(3, 4), (4,)], lambda m, a, b: m.add(a, b, alpha=0.5), ANY),
    ("radd_scalar", [(3,)], lambda m, a: 2.5 + a, ANY),
    ("sub_broadcast", [(4, 1), (1, 5)], lambda m, a, b: a - b, ANY),
    ("rsub_scalar", [(3,)], lambda m, a: 2.0 - a, ANY),
    ("mul", [(3, 4), (3, 4)], lambda m, a, b: a * b, ANY),
    ("mul_broadcast", [(5, 1, 3), (4, 1)], lambda m, a, b: a * b, ANY),
    ("mul_scalar", [(3, 2)], lambda m, a: a * 3.0, ANY),
    ("div", [(3, 4), (3, 4)], lambda m, a, b: a / b, POSITIVE),
    ("div_broadcast", [(3, 4), (4,)], lambda m, a, b: a / b, POSITIVE),
    ("rdiv_scalar", [(3,)], lambda m, a: 2.0 / a, POSITIVE),
    ("pow_scalar", [(3, 4)], lambda m, a: a ** 3, ANY),
    ("pow_half", [(3, 4)], lambda m, a: a ** 0.5, POSITIVE),
    ("pow_negative", [(3,)], lambda m, a: m.pow(a, -1.5), POSITIVE),
    ("pow_tensor", [(3, 4), (4,)], lambda m, a, b: a ** b, POSITIVE),
    ("rpow_scalar", [(3,)], lambda m, a: 2.0 ** a, ANY),
    ("neg", [(3, 4)], lambda m, a: -a, ANY),
    ("exp", [(3, 4)], lambda m, a: m.exp(a), ANY),
    ("log", [(3, 4)], lambda m, a: a.log(), POSITIVE),
    ("sqrt", [(3, 4)], lambda m, a: m.sqrt(a), POSITIVE),
    ("log1p", [(3, 4)], lambda m, a: m.log1p(a), POSITIVE),
    ("abs", [(3, 4)], lambda m, a: a.abs(), ANY),
    ("sign", [(3, 4)], lambda m, a: a.sign() * a, ANY),
    ("clamp", [(4, 5)], lambda m, a: a.clamp(-0.5, 0.5), ANY),
    ("clamp_min", [(4, 5)], lambda m, a: m.clamp(a, min=0.1), ANY),
    ("clip_max", [(4, 5)], lambda m, a: m.clip(a, max=0.2), ANY),
    ("maximum", [(3, 4), (3, 4)], lambda m, a, b: m.maximum(a, b), ANY),
    ("minimum_broadcast", [(3, 4), (4,)], lambda m, a, b: m.minimum(a, b), ANY),
    ("where", [(3, 4), (3, 4)], lambda m, a, b: m.where(a > 0, a, b), ANY),
    ("where_broadcast", [(3, 4), (4,)], lambda m, a, b: m.where(b > 0, a, b), ANY),
    ("sin", [(3, 4)], lambda m, a: m.sin(a), ANY),
    ("cos", [(3, 4)], lambda m, a: a.cos(), ANY),
    ("tanh", [(3, 4)], lambda m, a: m.tanh(a), ANY),
    ("sigmoid", [(3, 4)], lambda m, a: m.sigmoid(a), ANY),
    ("relu", [(3, 4)], lambda m, a: m.relu(a), ANY),
    ("lerp_scalar_weight", [(3, 4), (4,)], lambda m, a, b: m.lerp(a, b, 0.75), ANY),
    ("lerp_tensor_weight", [(3, 4), (3, 4), (4,)], lambda m, a, b, w: a.lerp(b, w), ANY),
    ("addcmul", [(3, 4), (4,), (3, 1)], lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), ANY),
    ("addcdiv", [(3, 4), (3, 4), (4,)], lambda m, a, b, c: a.addcdiv(b, c, value=-2), POSITIVE),
    ("exp2", [(3, 4)], lambda m, a: m.exp2(a), ANY),
    ("frac", [(3, 4)], lambda m, a: (a * 3).frac(), ANY),
    ("square", [(3, 4)], lambda m, a: m.square(a), ANY),
    ("remainder_scalar", [(3, 4)], lambda m, a: m.remainder(a * 3, 0.7), ANY),
    ("remainder_tensor", [(3, 4), (4,)], lambda m, a, b: (a * 3) % (b + 0.3), POSITIVE),
    ("fmod_tensor", [(3, 4), (3, 4)], lambda m, a, b: m.fmod(a * 3, b + 0.3), ANY),
    ("div_floor", [(3, 4), (3, 4)], lambda m, a, b: m.div(a * 3, b, rounding_mode="floor") * a, POSITIVE),
    ("clamp_min_method", [(4, 5)], lambda m, a: a.clamp_min(0.1), ANY),
    ("clamp_max_function", [(4, 5)], lambda m, a: m.clamp_max(a, 0.1), ANY),
    ("atan2", [(3, 4), (4,)], lambda m, a, b: m.atan2(a, b), ANY),
    ("hypot", [(3, 4), (3, 4)], lambda m, a, b: a.hypot(b), ANY),
    ("logaddexp", [(3, 4), (3, 1)], lambda m, a, b: m.logaddexp(a, b), ANY),
    ("logit_eps", [(3, 4)], lambda m, a: m.logit(m.sigmoid(a), eps=0.05), ANY),
    ("xlogy", [(3, 4), (3, 4)], lambda m, a, b: m.xlogy(a, b), POSITIVE),
    ("diag_vector", [(4,)], lambda m, a: m.diag(a, -1), ANY),
    ("diag_matrix", [(3, 4)], lambda m, a: a.diag(1), ANY),
    ("diff_prepend", [(3, 4), (3, 1)], lambda m, a, b: m.diff(a, n=2, dim=1, prepend=b), ANY),
    ("cross", [(2, 3), (2, 3)], lambda m, a, b: m.cross(a, b, dim=1), ANY),
    ("std_mean", [(3, 4)], lambda m, a: (lambda s, u: s * u)(*m.std_mean(a, 1)), ANY),
    ("var_mean", [(3, 4)], lambda m, a: (lambda v, u: v + u)(*m.var_mean(a, 0, keepdim=True)), ANY),
    ("nansum", [(3, 4)], lambda m, a: m.nansum(a.log(), 1), ANY),
    ("nanmean", [(3, 4)], lambda m, a: a.log().nanmean(0), ANY),
    ("dist", [(3, 4), (4,)], lambda m, a, b: m.dist(a, b, 3), ANY),
    ("column_stack", [(3,), (3, 2)], lambda m, a, b: m.column_stack([a, b]), ANY),
    ("dstack", [(2, 3), (2, 3)], lambda m, a, b: m.dstack([a, b]), ANY),
    ("masked_scatter", [(3, 4), (12,)], lambda m, a, b: a.masked_scatter(a > 0, b), ANY),
    ("meshgrid_xy", [(3,), (2,)], lambda m, a, b: (lambda x, y: x * y)(*m.meshgrid(a, b, indexing="xy")), ANY),
    ("sum_all", [(3, 4)], lambda m, a: a.sum(), ANY),
    ("sum_dim", [(3, 4, 5)], lambda m, a: a.sum(1), ANY),
    ("sum_negative_dim_keepdim", [(3, 4, 5)], lambda m, a: a.sum(-1, keepdim=True), ANY),
    ("sum_tuple", [(3, 4, 5)], lambda m, a: m.sum(a, (0, 2)), ANY),
    ("mean_all", [(3, 4)], lambda m, a: a.mean(), ANY),
    ("mean_tuple_negative", [(3, 4, 5)], lambda m, a: a.mean((-1, 0), keepdim=True), ANY),
    ("var_all", [(3, 4)], lambda m, a: a.var(), ANY),
    ("var_dim", [(3, 4, 5)], lambda m, a: m.var(a, 1), ANY),
    ("var_biased_tuple", [(3, 4, 5)], lambda m, a: a.var((0, -1), correction=0, keepdim=True), ANY),
    ("std_all", [(3, 4)], lambda m, a: a.std(), ANY),
    ("std_dim_unbiased_false", [(3, 4)], lambda m, a: m.std(a, 0, unbiased=False), ANY),
    ("max_all", [(3, 4)], lambda m, a: a.max(), ANY),
    ("min_all", [(3, 4)], lambda m, a: m.min(a), ANY),
    ("max_dim", [(3, 4, 5)], lambda m, a: a.max(1)[0], ANY),
    ("max_dim_keepdim", [(3, 4)], lambda m, a: m.max(a, -1, keepdim=True).values, ANY),
    ("min_dim", [(3, 4)], lambda m, a: a.min(0).values, ANY),
    ("max_binary", [(3, 4), (3, 4)], lambda m, a, b: m.max(a, b), ANY),
    ("amax_tuple", [(3, 4, 5)], lambda m, a: a.amax((0, 2)), ANY),
    ("amin_dim", [(3, 4, 5)], lambda m, a: m.amin(a, -2, keepdim=True), ANY),
    ("logsumexp", [(3, 4)], lambda m, a: m.logsumexp(a, 1), ANY),
    ("logsumexp_tuple", [(3, 4, 2)], lambda m, a: a.logsumexp((0, 2), keepdim=True), ANY),
    ("reshape", [(3, 4)], lambda m, a: a.reshape(2, 6), ANY),
    ("reshape_tuple_infer", [(3, 4)], lambda m, a: a.reshape((-1, 2)), ANY),
    ("view", [(2, 3, 4)], lambda m, a: a.view(a.size(0), -1), ANY),
    ("flatten", [(2, 3, 4)], lambda m, a: a.flatten(1), ANY),
    ("flatten_all", [(2, 3, 4)], lambda m, a: m.flatten(a), ANY),
    ("squeeze", [(3, 1, 4, 1)], lambda m, a: a.squeeze(), ANY),
    ("squeeze_dim", [(3, 1, 4)], lambda m, a: a.squeeze(1), ANY),
    ("unsqueeze", [(3, 4)], lambda m, a: a.unsqueeze(-1), ANY),
    ("transpose", [(3, 4, 5)], lambda m, a: a.transpose(0, 2), ANY),
    ("T", [(3, 4)], lambda m, a: a.T, ANY),
    ("permute", [(2, 3, 4)], lambda m, a: a.permute(2, 0, 1), ANY),
    ("expand", [(3, 1)], lambda m, a: a.expand(2, 3, 4), ANY),
    ("expand_minus_one", [(1, 4)], lambda m, a: a.expand(3, -1), ANY),
    ("contiguous", [(3, 4)], lambda m, a: a.T.contiguous(), ANY),
    ("index_int", [(3, 4)], lambda m, a: a[1], ANY),
    ("index_slices", [(5, 6)], lambda m, a: a[1:4, ::2], ANY),
    ("index_negative_step_none_ellipsis", [(3, 4, 5)], lambda m, a: a[..., None, -1], ANY),
    ("index_repeated", [(5, 3)], lambda m, a: a[[0, 2, 0, 0]], ANY),
    ("index_pairs", [(4, 5)], lambda m, a: a[[0, 1, 1], [2, 2, 4]], ANY),
    ("index_mask", [(4, 5)], lambda m, a: a[a > 0], ANY),
    ("cat", [(2, 3), (4, 3)], lambda m, a, b: m.cat([a, b]), ANY),
    ("cat_dim", [(2, 3), (2, 1)], lambda m, a, b: m.cat((a, b), dim=-1), ANY),
    ("stack", [(2, 3), (2, 3)], lambda m, a, b: m.stack([a, b], 1), ANY),
    ("split", [(5, 3)], lambda m, a: m.split(a, 2)[2] * 2 + m.split(a, 2)[0].sum(), ANY),
    ("split_sizes", [(5, 3)], lambda m, a: a.split([1, 4])[1], ANY),
    ("chunk", [(3, 6)], lambda m, a: a.chunk(3, 1)[1], ANY),
    ("matmul_1d_1d", [(4,), (4,)], lambda m, a, b: a @ b, ANY),
    ("matmul_2d_1d", [(3, 4), (4,)], lambda m, a, b: a @ b, ANY),
    ("matmul_1d_2d", [(4,), (4, 3)], lambda m, a, b: m.matmul(a, b), ANY),
    ("matmul_2d_2d", [(3, 4), (4, 2)], lambda m, a, b: a @ b, ANY),
    ("matmul_batched_broadcast", [(2, 1, 3, 4), (5, 4, 2)], lambda m, a, b: a @ b, ANY),
    ("matmul_batched_1d", [(2, 3, 4), (4,)], lambda m, a, b: a @ b, ANY),
    ("reused_node", [(3,)], lambda m, a: a * a + a, ANY),
    ("diamond", [(3,)], lambda m, a: (lambda h: h.exp() * h.sin())(a * 2), ANY),
]
IDS = [case[0] for case in CASES]


def _inputs(shapes, domain, seed, dtype):
    rng = numpy.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    if domain == POSITIVE:
        arrays = [numpy.abs(a) + 0.5 for a in arrays]
    return [a.astype(dtype) for a in arrays]


@pytest.mark.parametrize("name,shapes,fn,domain", CASES, ids=IDS)
def test_gradcheck(name, shapes, fn, domain, device):
    inputs = [minigrad.tensor(a, device=device, requires_grad=True)
              for a in _inputs(shapes, domain, 1, numpy.float64)]
    assert minigrad.gradcheck(lambda *xs: fn(minigrad, *xs), inputs)


@pytest.mark.parametrize("dtype,tolerance", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("name,shapes,fn,domain", CASES, ids=IDS)
def test_against_torch(name, shapes, fn, domain, dtype, tolerance, device):
    arrays = _inputs(shapes, domain, 2, dtype)

    def run(torch):
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out = fn(torch, *theirs)
        out.backward(torch.tensor(_upstream(out.shape, dtype)))
        return {"dtype": str(out.dtype).split(".")[1], "out": out, "grads": [t.grad for t in theirs]}

    expected = reference(run)
    ours = [minigrad.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = fn(minigrad, *ours)
    assert out.dtype == getattr(minigrad, expected["dtype"])
    numpy.testing.assert_allclose(out.detach().cpu().numpy(), expected["out"], rtol=tolerance, atol=tolerance)
    out.backward(minigrad.tensor(_upstream(out.shape, dtype), device=device))
    for mine, want in zip(ours, expected["grads"]):
        want = numpy.zeros(mine.shape, dtype) if want is None else want
        numpy.testing.assert_allclose(mine.grad.cpu().numpy(), want, rtol=tolerance, atol=tolerance)


def _upstream(shape, dtype):
    return numpy.random.default_rng(3).standard_normal(tuple(shape)).astype(dtype)


NO_GRAD_CASES = [
    ("argmax", lambda m, a: a.argmax()),
    ("argmax_dim", lambda m, a: m.argmax(a, 1)),
    ("argmin_dim_keepdim", lambda m, a: a.argmin(-1, keepdim=True)),
    ("max_dim_indices", lambda m, a: a.max(1)[1]),
    ("min_dim_indices", lambda m, a: m.min(a, 0).indices),
    ("eq", lambda m, a: a == a[0]),
    ("ne_scalar", lambda m, a: a != 0.5),
    ("lt", lambda m, a: a < a.T),
    ("le", lambda m, a: a <= 0.1),
    ("gt", lambda m, a: m.gt(a, 0)),
    ("ge", lambda m, a: a >= a.mean()),
    ("logical_and", lambda m, a: m.logical_and(a > 0, a < 1)),
    ("logical_or", lambda m, a: (a > 1) | (a < -1)),
    ("logical_not", lambda m, a: ~(a > 0)),
    ("sum_bool", lambda m, a: (a > 0).sum()),
    ("isfinite", lambda m, a: m.isfinite(a / 0)),
]


@pytest.mark.parametrize("name,fn", NO_GRAD_CASES, ids=[c[0] for c in NO_GRAD_CASES])
def test_no_gradient_ops_against_torch(name, fn, device):
    array = numpy.random.default_rng(4).standard_normal((4, 4)).astype("float32")
    expected = reference(lambda torch: (lambda out: {"dtype": str(out.dtype).split(".")[1], "values": out})(
        fn(torch, torch.tensor(array))))
    out = fn(minigrad, minigrad.tensor(array, device=device))
    assert out.dtype == getattr(minigrad, expected["dtype"])
    assert out.grad_fn is None and not out.requires_grad
    numpy.testing.assert_array_equal(out.cpu().numpy(), expected["values"])


TIE_CASES = [
    ("max_all_ties", lambda m, a: a.max()),
    ("amax_ties", lambda m, a: a.amax(1)),
    ("max_dim_ties_first_index", lambda m, a: a.max(1)[0]),
    ("min_dim_ties_first_index", lambda m, a: a.min(0)[0]),
    ("maximum_ties", lambda m, a: m.maximum(a, a[0])),
    ("clamp_at_bounds", lambda m, a: a.clamp(0.0, 1.0)),
    ("relu_at_zero", lambda m, a: m.relu(a)),
    ("abs_at_zero", lambda m, a: a.abs()),
]


@pytest.mark.parametrize("name,fn", TIE_CASES, ids=[c[0] for c in TIE_CASES])
def test_ties_follow_torch(name, fn):
    """Where the derivative is ambiguous, the gradient goes where PyTorch sends it."""
    array = numpy.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]], dtype="float32")

    def gradient(lib):
        leaf = lib.tensor(array, requires_grad=True)
        fn(lib, leaf).sum().backward()
        return leaf.grad.numpy()

    numpy.testing.assert_array_equal(gradient(minigrad), reference(gradient))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_relu_gradient_at_dead_and_nan_units_follows_torch(dtype, device):
    """PyTorch's threshold_backward: a unit whose output is NaN passes its gradient on, a dead
    one gives +0.0 even for an infinite or NaN gradient (a product with the mask would give NaN
    there, and -0.0 for a negative gradient)."""
    nan, inf = float("nan"), float("inf")
    x = numpy.array([nan, -1.0, 0.0, 2.0, -3.0, 4.0, -0.0, nan], dtype=dtype)
    upstream = numpy.array([1.0, inf, -2.0, nan, -5.0, -6.0, -inf, nan], dtype=dtype)

    def gradient(lib, device="cpu"):
        leaf = lib.tensor(x, requires_grad=True, device=device)
        lib.relu(leaf).backward(lib.tensor(upstream, device=device))
        return leaf.grad.cpu().numpy()

    ours, theirs = gradient(minigrad, device), reference(gradient)
    numpy.testing.assert_array_equal(ours, theirs)
    numpy.testing.assert_array_equal(numpy.signbit(ours), numpy.signbit(theirs))  # +0.0, not -0.0


@pytest.mark.parametrize("operands", [
    ("float32", 2.0), ("float32", 2), ("int64", 2.5), ("int64", 2), ("bool", 1), ("bool", True),
    ("float32", "float64"), ("int32", "int64"), ("int64", "float32"), ("bool", "int64"),
    ("float32", "float64_0d"), ("int64", "float64_0d"), ("float64", "float32_0d"), ("int32", "int64_0d"),
], ids=str)
@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum"])
def test_type_promotion_follows_torch(operands, op):
    def make(lib, spec):
        if not isinstance(spec, str):
            return spec
        name, _, zero_dim = spec.partition("_")
        return lib.ones(() if zero_dim else (3,), dtype=getattr(lib, name))

    def promoted(lib):
        return str(getattr(lib, op)(*(make(lib, s) for s in operands)).dtype).split(".")[1]

    if op == "maximum" and not all(isinstance(s, str) for s in operands):
        pytest.skip("maximum takes two tensors")
    assert promoted(minigrad) == reference(promoted)
