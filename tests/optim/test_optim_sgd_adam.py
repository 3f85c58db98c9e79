"""SGD, Adam, AdamW, Adamax, NAdam, RAdam and SparseAdam against torch.optim, option by option
(PyTorch live, or its stored answers: tests/oracle.py)."""
import re

import numpy
import pytest

import minigrad
import optim
from minigrad.sparse import SparseTensor
from optim_cases import (Run, assert_trajectories_close, case_ids, check_against_torch, check_repr, check_resume,
                         check_state_dict_layout, describe_state_dict, libraries, minigrad_lenet_class, per_parameter)
from oracle import Raised, reference

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.03, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, betas=(0.3, 0.9), eps=1e-6)),  # beta1 < 0.5: lerp's other branch
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, amsgrad=True)),
    ("AdamW", dict(lr=0.02, betas=(0.5, 0.9), maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, weight_decay=0.1, betas=(0.3, 0.99))),
    ("Adamax", dict(lr=0.01, eps=1e-3, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.4, 0.99))),
    ("NAdam", dict(lr=0.005, momentum_decay=0.0, maximize=True)),
    ("RAdam", dict(lr=0.01)),  # rho_t passes 5 at step 6: both branches run
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.9, 0.9))),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.8), maximize=True)),  # rho_inf = 9: rectified from step 2
]
IDS = case_ids(CASES)
NOT_MAXIMIZING = [case for case in CASES if not case[1].get("maximize")]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("cls_name,kwargs", CASES, ids=IDS)
def test_mlp_trajectory_matches_torch(cls_name, kwargs, dtype):
    check_against_torch(cls_name, kwargs, dtype=dtype, steps=50)  # maximize too: small learning rates


@pytest.mark.parametrize("cls_name,kwargs", CASES, ids=IDS)
def test_state_dict_layout_resume_and_repr_match_torch(cls_name, kwargs):
    check_state_dict_layout(cls_name, kwargs)
    check_resume(cls_name, kwargs)
    check_repr(cls_name, kwargs)


LENET_CASES = [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
               ("Adam", dict(lr=1e-3, amsgrad=True)), ("AdamW", dict(lr=1e-3)), ("Adamax", dict(lr=2e-3)),
               ("NAdam", dict(lr=2e-3, decoupled_weight_decay=True, weight_decay=0.01)), ("RAdam", dict(lr=1e-3))]


@pytest.mark.parametrize("cls_name,kwargs", LENET_CASES, ids=case_ids(LENET_CASES))
def test_lenet_trajectory_matches_torch(cls_name, kwargs):
    minigrad_lenet_class()
    check_against_torch(cls_name, kwargs, model="lenet", steps=4)


def test_lenet_sgd_float32_matches_torch():
    """In float32 only SGD is compared on LeNet: the adaptive methods divide by sqrt(v), which
    turns the last-bit noise of near-zero convolution gradients into visible differences."""
    minigrad_lenet_class()
    check_against_torch("SGD", dict(lr=0.05, momentum=0.9), model="lenet", dtype="float32", steps=4)


def test_sgd_reproduces_the_tutorials_hand_written_descent():
    """optim.SGD(lr=0.02) on y = (2x)^2 from x = 2 gives, bit for bit, the tutorial's loop
    ``x.data.sub_(lr * x.grad); x.grad.zero_()`` (PyTorch's fused multiply-add differs in the last bit)."""
    by_hand, by_sgd = [], []
    x = minigrad.tensor([2.0], requires_grad=True)
    for _ in range(20):
        ((2 * x) ** 2).backward()
        x.data.sub_(0.02 * x.grad)
        x.grad.zero_()
        by_hand.append(x.item())
    x = minigrad.tensor([2.0], requires_grad=True)
    optimizer = optim.SGD([x], lr=0.02)
    for _ in range(20):
        optimizer.zero_grad()
        ((2 * x) ** 2).backward()
        optimizer.step()
        by_sgd.append(x.item())
    assert by_sgd == by_hand


# ---- validation ---------------------------------------------------------------------------

