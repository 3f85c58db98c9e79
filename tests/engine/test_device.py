"""The "cuda" device against the CPU: every layer, every optimizer and LeNet's training steps
give the CPU's numbers on CUDA (a real GPU, or the CuPy stand-in of tests/cupy_standin)."""
import copy

import numpy
import pytest

import minigrad
import nn
import optim
from nn_cases import GRAD_TOLERANCE, as_numpy, assert_close

CUDA = pytest.mark.skipif(not minigrad.cuda.is_available(), reason="real CuPy is installed but sees no GPU")
pytestmark = CUDA


def floats(*shape, seed=0, low=None):
    values = numpy.random.default_rng(seed).standard_normal(shape)
    return (numpy.abs(values) + low if low is not None else values).astype("float32")


def labels(*shape, classes=3, seed=1):
    return numpy.random.default_rng(seed).integers(0, classes, shape)


def probabilities(*shape, seed=2):
    return numpy.random.default_rng(seed).uniform(0.05, 0.95, shape).astype("float32")


# (id, module factory, inputs as NumPy arrays); float inputs get gradients
LAYERS = [
    ("Linear", lambda: nn.Linear(4, 3), [floats(2, 4)]),
    ("Linear-no-bias", lambda: nn.Linear(4, 3, bias=False), [floats(5, 2, 4)]),
    ("Identity", lambda: nn.Identity(), [floats(2, 4)]),
    ("Flatten", lambda: nn.Flatten(), [floats(2, 3, 2, 2)]),
    ("Embedding", lambda: nn.Embedding(5, 3, padding_idx=0), [labels(2, 4, classes=5)]),
    ("Embedding-sparse-max-norm", lambda: nn.Embedding(5, 3, max_norm=1.0, sparse=True), [labels(6, classes=5)]),
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1), [floats(2, 3, 5, 5)]),
    ("Conv2d-strided-dilated-groups", lambda: nn.Conv2d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2),
     [floats(2, 4, 7, 6)]),
    ("Conv2d-reflect-same", lambda: nn.Conv2d(2, 3, 3, padding="same", padding_mode="reflect"), [floats(1, 2, 5, 5)]),
    ("Conv2d-circular", lambda: nn.Conv2d(2, 3, (2, 3), padding=1, padding_mode="circular"), [floats(1, 2, 4, 5)]),
    ("Conv2d-replicate", lambda: nn.Conv2d(2, 2, 3, padding=1, padding_mode="replicate", bias=False),
     [floats(2, 2, 4, 4)]),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), [floats(2, 3, 4, 6)]),
    ("MaxPool2d-ceil-padded", lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [floats(1, 2, 6, 7)]),
    ("AvgPool2d", lambda: nn.AvgPool2d(2), [floats(2, 3, 4, 6)]),
    ("AvgPool2d-padded", lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
     [floats(1, 2, 6, 7)]),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d((3, 2)), [floats(2, 3, 7, 5)]),
    ("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(2), [floats(2, 3, 5, 5)]),
    ("ReLU", lambda: nn.ReLU(), [floats(3, 4)]),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.1), [floats(3, 4)]),
    ("Sigmoid", lambda: nn.Sigmoid(), [floats(3, 4)]),
    ("Tanh", lambda: nn.Tanh(), [floats(3, 4)]),
    ("Softmax", lambda: nn.Softmax(dim=1), [floats(3, 4)]),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=0), [floats(3, 4)]),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(4), [floats(5, 4)]),
    ("BatchNorm1d-3d-no-affine", lambda: nn.BatchNorm1d(3, affine=False, momentum=None), [floats(4, 3, 5)]),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3), [floats(2, 3, 4, 4)]),
    ("BatchNorm2d-eval", lambda: nn.BatchNorm2d(3).eval(), [floats(2, 3, 4, 4)]),
    ("Sequential", lambda: nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 2)), [floats(3, 4)]),
    ("LeNet", lambda: nn.models.LeNet(3), [floats(2, 3, 32, 32)]),
    ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(label_smoothing=0.1), [floats(4, 3), labels(4)]),
    ("CrossEntropyLoss-weight-ignore", lambda: nn.CrossEntropyLoss(weight=minigrad.tensor([1.0, 2.0, 0.5]),
                                                                   ignore_index=1), [floats(6, 3), labels(6)]),
    ("CrossEntropyLoss-probabilities", lambda: nn.CrossEntropyLoss(), [floats(4, 3), probabilities(4, 3)]),
    ("NLLLoss", lambda: nn.NLLLoss(reduction="sum"), [floats(4, 3), labels(4)]),
    ("MSELoss", lambda: nn.MSELoss(), [floats(3, 4), floats(3, 4, seed=5)]),
    ("L1Loss", lambda: nn.L1Loss(reduction="none"), [floats(3, 4), floats(3, 4, seed=5)]),
    ("SmoothL1Loss", lambda: nn.SmoothL1Loss(beta=0.5), [floats(3, 4), floats(3, 4, seed=5)]),
    ("BCELoss", lambda: nn.BCELoss(weight=minigrad.tensor([1.0, 0.5, 2.0])), [probabilities(4, 3),
                                                                              probabilities(4, 3, seed=3)]),
    ("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([1.0, 3.0, 0.5])),
     [floats(4, 3), probabilities(4, 3)]),
]


