"""Every layer against torch.nn with the same weights (copied both ways through state_dict):
outputs, input gradients, parameter gradients and running statistics, in float32 and float64;
default initialisation; dropout; batch norm; embedding; the same model on every device.
PyTorch's side is asked through tests/oracle.py (live, or its stored answers)."""
import copy

import numpy
import pytest

import minigrad
import nn
from nn_cases import (GRAD_TOLERANCE, assert_close, assert_same_grads, assert_same_state, copy_weights, grads_by_name,
                      load_arrays, state_arrays)
from oracle import reference

LAYERS = [
    ("linear", lambda m: m.Linear(5, 3), (4, 5)),
    ("linear_no_bias_3d", lambda m: m.Linear(5, 2, bias=False), (2, 3, 5)),
    ("linear_1d", lambda m: m.Linear(5, 2), (5,)),
    ("conv", lambda m: m.Conv2d(3, 4, 3), (2, 3, 6, 7)),
    ("conv_stride_padding", lambda m: m.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7)),
    ("conv_same_even_kernel", lambda m: m.Conv2d(2, 3, (2, 4), padding="same"), (2, 2, 5, 6)),
    ("conv_valid", lambda m: m.Conv2d(2, 3, 3, padding="valid", stride=(1, 2)), (1, 2, 5, 6)),
    ("conv_dilation_groups", lambda m: m.Conv2d(4, 6, 3, dilation=2, groups=2, bias=False), (2, 4, 8, 8)),
    ("conv_depthwise", lambda m: m.Conv2d(4, 4, 3, groups=4, padding=(0, 1)), (2, 4, 5, 5)),
    ("conv_reflect", lambda m: m.Conv2d(2, 3, 3, padding=2, padding_mode="reflect"), (2, 2, 5, 5)),
    ("conv_replicate", lambda m: m.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="replicate"), (1, 2, 4, 5)),
    ("conv_circular_same", lambda m: m.Conv2d(2, 2, (3, 2), padding="same", padding_mode="circular"), (1, 2, 4, 5)),
    ("maxpool", lambda m: m.MaxPool2d(2), (2, 3, 6, 6)),
    ("maxpool_overlap_padding", lambda m: m.MaxPool2d(3, 2, 1), (2, 2, 7, 7)),
    ("maxpool_ceil_dilation", lambda m: m.MaxPool2d(2, 2, dilation=(1, 2), ceil_mode=True), (1, 2, 7, 9)),
    ("avgpool", lambda m: m.AvgPool2d(2), (2, 2, 6, 6)),
    ("avgpool_exclude_pad_ceil", lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
     (1, 2, 6, 7)),
    ("avgpool_divisor", lambda m: m.AvgPool2d((2, 3), divisor_override=5), (1, 2, 4, 6)),
    ("adaptive_avg", lambda m: m.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 7)),
    ("adaptive_avg_keep_height", lambda m: m.AdaptiveAvgPool2d((None, 1)), (2, 2, 3, 5)),
    ("adaptive_max", lambda m: m.AdaptiveMaxPool2d(3), (1, 2, 7, 5)),
    ("relu", lambda m: m.ReLU(), (3, 4)),
    ("leaky_relu", lambda m: m.LeakyReLU(0.2), (3, 4)),
    ("sigmoid", lambda m: m.Sigmoid(), (3, 4)),
    ("tanh", lambda m: m.Tanh(), (3, 4)),
    ("softmax", lambda m: m.Softmax(dim=1), (3, 4)),
    ("softmax_4d_channels", lambda m: m.Softmax(dim=1), (2, 3, 2, 2)),
    ("log_softmax", lambda m: m.LogSoftmax(dim=-1), (3, 4)),
    ("flatten", lambda m: m.Flatten(), (2, 3, 4)),
    ("flatten_leading", lambda m: m.Flatten(0, 1), (2, 3, 4)),
    ("identity", lambda m: m.Identity(), (2, 3)),
    ("batchnorm1d", lambda m: m.BatchNorm1d(4), (6, 4)),
    ("batchnorm1d_3d_cumulative", lambda m: m.BatchNorm1d(3, momentum=None), (4, 3, 5)),
    ("batchnorm2d", lambda m: m.BatchNorm2d(3), (4, 3, 5, 5)),
    ("batchnorm2d_options", lambda m: m.BatchNorm2d(3, eps=1e-3, momentum=0.3), (2, 3, 3, 4)),
    ("batchnorm2d_no_affine", lambda m: m.BatchNorm2d(3, affine=False), (4, 3, 2, 2)),
    ("batchnorm2d_no_running_stats", lambda m: m.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    ("mlp_with_batchnorm", lambda m: m.Sequential(m.Linear(4, 8), m.BatchNorm1d(8), m.ReLU(), m.Linear(8, 2)),
     (5, 4)),
    ("cnn", lambda m: m.Sequential(m.Conv2d(3, 4, 3, padding=1), m.BatchNorm2d(4), m.LeakyReLU(), m.MaxPool2d(2),
                                   m.Flatten(), m.Linear(16, 3), m.LogSoftmax(dim=1)), (3, 3, 4, 4)),
]


