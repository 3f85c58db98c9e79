"""The losses lessons use, against PyTorch: modules with every reduction (values, gradients of the
inputs, repr, state_dict keys), functional forms to second order, the deprecated
size_average/reduce arguments, and PyTorch's errors."""
import sys
import warnings

import pytest

import minigrad
import nn
from layer_checks import (assert_gradcheck_and_gradgradcheck, assert_same_layer,
                          assert_second_derivatives_match_torch, described, layer, observe_layer)
from oracle import reference
from op_case import Arg, case
from torch_compare import assert_same_observations


def adapted(nn, loss, arrange):
    """``loss`` called with its arguments rearranged by ``arrange`` (so that the inputs whose
    gradients are compared come first and the targets after)."""
    class Adapted(nn.Module):
        def __init__(self):
            super().__init__()
            self.loss = loss

        def forward(self, *args):
            return self.loss(*arrange(*args))
    return Adapted()


def signs(lib):
    return lib.tensor([1.0, -1.0, -1.0, 1.0])


def classes(lib):
    return lib.tensor([2, 0, 1, 2])


def multilabels(lib):
    return lib.tensor([[2, 0, -1, 1], [3, -1, 2, 2], [1, 1, 0, -1], [-1, 0, 1, 2]])


def probabilities(lib):
    return lib.softmax(lib.arange(12.0, dtype=lib.float64).reshape(4, 3).sin(), 1)  # float64: no float32 log


def counts(lib):
    return lib.tensor([[0.0, 1.0, 3.0], [2.0, 0.0, 5.0], [1.0, 1.0, 0.0], [4.0, 2.0, 1.0]])


def multi_hot(lib):
    return lib.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])


REDUCTIONS = ["mean", "sum", "none"]


def losses(reduction):
    r = dict(reduction=reduction)
    return [
        layer(f"HuberLoss-{reduction}", lambda nn: nn.HuberLoss(delta=0.6, **r), (4, 3), (4, 3)),
        layer(f"KLDivLoss-{reduction}", lambda nn: nn.KLDivLoss(**r), (4, 3), extra=probabilities),
        layer(f"KLDivLoss-log-target-{reduction}", lambda nn: nn.KLDivLoss(log_target=True, **r), (4, 3), (4, 3)),
        layer(f"PoissonNLLLoss-{reduction}", lambda nn: nn.PoissonNLLLoss(**r), (4, 3), extra=counts),
        layer(f"PoissonNLLLoss-rates-full-{reduction}", lambda nn: nn.PoissonNLLLoss(False, True, **r), (4, 3),
              extra=counts, positive=True),
        layer(f"GaussianNLLLoss-{reduction}",
              lambda nn: adapted(nn, nn.GaussianNLLLoss(**r), lambda x, v, t: (x, t, v)), (4, 3), (4, 3),
              extra=counts, positive=True),
        layer(f"MarginRankingLoss-{reduction}", lambda nn: nn.MarginRankingLoss(0.3, **r), (4,), (4,),
              extra=signs),
        layer(f"HingeEmbeddingLoss-{reduction}", lambda nn: nn.HingeEmbeddingLoss(0.8, **r), (4,), extra=signs,
              positive=True),
        layer(f"SoftMarginLoss-{reduction}", lambda nn: nn.SoftMarginLoss(**r), (4,), extra=lambda lib: (signs(lib),)),
        layer(f"MultiLabelMarginLoss-{reduction}", lambda nn: nn.MultiLabelMarginLoss(**r), (4, 4),
              extra=lambda lib: (multilabels(lib),)),
        layer(f"MultiLabelSoftMarginLoss-{reduction}", lambda nn: nn.MultiLabelSoftMarginLoss(**r), (4, 3),
              extra=lambda lib: (multi_hot(lib),)),
        layer(f"CosineEmbeddingLoss-{reduction}", lambda nn: nn.CosineEmbeddingLoss(0.2, **r), (4, 5), (4, 5),
              extra=lambda lib: (signs(lib),)),
        layer(f"MultiMarginLoss-{reduction}", lambda nn: nn.MultiMarginLoss(**r), (4, 3),
              extra=lambda lib: (classes(lib),), scale=0.5),
        layer(f"TripletMarginLoss-{reduction}", lambda nn: nn.TripletMarginLoss(**r), (4, 5), (4, 5), (4, 5)),
        layer(f"TripletMarginWithDistanceLoss-{reduction}", lambda nn: nn.TripletMarginWithDistanceLoss(**r), (4, 5),
              (4, 5), (4, 5)),
    ]


