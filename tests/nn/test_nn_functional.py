"""nn.functional and nn.init: gradcheck of every op written here, the losses against
torch.nn.functional (values, input and target gradients), stability, errors and warnings.
PyTorch's side is asked through tests/oracle.py (live, or its stored answers)."""
import math
import warnings

import numpy
import pytest

import minigrad
import nn
from nn import functional as F
from nn_cases import GRAD_TOLERANCE, assert_close
from oracle import reference


def f64(values):
    return minigrad.tensor(values, dtype=minigrad.float64)


GRADCHECK = [
    ("log_softmax_dim1", lambda x: F.log_softmax(x, dim=1), [(4, 3)]),
    ("log_softmax_dim0", lambda x: F.log_softmax(x, dim=0), [(4, 3)]),
    ("softmax_3d_last", lambda x: F.softmax(x, dim=-1), [(2, 2, 3)]),
    ("softmax_4d_channels", lambda x: F.softmax(x, dim=1), [(1, 3, 2, 2)]),
    ("logsigmoid", lambda x: F.logsigmoid(x * 10), [(4, 3)]),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), [(4, 3)]),
    ("linear", lambda x, w, b: F.linear(x, w, b), [(4, 3), (2, 3), (2,)]),
    ("linear_3d_no_bias", lambda x, w: F.linear(x, w), [(2, 2, 3), (2, 3)]),
    ("cross_entropy", lambda x: F.cross_entropy(x, minigrad.tensor([0, 2, 1, 2])), [(4, 3)]),
    ("cross_entropy_weight_ignore_smoothing", lambda x: F.cross_entropy(
        x, minigrad.tensor([0, 2, -100, 2]), weight=f64([1.0, 2.0, 0.5]), label_smoothing=0.1), [(4, 3)]),
    ("cross_entropy_sum_ignore", lambda x: F.cross_entropy(
        x, minigrad.tensor([0, 1, 1, 2]), ignore_index=1, reduction="sum", label_smoothing=0.3), [(4, 3)]),
    ("cross_entropy_none", lambda x: F.cross_entropy(x, minigrad.tensor([0, 1, 1, 2]), reduction="none"),
     [(4, 3)]),
    ("cross_entropy_4d", lambda x: F.cross_entropy(
        x, minigrad.tensor([[[0, 2], [1, -100]]]), weight=f64([1.0, 2.0, 0.5]), label_smoothing=0.2),
     [(1, 3, 2, 2)]),
    ("cross_entropy_probabilities", lambda x, y: F.cross_entropy(
        x, F.softmax(y, dim=1), weight=f64([1.0, 2.0, 0.5]), label_smoothing=0.1), [(4, 3), (4, 3)]),
    ("cross_entropy_probabilities_4d", lambda x, y: F.cross_entropy(x, F.softmax(y, dim=1), reduction="sum"),
     [(1, 3, 2, 2), (1, 3, 2, 2)]),
    ("cross_entropy_unbatched", lambda x: F.cross_entropy(x, minigrad.tensor(1)), [(3,)]),
    ("nll_weight", lambda x: F.nll_loss(x, minigrad.tensor([1, 1, 0, 2]), weight=f64([0.2, 1.0, 3.0])),
     [(4, 3)]),
    ("nll_none_ignore", lambda x: F.nll_loss(x, minigrad.tensor([1, 5, 0, 2]), ignore_index=5,
                                                reduction="none"), [(4, 3)]),
    ("mse", lambda x, y: F.mse_loss(x, y), [(4, 3), (4, 3)]),
    ("mse_none", lambda x, y: F.mse_loss(x, y, reduction="none"), [(2, 3), (2, 3)]),
    ("l1_sum", lambda x, y: F.l1_loss(x, y, reduction="sum"), [(4, 3), (4, 3)]),
    ("smooth_l1_beta", lambda x, y: F.smooth_l1_loss(x, y * 3, beta=0.5), [(4, 3), (4, 3)]),
    ("smooth_l1_beta_zero", lambda x, y: F.smooth_l1_loss(x, y, beta=0.0), [(4, 3), (4, 3)]),
    ("bce", lambda x, y, w: F.binary_cross_entropy(x.sigmoid(), y.sigmoid(), weight=w), [(4, 3), (4, 3), (3,)]),
    ("bce_logits", lambda x, y, w: F.binary_cross_entropy_with_logits(
        x * 5, y.sigmoid(), weight=w, pos_weight=f64([1.0, 2.0, 0.5])), [(4, 3), (4, 3), (4, 3)]),
    ("bce_logits_none", lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction="none"),
     [(2, 3), (2, 3)]),
    ("batch_norm_training", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     [(5, 3), (3,), (3,)]),
    ("batch_norm_4d_running", lambda x, w, b: F.batch_norm(
        x, minigrad.zeros(2, dtype=minigrad.float64), minigrad.ones(2, dtype=minigrad.float64), w, b, True, 0.3),
     [(2, 2, 2, 3), (2,), (2,)]),
    ("batch_norm_eval", lambda x, w, b: F.batch_norm(x, f64([0.5, -1.0]), f64([2.0, 0.3]), w, b), [(3, 2), (2,), (2,)]),
    ("embedding", lambda w: F.embedding(minigrad.tensor([[0, 3], [3, 1]]), w), [(4, 3)]),
    ("pad_constant", lambda x: F.pad(x, (1, 1, 0, 2), value=0.5), [(4, 3)]),
    ("pad_constant_negative", lambda x: F.pad(x, (-1, 2, 1, -2)), [(2, 3, 4)]),
    ("pad_reflect", lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"), [(1, 1, 4, 3)]),
    ("pad_replicate", lambda x: F.pad(x, (2, 1), mode="replicate"), [(1, 4, 3)]),
    ("pad_circular", lambda x: F.pad(x, (1, 2, 1, 0), mode="circular"), [(1, 1, 3, 3)]),
    ("dropout_seeded_mask", lambda x: (minigrad.manual_seed(0), F.dropout(x, 0.4))[1], [(4, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", GRADCHECK, ids=[case[0] for case in GRADCHECK])
def test_gradcheck(name, fn, shapes):
    """Embedding's padding_idx and scale_grad_by_freq change the gradient on purpose: they are
    checked against PyTorch in test_nn_layers instead."""
    rng = numpy.random.default_rng(0)
    inputs = [minigrad.tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]
    assert minigrad.gradcheck(fn, inputs)


# ---- losses against PyTorch ---------------------------------------------------------------------

def class_targets(lib, shape, classes, ignored=()):
    values = numpy.random.default_rng(1).integers(0, classes, shape)
    values.ravel()[list(ignored)] = -100
    return lib.tensor(values)


# (id, loss(F, lib, input, target, const), input shape, target kind: "classes", "probabilities" or "values")
LOSSES = [
    ("ce", lambda F, lib, x, t, c: F.cross_entropy(x, t), (8, 3), "classes"),
    ("ce_weight_ignore_sum", lambda F, lib, x, t, c: F.cross_entropy(
        x, t, weight=c([0.2, 1.0, 3.0]), ignore_index=1, reduction="sum"), (8, 3), "classes"),
    ("ce_weight_smoothing", lambda F, lib, x, t, c: F.cross_entropy(
        x, t, weight=c([0.2, 1.0, 3.0]), label_smoothing=0.2), (8, 3), "classes"),
    ("ce_smoothing_none", lambda F, lib, x, t, c: F.cross_entropy(x, t, reduction="none", label_smoothing=0.4),
     (8, 3), "classes"),
    ("ce_4d_everything", lambda F, lib, x, t, c: F.cross_entropy(
        x, t, weight=c([0.2, 1.0, 3.0]), label_smoothing=0.1), (2, 3, 2, 2), "classes_ignored"),
    ("ce_probabilities", lambda F, lib, x, t, c: F.cross_entropy(
        x, t, weight=c([0.2, 1.0, 3.0]), label_smoothing=0.3), (8, 3), "probabilities"),
    ("ce_probabilities_4d_none", lambda F, lib, x, t, c: F.cross_entropy(x, t, reduction="none"), (2, 3, 2, 2),
     "probabilities"),
    ("nll_weight", lambda F, lib, x, t, c: F.nll_loss(F.log_softmax(x, dim=1), t, weight=c([0.5, 2.0, 1.0])),
     (8, 3), "classes_ignored"),
    ("nll_4d_sum", lambda F, lib, x, t, c: F.nll_loss(x, t, reduction="sum"), (2, 3, 2, 2), "classes"),
    ("mse", lambda F, lib, x, t, c: F.mse_loss(x, t), (4, 5), "values"),
    ("mse_sum", lambda F, lib, x, t, c: F.mse_loss(x, t, reduction="sum"), (4, 5), "values"),
    ("l1_none", lambda F, lib, x, t, c: F.l1_loss(x, t, reduction="none"), (4, 5), "values"),
    ("smooth_l1", lambda F, lib, x, t, c: F.smooth_l1_loss(x, t), (4, 5), "values"),
    ("smooth_l1_beta", lambda F, lib, x, t, c: F.smooth_l1_loss(x, t, beta=0.3, reduction="sum"), (4, 5), "values"),
    ("bce_weight", lambda F, lib, x, t, c: F.binary_cross_entropy(
        x.sigmoid(), t.sigmoid(), weight=c([0.5, 1.0, 2.0, 1.5, 1.0])), (4, 5), "values"),
    ("bce_logits_pos_weight", lambda F, lib, x, t, c: F.binary_cross_entropy_with_logits(
        x * 4, t.sigmoid(), weight=c([0.5, 1.0, 2.0, 1.5, 1.0]), pos_weight=c([1.0, 3.0, 0.2, 1.0, 2.0])),
     (4, 5), "values"),
    ("bce_logits_none", lambda F, lib, x, t, c: F.binary_cross_entropy_with_logits(x, t.sigmoid(), reduction="none"),
     (4, 5), "values"),
]


def make_targets(lib, kind, shape, dtype):
    rng = numpy.random.default_rng(2)
    target_shape = (shape[0],) + shape[2:]
    if kind.startswith("classes"):
        return class_targets(lib, target_shape, shape[1], ignored=(1, 5) if kind == "classes_ignored" else ())
    values = rng.standard_normal(shape).astype(dtype)
    if kind == "probabilities":
        values = numpy.exp(values) / numpy.exp(values).sum(1, keepdims=True)
    return lib.tensor(values, requires_grad=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,loss,shape,kind", LOSSES, ids=[case[0] for case in LOSSES])
def test_loss_matches_torch(name, loss, shape, kind, dtype):
    logits = numpy.random.default_rng(0).standard_normal(shape).astype(dtype)

    def run(lib, functional):
        x = lib.tensor(logits, requires_grad=True)
        target = make_targets(lib, kind, shape, dtype)
        out = loss(functional, lib, x, target, lambda values: lib.tensor(numpy.array(values, dtype)))
        (out * lib.tensor(numpy.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)).astype(dtype))).sum(
        ).backward()
        return out, x.grad, target.grad if target.requires_grad else None

    out, grad, target_grad = run(minigrad, F)
    expected, expected_grad, expected_target_grad = reference(lambda torch: run(torch, torch.nn.functional))
    assert out.dtype == minigrad.tensor(logits).dtype and tuple(out.shape) == expected.shape
    assert_close(out, expected, dtype)
    assert_close(grad, expected_grad, dtype, GRAD_TOLERANCE[dtype])
    if expected_target_grad is not None:
        assert_close(target_grad, expected_target_grad, dtype, GRAD_TOLERANCE[dtype])


def test_loss_modules_hold_their_options():
    rng = numpy.random.default_rng(3)
    logits, labels = rng.standard_normal((6, 4)).astype("float32"), rng.integers(0, 4, 6)
    probabilities = 1 / (1 + numpy.exp(-logits))
    weight = numpy.array([1.0, 0.5, 2.0, 1.0], dtype="float32")
    pairs = [
        ("CrossEntropyLoss", dict(label_smoothing=0.1, reduction="sum"), logits, labels, True),
        ("NLLLoss", dict(ignore_index=2), logits, labels, True),
        ("MSELoss", dict(reduction="none"), logits, probabilities, False),
        ("L1Loss", dict(), logits, probabilities, False),
        ("SmoothL1Loss", dict(beta=0.5), logits, probabilities, False),
        ("BCELoss", dict(), probabilities, numpy.round(probabilities), False),
        ("BCEWithLogitsLoss", dict(reduction="sum"), logits, numpy.round(probabilities), False),
    ]

    def run(lib, modules):
        seen = {}
        for name, options, inputs, targets, weighted in pairs:
            extra = dict(weight=weight) if weighted else {}
            module = getattr(modules, name)(**options, **{k: lib.tensor(v) for k, v in extra.items()})
            seen[name] = (repr(module), module(lib.tensor(inputs), lib.tensor(targets)))
        return seen

    expected = reference(lambda torch: run(torch, torch.nn))
    for name, (text, value) in run(minigrad, nn).items():
        assert text == expected[name][0]
        assert_close(value, expected[name][1], message=name)
    assert list(nn.BCEWithLogitsLoss(pos_weight=minigrad.ones(3)).state_dict()) == ["pos_weight"]


# ---- stability ----------------------------------------------------------------------------------

def test_softmax_family_is_stable_for_huge_logits():
    values = [[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]]
    all_options = (dict(), dict(label_smoothing=0.1), dict(reduction="none"))

    def run(lib, functional):
        seen = []
        for options in all_options:
            logits = lib.tensor(values, requires_grad=True)
            loss = functional.cross_entropy(logits, lib.tensor([2, 1]), **options)
            loss.sum().backward()
            seen.append((loss, logits.grad))
        return seen, functional.log_softmax(lib.tensor(values), dim=1), functional.softmax(lib.tensor(values), dim=1)

    expected = reference(lambda torch: run(torch, torch.nn.functional))
    losses, log_softmax, softmax = run(minigrad, F)
    for (loss, grad), (expected_loss, expected_grad) in zip(losses, expected[0]):
        assert numpy.isfinite(loss.detach().numpy()).all() and numpy.isfinite(grad.numpy()).all()
        assert_close(loss, expected_loss)
        assert_close(grad, expected_grad)
    assert_close(log_softmax, expected[1])
    assert_close(softmax, expected[2])


def test_binary_losses_at_the_extremes_match_torch():
    probabilities, labels = [0.0, 1.0, 1.0, 0.0, 1e-30, 0.5], [1.0, 0.0, 1.0, 0.0, 0.3, 1.0]
    logits, soft_labels = [1000.0, -1000.0, 0.0, 30.0, -30.0], [0.0, 1.0, 1.0, 0.5, 0.5]

    def run(lib, functional):
        seen = []
        for loss_fn, inputs, targets in ((functional.binary_cross_entropy, probabilities, labels),
                                         (functional.binary_cross_entropy_with_logits, logits, soft_labels)):
            x = lib.tensor(inputs, requires_grad=True)
            loss = loss_fn(x, lib.tensor(targets), reduction="none")
            loss.sum().backward()
            seen.append((loss, x.grad))
        return seen

    # BCE: log clamped at -100, gradient finite: (x - t) / max(x (1 - x), 1e-12)
    for (loss, grad), (expected_loss, expected_grad) in zip(run(minigrad, F),
                                                            reference(lambda torch: run(torch, torch.nn.functional))):
        assert_close(loss, expected_loss)
        assert_close(grad, expected_grad)


# ---- other functions against PyTorch ------------------------------------------------------------

@pytest.mark.parametrize("mode,widths", [
    ("constant", (1, 2, 2, 1)), ("constant", (-1, 2, 1, -2, 0, 1)), ("reflect", (1, 2, 2, 1)),
    ("replicate", (1, 2, 2, 1)), ("circular", (1, 2, 2, 1)),
], ids=["constant", "constant_negative_crops", "reflect", "replicate", "circular"])
def test_pad_matches_torch(mode, widths):
    array = numpy.arange(2 * 2 * 3 * 4, dtype="float32").reshape(2, 2, 3, 4)

    def run(lib, functional):
        x = lib.tensor(array, requires_grad=True)
        out = functional.pad(x, widths, mode=mode)
        out.backward(lib.tensor(numpy.random.default_rng(0).standard_normal(tuple(out.shape)).astype("float32")))
        return out, x.grad

    (out, grad), (expected, expected_grad) = run(minigrad, F), reference(lambda torch: run(torch, torch.nn.functional))
    assert_close(out, expected)
    assert_close(grad, expected_grad)


def test_one_hot_matches_torch():
    indices = numpy.array([[0, 2], [1, 3]])
    expected = reference(lambda torch: [torch.nn.functional.one_hot(torch.tensor(indices), classes).tolist()
                                        for classes in (-1, 6)])
    for classes, want in zip((-1, 6), expected):
        ours = F.one_hot(minigrad.tensor(indices), classes)
        assert ours.dtype == minigrad.int64 and ours.tolist() == want


def test_softmax_without_dim_warns_and_picks_torchs_dimension():
    shapes = [(4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)]
    arrays = [numpy.random.default_rng(0).standard_normal(shape).astype("float32") for shape in shapes]

    def theirs(torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [torch.nn.functional.softmax(torch.tensor(array)) for array in arrays]

    for array, expected in zip(arrays, reference(theirs)):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
            ours = F.softmax(minigrad.tensor(array))
        assert_close(ours, expected)


def test_regression_losses_broadcast_with_a_warning_like_torch():
    x, t = numpy.ones((4, 1), dtype="float32"), numpy.arange(4, dtype="float32")
    names = ("mse_loss", "l1_loss", "smooth_l1_loss")

    def theirs(torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(t)) for name in names]

    for name, expected in zip(names, reference(theirs)):
        with pytest.warns(UserWarning, match=r"Using a target size \(\(4,\)\) that is different to the input size"):
            ours = getattr(F, name)(minigrad.tensor(x), minigrad.tensor(t))
        assert_close(ours, expected)


# ---- errors -------------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Using a target size")  # mse_loss warns, then fails to broadcast
@pytest.mark.parametrize("call,error,words", [
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, 1, 3, 1])), IndexError,
     r"Target 3 is out of bounds.*3 classes"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, -2, 1, 1])), IndexError,
     "Target -2 is out of bounds"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0.0, 1.0, 2.0, 1.0])), RuntimeError,
     "class indices.*float32"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([[0, 1, 2]] * 4)), RuntimeError,
     r"class probabilities and must be floating point, got (minigrad\.)?int64"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, 1])), ValueError,
     r"expected target of shape \(4,\)"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, 1, 1, 1]), label_smoothing=1.5), ValueError,
     "label_smoothing must be between 0.0 and 1.0"),
    (lambda: F.nll_loss(minigrad.randn(4, 3), minigrad.tensor([0, 1, 1, 1]), weight=minigrad.ones(2)), RuntimeError,
     "weight tensor should be defined either for all 3 classes"),
    (lambda: F.nll_loss(minigrad.randn(4, 3), minigrad.tensor([0, 1, 1, 1]), reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    (lambda: F.mse_loss(minigrad.randn(4), minigrad.randn(3)), RuntimeError, r"size of tensor a \(4\) must match"),
    (lambda: F.smooth_l1_loss(minigrad.randn(4), minigrad.randn(4), beta=-1.0), RuntimeError, "negative values"),
    (lambda: F.binary_cross_entropy(minigrad.tensor([1.5]), minigrad.tensor([1.0])), RuntimeError,
     "all elements of input should be between 0 and 1"),
    (lambda: F.binary_cross_entropy(minigrad.rand(4), minigrad.rand(3)), ValueError, "different to the input size"),
    (lambda: F.binary_cross_entropy_with_logits(minigrad.rand(4), minigrad.rand(4, 1)), ValueError,
     r"target size \(4, 1\)"),
    (lambda: nn.CrossEntropyLoss(reduction="avg"), ValueError, "avg is not a valid value for reduction"),
    (lambda: F.one_hot(minigrad.tensor([0, 3]), 3), RuntimeError, "smaller than num_classes"),
    (lambda: F.one_hot(minigrad.tensor([0.0]), 3), RuntimeError, "index tensor"),
    (lambda: F.pad(minigrad.randn(1, 2, 3), (1,)), ValueError, "Padding length must be divisible by 2"),
    (lambda: F.pad(minigrad.randn(1, 2, 3), (3, 0), mode="reflect"), RuntimeError, "Padding size should be less"),
    (lambda: F.pad(minigrad.randn(1, 2, 3), (1, 1), mode="mirror"), NotImplementedError, "mirror"),
    (lambda: F.pad(minigrad.randn(1, 2, 3), (-1, 1), mode="reflect"), RuntimeError, "only supported in constant"),
    (lambda: F.softmax(minigrad.randn(2, 3), dim=2), IndexError, "Dimension out of range"),
    (lambda: F.linear(minigrad.randn(2, 3), minigrad.randn(4, 3, dtype=minigrad.float64)), RuntimeError,
     "same dtype"),
    (lambda: F.batch_norm(minigrad.randn(3, 2), None, None), RuntimeError, "running_mean and running_var"),
    (lambda: F.batch_norm(minigrad.randn(3, 2), minigrad.zeros(3), minigrad.ones(3)), RuntimeError,
     "running_mean should contain 2 elements not 3"),
], ids=["ce_too_large", "ce_negative", "ce_float_indices", "ce_int_probabilities", "ce_shape", "ce_smoothing",
        "nll_weight_shape", "reduction", "mse_shapes", "smooth_l1_beta", "bce_range", "bce_shape",
        "bce_logits_shape", "loss_module_reduction", "one_hot_range", "one_hot_dtype", "pad_length",
        "reflect_too_wide", "pad_mode", "pad_negative_reflect", "softmax_dim", "linear_dtype",
        "batch_norm_eval_without_stats", "batch_norm_stats_size"])