def one_step(lib, layer, shape, dtype, seed):
    """One forward and backward on a seeded input and upstream gradient: the output and x.grad."""
    rng = numpy.random.default_rng(seed)
    x = lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    out = layer(x)
    out.backward(lib.tensor(rng.standard_normal(tuple(out.shape)).astype(dtype)))
    return {"out": out, "x.grad": x.grad}


def training_run(lib, layer, shape, dtype):
    """Three training steps (running statistics evolve, gradients accumulate), the parameter
    gradients and state after them, then one step in eval mode."""
    steps = [one_step(lib, layer, shape, dtype, seed) for seed in range(3)]
    grads, state = grads_by_name(layer), state_arrays(layer)
    layer.eval()
    steps.append(one_step(lib, layer, shape, dtype, seed=10))
    return {"steps": steps, "grads": grads, "state": state}


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # PyTorch's note on its own copy
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("source", ["torch_weights", "our_weights"])
@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[case[0] for case in LAYERS])
def test_layer_matches_torch(name, make, shape, source, dtype):
    ours = make(nn).to(getattr(minigrad, dtype))
    start = state_arrays(ours) if source == "our_weights" else None

    def run(torch):
        torch.manual_seed(0)
        theirs = make(torch.nn).to(getattr(torch, dtype))
        if start is not None:
            load_arrays(theirs, start)
        return {"start": state_arrays(theirs), **training_run(torch, theirs, shape, dtype)}

    expected = reference(run)
    load_arrays(ours, expected["start"])
    observed = training_run(minigrad, ours, shape, dtype)
    for step, (mine, theirs) in enumerate(zip(observed["steps"], expected["steps"])):
        assert mine["out"].dtype == getattr(minigrad, dtype) and tuple(mine["out"].shape) == theirs["out"].shape
        assert_close(mine["out"], theirs["out"], dtype, message=f"step {step}")
        assert_close(mine["x.grad"], theirs["x.grad"], dtype, GRAD_TOLERANCE[dtype], message=f"step {step}")
    assert_same_grads(ours, expected["grads"], dtype)
    assert list(observed["state"]) == list(expected["state"])
    for key, value in observed["state"].items():
        assert_close(value, expected["state"][key], dtype, message=key)


@pytest.mark.parametrize("make", [lambda m: m.MaxPool2d(2, return_indices=True),
                                  lambda m: m.MaxPool2d(3, 2, 1, ceil_mode=True, return_indices=True),
                                  lambda m: m.AdaptiveMaxPool2d((2, 3), return_indices=True)],
                         ids=["maxpool", "maxpool_padding_ceil", "adaptive_max"])
def test_pooling_indices_match_torch(make):
    array = numpy.random.default_rng(0).standard_normal((2, 2, 7, 6)).astype("float32")
    out, indices = make(nn)(minigrad.tensor(array))
    expected, expected_indices = reference(lambda torch: make(torch.nn)(torch.tensor(array)))
    assert_close(out, expected)
    assert indices.dtype == minigrad.int64 and indices.tolist() == expected_indices.tolist()


# ---- default initialisation: PyTorch's distributions ------------------------------------------