LAYERS = [entry for reduction in REDUCTIONS for entry in losses(reduction)] + [
    layer("KLDivLoss-batchmean", lambda nn: nn.KLDivLoss(reduction="batchmean"), (4, 3), extra=probabilities),
    layer("HuberLoss-default", lambda nn: nn.HuberLoss(), (5,), (5,), scale=2),
    layer("GaussianNLLLoss-full-shared-var", lambda nn: adapted(nn, nn.GaussianNLLLoss(full=True), lambda x, v, t: (
        x, t, v)), (4, 3), (4, 1), extra=counts, positive=True),
    layer("GaussianNLLLoss-var-one-fewer-dim", lambda nn: adapted(nn, nn.GaussianNLLLoss(eps=0.3), lambda x, v, t: (
        x, t, v)), (4, 3), (4,), extra=counts, positive=True),
    layer("MultiMarginLoss-p2-weight", lambda nn: nn.MultiMarginLoss(
        p=2, margin=0.7, weight=minigrad_or_torch(nn).tensor([0.5, 1.0, 2.0])), (4, 3), extra=classes),
    layer("MultiMarginLoss-one-sample", lambda nn: nn.MultiMarginLoss(), (3,), extra=lambda lib: (lib.tensor(1),)),
    layer("MultiLabelMarginLoss-one-sample", lambda nn: nn.MultiLabelMarginLoss(), (4,),
          extra=lambda lib: (lib.tensor([3, 0, -1, 1]),)),
    layer("MultiLabelSoftMarginLoss-weight", lambda nn: nn.MultiLabelSoftMarginLoss(weight=minigrad_or_torch(nn).tensor(
        [1.0, 0.5, 2.0])), (4, 3), extra=lambda lib: (multi_hot(lib),)),
    layer("CosineEmbeddingLoss-one-pair", lambda nn: nn.CosineEmbeddingLoss(), (5,), (5,),
          extra=lambda lib: (lib.tensor(-1.0),)),
    layer("TripletMarginLoss-swap-p1", lambda nn: nn.TripletMarginLoss(0.5, p=1, swap=True), (4, 5), (4, 5), (4, 5)),
    layer("TripletMarginWithDistanceLoss-cosine", lambda nn: nn.TripletMarginWithDistanceLoss(
        distance_function=nn.CosineSimilarity(), margin=0.5, swap=True), (4, 5), (4, 5), (4, 5)),
    layer("PairwiseDistance", lambda nn: nn.PairwiseDistance(p=3, keepdim=True), (4, 5), (4, 5)),
    layer("PairwiseDistance-broadcast", lambda nn: nn.PairwiseDistance(), (5,), (3, 5)),
    layer("CosineSimilarity", lambda nn: nn.CosineSimilarity(dim=0), (4, 5), (4, 5)),
]


def minigrad_or_torch(nn_module):
    """The library whose ``nn`` is ``nn_module`` (inside a reference function, PyTorch's)."""
    return sys.modules["torch"] if nn_module.__name__ == "torch.nn" else minigrad


DTYPES = ["float32", "float64"]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_loss_matches_torch(entry, dtype):
    theirs = reference(lambda torch: observe_layer(torch, entry, dtype))
    assert_same_layer(observe_layer(minigrad, entry, dtype), theirs, dtype)