def run_layer(make, inputs, device):
    """Output, input gradients, parameter gradients and buffers of one forward and backward."""
    minigrad.manual_seed(0)
    module = make().to(device)
    tensors = [minigrad.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in inputs]
    minigrad.manual_seed(1)
    out = module(*tensors)
    assert out.device == minigrad.device(device)
    weights = minigrad.tensor(floats(*out.shape, seed=9), device=device)
    (out * weights).sum().backward()
    grads = [t.grad for t in tensors if t.requires_grad] + [p.grad for p in module.parameters()]
    return [out] + [g.to_dense() if g is not None and g.is_sparse else g for g in grads] + list(module.buffers())


@pytest.mark.parametrize("make,inputs", [case[1:] for case in LAYERS], ids=[case[0] for case in LAYERS])
def test_every_layer_gives_the_cpus_numbers_on_cuda(make, inputs):
    expected = run_layer(make, inputs, "cpu")
    results = run_layer(make, inputs, "cuda")
    assert len(results) == len(expected)
    for result, reference in zip(results, expected):
        assert (result is None) == (reference is None)
        if result is not None:
            assert result.device == minigrad.device("cuda")
            assert_close(result, reference, tolerance=GRAD_TOLERANCE["float32"])


def test_dropout_on_cuda_keeps_or_scales_every_element():
    """CUDA draws from CuPy's stream (PyTorch's CUDA numbers are not reproduced): the mask differs
    from the CPU's, but every element is dropped or scaled by 1 / (1 - p), and so is its gradient."""
    x = minigrad.tensor(floats(40, 50), device="cuda", requires_grad=True)
    out = nn.Dropout(0.4)(x)
    out.sum().backward()
    kept = out.cpu().detach().numpy() != 0
    assert 0.4 < kept.mean() < 0.8
    numpy.testing.assert_allclose(out.cpu().detach().numpy(), kept * x.detach().cpu().numpy() / 0.6, rtol=1e-6)
    numpy.testing.assert_allclose(x.grad.cpu().numpy(), kept / 0.6, rtol=1e-6)


# ---- optimizers ----------------------------------------------------------------------------

OPTIMIZERS = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.1, maximize=True)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    ("AdamW", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, weight_decay=0.01)),
    ("NAdam", dict(lr=0.05, decoupled_weight_decay=True, weight_decay=0.01)),
    ("RAdam", dict(lr=0.05)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.01)),
    ("Adadelta", dict(lr=1.0, weight_decay=0.01)),
    ("ASGD", dict(lr=0.05, t0=2, lambd=0.01)),  # averaging from step t0 + 1 on
    ("Rprop", dict(lr=0.05)),
    ("LBFGS", dict(lr=0.5, history_size=4, max_iter=4)),
    ("LBFGS", dict(lr=1, line_search_fn="strong_wolfe")),
]
STEPS = 8


def mlp_parameters(device):
    rng = numpy.random.default_rng(0)
    shapes = [(6, 4), (6,), (3, 6)]
    return [minigrad.tensor(rng.standard_normal(s), device=device, requires_grad=True) for s in shapes]


def mlp_loss(params, step, device):
    rng = numpy.random.default_rng(100 + step)
    x, y = (minigrad.tensor(rng.standard_normal(s), device=device) for s in [(10, 4), (10, 3)])
    w1, b1, w2 = params
    return (((x @ w1.T + b1).tanh() @ w2.T - y) ** 2).mean()


def optimizer_trajectory(name, kwargs, device):
    params = mlp_parameters(device)
    optimizer = getattr(optim, name)(params, **kwargs)
    trajectory = []
    for step in range(STEPS):
        def closure():
            optimizer.zero_grad()
            loss = mlp_loss(params, step, device)
            loss.backward()
            return loss
        trajectory.append(float(optimizer.step(closure)))
        trajectory += [as_numpy(p) for p in params]
    state = [value for per_param in optimizer.state.values() for value in per_param.values()
             if isinstance(value, minigrad.Tensor)]
    return trajectory, state


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[f"{n}-{'-'.join(k)}" for n, k in OPTIMIZERS])
def test_every_optimizer_gives_the_cpus_trajectory_on_cuda(name, kwargs):
    expected, _ = optimizer_trajectory(name, kwargs, "cpu")
    result, state = optimizer_trajectory(name, kwargs, "cuda")
    for step, (ours, reference) in enumerate(zip(result, expected)):
        numpy.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12, err_msg=f"entry {step}")
    assert all(tensor.device == minigrad.device("cuda") for tensor in state if tensor.ndim > 0)