@pytest.mark.parametrize("make,fan_in", [
    (lambda m: m.Linear(500, 300), 500),
    (lambda m: m.Conv2d(16, 64, 5), 16 * 25),
    (lambda m: m.Conv2d(16, 64, (3, 5), groups=4), 4 * 15),
], ids=["linear", "conv", "conv_groups"])
def test_linear_and_conv_default_init(make, fan_in):
    """kaiming_uniform_(a=sqrt(5)) weights: U(+-1/sqrt(fan_in)); biases the same bound."""
    ours = make(nn)
    their_std = reference(lambda torch: float(make(torch.nn).weight.detach().numpy().std()))
    bound = 1 / fan_in ** 0.5
    for name in ("weight", "bias"):
        mine = getattr(ours, name).detach().numpy()
        assert -bound <= mine.min() and mine.max() <= bound
        assert mine.max() > 0.9 * bound and mine.min() < -0.9 * bound
    weight = ours.weight.detach().numpy()
    assert abs(weight.std() - bound / 3 ** 0.5) < 0.03 * bound and abs(weight.mean()) < 0.03 * bound
    assert abs(weight.std() - their_std) < 0.03 * bound


def test_embedding_and_batchnorm_default_init():
    table = nn.Embedding(2000, 50, padding_idx=3)
    values = table.weight.detach().numpy()
    assert abs(values.mean()) < 0.01 and abs(values.std() - 1) < 0.01 and not values[3].any()
    norm = nn.BatchNorm2d(5)
    state = {key: value.tolist() for key, value in norm.state_dict().items()}
    assert state == reference(lambda torch: {key: value.tolist()
                                             for key, value in torch.nn.BatchNorm2d(5).state_dict().items()})
    assert norm.num_batches_tracked.dtype == minigrad.int64


def test_default_init_is_reproducible_from_the_seed():
    minigrad.manual_seed(3)
    first = nn.Conv2d(2, 3, 3).state_dict()
    minigrad.manual_seed(3)
    second = nn.Conv2d(2, 3, 3).state_dict()
    assert all(numpy.array_equal(first[k].numpy(), second[k].numpy()) for k in first)


# ---- dropout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_keeps_the_expected_fraction_scaled_like_torch(p):
    array = numpy.random.default_rng(0).standard_normal((200, 500)).astype("float32") + 5
    x = minigrad.tensor(array, requires_grad=True)
    out = nn.Dropout(p)(x)
    expected = reference(lambda torch: {"kept": float((torch.nn.Dropout(p)(torch.tensor(array)) != 0).float().mean()),
                                        "scale": torch.ones(1).div_(1 - p)})  # torch's mask holds 1 / (1 - p)
    kept = out.detach().numpy() != 0
    assert abs(kept.mean() - (1 - p)) < 0.01 and abs(expected["kept"] - (1 - p)) < 0.01
    scaled = array * expected["scale"]
    numpy.testing.assert_array_equal(out.detach().numpy()[kept], scaled[kept])
    out.backward(minigrad.ones_like(out))
    numpy.testing.assert_allclose(x.grad.numpy(), kept / numpy.float32(1 - p), rtol=1e-6)


def test_dropout_eval_and_edge_probabilities():
    x = minigrad.randn(4, 5)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x and nn.functional.dropout(x, 0.5, training=False) is x
    assert nn.Dropout(0.0)(x) is x
    assert not nn.Dropout(1.0)(x).numpy().any()
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        nn.Dropout(-0.1)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.functional.dropout(x, 1.5)


def test_dropout_mask_follows_the_seed_and_inplace():
    x = minigrad.ones(50, 50)
    minigrad.manual_seed(7)
    first = nn.functional.dropout(x, 0.3)
    minigrad.manual_seed(7)
    second = nn.functional.dropout(x, 0.3)
    assert numpy.array_equal(first.numpy(), second.numpy())
    assert not numpy.array_equal(first.numpy(), nn.functional.dropout(x, 0.3).numpy())
    generator = minigrad.Generator().manual_seed(7)
    assert numpy.array_equal(nn.functional.dropout(x, 0.3, generator=generator).numpy(), first.numpy())
    y = minigrad.ones(10, 10)
    assert nn.Dropout(0.5, inplace=True)(y) is y and (y.numpy() == 0).any()


# ---- batch norm ---------------------------------------------------------------------------------

