"""The activation layers lessons use, against PyTorch: modules (outputs, gradients, repr,
state_dict), functional forms (gradcheck, gradgradcheck, PyTorch's first and second
derivatives), the in-place forms, RReLU's random slopes and PyTorch's errors."""
import numpy
import pytest

import minigrad
import nn
from layer_checks import (assert_gradcheck_and_gradgradcheck, assert_same_layer,
                          assert_second_derivatives_match_torch, described, layer, observe_layer)
from oracle import reference
from op_case import Arg, case
from torch_compare import assert_same_observations

LAYERS = [
    layer("ReLU6", lambda nn: nn.ReLU6(), (3, 5), scale=4),
    layer("Hardtanh", lambda nn: nn.Hardtanh(-0.5, 1.5), (3, 5)),
    layer("PReLU-shared", lambda nn: nn.PReLU(), (3, 4)),
    layer("PReLU-channels", lambda nn: nn.PReLU(3, init=0.1), (2, 3, 4, 2)),
    layer("PReLU-1d-input", lambda nn: nn.PReLU(), (5,)),
    layer("RReLU-eval", lambda nn: nn.RReLU(), (3, 5), train=False),
    layer("RReLU-train", lambda nn: nn.RReLU(0.1, 0.3), (4, 6)),
    layer("RReLU-train-inplace", lambda nn: nn.Sequential(nn.Linear(6, 6), nn.RReLU(inplace=True)), (4, 6)),
    layer("ELU", lambda nn: nn.ELU(0.7), (3, 5)),
    layer("SELU", lambda nn: nn.SELU(), (3, 5)),
    layer("CELU", lambda nn: nn.CELU(1.5), (3, 5)),
    layer("GELU", lambda nn: nn.GELU(), (3, 5), scale=2),
    layer("GELU-tanh", lambda nn: nn.GELU(approximate="tanh"), (3, 5), scale=2),
    layer("SiLU", lambda nn: nn.SiLU(), (3, 5)),
    layer("Mish", lambda nn: nn.Mish(), (3, 5), scale=3),
    layer("Softplus", lambda nn: nn.Softplus(beta=2, threshold=3), (3, 5), scale=2),
    layer("Softsign", lambda nn: nn.Softsign(), (3, 5)),
    layer("Hardswish", lambda nn: nn.Hardswish(), (3, 5), scale=4),
    layer("Hardsigmoid", lambda nn: nn.Hardsigmoid(), (3, 5), scale=4),
    layer("Threshold", lambda nn: nn.Threshold(0.1, 20.0), (3, 5)),
    layer("LogSigmoid", lambda nn: nn.LogSigmoid(), (3, 5), scale=3),
    layer("Tanhshrink", lambda nn: nn.Tanhshrink(), (3, 5)),
    layer("Softshrink", lambda nn: nn.Softshrink(0.3), (3, 5)),
    layer("Hardshrink", lambda nn: nn.Hardshrink(0.3), (3, 5)),
    layer("Softmax2d", lambda nn: nn.Softmax2d(), (2, 3, 2, 2)),
    layer("Softmax2d-unbatched", lambda nn: nn.Softmax2d(), (3, 2, 2)),
    layer("Softmin", lambda nn: nn.Softmin(dim=1), (3, 5)),
    layer("GLU", lambda nn: nn.GLU(), (3, 4)),
    layer("in-place-chain", lambda nn: nn.Sequential(nn.Linear(5, 5), nn.ELU(inplace=True), nn.Linear(5, 5),
                                                      nn.Hardtanh(inplace=True), nn.Linear(5, 5), nn.SiLU(inplace=True),
                                                      nn.Linear(5, 5), nn.Mish(inplace=True)), (3, 5)),
]
DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_layer_matches_torch(entry, dtype):
    theirs = reference(lambda torch: observe_layer(torch, entry, dtype))
    assert_same_layer(observe_layer(minigrad, entry, dtype), theirs, dtype)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_repr_and_state_dict_keys(entry):
    assert described(entry.build(nn)) == reference(lambda torch: described(entry.build(torch.nn)))


