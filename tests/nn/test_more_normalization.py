"""Normalization layers against PyTorch: BatchNorm3d, LayerNorm, GroupNorm, InstanceNorm1d/2d/3d
(affine and running-statistics options, training and evaluation, unbatched inputs) and
LocalResponseNorm; their functional forms to second order; PyTorch's errors."""
import pytest

import minigrad
import nn
from layer_checks import (assert_gradcheck_and_gradgradcheck, assert_same_layer,
                          assert_second_derivatives_match_torch, described, layer, observe_layer)
from oracle import reference
from op_case import Arg, case
from torch_compare import assert_same_observations


def perturbed(nn, module):
    """``module`` with its parameters drawn from N(1, 0.5) (from the seeded stream) and, when it
    tracks statistics, running statistics away from their initial 0 and 1."""
    for param in module.parameters():
        nn.init.normal_(param, 1.0, 0.5)
    if getattr(module, "running_mean", None) is not None:
        module.running_mean.fill_(0.3)
        module.running_var.fill_(2.5)
    return module


LAYERS = [
    layer("BatchNorm3d", lambda nn: perturbed(nn, nn.BatchNorm3d(3)), (2, 3, 2, 3, 2)),
    layer("BatchNorm3d-eval", lambda nn: perturbed(nn, nn.BatchNorm3d(3)), (2, 3, 2, 2, 2), train=False),
    layer("BatchNorm3d-cumulative", lambda nn: nn.BatchNorm3d(2, momentum=None, affine=False), (3, 2, 2, 1, 2)),
    layer("LayerNorm-last", lambda nn: perturbed(nn, nn.LayerNorm(5)), (3, 4, 5)),
    layer("LayerNorm-two-dims", lambda nn: perturbed(nn, nn.LayerNorm([4, 5], eps=1e-3)), (3, 4, 5)),
    layer("LayerNorm-no-affine", lambda nn: nn.LayerNorm((5,), elementwise_affine=False), (2, 5)),
    layer("LayerNorm-no-bias", lambda nn: perturbed(nn, nn.LayerNorm(5, bias=False)), (2, 5)),
    layer("GroupNorm", lambda nn: perturbed(nn, nn.GroupNorm(2, 6)), (3, 6, 2, 2)),
    layer("GroupNorm-3d-input", lambda nn: perturbed(nn, nn.GroupNorm(3, 3)), (2, 3, 5)),
    layer("GroupNorm-no-affine", lambda nn: nn.GroupNorm(1, 4, affine=False), (2, 4, 3)),
    layer("GroupNorm-no-bias", lambda nn: perturbed(nn, nn.GroupNorm(2, 4, bias=False)), (2, 4, 3)),
    layer("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(3), (2, 3, 5)),
    layer("InstanceNorm1d-unbatched", lambda nn: nn.InstanceNorm1d(3), (3, 5)),
    layer("InstanceNorm1d-affine", lambda nn: perturbed(nn, nn.InstanceNorm1d(3, affine=True)), (2, 3, 5)),
    layer("InstanceNorm2d", lambda nn: nn.InstanceNorm2d(3), (2, 3, 4, 3)),
    layer("InstanceNorm2d-stats", lambda nn: perturbed(nn, nn.InstanceNorm2d(3, affine=True, track_running_stats=True)),
          (2, 3, 4, 3)),
    layer("InstanceNorm2d-stats-eval", lambda nn: perturbed(nn, nn.InstanceNorm2d(3, track_running_stats=True)),
          (2, 3, 4, 3), train=False),
    layer("InstanceNorm2d-stats-unbatched", lambda nn: nn.InstanceNorm2d(2, momentum=0.4, track_running_stats=True),
          (2, 3, 3)),
    layer("InstanceNorm2d-cumulative", lambda nn: nn.InstanceNorm2d(2, momentum=None, track_running_stats=True),
          (2, 2, 3, 3)),
    layer("InstanceNorm3d", lambda nn: nn.InstanceNorm3d(2, affine=True), (2, 2, 2, 3, 2)),
    layer("LocalResponseNorm-3d", lambda nn: nn.LocalResponseNorm(3, alpha=0.5), (2, 5, 4), scale=2),
    layer("LocalResponseNorm-4d", lambda nn: nn.LocalResponseNorm(2, alpha=0.3, beta=0.6, k=2.0), (2, 6, 3, 3)),
    layer("LocalResponseNorm-5d", lambda nn: nn.LocalResponseNorm(4), (1, 5, 2, 2, 3)),
]
DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_layer_matches_torch(entry, dtype):
    theirs = reference(lambda torch: observe_layer(torch, entry, dtype))
    assert_same_layer(observe_layer(minigrad, entry, dtype), theirs, dtype)


REPRS = [
    ("BatchNorm3d", lambda nn: nn.BatchNorm3d(4, eps=1e-3, momentum=None, affine=False)),
    ("LayerNorm", lambda nn: nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False)),
    ("LayerNorm-no-bias", lambda nn: nn.LayerNorm(4, bias=False)),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4, affine=False)),
    ("GroupNorm-no-bias", lambda nn: nn.GroupNorm(2, 4, bias=False)),
    ("InstanceNorm1d", lambda nn: nn.InstanceNorm1d(3)),
    ("InstanceNorm2d", lambda nn: nn.InstanceNorm2d(3, 0.1, 0.2, True, True)),
    ("InstanceNorm3d", lambda nn: nn.InstanceNorm3d(2, bias=False, affine=True)),
    ("LocalResponseNorm", lambda nn: nn.LocalResponseNorm(5, 1e-3, 0.5, 2)),
]


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in REPRS])
def test_repr_and_state_dict_keys(build):
    assert described(build(nn)) == reference(lambda torch: described(build(torch.nn)))