def test_batchnorm_running_variance_is_unbiased():
    layer = nn.BatchNorm1d(3, momentum=0.25)
    array = numpy.random.default_rng(0).standard_normal((5, 3))
    layer(minigrad.tensor(array, dtype=minigrad.float32))
    numpy.testing.assert_allclose(layer.running_mean.numpy(), 0.25 * array.mean(0), rtol=1e-5)
    numpy.testing.assert_allclose(layer.running_var.numpy(), 0.75 + 0.25 * array.var(0, ddof=1), rtol=1e-5)
    assert layer.num_batches_tracked.item() == 1


def test_batchnorm_eval_uses_running_statistics():
    layer = nn.BatchNorm2d(2)
    with minigrad.no_grad():
        layer.running_mean.copy_(minigrad.tensor([1.0, -1.0]))
        layer.running_var.copy_(minigrad.tensor([4.0, 0.25]))
    out = layer.eval()(minigrad.ones(1, 2, 1, 1))
    numpy.testing.assert_allclose(out.detach().numpy().ravel(), [0.0, 2 / 0.25 ** 0.5 / (1 + 4e-5) ** 0.5], rtol=1e-5)
    assert layer.num_batches_tracked.item() == 0


@pytest.mark.parametrize("layer,shape,error,words", [
    (lambda: nn.BatchNorm1d(3), (1, 3), ValueError, r"Expected more than 1 value per channel when training"),
    (lambda: nn.BatchNorm1d(3), (2, 3, 4, 5), ValueError, "expected 2D or 3D input"),
    (lambda: nn.BatchNorm2d(3), (2, 3, 4), ValueError, "expected 4D input"),
    (lambda: nn.BatchNorm2d(3), (2, 4, 3, 3), RuntimeError, "expected 3 channels"),
], ids=["one_value", "bn1d_dims", "bn2d_dims", "channels"])
def test_batchnorm_errors(layer, shape, error, words):
    with pytest.raises(error, match=words):
        layer()(minigrad.randn(*shape))


# ---- embedding ----------------------------------------------------------------------------------