REPRS = [
    ("ReLU6-inplace", lambda nn: nn.ReLU6(inplace=True)),
    ("Hardtanh-inplace", lambda nn: nn.Hardtanh(-2.0, 3, inplace=True)),
    ("RReLU-options", lambda nn: nn.RReLU(0.2, 0.4, inplace=True)),
    ("ELU-inplace", lambda nn: nn.ELU(2.0, inplace=True)),
    ("SELU-inplace", lambda nn: nn.SELU(inplace=True)),
    ("CELU", lambda nn: nn.CELU()),
    ("SiLU-inplace", lambda nn: nn.SiLU(inplace=True)),
    ("Mish-inplace", lambda nn: nn.Mish(inplace=True)),
    ("Hardswish-inplace", lambda nn: nn.Hardswish(inplace=True)),
    ("Hardsigmoid-inplace", lambda nn: nn.Hardsigmoid(inplace=True)),
    ("Threshold-inplace", lambda nn: nn.Threshold(1, 2, inplace=True)),
    ("Softplus-default", lambda nn: nn.Softplus()),
    ("Softmin-default", lambda nn: nn.Softmin()),
    ("PReLU-many", lambda nn: nn.PReLU(7)),
    ("GELU-default", lambda nn: nn.GELU()),
    ("GLU-dim", lambda nn: nn.GLU(1)),
]


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in REPRS])
def test_repr_with_options(build):
    assert repr(build(nn)) == reference(lambda torch: repr(build(torch.nn)))


def F(T):  # noqa: N802 - the usual alias of nn.functional
    return T.nn.functional


OFF = dict(kind="offgrid")
FUNCTIONAL = [
    case("erf", lambda T, x: T.erf(x * 2), Arg(3, 4)),
    case("relu6", lambda T, x: F(T).relu6(x * 4), Arg(2, 3, **OFF)),
    case("hardtanh", lambda T, x: F(T).hardtanh(x, -0.5, 1.5), Arg(2, 3, **OFF)),
    case("threshold", lambda T, x: F(T).threshold(x, 0.25, -3.0), Arg(2, 3, **OFF)),
    case("elu", lambda T, x: F(T).elu(x, 0.7), Arg(2, 3, **OFF)),
    case("selu", lambda T, x: F(T).selu(x), Arg(2, 3, **OFF)),
    case("celu", lambda T, x: F(T).celu(x, 1.5), Arg(2, 3, **OFF)),
    case("gelu", lambda T, x: F(T).gelu(x * 2), Arg(2, 3)),
    case("gelu-tanh", lambda T, x: F(T).gelu(x * 2, approximate="tanh"), Arg(2, 3)),
    case("silu", lambda T, x: F(T).silu(x * 2), Arg(2, 3)),
    case("mish", lambda T, x: F(T).mish(x * 2), Arg(2, 3)),
    case("softplus", lambda T, x: F(T).softplus(x, beta=2.0, threshold=3.0), Arg(2, 3, **OFF)),
    case("softsign", lambda T, x: F(T).softsign(x), Arg(2, 3, **OFF)),
    case("hardswish", lambda T, x: F(T).hardswish(x * 3), Arg(2, 3, **OFF)),
    # PyTorch has no derivative for hardsigmoid_backward: gradgradcheck alone checks ours
    case("hardsigmoid", lambda T, x: F(T).hardsigmoid(x * 3), Arg(2, 3, **OFF), torch=False),
    case("logsigmoid", lambda T, x: F(T).logsigmoid(x * 3), Arg(2, 3)),
    case("tanhshrink", lambda T, x: F(T).tanhshrink(x), Arg(2, 3)),
    case("softshrink", lambda T, x: F(T).softshrink(x, 0.3), Arg(2, 3, **OFF)),
    case("hardshrink", lambda T, x: F(T).hardshrink(x, 0.3), Arg(2, 3, **OFF)),
    case("softmin", lambda T, x: F(T).softmin(x, 1), Arg(2, 3)),
    case("glu", lambda T, x: F(T).glu(x, 0), Arg(4, 3)),
    case("prelu", lambda T, x, w: F(T).prelu(x, w), Arg(2, 3, 2, **OFF), Arg(3)),
    case("prelu-shared", lambda T, x, w: F(T).prelu(x, w), Arg(2, 3, **OFF), Arg(1)),
    case("rrelu-eval", lambda T, x: F(T).rrelu(x, 0.1, 0.3), Arg(2, 3, **OFF)),
]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_gradcheck_and_gradgradcheck(entry):
    assert_gradcheck_and_gradgradcheck(entry)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL if e.torch])
def test_second_derivatives_match_torch(entry):
    assert_second_derivatives_match_torch(entry)


