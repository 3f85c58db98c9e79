"""nn: modules, layers and LeNet against PyTorch with the same weights; state_dict; init."""
from collections import OrderedDict

import numpy
import pytest

import minigrad
import nn
from nn import functional as F
from nn_cases import torch_lenet


def to_torch(module, torch_module):
    """Copy our module's weights into the PyTorch module through state_dict (same keys)."""
    import torch
    torch_module.load_state_dict({k: torch.tensor(v.numpy()) for k, v in module.state_dict().items()})
    return torch_module


LAYERS = [
    ("linear", lambda m: m.Linear(5, 3), (4, 5)),
    ("linear_no_bias_3d", lambda m: m.Linear(5, 2, bias=False), (2, 3, 5)),
    ("conv", lambda m: m.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7)),
    ("conv_groups_dilation", lambda m: m.Conv2d(4, 4, 3, dilation=2, groups=2, bias=False), (1, 4, 8, 8)),
    ("maxpool", lambda m: m.MaxPool2d(3, 2, 1), (2, 2, 7, 7)),
    ("avgpool", lambda m: m.AvgPool2d(2), (2, 2, 6, 6)),
    ("adaptive", lambda m: m.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
    ("relu", lambda m: m.ReLU(), (3, 4)),
    ("leaky", lambda m: m.LeakyReLU(0.2), (3, 4)),
    ("sigmoid", lambda m: m.Sigmoid(), (3, 4)),
    ("tanh", lambda m: m.Tanh(), (3, 4)),
    ("softmax", lambda m: m.Softmax(dim=1), (3, 4)),
    ("logsoftmax", lambda m: m.LogSoftmax(dim=-1), (3, 4)),
    ("flatten", lambda m: m.Flatten(), (2, 3, 4)),
    ("identity", lambda m: m.Identity(), (2, 3)),
    ("bn1d_train", lambda m: m.BatchNorm1d(4), (6, 4)),
    ("bn1d_3d", lambda m: m.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    ("bn2d_train", lambda m: m.BatchNorm2d(3), (4, 3, 5, 5)),
    ("bn2d_no_affine", lambda m: m.BatchNorm2d(3, affine=False), (4, 3, 2, 2)),
    ("sequential", lambda m: m.Sequential(m.Linear(4, 8), m.BatchNorm1d(8), m.ReLU(), m.Linear(8, 2)), (5, 4)),
]


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layers_match_torch(name, make, shape, train):
    torch = pytest.importorskip("torch")
    minigrad.manual_seed(0)
    ours = make(nn)
    theirs = to_torch(ours, make(torch.nn))
    ours.train(train)
    theirs.train(train)
    for step in range(3):  # several steps: running statistics evolve
        array = numpy.random.default_rng(step).standard_normal(shape).astype("float32")
        x, tx = minigrad.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)
        out, expected = ours(x), theirs(tx)
        numpy.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-5)
        upstream = numpy.random.default_rng(10 + step).standard_normal(expected.shape).astype("float32")
        out.backward(minigrad.tensor(upstream))
        expected.backward(torch.tensor(upstream))
        numpy.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for (key, mine), (_, reference) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        numpy.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    for (key, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
        numpy.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=key)


def test_state_dict_round_trip_both_ways():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 2))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                                 torch.nn.Linear(64, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for key, value in theirs.state_dict().items():
        numpy.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy())


def test_load_state_dict_errors_list_keys_and_shapes():
    model = nn.models.LeNet(2)
    state = model.state_dict()
    del state["fc3.bias"]
    state["extra.weight"] = minigrad.zeros(1)
    state["conv1.weight"] = minigrad.zeros(6, 1, 5, 5)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert 'Missing key(s) in state_dict: "fc3.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    assert "size mismatch for conv1.weight: copying a param with shape (6, 1, 5, 5)" in message
    assert "the shape in current model is (6, 3, 5, 5)" in message
    state.pop("conv1.weight")
    result = model.load_state_dict({k: v for k, v in state.items() if k != "extra.weight"}, strict=False)
    assert result.missing_keys == ["conv1.weight", "fc3.bias"] and result.unexpected_keys == []


def test_load_state_dict_copies_in_place():
    model = nn.Linear(3, 2)
    weight = model.weight
    model.load_state_dict({"weight": numpy.ones((2, 3)), "bias": numpy.zeros(2)})
    assert model.weight is weight and weight.numpy(force=True).tolist() == [[1, 1, 1], [1, 1, 1]]


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")

    def build(m):
        return m.Sequential(OrderedDict([("conv", m.Conv2d(3, 8, 3, padding=1, bias=False)), ("bn", m.BatchNorm2d(8)),
                                         ("act", m.ReLU()), ("pool", m.MaxPool2d(2)), ("drop", m.Dropout(0.25)),
                                         ("flat", m.Flatten()), ("fc", m.Linear(8, 2)), ("out", m.LogSoftmax(dim=1)),
                                         ("emb", m.Embedding(10, 3, padding_idx=0)),
                                         ("leaky", m.LeakyReLU(0.1)), ("avg", m.AdaptiveAvgPool2d((1, 1)))]))

    assert repr(build(nn)) == repr(build(torch.nn))
    assert repr(nn.models.LeNet(2)).replace("\n", "") == repr(torch_lenet(torch)).replace("\n", "")