def test_sparse_adam_on_cuda_matches_the_cpu():
    def run(device):
        minigrad.manual_seed(0)
        table = nn.Embedding(6, 3, sparse=True).to(device)
        optimizer = optim.SparseAdam(table.parameters(), lr=0.1)
        for step in range(4):
            optimizer.zero_grad()
            index = minigrad.tensor(labels(5, classes=6, seed=step), device=device)
            (table(index) ** 2).sum().backward()
            optimizer.step()
        return table.weight
    assert_close(run("cuda"), run("cpu"), "float64")


# ---- LeNet, the tutorial's training steps --------------------------------------------------

def lenet_steps(device, steps=4):
    minigrad.manual_seed(0)
    net = nn.models.LeNet(2)
    net.initialize_weights()
    net.to(device)
    optimizer = optim.SGD(net.parameters(), lr=0.0125, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for step in range(steps):
        images = minigrad.tensor(floats(4, 3, 32, 32, seed=step)).to(device)
        targets = minigrad.tensor(labels(4, classes=2, seed=step)).to(device)
        optimizer.zero_grad()
        loss = criterion(net(images), targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses, net


def test_lenet_training_steps_on_cuda_match_the_cpu():
    expected_losses, expected = lenet_steps("cpu")
    losses, net = lenet_steps("cuda")
    numpy.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
    for (name, param), reference in zip(net.named_parameters(), expected.parameters()):
        assert param.device == minigrad.device("cuda")
        assert_close(param, reference, tolerance=GRAD_TOLERANCE["float32"], message=name)
        assert_close(param.grad, reference.grad, tolerance=GRAD_TOLERANCE["float32"], message=name)


def test_moving_a_model_back_and_forth_keeps_it():
    minigrad.manual_seed(0)
    net = nn.models.LeNet(2)
    images = minigrad.tensor(floats(2, 3, 32, 32))
    expected = net(images)
    round_trip = copy.deepcopy(net).cuda().cpu()
    assert all(p.device == minigrad.device("cpu") for p in round_trip.parameters())
    assert_close(round_trip(images), expected)


# ---- device semantics of the engine core that the stand-in once found wrong: PyTorch's answers ----

def set_row(target, value):
    target[0] = value
    target[1:] = value
    return target


ENGINE_CORE = [
    ("tensor-keeps-device", lambda: minigrad.tensor(minigrad.ones(2, device="cuda")), "cuda",
     "minigrad.tensor(cuda tensor) comes back on the CPU; PyTorch keeps the source's device"),
    ("Tensor-keeps-device", lambda: minigrad.Tensor(minigrad.ones(2, device="cuda")), "cuda",
     "minigrad.Tensor(cuda tensor) comes back on the CPU; PyTorch keeps the source's device"),
    ("as_tensor-dtype-keeps-device", lambda: minigrad.as_tensor(minigrad.ones(2, device="cuda"), minigrad.float64),
     "cuda", "as_tensor(cuda tensor, dtype) comes back on the CPU; PyTorch keeps the source's device"),
    ("setitem-numpy-value", lambda: set_row(minigrad.zeros(2, 3, device="cuda"), numpy.ones(3)), "cuda",
     "cuda[0] = numpy array hands the NumPy array to CuPy, which refuses it; PyTorch copies it over"),
    ("setitem-cpu-tensor-value", lambda: set_row(minigrad.zeros(2, 3, device="cuda"), minigrad.ones(3)), "cuda",
     "cuda[0] = cpu tensor is refused; PyTorch's setitem copies across devices"),
    ("times-0d-cpu-tensor", lambda: minigrad.ones(3, device="cuda") * minigrad.tensor(2.0), "cuda",
     "a 0-d CPU tensor is refused as an operand of a CUDA tensor; PyTorch takes it as a scalar"),
    ("tensor-of-cuda-scalars", lambda: minigrad.tensor([minigrad.tensor(1.0, device="cuda")] * 2), "cpu",
     "minigrad.tensor([cuda 0-d tensors]) raises TypeError; PyTorch reads their values"),
]


@pytest.mark.parametrize("make,device", [pytest.param(make, device, id=name) for name, make, device, _ in ENGINE_CORE])
def test_engine_core_device_semantics_as_pytorch(make, device):
    result = make()
    assert result.device == minigrad.device(device)
    assert numpy.all(result.cpu().numpy() != 0)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_in_place_op_on_an_expanded_tensor_is_refused(device):
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        minigrad.ones(1, device=device).expand(3).add_(1)


def test_a_grad_on_another_device_is_refused():
    param = minigrad.ones(2, device="cuda", requires_grad=True)
    with pytest.raises(RuntimeError, match="device"):
        param.grad = minigrad.ones(2)


@pytest.mark.parametrize("order", ["cpu_first", "cuda_first"])
def test_a_0d_cpu_tensor_with_history_is_a_scalar_beside_cuda_and_keeps_its_gradient(order):
    x = minigrad.tensor(2.0, requires_grad=True)
    y = minigrad.ones(2, device="cuda")
    product = x * y if order == "cpu_first" else y * x
    product.sum().backward()
    assert product.device == minigrad.device("cuda") and x.grad.device == minigrad.device("cpu")
    assert x.grad.item() == 2.0