REPRS = [
    ("HuberLoss", lambda nn: nn.HuberLoss(reduction="sum", delta=2)),
    ("KLDivLoss", lambda nn: nn.KLDivLoss(reduction="batchmean", log_target=True)),
    ("PoissonNLLLoss", lambda nn: nn.PoissonNLLLoss(full=True)),
    ("GaussianNLLLoss", lambda nn: nn.GaussianNLLLoss(eps=1e-3)),
    ("MarginRankingLoss", lambda nn: nn.MarginRankingLoss(0.5)),
    ("MultiMarginLoss", lambda nn: nn.MultiMarginLoss(2, weight=minigrad_or_torch(nn).ones(3))),
    ("MultiLabelSoftMarginLoss", lambda nn: nn.MultiLabelSoftMarginLoss(minigrad_or_torch(nn).ones(3))),
    ("TripletMarginLoss", lambda nn: nn.TripletMarginLoss(swap=True)),
    ("TripletMarginWithDistanceLoss", lambda nn: nn.TripletMarginWithDistanceLoss()),
    ("PairwiseDistance", lambda nn: nn.PairwiseDistance(1.0)),
    ("CosineSimilarity", lambda nn: nn.CosineSimilarity(0, 1e-6)),
    ("BCEWithLogitsLoss", lambda nn: nn.BCEWithLogitsLoss(pos_weight=minigrad_or_torch(nn).ones(2))),
]


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in REPRS])
def test_repr_and_state_dict_keys(build):
    assert described(build(nn)) == reference(lambda torch: described(build(torch.nn)))


@pytest.mark.parametrize("size_average, reduce", [(False, None), (None, False), (True, True), (False, True)],
                         ids=["sum", "none", "mean", "sum-explicit"])
@pytest.mark.parametrize("name", ["NLLLoss", "MarginRankingLoss", "SoftMarginLoss", "MultiMarginLoss", "KLDivLoss"])
def test_deprecated_size_average_and_reduce(name, size_average, reduce):
    def built(nn_module):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loss = getattr(nn_module, name)(size_average=size_average, reduce=reduce)
        return loss.reduction, any(issubclass(w.category, UserWarning) for w in caught)

    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = getattr(nn, name)(size_average=size_average, reduce=reduce)
    assert (ours.reduction, True) == reference(lambda torch: built(torch.nn))


LEGACY_FUNCTIONAL = [
    ("nll_loss", lambda lib, x, t: lib.nn.functional.nll_loss(x.log_softmax(1), t, None, False)),
    ("cross_entropy", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, None, None, -100, False)),
    ("mse_loss", lambda lib, x, t: lib.nn.functional.mse_loss(x, x.flip(0), False)),
    ("l1_loss", lambda lib, x, t: lib.nn.functional.l1_loss(x, x.flip(0), True, False)),
    ("smooth_l1_loss", lambda lib, x, t: lib.nn.functional.smooth_l1_loss(x, x.flip(0), None, False)),
    ("binary_cross_entropy", lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x.sigmoid(), x.flip(0).sigmoid(),
                                                                                      None, False)),
    ("binary_cross_entropy_with_logits", lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(
        x, x.flip(0).sigmoid(), None, None, False)),
    ("multi_margin_loss", lambda lib, x, t: lib.nn.functional.multi_margin_loss(x, t, 1, 1.0, None, False)),
]


@pytest.mark.filterwarnings("ignore:size_average and reduce args will be deprecated")
@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in LEGACY_FUNCTIONAL])
def test_functional_forms_take_the_legacy_arguments_in_torchs_places(call):
    def scenario(lib):
        x = lib.linspace(-1, 1, 12).reshape(4, 3)
        return {"loss": call(lib, x, lib.tensor([0, 2, 1, 1]))}
    assert_same_observations(scenario)


def F(T):  # noqa: N802 - the usual alias of nn.functional
    return T.nn.functional