def test_erf_is_accurate_to_float64():
    """Against math.erf over the whole range, saturation and special values included."""
    import math
    values = numpy.concatenate([numpy.linspace(-7, 7, 4001), numpy.logspace(-300, 0.8, 300),
                                -numpy.logspace(-300, 0.8, 300), [0.0, numpy.inf, -numpy.inf]])
    ours = minigrad.erf(minigrad.tensor(values)).numpy()
    expected = numpy.array([math.erf(v) for v in values])
    numpy.testing.assert_allclose(ours, expected, rtol=8 * numpy.finfo(float).eps, atol=0)
    assert numpy.isnan(minigrad.erf(minigrad.tensor([float("nan")])).item())


@pytest.mark.parametrize("kink", [0.0, 6.0, -1.0, 1.0, -3.0, 3.0])
def test_gradient_at_the_kinks_is_torchs(kink):
    def scenario(lib):
        x = lib.tensor([kink, kink], requires_grad=True)
        f = lib.nn.functional
        total = (f.relu6(x) + f.hardtanh(x) + f.hardswish(x) + f.hardsigmoid(x) + f.threshold(x, kink, 2.0)
                 + f.elu(x) + f.hardshrink(x, abs(kink)) + f.softshrink(x, abs(kink)))
        total.sum().backward()
        return {"value": total, "grad": x.grad}
    assert_same_observations(scenario)


INPLACE = [
    ("elu", lambda F, x: F.elu(x, 0.5, inplace=True)),
    ("selu", lambda F, x: F.selu(x, inplace=True)),
    ("celu", lambda F, x: F.celu(x, 2.0, inplace=True)),
    ("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 0.5, inplace=True)),
    ("relu6", lambda F, x: F.relu6(x, inplace=True)),
    ("threshold", lambda F, x: F.threshold(x, 0.1, 5.0, inplace=True)),
    ("silu", lambda F, x: F.silu(x, inplace=True)),
    ("mish", lambda F, x: F.mish(x, inplace=True)),
    ("hardswish", lambda F, x: F.hardswish(x, inplace=True)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x, inplace=True)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2, inplace=True)),
    ("rrelu-train", lambda F, x: F.rrelu(x, training=True, inplace=True)),
]


@pytest.mark.parametrize("apply", [pytest.param(a, id=name) for name, a in INPLACE])
def test_inplace_forms_keep_the_object_and_the_gradient(apply):
    def scenario(lib):
        leaf = lib.linspace(-2, 2, 12, requires_grad=True)
        x = leaf * 1.5
        view = x[2:8]
        result = apply(lib.nn.functional, x)
        (result * lib.arange(12.0)).sum().backward()
        return {"result": result, "x": x, "view": view, "grad": leaf.grad, "version": x._version > 0,
                "same object": result is x}
    assert_same_observations(scenario)


def test_rrelu_training_draws_torchs_slopes_from_the_seed():
    def scenario(lib):
        x = lib.randn(50, 7)
        return {"first": lib.nn.functional.rrelu(x, 0.05, 0.9, training=True),
                "second": lib.nn.functional.rrelu(x.t(), training=True),
                "after": lib.rand(3)}
    assert_same_observations(scenario)


ERRORS = [
    ("gelu-approximate", lambda lib: lib.nn.functional.gelu(lib.ones(2), approximate="fast")),
    ("softshrink-negative", lambda lib: lib.nn.functional.softshrink(lib.ones(2), -1.0)),
    ("glu-odd", lambda lib: lib.nn.functional.glu(lib.ones(2, 3))),
    ("prelu-mismatch", lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2))),
    ("PReLU-channels", lambda lib: lib.nn.PReLU(4)(lib.ones(2, 3))),
    ("rrelu-bounds", lambda lib: lib.nn.functional.rrelu(lib.ones(2), 0.5, 0.1, training=True)),
    ("Hardtanh-bounds", lambda lib: lib.nn.Hardtanh(1.0, 0.0)),
    ("Softmax2d-2d", lambda lib: lib.nn.Softmax2d()(lib.ones(2, 3))),
    ("celu-zero-alpha", lambda lib: lib.nn.functional.celu(lib.ones(2), 0.0)),
    ("inplace-on-leaf", lambda lib: lib.nn.functional.elu(lib.ones(2, requires_grad=True), inplace=True)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})