def test_parameter_registration_and_traversal():
    model = nn.Sequential(nn.Linear(2, 3), nn.ModuleList([nn.ReLU(), nn.Linear(3, 1)]))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "1.1.weight", "1.1.bias"]
    assert len(list(model.children())) == 2 and len(list(model.modules())) == 5
    assert isinstance(model[0], nn.Linear) and isinstance(model[-1], nn.ModuleList) and len(model[0:1]) == 1
    shared = nn.Linear(2, 2)
    tied = nn.Sequential(shared, shared)
    assert len(list(tied.parameters())) == 2
    bag = nn.ModuleDict({"a": nn.Linear(1, 1)})
    assert "a" in bag and [name for name, _ in bag.named_parameters()] == ["a.weight", "a.bias"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        model[0].weight = minigrad.ones(3, 2)


def test_train_eval_zero_grad_requires_grad_apply():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
    assert model.training and model[1].training
    model.eval()
    assert not model[1].training
    model(minigrad.ones(1, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad.numpy().sum() == 0
    model.zero_grad()
    assert model[0].weight.grad is None
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Dropout", "Sequential"]


def test_module_to_keeps_parameter_identity():
    model = nn.Linear(2, 2)
    weight = model.weight
    model.double()
    assert model.weight is weight and weight.dtype == minigrad.float64
    model.to(minigrad.float32)
    assert weight.dtype == minigrad.float32 and model.to("cpu") is model


def test_lenet_matches_torch_lenet():
    torch = pytest.importorskip("torch")
    theirs = torch_lenet(torch)
    ours = nn.models.LeNet(2)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = numpy.random.default_rng(0)
    images, labels = rng.standard_normal((8, 3, 32, 32)).astype("float32"), rng.integers(0, 2, 8)
    logits, expected = ours(minigrad.tensor(images)), theirs(torch.tensor(images))
    numpy.testing.assert_allclose(logits.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    loss = nn.CrossEntropyLoss()(logits, minigrad.tensor(labels))
    expected_loss = torch.nn.CrossEntropyLoss()(expected, torch.tensor(labels))
    assert abs(loss.item() - expected_loss.item()) < 1e-6
    loss.backward()
    expected_loss.backward()
    for (name, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
        numpy.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_lenet_learns_a_fixed_batch():
    minigrad.manual_seed(0)
    model = nn.models.LeNet(2)
    model.initialize_weights()
    images, labels = minigrad.randn(16, 3, 32, 32), minigrad.randint(0, 2, (16,))
    losses = []
    for _ in range(15):
        loss = F.cross_entropy(model(images), labels)
        model.zero_grad()
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p.data.sub_(0.05 * p.grad)
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0]


def test_lenet_initialize_weights_follows_the_tutorial():
    minigrad.manual_seed(0)
    model = nn.models.LeNet(2)
    model.initialize_weights()
    assert all(float(abs(m.bias).max()) == 0 for m in (model.conv1, model.fc1, model.fc3))
    assert abs(model.fc1.weight.detach().std().item() - 0.1) < 0.005
    fan_in, fan_out = 6 * 25, 16 * 25
    assert abs(model.conv2.weight.detach().std().item() - (2 / (fan_in + fan_out)) ** 0.5) < 0.01
    assert sum(p.numel() for p in model.parameters()) == 61326


def test_summary_table():
    text = nn.summary(nn.models.LeNet(2), (3, 32, 32))
    assert "Conv2d-1" in text and "[-1, 6, 28, 28]" in text and "[-1, 2]" in text
    assert "Total params: 61,326" in text and "Trainable params: 61,326" in text


@pytest.mark.parametrize("name,fn,expected", [
    ("uniform", lambda t: nn.init.uniform_(t, -2, 2), lambda v: v.min() >= -2 and v.max() <= 2 and abs(v.mean()) < 0.05),
    ("normal", lambda t: nn.init.normal_(t, 1, 0.5), lambda v: abs(v.mean() - 1) < 0.02 and abs(v.std() - 0.5) < 0.02),
    ("constant", lambda t: nn.init.constant_(t, 3), lambda v: (v == 3).all()),
    ("xavier_uniform", lambda t: nn.init.xavier_uniform_(t), lambda v: v.max() <= (6 / 300) ** 0.5),
    ("xavier_normal", lambda t: nn.init.xavier_normal_(t, gain=2), lambda v: abs(v.std() - 2 * (2 / 300) ** 0.5) < 0.01),
    ("kaiming_uniform", lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"),
     lambda v: v.max() <= (6 / 100) ** 0.5 and v.std() > 0.12),
    ("kaiming_normal_fan_out", lambda t: nn.init.kaiming_normal_(t, mode="fan_out"),
     lambda v: abs(v.std() - (2 / 1.0001 / 200) ** 0.5) < 0.01),
], ids=lambda x: x if isinstance(x, str) else "")
def test_init_distributions(name, fn, expected):
    tensor = minigrad.empty(200, 100)
    fn(tensor)
    assert expected(tensor.numpy())


def test_init_gain_and_fan_errors():
    assert nn.init.calculate_gain("relu") == pytest.approx(2 ** 0.5)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx((2 / 1.04) ** 0.5)
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_normal_(minigrad.empty(5))


def test_default_layer_init_matches_torch_bounds():
    layer = nn.Linear(400, 120)
    bound = 1 / 400 ** 0.5
    assert float(abs(layer.weight.detach()).max()) <= bound and float(abs(layer.bias.detach()).max()) <= bound


def test_dropout_train_and_eval():
    minigrad.manual_seed(0)
    layer = nn.Dropout(0.3)
    out = layer(minigrad.ones(100, 100)).numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.02 and numpy.allclose(out[kept], 1 / 0.7)
    layer.eval()
    assert (layer(minigrad.ones(3, 3)).numpy() == 1).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_embedding_dense_and_sparse_gradients():
    torch = pytest.importorskip("torch")
    ours = nn.Embedding(6, 3, padding_idx=1, sparse=True)
    theirs = to_torch(ours, torch.nn.Embedding(6, 3, padding_idx=1, sparse=True))
    indices = numpy.array([[0, 2, 2], [1, 5, 0]])
    for _ in range(2):  # two backward passes: sparse gradients accumulate
        ours(minigrad.tensor(indices)).sum().backward()
        theirs(torch.tensor(indices)).sum().backward()
    assert ours.weight.grad.is_sparse and theirs.weight.grad.is_sparse
    numpy.testing.assert_allclose(ours.weight.grad.to_dense().numpy(), theirs.weight.grad.to_dense().numpy())
    coalesced = ours.weight.grad.coalesce()
    assert coalesced._indices().tolist() == [[0, 2, 5]]
    dense = nn.Embedding(6, 3)
    dense(minigrad.tensor(indices)).sum().backward()
    assert not dense.weight.grad.is_sparse and dense.weight.grad.numpy()[2].tolist() == [2, 2, 2]
    with pytest.raises(IndexError, match="index out of range"):
        dense(minigrad.tensor([6]))


FUNCTIONAL_GRADCHECK = [
    ("log_softmax", lambda x, y: F.log_softmax(x, dim=1)),
    ("softmax", lambda x, y: F.softmax(x, dim=0)),
    ("cross_entropy", lambda x, y: F.cross_entropy(x, minigrad.tensor([0, 2, 1, 2]))),
    ("cross_entropy_options", lambda x, y: F.cross_entropy(x, minigrad.tensor([0, 2, -100, 2]), weight=minigrad.tensor(
        [1.0, 2.0, 0.5], dtype=minigrad.float64), label_smoothing=0.1)),
    ("cross_entropy_probabilities", lambda x, y: F.cross_entropy(x, F.softmax(y, dim=1))),
    ("nll_sum", lambda x, y: F.nll_loss(x, minigrad.tensor([1, 1, 0, 2]), reduction="sum")),
    ("mse", lambda x, y: F.mse_loss(x, y)),
    ("l1", lambda x, y: F.l1_loss(x, y, reduction="sum")),
    ("smooth_l1", lambda x, y: F.smooth_l1_loss(x, y * 3, beta=0.5)),
    ("bce", lambda x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid())),
    ("bce_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid(), pos_weight=minigrad.tensor(
        [1.0, 2.0, 3.0], dtype=minigrad.float64))),
    ("leaky_relu", lambda x, y: F.leaky_relu(x, 0.1)),
    ("linear", lambda x, y: F.linear(x, y[:2], y[0, :2])),
    ("batch_norm", lambda x, y: F.batch_norm(x, None, None, y[0], y[1], training=True)),
    ("pad_reflect", lambda x, y: F.pad(x.reshape(1, 1, 4, 3), (1, 2, 2, 1), mode="reflect")),
    ("pad_replicate", lambda x, y: F.pad(x.reshape(1, 4, 3), (2, 1), mode="replicate")),
    ("pad_constant", lambda x, y: F.pad(x, (1, 1, 0, 2), value=0.5)),
    ("dropout_seeded_mask", lambda x, y: (minigrad.manual_seed(0), F.dropout(x * y, 0.4))[1]),
    ("embedding", lambda x, y: F.embedding(minigrad.tensor([[0, 3], [3, 1]]), x)),
]


@pytest.mark.parametrize("name,fn", FUNCTIONAL_GRADCHECK, ids=[c[0] for c in FUNCTIONAL_GRADCHECK])
def test_functional_gradcheck(name, fn):
    rng = numpy.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = minigrad.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert minigrad.gradcheck(fn, (x, y))


LOSSES = [
    ("ce", lambda m, x, t: m.nn.functional.cross_entropy(x, t)),
    ("ce_weight_ignore_sum", lambda m, x, t: m.nn.functional.cross_entropy(
        x, t, weight=m.tensor([0.2, 1.0, 3.0]), ignore_index=1, reduction="sum")),
    ("ce_smoothing_weight", lambda m, x, t: m.nn.functional.cross_entropy(
        x, t, weight=m.tensor([0.2, 1.0, 3.0]), label_smoothing=0.2)),
    ("ce_none", lambda m, x, t: m.nn.functional.cross_entropy(x, t, reduction="none")),
    ("nll", lambda m, x, t: m.nn.functional.nll_loss(m.nn.functional.log_softmax(x, dim=1), t)),
    ("ce_4d", lambda m, x, t: m.nn.functional.cross_entropy(x.reshape(2, 3, 2, 2), t.reshape(2, 2, 2))),
]


@pytest.mark.parametrize("name,fn", LOSSES, ids=[c[0] for c in LOSSES])
def test_cross_entropy_family_against_torch(name, fn):
    torch = pytest.importorskip("torch")
    rng = numpy.random.default_rng(1)
    logits, target = rng.standard_normal((8, 3)).astype("float32"), rng.integers(0, 3, 8)

    class Ours:
        nn, tensor = nn, staticmethod(minigrad.tensor)

    ours, theirs = minigrad.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    out, expected = fn(Ours, ours, minigrad.tensor(target)), fn(torch, theirs, torch.tensor(target))
    numpy.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    numpy.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_family_is_stable_for_huge_logits():
    logits = minigrad.tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    loss = F.cross_entropy(logits, minigrad.tensor([2]))
    loss.backward()
    assert numpy.isfinite(loss.item()) and numpy.isfinite(logits.grad.numpy()).all()
    assert numpy.isfinite(F.log_softmax(logits, dim=1).detach().numpy()).all()


@pytest.mark.parametrize("call,error,words", [
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, 1, 3, 1])), IndexError,
     "Target 3 is out of bounds.*3 classes"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0.0, 1.0, 2.0, 1.0])), RuntimeError,
     "class indices.*float32"),
    (lambda: F.cross_entropy(minigrad.randn(4, 3), minigrad.tensor([0, 1])), ValueError, r"expected target of shape \(4,\)"),
    (lambda: F.mse_loss(minigrad.randn(4), minigrad.randn(3)), RuntimeError, r"\(4,\).*\(3,\)|3.*4|4.*3"),
    (lambda: F.binary_cross_entropy(minigrad.tensor([1.5]), minigrad.tensor([1.0])), RuntimeError, "between 0 and 1"),
    (lambda: nn.CrossEntropyLoss(reduction="avg"), ValueError, "avg is not a valid value for reduction"),
    (lambda: nn.models.LeNet(2)(minigrad.randn(1, 1, 32, 32)), RuntimeError, "to have 3 channels, but got 1"),
    (lambda: nn.Linear(3, 2)(minigrad.randn(4, 5)), RuntimeError, r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"),
    (lambda: nn.BatchNorm2d(3)(minigrad.randn(2, 4, 3, 3)), RuntimeError, "3"),
    (lambda: F.one_hot(minigrad.tensor([0, 3]), 3), RuntimeError, "smaller than num_classes"),
], ids=["ce_range", "ce_dtype", "ce_shape", "mse_shape", "bce_range", "reduction", "lenet_channels", "linear_shape",
        "bn_channels", "one_hot"])
def test_nn_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_one_hot_and_pad_against_torch():
    torch = pytest.importorskip("torch")
    indices = numpy.array([[0, 2], [1, 3]])
    assert F.one_hot(minigrad.tensor(indices)).tolist() == torch.nn.functional.one_hot(torch.tensor(indices)).tolist()
    array = numpy.arange(24, dtype="float32").reshape(1, 2, 3, 4)
    for mode in ("constant", "reflect", "replicate", "circular"):
        ours = F.pad(minigrad.tensor(array), (1, 2, 2, 1), mode=mode)
        numpy.testing.assert_array_equal(
            ours.numpy(), torch.nn.functional.pad(torch.tensor(array), (1, 2, 2, 1), mode=mode).numpy())
