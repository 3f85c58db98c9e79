"""Dropout1d/2d/3d, AlphaDropout and FeatureAlphaDropout against PyTorch: the same masks from the
same seed, gradients, the in-place forms, evaluation mode, repr, warnings and errors."""
import pytest

import minigrad
import nn
from layer_checks import assert_same_layer, layer, observe_layer
from minigrad.autograd import gradcheck, gradgradcheck
from oracle import reference
from torch_compare import assert_same_observations

LAYERS = [
    layer("Dropout1d", lambda nn: nn.Dropout1d(0.4), (4, 6, 3)),
    layer("Dropout1d-unbatched", lambda nn: nn.Dropout1d(), (6, 3)),
    layer("Dropout2d", lambda nn: nn.Dropout2d(0.3), (3, 5, 2, 2)),
    layer("Dropout2d-p1", lambda nn: nn.Dropout2d(1.0), (2, 3, 2, 2)),
    layer("Dropout3d", lambda nn: nn.Dropout3d(), (2, 4, 2, 1, 2)),
    layer("Dropout3d-unbatched", lambda nn: nn.Dropout3d(0.2), (4, 2, 2, 2)),
    layer("Dropout2d-eval", lambda nn: nn.Dropout2d(), (2, 3, 2, 2), train=False),
    layer("AlphaDropout", lambda nn: nn.AlphaDropout(0.2), (5, 7)),
    layer("AlphaDropout-p1", lambda nn: nn.AlphaDropout(1.0), (2, 3)),
    layer("AlphaDropout-eval", lambda nn: nn.AlphaDropout(0.2), (5, 7), train=False),
    layer("FeatureAlphaDropout", lambda nn: nn.FeatureAlphaDropout(0.5), (3, 4, 2, 2)),
    layer("in-place-after-linear", lambda nn: nn.Sequential(nn.Linear(3, 6), nn.Unflatten(1, (3, 2)),
                                                             nn.Dropout1d(0.5, inplace=True)), (4, 3)),
    layer("Dropout2d-in-place", lambda nn: nn.Sequential(nn.Conv2d(2, 4, 1), nn.Dropout2d(0.5, inplace=True)),
          (2, 2, 3, 3)),
]
DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_layer_matches_torch(entry, dtype):
    theirs = reference(lambda torch: observe_layer(torch, entry, dtype))
    assert_same_layer(observe_layer(minigrad, entry, dtype), theirs, dtype)


@pytest.mark.parametrize("name", ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"])
@pytest.mark.parametrize("options", [{}, {"p": 0.25, "inplace": True}], ids=["default", "options"])
def test_repr(name, options):
    assert repr(getattr(nn, name)(**options)) == reference(lambda torch: repr(getattr(torch.nn, name)(**options)))


FUNCTIONAL = [
    ("dropout1d", lambda F, x: F.dropout1d(x, 0.5)),
    ("dropout2d", lambda F, x: F.dropout2d(x.reshape(2, 3, 2, 2), 0.3)),
    ("dropout3d", lambda F, x: F.dropout3d(x.reshape(3, 2, 2, 2), 0.6)),
    ("alpha_dropout", lambda F, x: F.alpha_dropout(x, 0.3, training=True)),
    ("feature_alpha_dropout", lambda F, x: F.feature_alpha_dropout(x, 0.3, training=True)),
    ("alpha_dropout-not-training", lambda F, x: F.alpha_dropout(x, 0.3)),
    ("alpha_dropout-transposed", lambda F, x: F.alpha_dropout(x.t(), 0.4, training=True)),
    ("dropout2d-transposed", lambda F, x: F.dropout2d(x.reshape(2, 3, 4).transpose(0, 1).unsqueeze(-1), 0.5)),
]


@pytest.mark.parametrize("apply", [pytest.param(a, id=name) for name, a in FUNCTIONAL])
def test_functional_forms_match_torch_and_differentiate_twice(apply):
    def scenario(lib):
        leaf = lib.linspace(-1, 1, 24, dtype=lib.float64, requires_grad=True)
        out = apply(lib.nn.functional, leaf.reshape(6, 4))
        out.backward(lib.arange(24.0, dtype=lib.float64).reshape(out.shape))
        return {"out": out, "grad": leaf.grad}
    assert_same_observations(scenario)

    def seeded(x):
        minigrad.manual_seed(5)  # the same mask on every call, so finite differences see one function
        return apply(nn.functional, x)
    x = minigrad.randn(6, 4, dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(seeded, [x]) and gradgradcheck(seeded, [x])


INPLACE = [
    ("dropout1d", lambda F, x: F.dropout1d(x, 0.5, inplace=True)),
    ("dropout1d-unbatched", lambda F, x: F.dropout1d(x[0], 0.5, inplace=True)),
    ("dropout2d", lambda F, x: F.dropout2d(x, 0.5, inplace=True)),
    ("alpha_dropout", lambda F, x: F.alpha_dropout(x, 0.5, True, inplace=True)),
    ("feature_alpha_dropout", lambda F, x: F.feature_alpha_dropout(x, 0.5, True, inplace=True)),
]


@pytest.mark.filterwarnings("ignore:dropout2d. Received a 3D input")
@pytest.mark.parametrize("apply", [pytest.param(a, id=name) for name, a in INPLACE])
def test_inplace_forms_on_tensors_with_history(apply):
    def scenario(lib):
        leaf = lib.randn(3, 4, 2, requires_grad=True)
        x = leaf * 2
        result = apply(lib.nn.functional, x)
        (x * lib.arange(24.0).reshape(3, 4, 2)).sum().backward()
        return {"result": result, "x": x, "grad": leaf.grad, "bumped": x._version > 0}
    assert_same_observations(scenario)


def test_dropout2d_warns_as_torch_for_3d_and_2d_input():
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        nn.functional.dropout2d(minigrad.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        nn.functional.dropout2d(minigrad.ones(2, 3))


ERRORS = [
    ("Dropout2d-p", lambda lib: lib.nn.Dropout2d(1.5)),
    ("AlphaDropout-p", lambda lib: lib.nn.AlphaDropout(-0.1)),
    ("dropout1d-4d", lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5))),
    ("alpha_dropout-p", lambda lib: lib.nn.functional.alpha_dropout(lib.ones(2), 2.0)),
    ("feature_alpha_dropout-1d", lambda lib: lib.nn.functional.feature_alpha_dropout(lib.ones(3), 0.5, True)),
    ("dropout3d-leaf-inplace", lambda lib: lib.nn.functional.dropout3d(lib.ones(1, 2, 2, 2, 2, requires_grad=True),
                                                                       inplace=True)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})