EMBEDDINGS = [
    ("plain", dict()),
    ("padding", dict(padding_idx=1)),
    ("negative_padding", dict(padding_idx=-1)),
    ("scale_grad_by_freq", dict(scale_grad_by_freq=True, padding_idx=0)),
    ("max_norm", dict(max_norm=1.5)),
    ("max_norm_l1", dict(max_norm=2.0, norm_type=1.0)),
    ("sparse", dict(sparse=True)),
    ("sparse_padding", dict(sparse=True, padding_idx=2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,options", EMBEDDINGS, ids=[case[0] for case in EMBEDDINGS])
def test_embedding_matches_torch(name, options, dtype):
    indices = numpy.array([[0, 2, 2, 5], [1, 5, 0, 2]])
    upstream = numpy.random.default_rng(0).standard_normal((2, 4, 3)).astype(dtype)

    def run(lib, layer):
        outs = []
        for _ in range(2):  # two backward passes: gradients (sparse ones too) accumulate
            out = layer(lib.tensor(indices))
            outs.append(out.detach().numpy().copy())
            (out * lib.tensor(upstream)).sum().backward()
        grad = layer.weight.grad
        seen = {"outs": outs, "weight": layer.weight.detach().numpy().copy(), "sparse": grad.is_sparse}
        if grad.is_sparse:
            coalesced = grad.coalesce()
            indices_of = coalesced._indices if lib is minigrad else coalesced.indices
            values_of = coalesced._values if lib is minigrad else coalesced.values
            seen.update({"indices": indices_of().tolist(), "values": values_of().numpy(), "grad": grad.to_dense()})
        else:
            seen["grad"] = grad
        return seen

    def theirs(torch):
        torch.manual_seed(0)
        layer = torch.nn.Embedding(6, 3, **options).to(getattr(torch, dtype))
        return {"start": state_arrays(layer), **run(torch, layer)}

    expected = reference(theirs)
    ours = load_arrays(nn.Embedding(6, 3, **options).to(getattr(minigrad, dtype)), expected["start"])
    observed = run(minigrad, ours)
    for out, want in zip(observed["outs"], expected["outs"]):
        assert_close(out, want, dtype)
    assert_close(observed["weight"], expected["weight"], dtype)  # max_norm renormalises rows in place
    assert observed["sparse"] == expected["sparse"] == options.get("sparse", False)
    if observed["sparse"]:
        assert observed["indices"] == expected["indices"]
        assert_close(observed["values"], expected["values"], dtype)
    assert_close(observed["grad"], expected["grad"], dtype)


def test_sparse_gradient_scaled_by_frequency_equals_the_dense_one():
    """PyTorch refuses this combination; here the sparse gradient densifies to the dense one."""
    indices = minigrad.tensor([[0, 2, 2], [1, 2, 0]])
    dense = nn.Embedding(4, 3, padding_idx=1, scale_grad_by_freq=True)
    sparse = copy_weights(dense, nn.Embedding(4, 3, padding_idx=1, scale_grad_by_freq=True, sparse=True))
    for layer in (dense, sparse):
        (layer(indices) * minigrad.arange(18.0).reshape(2, 3, 3)).sum().backward()
    numpy.testing.assert_allclose(sparse.weight.grad.to_dense().numpy(), dense.weight.grad.numpy())


def test_embedding_from_pretrained_shares_and_freezes():
    table = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen(minigrad.tensor([1])).tolist() == [[3.0, 4.0]]
    with minigrad.no_grad():
        frozen.weight.mul_(2)
    assert table.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(minigrad.ones(3))


@pytest.mark.parametrize("call,error,words", [
    (lambda: nn.Embedding(4, 2)(minigrad.tensor([0.0, 1.0])), RuntimeError, r"Long, Int; but got (minigrad\.)?float32"),
    (lambda: nn.Embedding(4, 2)(minigrad.tensor([4])), IndexError, "index out of range in self"),
    (lambda: nn.Embedding(4, 2)(minigrad.tensor([-1])), IndexError, "index out of range in self"),
    (lambda: nn.Embedding(4, 2, padding_idx=4), AssertionError, "Padding_idx must be within num_embeddings"),
    (lambda: nn.Embedding(4, 2, _weight=minigrad.ones(3, 2)), AssertionError, "Shape of weight does not match"),
], ids=["float_indices", "too_large", "negative", "padding_idx", "weight_shape"])
def test_embedding_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_conv_and_linear_argument_errors():
    with pytest.raises(ValueError, match="must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x5 and 3x2\)"):
        nn.Linear(3, 2)(minigrad.randn(4, 5))


def run_model(model, table, images, labels, device):
    """Loss of a small CNN plus an embedding bag and a BCE head, with the dropout mask seeded."""
    minigrad.manual_seed(1)
    logits = model(minigrad.tensor(images, device=device))
    bag = table(minigrad.tensor([[0, 2, 2], [1, 2, 0]], device=device)).sum(1)
    loss = nn.functional.cross_entropy(logits, minigrad.tensor(labels, device=device), label_smoothing=0.1)
    loss = loss + nn.functional.binary_cross_entropy_with_logits(bag, minigrad.ones(2, 3, device=device))
    loss = loss + nn.functional.binary_cross_entropy(bag.sigmoid(), minigrad.zeros(2, 3, device=device))
    loss.backward()
    return loss


def test_model_on_device_matches_cpu(device):
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Dropout(0.3), nn.Linear(4 * 2 * 2, 3), nn.LogSoftmax(dim=1))
    table = nn.Embedding(4, 3, padding_idx=1, sparse=True)
    model[5].eval()  # CUDA's dropout draws from CuPy's stream, not the CPU's
    moved, moved_table = copy.deepcopy(model).to(device), copy.deepcopy(table).to(device)
    assert all(p.device == device for p in list(moved.parameters()) + list(moved.buffers()))
    rng = numpy.random.default_rng(0)
    images, labels = rng.standard_normal((2, 3, 4, 4)).astype("float32"), numpy.array([0, 2])
    expected = run_model(model, table, images, labels, "cpu")
    assert_close(run_model(moved, moved_table, images, labels, device), expected)
    assert_same_state(moved, model)
    for (name, param), reference in zip(moved.named_parameters(), model.parameters()):
        assert_close(param.grad, reference.grad, tolerance=GRAD_TOLERANCE["float32"], message=name)
    assert moved_table.weight.grad.is_sparse
    assert_close(moved_table.weight.grad.to_dense(), table.weight.grad.to_dense())