def test_functional_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---- nn.init ------------------------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
    ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None),
], ids=lambda value: str(value))
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        reference(lambda torch: torch.nn.init.calculate_gain(nonlinearity, param)), rel=1e-12)


@pytest.mark.parametrize("shape", [(3, 4), (6, 3, 5, 5), (2, 3, 4, 5, 6), (7, 1)], ids=str)
def test_fan_in_and_fan_out_match_torch(shape):
    assert nn.init._calculate_fan_in_and_fan_out(minigrad.empty(*shape)) == \
        reference(lambda torch: torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape)))


FAN_IN, FAN_OUT = 300, 200  # of a (200, 300) weight
INIT = [
    ("uniform", lambda t: nn.init.uniform_(t, -2, 3), dict(low=-2, high=3, mean=0.5, std=5 / 12 ** 0.5)),
    ("normal", lambda t: nn.init.normal_(t, 1, 0.5), dict(mean=1, std=0.5)),
    ("constant", lambda t: nn.init.constant_(t, 3), dict(low=3, high=3, mean=3, std=0)),
    ("zeros", nn.init.zeros_, dict(low=0, high=0)),
    ("ones", nn.init.ones_, dict(low=1, high=1)),
    ("xavier_uniform", lambda t: nn.init.xavier_uniform_(t, gain=2),
     dict(bound=2 * (6 / (FAN_IN + FAN_OUT)) ** 0.5, mean=0, std=2 * (2 / (FAN_IN + FAN_OUT)) ** 0.5)),
    ("xavier_normal", nn.init.xavier_normal_, dict(mean=0, std=(2 / (FAN_IN + FAN_OUT)) ** 0.5)),
    ("kaiming_uniform_relu", lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"),
     dict(bound=(6 / FAN_IN) ** 0.5, mean=0, std=(2 / FAN_IN) ** 0.5)),
    ("kaiming_uniform_default", nn.init.kaiming_uniform_, dict(bound=(6 / FAN_IN) ** 0.5)),
    ("kaiming_uniform_sqrt5_fan_out", lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5), mode="fan_out"),
     dict(bound=1 / FAN_OUT ** 0.5)),
    ("kaiming_normal", lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"),
     dict(mean=0, std=(2 / FAN_IN) ** 0.5)),
    ("kaiming_normal_leaky_fan_out", lambda t: nn.init.kaiming_normal_(t, a=0.2, mode="fan_out"),
     dict(mean=0, std=(2 / 1.04 / FAN_OUT) ** 0.5)),
    ("trunc_normal", lambda t: nn.init.trunc_normal_(t, 0.5, 1.0, -1.0, 1.5), dict(low=-1.0, high=1.5)),
]