def F(T):  # noqa: N802 - the usual alias of nn.functional
    return T.nn.functional


FUNCTIONAL = [
    case("layer_norm", lambda T, x, w, b: F(T).layer_norm(x, (3, 4), w, b), Arg(2, 3, 4), Arg(3, 4), Arg(3, 4)),
    case("layer_norm/no-affine", lambda T, x: F(T).layer_norm(x, [4], eps=1e-3), Arg(3, 4)),
    case("group_norm", lambda T, x, w, b: F(T).group_norm(x, 2, w, b), Arg(2, 4, 3), Arg(4), Arg(4)),
    case("group_norm/4d-no-affine", lambda T, x: F(T).group_norm(x, 3, eps=1e-3), Arg(2, 3, 2, 2)),
    case("instance_norm", lambda T, x, w, b: F(T).instance_norm(x, weight=w, bias=b), Arg(2, 3, 4), Arg(3), Arg(3)),
    case("instance_norm/4d", lambda T, x: F(T).instance_norm(x), Arg(2, 2, 2, 3)),
    case("local_response_norm", lambda T, x: F(T).local_response_norm(x, 3, alpha=0.5, k=1.5), Arg(2, 4, 3)),
    case("local_response_norm/4d", lambda T, x: F(T).local_response_norm(x, 2, 0.4, 0.6), Arg(1, 3, 2, 2)),
    case("batch_norm/5d", lambda T, x, w, b: F(T).batch_norm(x, None, None, w, b, training=True), Arg(2, 2, 2, 1, 2),
         Arg(2), Arg(2)),
]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_gradcheck_and_gradgradcheck(entry):
    assert_gradcheck_and_gradgradcheck(entry)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_second_derivatives_match_torch(entry):
    assert_second_derivatives_match_torch(entry)


def test_instance_norm_running_statistics_over_several_steps():
    def scenario(lib):
        module = lib.nn.InstanceNorm1d(3, momentum=0.3, track_running_stats=True)
        for step in range(3):
            module(lib.randn(4, 3, 6) * (step + 1))
        module.eval()
        out = module(lib.randn(2, 3, 6))
        return {"mean": module.running_mean, "var": module.running_var, "out": out,
                "batches": module.num_batches_tracked}
    assert_same_observations(scenario)


ERRORS = [
    ("GroupNorm-divisible", lambda lib: lib.nn.GroupNorm(4, 6)),
    ("group_norm-1d", lambda lib: lib.nn.functional.group_norm(lib.ones(4), 2)),
    ("group_norm-channels", lambda lib: lib.nn.functional.group_norm(lib.ones(2, 6, 3), 4)),
    ("group_norm-one-value", lambda lib: lib.nn.functional.group_norm(lib.ones(1, 2), 2)),
    ("layer_norm-shape", lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3), [4])),
    ("LayerNorm-input", lambda lib: lib.nn.LayerNorm(4)(lib.ones(4, 3))),
    ("InstanceNorm1d-4d", lambda lib: lib.nn.InstanceNorm1d(3)(lib.ones(2, 3, 4, 4))),
    ("InstanceNorm2d-2d", lambda lib: lib.nn.InstanceNorm2d(3)(lib.ones(2, 3))),
    ("InstanceNorm1d-affine-channels", lambda lib: lib.nn.InstanceNorm1d(4, affine=True)(lib.ones(2, 3, 5))),
    ("instance_norm-one-position", lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 1))),
    ("instance_norm-eval-without-stats", lambda lib: lib.nn.functional.instance_norm(lib.ones(2, 3, 4),
                                                                                     use_input_stats=False)),
    ("local_response_norm-2d", lambda lib: lib.nn.functional.local_response_norm(lib.ones(2, 3), 2)),
    ("BatchNorm3d-4d", lambda lib: lib.nn.BatchNorm3d(3)(lib.ones(2, 3, 4, 4))),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})


def test_instance_norm_warns_when_channels_differ_without_affine():
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(minigrad.randn(2, 3, 5))