ERRORS = [
    ("SGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-1e-4), "Invalid weight_decay value: -0.0001"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("Adam", dict(lr=-1e-3), "Invalid learning rate: -0.001"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adam", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("Adam", dict(betas=(0, 0.999)), "betas must be either both floats"),
    ("AdamW", dict(weight_decay=-0.01), "Invalid weight_decay value"),
    ("AdamW", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("Adamax", dict(eps=-1.0), "Invalid epsilon value"),
    ("Adamax", dict(betas=(-0.1, 0.9)), "Invalid beta parameter at index 0"),
    ("Adamax", dict(weight_decay=-1.0), "Invalid weight_decay value"),
    ("NAdam", dict(lr=-1.0), "Invalid learning rate"),
    ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    ("NAdam", dict(betas=(0.9, 1.5)), "Invalid beta parameter at index 1"),
    ("RAdam", dict(weight_decay=-1.0), "Invalid weight_decay value"),
    ("RAdam", dict(eps=-1.0), "Invalid epsilon value"),
    ("SparseAdam", dict(lr=0.0), "Invalid learning rate: 0.0"),
    ("SparseAdam", dict(eps=0.0), "Invalid epsilon value: 0.0"),
    ("SparseAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1"),
]


@pytest.mark.parametrize("cls_name,kwargs,words", ERRORS, ids=case_ids([(c, k) for c, k, _ in ERRORS]))
def test_invalid_hyper_parameters_raise_value_error_like_torch(cls_name, kwargs, words):
    def error(lib, module):
        return Raised.of(lambda: getattr(module, cls_name)([lib.ones(2, requires_grad=True)], **kwargs))

    for raised in (error(minigrad, optim), reference(lambda torch: error(torch, torch.optim))):
        assert raised is not None and raised.kind == "ValueError" and re.search(re.escape(words), raised.message)


FLAGS = [("SGD", "foreach"), ("SGD", "fused"), ("SGD", "differentiable"), ("Adam", "capturable"),
         ("Adam", "fused"), ("AdamW", "foreach"), ("Adamax", "capturable"), ("NAdam", "differentiable"),
         ("RAdam", "foreach")]


@pytest.mark.parametrize("cls_name,flag", FLAGS, ids=[f"{c}-{f}" for c, f in FLAGS])
def test_pytorch_implementation_switches_are_accepted_only_when_off(cls_name, flag):
    weight = minigrad.ones(2, requires_grad=True)
    with pytest.raises(NotImplementedError, match=f"{flag}=True"):
        getattr(optim, cls_name)([weight], **{flag: True})
    assert getattr(optim, cls_name)([weight], **{flag: False}).param_groups[0][flag] is False


def test_adamw_is_adam_with_decoupled_decay_and_its_own_class():
    weight = minigrad.ones(2, requires_grad=True)
    optimizer = optim.AdamW([weight])
    assert isinstance(optimizer, optim.Adam) == reference(
        lambda torch: isinstance(torch.optim.AdamW([torch.ones(1, requires_grad=True)]), torch.optim.Adam))
    assert type(optimizer) is optim.AdamW and repr(optimizer).startswith("AdamW (")
    assert optimizer.defaults["weight_decay"] == 1e-2 and optimizer.defaults["decoupled_weight_decay"] is True
    assert optim.AdamW.__doc__ != optim.Adam.__doc__ and "Loshchilov" in optim.AdamW.__doc__
    coupled = Run("minigrad", "Adam", dict(lr=0.01, weight_decay=0.1))
    coupled.run(2)
    optimizer = optim.AdamW(Run("minigrad", "AdamW", {}).model.parameters())
    optimizer.load_state_dict(coupled.optimizer.state_dict())
    assert optimizer.param_groups[0]["decoupled_weight_decay"] is True  # as PyTorch's AdamW
    assert optimizer.param_groups[0]["weight_decay"] == 0.1


@pytest.mark.parametrize("cls_name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam"])
def test_docstrings_give_the_algorithm_the_paper_and_every_argument(cls_name):
    doc = getattr(optim, cls_name).__doc__
    assert "for " in doc and "Args:" in doc and "(default" in doc
    assert any(year in doc for year in ("2013", "2015", "2016", "2019", "2020"))


# ---- sparse gradients -----------------------------------------------------------------------

def sparse_gradients(steps, rows=8, columns=3, dtype="float64", seed=0):
    """Random row-sparse gradients: repeated rows (summed by coalescing) and one empty step."""
    rng = numpy.random.default_rng(seed)
    gradients = []
    for step in range(steps):
        count = 0 if step == 3 else int(rng.integers(1, 6))
        gradients.append((rng.integers(0, rows, count), rng.standard_normal((count, columns)).astype(dtype)))
    return gradients


def run_sparse(lib_name, gradients, kwargs, dtype, shape=(8, 3)):
    lib, module = libraries(lib_name)
    start = numpy.random.default_rng(1).standard_normal(shape).astype(dtype)
    weight, frozen = lib.tensor(start, requires_grad=True), lib.tensor(start, requires_grad=True)
    optimizer = module.SparseAdam([weight, frozen], **kwargs)
    history = []
    for rows, values in gradients:
        if lib_name == "torch":
            weight.grad = lib.sparse_coo_tensor(lib.tensor(rows).reshape(1, -1), lib.tensor(values), shape,
                                                check_invariants=True)
        else:
            weight.grad = SparseTensor(rows, values, shape)
        optimizer.step()
        history.append([weight.detach().numpy().copy(), frozen.detach().numpy().copy()])
    return history, optimizer


SPARSE_CASES = [dict(), dict(lr=0.05, betas=(0.5, 0.9)), dict(lr=0.01, eps=1e-3, maximize=True)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", SPARSE_CASES, ids=case_ids([("SparseAdam", k) for k in SPARSE_CASES]))
def test_sparse_adam_on_sparse_gradients_matches_torch(kwargs, dtype):
    gradients = sparse_gradients(30, dtype=dtype)

    def theirs(torch):
        history, optimizer = run_sparse("torch", gradients, kwargs, dtype)
        saved = optimizer.state_dict()
        return {"params": per_parameter(history), "state_dict": describe_state_dict(saved),
                "step": float(saved["state"][0]["step"]), "repr": repr(optimizer)}

    expected = reference(theirs)
    ours, optimizer = run_sparse("minigrad", gradients, kwargs, dtype)
    assert_trajectories_close(ours, expected["params"], 1e-9 if dtype == "float64" else 1e-5)
    mine = optimizer.state_dict()
    assert describe_state_dict(mine)["param_groups"] == expected["state_dict"]["param_groups"]
    assert list(mine["state"]) == list(expected["state_dict"]["state"]) == [0]
    assert mine["state"][0]["step"] == expected["step"] == 30  # the empty step counts too
    assert set(mine["state"][0]) == set(expected["state_dict"]["state"][0])
    assert repr(optimizer) == expected["repr"]


def test_sparse_adam_resumes_bit_identically():
    gradients = sparse_gradients(20)
    expected, _ = run_sparse("minigrad", gradients, {}, "float64")
    first, optimizer = run_sparse("minigrad", gradients[:10], {}, "float64")
    weight = minigrad.tensor(first[-1][0], requires_grad=True)
    resumed = optim.SparseAdam([weight, minigrad.tensor(first[-1][1], requires_grad=True)])
    resumed.load_state_dict(optimizer.state_dict())
    for (rows, values), target in zip(gradients[10:], expected[10:]):
        weight.grad = SparseTensor(rows, values, (8, 3))
        resumed.step()
        numpy.testing.assert_array_equal(weight.detach().numpy(), target[0])


def test_sparse_adam_refuses_dense_gradients():
    weight = minigrad.zeros(3, 2, requires_grad=True)
    weight.grad = minigrad.ones(3, 2)
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        optim.SparseAdam([weight]).step()


def embedding_trajectory(lib, modules, optimizers, cls_name, kwargs, weight):
    """20 steps of ``cls_name`` on a sparse embedding starting from ``weight``: the weight after each."""
    layer = modules.Embedding(10, 4, sparse=True)
    layer.load_state_dict({"weight": lib.tensor(weight)})
    optimizer = getattr(optimizers, cls_name)(layer.parameters(), **kwargs)
    rng = numpy.random.default_rng(0)
    history = []
    for _ in range(20):
        indices, target = rng.integers(0, 10, (6, 2)), rng.standard_normal((6, 2, 4)).astype("float32")
        optimizer.zero_grad()
        ((layer(lib.tensor(indices)) - lib.tensor(target)) ** 2).sum().backward()
        assert getattr(layer.weight.grad, "is_sparse", False)
        optimizer.step()
        history.append([layer.weight.detach().numpy().copy()])
    return history


@pytest.mark.parametrize("cls_name,kwargs", [("SparseAdam", dict(lr=0.05)), ("SGD", dict(lr=0.1, momentum=0.9))],
                         ids=["SparseAdam", "SGD-momentum"])
def test_optimizers_through_a_sparse_embedding_match_torch(cls_name, kwargs):
    nn = pytest.importorskip("nn", reason="the nn package is not importable", exc_type=ImportError)
    weight = nn.Embedding(10, 4).weight.detach().numpy().copy()
    expected = reference(lambda torch: per_parameter(embedding_trajectory(torch, torch.nn, torch.optim, cls_name,
                                                                          kwargs, weight)))
    ours = embedding_trajectory(minigrad, nn, optim, cls_name, kwargs, weight)
    assert_trajectories_close(ours, expected, 1e-5)