@pytest.mark.parametrize("name,fill,expected", INIT, ids=[case[0] for case in INIT])
def test_init_distributions(name, fill, expected):
    weight = nn.Parameter(minigrad.empty(FAN_OUT, FAN_IN))
    assert fill(weight) is weight and weight.is_leaf and weight.grad_fn is None
    values = weight.detach().numpy().astype("float64")
    bound = expected.get("bound")
    low, high = expected.get("low", None if bound is None else -bound), expected.get("high", bound)
    if low is not None:  # inside the bounds, and reaching close to both
        spread = high - low
        assert low <= values.min() <= low + 0.01 * spread and high - 0.01 * spread <= values.max() <= high
    std = expected.get("std", values.std())  # 60,000 draws: a 2% band is more than 4 standard errors
    if "mean" in expected:
        assert abs(values.mean() - expected["mean"]) <= 0.02 * std
    if "std" in expected:
        assert abs(values.std() - std) <= 0.02 * std


def test_init_follows_the_seed_and_the_generator():
    first, second = minigrad.empty(3, 4), minigrad.empty(3, 4)
    minigrad.manual_seed(5)
    nn.init.kaiming_normal_(first)
    minigrad.manual_seed(5)
    nn.init.kaiming_normal_(second)
    assert numpy.array_equal(first.numpy(), second.numpy())
    generator = minigrad.Generator().manual_seed(5)
    third = nn.init.kaiming_normal_(minigrad.empty(3, 4), generator=generator)
    assert numpy.array_equal(first.numpy(), third.numpy())


def test_init_errors_and_empty_tensors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        nn.init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_normal_(minigrad.empty(5))
    with pytest.raises(ValueError, match="Mode fan_middle not supported"):
        nn.init.kaiming_uniform_(minigrad.empty(2, 2), mode="fan_middle")
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(minigrad.empty(0, 3))