TARGET = dict(grad=False)
FUNCTIONAL = [
    case("huber_loss", lambda T, x, y: F(T).huber_loss(x, y, delta=0.4), Arg(3, 4), Arg(3, 4)),
    case("huber_loss/weight", lambda T, x, y, w: F(T).huber_loss(x, y, "sum", 0.5, w), Arg(3, 4), Arg(3, 4),
         Arg(3, 4, kind="pos")),
    case("mse_loss/weight", lambda T, x, y, w: F(T).mse_loss(x, y, weight=w), Arg(3, 4), Arg(3, 4),
         Arg(3, 4, kind="pos")),
    case("l1_loss/weight", lambda T, x, y, w: F(T).l1_loss(x, y, reduction="sum", weight=w), Arg(3, 4, kind="offgrid"),
         Arg(3, 4, grad=False), Arg(3, 4, kind="pos")),
    case("poisson_nll_loss", lambda T, x: F(T).poisson_nll_loss(x, counts(T)[:3]), Arg(3, 3)),
    case("poisson_nll_loss/rates-full", lambda T, x: F(T).poisson_nll_loss(x, counts(T), False, True, reduction="sum"),
         Arg(4, 3, kind="pos")),
    case("gaussian_nll_loss", lambda T, x, y, v: F(T).gaussian_nll_loss(x, y, v, full=True), Arg(4, 3), Arg(4, 3),
         Arg(4, 3, kind="pos")),
    case("kl_div/batchmean", lambda T, x, y: F(T).kl_div(x, y, reduction="batchmean"), Arg(4, 3),
         Arg(4, 3, kind="prob")),
    case("kl_div/log-target", lambda T, x, y: F(T).kl_div(x, y, reduction="sum", log_target=True), Arg(4, 3),
         Arg(4, 3)),
    case("margin_ranking_loss", lambda T, a, b: F(T).margin_ranking_loss(a, b, signs(T), 0.1), Arg(4), Arg(4)),
    case("hinge_embedding_loss", lambda T, x: F(T).hinge_embedding_loss(x, signs(T), 1.5), Arg(4, kind="pos")),
    case("soft_margin_loss", lambda T, x: F(T).soft_margin_loss(x, signs(T)), Arg(4)),
    # PyTorch has no derivative of multilabel_margin_loss_backward or multi_margin_loss_backward:
    # gradgradcheck alone checks those second derivatives
    case("multilabel_margin_loss", lambda T, x: F(T).multilabel_margin_loss(x, multilabels(T)), Arg(4, 4), torch=False),
    case("multilabel_soft_margin_loss", lambda T, x: F(T).multilabel_soft_margin_loss(x, multi_hot(T)), Arg(4, 3)),
    case("cosine_embedding_loss", lambda T, a, b: F(T).cosine_embedding_loss(a, b, signs(T), -0.5), Arg(4, 3),
         Arg(4, 3)),
    case("multi_margin_loss", lambda T, x: F(T).multi_margin_loss(x, classes(T), margin=0.5), Arg(4, 3, kind="small"),
         torch=False),
    case("multi_margin_loss/p2", lambda T, x: F(T).multi_margin_loss(x, classes(T), p=2), Arg(4, 3, kind="small"),
         torch=False),
    case("triplet_margin_loss", lambda T, a, p, n: F(T).triplet_margin_loss(a, p, n, swap=True), Arg(3, 4), Arg(3, 4),
         Arg(3, 4)),
    case("pairwise_distance", lambda T, a, b: F(T).pairwise_distance(a, b, 3.0), Arg(3, 4), Arg(3, 4)),
    case("cosine_similarity", lambda T, a, b: F(T).cosine_similarity(a, b, 0), Arg(3, 4), Arg(3, 4)),
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_gradcheck_and_gradgradcheck(entry):
    assert_gradcheck_and_gradgradcheck(entry)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL if e.torch])
def test_second_derivatives_match_torch(entry):
    assert_second_derivatives_match_torch(entry)


def test_kl_div_mean_warns_as_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        nn.functional.kl_div(minigrad.zeros(2, 3), minigrad.ones(2, 3) / 3)


