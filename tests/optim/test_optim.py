"""Every optimizer against torch.optim: trajectories, parameter groups, state_dict, errors."""
import numpy
import pytest

import minigrad
import nn
import optim
from minigrad.sparse import SparseTensor
from optim_cases import MLP, max_relative_difference, synthetic_gradient_run, trajectory

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.02, momentum=0.8, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), maximize=True, eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, weight_decay=0.1, betas=(0.8, 0.99))),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.9, 0.9))),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.05, weight_decay=0.1, maximize=True, eps=1e-6)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, centered=True, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, eps=1e-4, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=10, lambd=0.01, alpha=0.5)),
    ("ASGD", dict(lr=0.02, weight_decay=0.1, t0=5, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
    ("Rprop", dict(lr=0.01, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kwargs.items()) or 'defaults'}" for name, kwargs in CASES]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch_float64(name, kwargs):
    steps = 20 if kwargs.get("maximize") else 50  # ascent diverges: keep it short
    ours, _, _ = trajectory(minigrad, optim, name, kwargs, steps)
    theirs, _, _ = trajectory(torch, torch.optim, name, kwargs, steps)
    assert max_relative_difference(ours, theirs) <= 1e-9


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_update_arithmetic_matches_torch_float32(name, kwargs):
    ours = synthetic_gradient_run(minigrad, optim, name, kwargs, 50)
    theirs = synthetic_gradient_run(torch, torch.optim, name, kwargs, 50)
    assert max_relative_difference(ours, theirs) <= 1e-5


@pytest.mark.parametrize("kwargs,tolerance", [
    (dict(lr=1), 1e-6), (dict(lr=0.8, history_size=3, max_iter=5), 1e-6),
    (dict(lr=1, line_search_fn="strong_wolfe"), 1e-9),
    (dict(lr=1, line_search_fn="strong_wolfe", history_size=4, max_iter=8, tolerance_change=1e-6), 1e-9),
], ids=["plain", "short_history", "strong_wolfe", "strong_wolfe_short"])
def test_lbfgs_matches_torch(kwargs, tolerance):
    ours, mine, model = trajectory(minigrad, optim, "LBFGS", kwargs, 5)
    theirs, reference, torch_model = trajectory(torch, torch.optim, "LBFGS", kwargs, 5)
    assert max_relative_difference(ours, theirs) <= tolerance
    state, torch_state = mine.state[model.w1], reference.state[torch_model.w1]
    assert state["func_evals"] == torch_state["func_evals"] and state["n_iter"] == torch_state["n_iter"]


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_on_rosenbrock_returns_the_first_loss(line_search):
    results = []
    for lib, module in ((minigrad, optim), (torch, torch.optim)):
        point = lib.tensor([-1.5, 2.0], dtype=lib.float64, requires_grad=True)
        optimizer = module.LBFGS([point], lr=1, line_search_fn=line_search)

        def closure():
            optimizer.zero_grad()
            loss = (1 - point[0]) ** 2 + 100 * (point[1] - point[0] ** 2) ** 2
            loss.backward()
            return loss

        # plain L-BFGS on Rosenbrock is chaotic: last-bit differences grow after a few steps
        losses = [float(optimizer.step(closure).detach()) for _ in range(3 if line_search is None else 6)]
        results.append((losses, point.detach().numpy().copy()))
    numpy.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    numpy.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


def test_sparse_adam_through_a_sparse_embedding():
    minigrad.manual_seed(0)
    ours = nn.Embedding(10, 4, sparse=True)
    theirs = torch.nn.Embedding(10, 4, sparse=True)
    theirs.load_state_dict({"weight": torch.tensor(ours.weight.detach().numpy())})
    mine, reference = optim.SparseAdam(ours.parameters(), lr=0.05), torch.optim.SparseAdam(theirs.parameters(), lr=0.05)
    rng = numpy.random.default_rng(0)
    for _ in range(30):
        indices, target = rng.integers(0, 10, (6, 2)), rng.standard_normal((6, 2, 4)).astype("float32")
        for module, optimizer, lib in ((ours, mine, minigrad), (theirs, reference, torch)):
            optimizer.zero_grad()
            ((module(lib.tensor(indices)) - lib.tensor(target)) ** 2).sum().backward()
            optimizer.step()
    numpy.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_sparse_adam_refuses_dense_gradients_and_dense_optimizers_refuse_sparse():
    weight = nn.Parameter(minigrad.zeros(3, 2))
    weight.grad = minigrad.ones(3, 2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        optim.SparseAdam([weight]).step()
    weight.grad = SparseTensor(numpy.array([0]), numpy.ones((1, 2), "float32"), (3, 2))
    with pytest.raises(RuntimeError, match="Adam does not support sparse gradients"):
        optim.Adam([weight]).step()


def _groups(model):
    return [{"params": [model.w1], "lr": 0.05, "momentum": 0.5},
            {"params": [model.b1, model.w2, model.frozen, model.unused], "weight_decay": 0.01}]


def test_parameter_groups_frozen_and_unused_parameters():
    ours, mine, model = trajectory(minigrad, optim, "SGD", dict(lr=0.1, momentum=0.9), 30, groups=_groups)
    theirs, _, _ = trajectory(torch, torch.optim, "SGD", dict(lr=0.1, momentum=0.9), 30, groups=_groups)
    assert max_relative_difference(ours, theirs) <= 1e-9
    assert model.frozen not in mine.state or not mine.state[model.frozen]
    assert model.unused.grad is None and not mine.state.get(model.unused)
    assert [g["lr"] for g in mine.param_groups] == [0.05, 0.1]


def test_add_param_group_mid_run():
    def run(lib, module):
        model = MLP(lib, "float64")
        optimizer = module.Adam([model.w1], lr=0.01)
        for step in range(20):
            if step == 10:
                optimizer.add_param_group({"params": [model.w2, model.b1], "lr": 0.02, "amsgrad": True})
            optimizer.zero_grad()
            model.loss().backward()
            optimizer.step()
        return [[p.detach().numpy() for p in model.parameters()]]

    assert max_relative_difference(run(minigrad, optim), run(torch, torch.optim)) <= 1e-9


@pytest.mark.parametrize("name,kwargs", [c for c in CASES if not c[1].get("maximize")][::3],
                         ids=[i for c, i in zip(CASES, IDS) if not c[1].get("maximize")][::3])
def test_state_dict_layout_and_resume(name, kwargs):
    _, mine, model = trajectory(minigrad, optim, name, kwargs, 25)
    _, reference, _ = trajectory(torch, torch.optim, name, kwargs, 25)
    ours_state, torch_state = mine.state_dict(), reference.state_dict()
    assert ours_state["param_groups"][0].keys() == torch_state["param_groups"][0].keys()
    assert [g["params"] for g in ours_state["param_groups"]] == [g["params"] for g in torch_state["param_groups"]]
    assert ours_state["state"].keys() == torch_state["state"].keys()
    for key in torch_state["state"]:
        assert ours_state["state"][key].keys() == torch_state["state"][key].keys()
    # continue the run, versus a fresh optimizer loaded with the saved state
    saved = minigrad.load(_round_trip(ours_state))
    continued = getattr(optim, name)(model.parameters(), **kwargs)
    continued.load_state_dict(saved)
    copy = MLP(minigrad, "float64")
    for p, q in zip(copy.parameters(), model.parameters()):
        p.data = q.detach().clone()
    fresh = getattr(optim, name)(copy.parameters(), **kwargs)
    fresh.load_state_dict(saved)
    for _ in range(10):
        for m, optimizer in ((model, mine), (copy, fresh)):
            optimizer.zero_grad()
            m.loss().backward()
            optimizer.step()
    for p, q in zip(model.parameters(), copy.parameters()):
        assert numpy.array_equal(p.detach().numpy(), q.detach().numpy())


def _round_trip(state):
    import io
    buffer = io.BytesIO()
    minigrad.save(state, buffer)
    buffer.seek(0)
    return buffer


def test_load_state_dict_casts_and_checks_groups():
    model = MLP(minigrad, "float64")
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    optimizer.zero_grad()
    model.loss().backward()
    optimizer.step()
    state = optimizer.state_dict()
    state["param_groups"][0]["lr"] = 0.5
    other = MLP(minigrad, "float32")
    loaded = optim.Adam(other.parameters(), lr=0.01)
    loaded.load_state_dict(state)
    assert loaded.param_groups[0]["lr"] == 0.5 and loaded.param_groups[0]["params"][0] is other.w1
    assert loaded.state[other.w1]["exp_avg"].dtype == minigrad.float32
    assert loaded.state[other.w1]["step"].dtype == minigrad.float32
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([{"params": [other.w1]}, {"params": [other.w2]}]).load_state_dict(state)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.Adam([other.w1]).load_state_dict(state)


def test_repr_matches_torch():
    model, torch_model = MLP(minigrad, "float64"), MLP(torch, "float64")
    for name, kwargs in (("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("RMSprop", dict(centered=True))):
        assert repr(getattr(optim, name)(model.parameters(), **kwargs)) == \
            repr(getattr(torch.optim, name)(torch_model.parameters(), **kwargs))


def test_zero_grad_and_closure():
    model = MLP(minigrad, "float64")
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model.loss().backward()
    optimizer.zero_grad(set_to_none=False)
    assert float(abs(model.w1.grad).sum()) == 0
    optimizer.zero_grad()
    assert model.w1.grad is None

    def closure():
        optimizer.zero_grad()
        loss = model.loss()
        loss.backward()
        return loss

    assert isinstance(optimizer.step(closure), minigrad.Tensor) and optimizer._step_count == 1


def test_gradients_are_not_zeroed_automatically():
    w = minigrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    for _ in range(2):
        (w * 3).sum().backward()
        optimizer.step()
    assert w.grad.item() == 6.0


@pytest.mark.parametrize("call,error,words", [
    (lambda p: optim.SGD(p, lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires a momentum"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "Invalid momentum value"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1"),
    (lambda p: optim.Adam(p, eps=-1), ValueError, "Invalid epsilon value"),
    (lambda p: optim.AdamW(p, weight_decay=-1), ValueError, "Invalid weight_decay value"),
    (lambda p: optim.Rprop(p, etas=(1.5, 1.2)), ValueError, "Invalid eta values"),
    (lambda p: optim.Adam(p, foreach=True), NotImplementedError, "foreach=True"),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: optim.SGD(set(p), lr=0.1), TypeError, "iterable of Tensors or dicts"),
    (lambda p: optim.SGD([{"params": set(p)}], lr=0.1), TypeError, "ordered collections"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda p: optim.SGD([p[0], "w"], lr=0.1), TypeError, "can only optimize Tensors"),
    (lambda p: optim.SGD([{"params": [p[0]]}, {"params": [p[0]]}], lr=0.1), ValueError,
     "more than one parameter group"),
    (lambda p: optim.LBFGS([{"params": [p[0]]}, {"params": [p[1]]}]), ValueError, "per-parameter options"),
    (lambda p: optim.LBFGS(p).step(), RuntimeError, "requires a closure"),
], ids=["lr", "nesterov", "momentum", "beta0", "beta1", "eps", "weight_decay", "etas", "foreach", "empty", "set",
        "group_set", "non_leaf", "not_tensor", "duplicate", "lbfgs_groups", "lbfgs_closure"])
def test_optimizer_errors(call, error, words):
    params = [minigrad.ones(2, requires_grad=True), minigrad.ones(3, requires_grad=True)]
    with pytest.raises(error, match=words):
        call(params)


def test_tutorial_flow_on_lenet_matches_torch():
    """optimizer.zero_grad(); loss.backward(); optimizer.step(); scheduler.step() over LeNet."""
    from nn_cases import torch_lenet
    theirs = torch_lenet(torch)
    ours = nn.models.LeNet(2)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    runs = []
    for model, lib, module in ((ours, minigrad, optim), (theirs, torch, torch.optim)):
        optimizer = module.SGD(model.parameters(), lr=0.0125, momentum=0.9)
        scheduler = module.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
        loss_fn = (nn.CrossEntropyLoss if lib is minigrad else torch.nn.CrossEntropyLoss)()
        rng = numpy.random.default_rng(0)
        for _ in range(5):
            images, labels = rng.standard_normal((8, 3, 32, 32)).astype("float32"), rng.integers(0, 2, 8)
            loss = loss_fn(model(lib.tensor(images)), lib.tensor(labels))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        runs.append([p.detach().numpy().copy() for p in model.parameters()])
    for mine, reference in zip(*runs):
        numpy.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5)


LENET_CASES = [("SGD", dict(lr=0.01, momentum=0.9, nesterov=True)), ("Adam", dict(lr=1e-3, amsgrad=True)),
               ("AdamW", dict(lr=1e-3)), ("Adamax", dict(lr=2e-3)), ("NAdam", dict(lr=2e-3)), ("RAdam", dict(lr=1e-3)),
               ("Adagrad", dict(lr=0.01)), ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.5)),
               ("Adadelta", dict()), ("ASGD", dict(lr=0.01, t0=2)), ("Rprop", dict(lr=1e-3))]


@pytest.mark.parametrize("name,kwargs", LENET_CASES, ids=[c[0] for c in LENET_CASES])
def test_lenet_trajectories_match_torch_float64(name, kwargs):
    from nn_cases import torch_lenet
    theirs = torch_lenet(torch).double()
    ours = nn.models.LeNet(2).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    histories = []
    for model, lib, module in ((ours, minigrad, optim), (theirs, torch, torch.optim)):
        optimizer = getattr(module, name)(model.parameters(), **kwargs)
        loss_fn = nn.functional.cross_entropy if lib is minigrad else torch.nn.functional.cross_entropy
        rng, history = numpy.random.default_rng(0), []
        for _ in range(6):
            images, labels = rng.standard_normal((4, 3, 32, 32)), rng.integers(0, 2, 4)
            optimizer.zero_grad()
            loss_fn(model(lib.tensor(images)), lib.tensor(labels)).backward()
            optimizer.step()
            history.append([p.detach().numpy().copy() for p in model.parameters()])
        histories.append(history)
    assert max_relative_difference(*histories) <= 1e-9