ERRORS = [
    ("multilabel_margin-out-of-range", lambda lib: lib.nn.functional.multilabel_margin_loss(
        lib.ones(2, 3), lib.tensor([[0, 5, -1], [1, -1, 0]]))),
    ("multilabel_margin-shape", lambda lib: lib.nn.functional.multilabel_margin_loss(
        lib.ones(2, 3), lib.tensor([[0, 1], [1, -1]]))),
    ("multilabel_margin-float-target", lambda lib: lib.nn.functional.multilabel_margin_loss(lib.ones(2, 3),
                                                                                          lib.ones(2, 3))),
    ("multi_margin-out-of-range", lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 3]))),
    ("multi_margin-target-size", lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0]))),
    ("multi_margin-p", lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 1]), p=3)),
    ("multi_margin-weight-size", lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 1]),
                                                                                weight=lib.ones(2))),
    ("multi_margin-3d", lambda lib: lib.nn.functional.multi_margin_loss(lib.ones(2, 3, 1), lib.tensor([0, 1]))),
    ("MultiMarginLoss-p", lambda lib: lib.nn.MultiMarginLoss(p=3)),
    ("MultiMarginLoss-weight-2d", lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2))),
    ("cosine_embedding-2d-target", lambda lib: lib.nn.functional.cosine_embedding_loss(lib.ones(2, 3), lib.ones(2, 3),
                                                                                      lib.ones(2, 1))),
    ("cosine_embedding-input-dims", lambda lib: lib.nn.functional.cosine_embedding_loss(lib.ones(3), lib.ones(2, 3),
                                                                                       lib.ones(2))),
    ("margin_ranking-dims", lambda lib: lib.nn.functional.margin_ranking_loss(lib.ones(3), lib.ones(3),
                                                                             lib.ones(1, 3))),
    ("soft_margin-broadcast", lambda lib: lib.nn.functional.soft_margin_loss(lib.ones(3), lib.ones(2))),
    ("huber-delta", lambda lib: lib.nn.functional.huber_loss(lib.ones(3), lib.ones(3), delta=-1.0)),
    ("huber-weight-size", lambda lib: lib.nn.functional.huber_loss(lib.ones(3), lib.ones(3), weight=lib.ones(2))),
    ("HuberLoss-delta-type", lambda lib: lib.nn.HuberLoss(delta="a")),
    ("gaussian-var-size", lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3), lib.ones(3), lib.ones(2))),
    ("gaussian-negative-var", lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3), lib.ones(3), -lib.ones(3))),
    ("gaussian-negative-float-var", lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3), lib.ones(3), -1.0)),
    ("gaussian-reduction", lambda lib: lib.nn.functional.gaussian_nll_loss(lib.ones(3), lib.ones(3), lib.ones(3),
                                                                          reduction="x")),
    ("triplet-dims", lambda lib: lib.nn.functional.triplet_margin_loss(lib.ones(3), lib.ones(2, 3), lib.ones(2, 3))),
    ("triplet-margin", lambda lib: lib.nn.functional.triplet_margin_loss(lib.ones(3), lib.ones(3), lib.ones(3),
                                                                        margin=0)),
    ("TripletMarginLoss-margin", lambda lib: lib.nn.TripletMarginLoss(margin=-1)),
    ("multilabel_soft_margin-reduction", lambda lib: lib.nn.functional.multilabel_soft_margin_loss(
        lib.ones(2, 3), lib.ones(2, 3), reduction="x")),
    ("margin_ranking-reduction", lambda lib: lib.nn.functional.margin_ranking_loss(lib.ones(3), lib.ones(3),
                                                                                  lib.ones(3), reduction="x")),
    ("poisson-reduction", lambda lib: lib.nn.functional.poisson_nll_loss(lib.ones(3), lib.ones(3), reduction="x")),
    ("mse-weight-size", lambda lib: lib.nn.functional.mse_loss(lib.ones(3), lib.ones(3), weight=lib.ones(2))),
    ("l1-weight-reduction", lambda lib: lib.nn.functional.l1_loss(lib.ones(3), lib.ones(3), reduction="x",
                                                                 weight=lib.ones(3))),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})
