"""The Optimizer base class against torch.optim.Optimizer: groups, skipping, state, state_dict, errors
(PyTorch live, or its stored answers: tests/oracle.py)."""
import re
import warnings

import numpy
import pytest

import minigrad
import optim
from minigrad.sparse import SparseTensor
from optim.optimizer import Optimizer, required
from optim_cases import (MLP, Run, assert_trajectories_close, check_against_torch, check_repr, check_resume,
                         check_state_dict_layout, libraries, per_parameter)
from oracle import Raised, reference


def two_groups(model):
    """Part of the network with its own options; frozen and unused parameters ride along."""
    return [{"params": [model.w1, model.b1], "lr": 0.05, "momentum": 0.5},
            {"params": [model.w2, model.frozen, model.unused], "weight_decay": 0.01}]


def adam_groups(model):
    return [{"params": [model.w1], "amsgrad": True},
            {"params": [model.b1, model.unused], "lr": 0.003, "betas": (0.8, 0.9)},
            {"params": [model.w2, model.frozen], "weight_decay": 0.1, "decoupled_weight_decay": True}]


GROUP_CASES = [("SGD", dict(lr=0.1, momentum=0.9), two_groups), ("Adam", dict(lr=0.01), adam_groups)]
GROUP_IDS = ["SGD-two-groups", "Adam-three-groups"]


# ---- parameter groups: optimizing only part of a network -------------------------------------

@pytest.mark.parametrize("cls_name,kwargs,groups", GROUP_CASES, ids=GROUP_IDS)
def test_parameter_groups_with_their_own_options_match_torch(cls_name, kwargs, groups):
    def options(run):
        return [{k: v for k, v in group.items() if k != "params"} for group in run.optimizer.param_groups]

    ours, expected = check_against_torch(cls_name, kwargs, groups=groups, steps=30, observe=options)
    assert options(ours) == expected
    check_state_dict_layout(cls_name, kwargs, groups=groups)
    check_resume(cls_name, kwargs, groups=groups, steps=30, save_at=12)
    check_repr(cls_name, kwargs, groups=groups)


def test_groups_are_filled_from_defaults_and_keep_their_parameters_in_order():
    model = MLP(minigrad)
    optimizer = optim.SGD(two_groups(model), lr=0.1, momentum=0.9)
    assert optimizer.defaults["lr"] == 0.1 and optimizer.defaults["momentum"] == 0.9
    first, second = optimizer.param_groups
    assert (first["lr"], first["momentum"], first["weight_decay"]) == (0.05, 0.5, 0)
    assert (second["lr"], second["momentum"], second["weight_decay"]) == (0.1, 0.9, 0.01)
    assert [p is q for p, q in zip(second["params"], [model.w2, model.frozen, model.unused])] == [True] * 3


def test_parameters_without_gradient_are_skipped_and_keep_their_state():
    """Train everything, then stop the gradient of w1 for a while (frozen mid-run): its weights
    and Adam state must stay put, and the run must still match PyTorch."""
    def frozen_midway(lib_name):
        run = Run(lib_name, "Adam", dict(lr=0.01))
        losses, history = run.run(5)
        w1, saved_state = run.model.w1, {k: v.clone() for k, v in run.optimizer.state[run.model.w1].items()}
        for _ in range(5):
            run.closure()
            w1.grad = None  # as if w1 were frozen or unused in this step
            run.optimizer.step()
            run.steps_done += 1
            history.append([p.detach().numpy().copy() for p in run.model.parameters()])
        assert all(numpy.array_equal(saved_state[k].numpy(), v.numpy())
                   for k, v in run.optimizer.state[w1].items())
        numpy.testing.assert_array_equal(history[4][0], history[-1][0])
        model, state = run.model, run.optimizer.state
        assert model.frozen not in state and model.unused not in state
        return history

    assert_trajectories_close(frozen_midway("minigrad"), reference(lambda torch: per_parameter(frozen_midway("torch"))),
                              1e-9)


def test_add_param_group_mid_run_matches_torch():
    """Fine-tuning: start with the first layer only, add the second with its own options at step 10."""
    def fine_tuned(lib_name):
        _, module = libraries(lib_name)
        run = Run(lib_name, "SGD", dict(lr=0.05, momentum=0.9))  # replaced below
        model = run.model
        run.optimizer = module.SGD([model.w1], lr=0.05, momentum=0.9)
        _, history = run.run(10)
        run.optimizer.add_param_group({"params": [model.b1, model.w2], "lr": 0.02, "nesterov": True})
        assert run.optimizer.param_groups[1]["momentum"] == 0.9  # filled from the defaults
        _, more = run.run(10)
        assert len(run.optimizer.state_dict()["state"]) == 3
        return history + more

    assert_trajectories_close(fine_tuned("minigrad"), reference(lambda torch: per_parameter(fine_tuned("torch"))), 1e-9)


def test_zero_grad_sets_to_none_or_zeroes_in_place():
    model = MLP(minigrad)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    model.loss().backward()
    gradient = model.w1.grad
    optimizer.zero_grad(set_to_none=False)
    assert model.w1.grad is gradient and not gradient.numpy().any()
    assert model.unused.grad is None and model.frozen.grad is None
    model.loss().backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_gradients_accumulate_until_zeroed():
    weight = minigrad.tensor([1.0], requires_grad=True)
    optimizer = optim.SGD([weight], lr=0.1)
    for _ in range(2):
        (weight * 3).sum().backward()
        optimizer.step()
    assert weight.grad.item() == 6.0 and weight.item() == pytest.approx(1 - 0.1 * 3 - 0.1 * 6)


def test_step_returns_the_closure_loss_and_counts_steps():
    model = MLP(minigrad)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    seen = []

    def closure():
        optimizer.zero_grad()
        seen.append(minigrad.is_grad_enabled())
        loss = model.loss()
        loss.backward()
        return loss

    expected = model.loss(0).item()
    with minigrad.no_grad():  # the closure still gets gradients
        loss = optimizer.step(closure)
    assert seen == [True] and isinstance(loss, minigrad.Tensor) and loss.item() == expected
    assert optimizer.step() is None  # without a closure: the same gradients again
    assert optimizer._step_count == 2 and optimizer.state[model.w1]["step"].item() == 2
    optimizer.zero_grad()
    optimizer.step()  # nothing has a gradient: no update, but still a step
    assert optimizer._step_count == 3 and optimizer.state[model.w1]["step"].item() == 2


def test_step_marks_parameters_as_modified_in_place():
    weight = minigrad.tensor([1.0, 2.0], requires_grad=True)
    optimizer = optim.SGD([weight], lr=0.1)
    (weight * weight).sum().backward()
    before = weight._version
    optimizer.step()
    assert weight._version > before


# ---- state_dict and load_state_dict ---------------------------------------------------------

def trained(cls_name, kwargs, steps=3, dtype="float64", groups=None):
    run = Run("minigrad", cls_name, kwargs, dtype=dtype, groups=groups)
    run.run(steps)
    return run


def test_state_dict_numbers_parameters_across_groups_and_copies_buffers():
    run = trained("SGD", dict(lr=0.1, momentum=0.9), groups=two_groups)
    saved = run.optimizer.state_dict()
    assert [group["params"] for group in saved["param_groups"]] == [[0, 1], [2, 3, 4]]
    assert sorted(saved["state"]) == [0, 1, 2]  # frozen (3) and unused (4) have no state
    buffer = saved["state"][0]["momentum_buffer"]
    assert isinstance(buffer, minigrad.Tensor) and buffer.dtype == minigrad.float64
    before = buffer.numpy().copy()
    run.run(2)
    numpy.testing.assert_array_equal(buffer.numpy(), before)  # a copy: later steps leave it alone
    saved["param_groups"][0]["lr"] = 123.0
    assert run.optimizer.param_groups[0]["lr"] == 0.05


def test_load_state_dict_restores_options_keeps_parameters_and_shares_nothing():
    saved = trained("Adam", dict(lr=0.01, amsgrad=True)).optimizer.state_dict()
    saved["param_groups"][0]["lr"] = 0.5
    model = MLP(minigrad)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    optimizer.load_state_dict(saved)
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.5 and group["amsgrad"] is True and group["params"][0] is model.w1
    exp_avg = optimizer.state[model.w1]["exp_avg"]
    numpy.testing.assert_array_equal(exp_avg.numpy(), saved["state"][0]["exp_avg"].numpy())
    saved["state"][0]["exp_avg"].array[...] = 7.0
    saved["param_groups"][0]["betas"] = (0.1, 0.2)
    assert not (exp_avg.numpy() == 7.0).any() and group["betas"] == (0.9, 0.999)


def test_load_state_dict_casts_buffers_to_the_parameter_dtype_but_not_counters():
    saved = trained("NAdam", dict(lr=0.01), dtype="float64").optimizer.state_dict()
    model = MLP(minigrad, "float32")
    optimizer = optim.NAdam(model.parameters(), lr=0.01)
    optimizer.load_state_dict(saved)
    state = optimizer.state[model.w1]
    assert state["exp_avg"].dtype == state["exp_avg_sq"].dtype == minigrad.float32
    assert state["step"].dtype == state["mu_product"].dtype == minigrad.float32
    assert state["step"].item() == 3.0


@pytest.mark.parametrize("cls_name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(amsgrad=True)),
                                             ("NAdam", dict(lr=0.01))], ids=["SGD", "Adam", "NAdam"])
def test_resume_through_a_checkpoint_file_is_bit_identical(cls_name, kwargs, tmp_path):
    check_resume(cls_name, kwargs, steps=30, save_at=15, through_file=tmp_path / "optimizer.ckpt")


def test_a_torch_state_dict_loads_and_continues_like_torch():
    """PyTorch's saved state (converted tensor by tensor) continues in minigrad as in PyTorch."""
    def theirs(torch):
        run = Run("torch", "Adam", dict(lr=0.01))
        run.run(10)
        saved = run.optimizer.state_dict()
        return {"params": [p.detach().numpy().copy() for p in run.model.parameters()],
                "state_dict": {"param_groups": saved["param_groups"],
                               "state": {key: {name: value.numpy().copy() for name, value in buffers.items()}
                                         for key, buffers in saved["state"].items()}},
                "continued": per_parameter(run.run(10)[1])}

    expected = reference(theirs)
    ours = Run("minigrad", "Adam", dict(lr=0.01))
    for mine, value in zip(ours.model.parameters(), expected["params"]):
        mine.array[...] = value
    saved = expected["state_dict"]
    converted = {"param_groups": saved["param_groups"],
                 "state": {key: {name: minigrad.tensor(value) for name, value in buffers.items()}
                           for key, buffers in saved["state"].items()}}
    ours.optimizer.load_state_dict(converted)
    ours.steps_done = 10
    _, mine = ours.run(10)
    assert_trajectories_close(mine, expected["continued"], 1e-9)


@pytest.mark.parametrize("groups,words", [
    (lambda m: [{"params": [m.w1]}, {"params": [m.w2]}], "different number of parameter groups"),
    (lambda m: [m.w1, m.w2], "doesn't match the size of optimizer's group"),
], ids=["group_count", "group_size"])
def test_load_state_dict_checks_the_groups_like_torch(groups, words):
    def error(lib_name):
        run = Run(lib_name, "SGD", dict(lr=0.1, momentum=0.9))
        run.run(1)
        saved = run.optimizer.state_dict()
        _, module = libraries(lib_name)
        return Raised.of(lambda: module.SGD(groups(MLP(run.lib)), lr=0.1).load_state_dict(saved))

    for raised in (error("minigrad"), reference(lambda torch: error("torch"))):
        assert raised is not None and raised.kind == "ValueError" and re.search(words, raised.message)


# ---- errors -------------------------------------------------------------------------------

def _leaves(lib):
    return [lib.ones(2, requires_grad=True), lib.ones(3, requires_grad=True)]


CONSTRUCTION_ERRORS = [
    ("empty", lambda p: [], ValueError, "optimizer got an empty parameter list"),
    ("tensor", lambda p: p[0], TypeError, "iterable of Tensors or dicts"),
    ("group_set", lambda p: [{"params": set(p)}], TypeError, "ordered collections"),
    ("non_leaf", lambda p: [p[0] * 2], ValueError, "can't optimize a non-leaf Tensor"),
    ("not_tensor", lambda p: [p[0], 1.5], TypeError, "optimizer can only optimize Tensors"),
    ("two_groups", lambda p: [{"params": [p[0]]}, {"params": [p[1], p[0]]}], ValueError,
     "some parameters appear in more than one parameter group"),
]


@pytest.mark.parametrize("name,params,error,words", CONSTRUCTION_ERRORS, ids=[c[0] for c in CONSTRUCTION_ERRORS])
def test_bad_params_raise_like_torch(name, params, error, words):
    def raised(lib, module):
        return Raised.of(lambda: module.SGD(params(_leaves(lib)), lr=0.1))

    for seen in (raised(minigrad, optim), reference(lambda torch: raised(torch, torch.optim))):
        assert seen is not None and seen.kind == error.__name__ and re.search(words, seen.message)


@pytest.mark.parametrize("params,words", [
    (lambda p: set(p), "use a list"),  # PyTorch accepts a top-level set; its order is not reproducible
    (lambda p: {"params": p}, "iterable of Tensors or dicts, but got dict"),
    (lambda p: 3, "but got int"),
], ids=["set", "dict", "int"])
def test_unordered_or_non_iterable_params_raise_type_error(params, words):
    with pytest.raises(TypeError, match=words):
        optim.SGD(params(_leaves(minigrad)), lr=0.1)


def test_add_param_group_errors():
    first, second = _leaves(minigrad)
    optimizer = optim.SGD([first], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optimizer.add_param_group([second])
    with pytest.raises(KeyError, match="params"):
        optimizer.add_param_group({"lr": 0.1})
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": first})
    with pytest.raises(NotImplementedError, match="foreach"):
        optimizer.add_param_group({"params": [second], "foreach": True})
    assert len(optimizer.param_groups) == 1
    optimizer.add_param_group({"params": second})  # a lone Tensor is a group of one
    assert len(optimizer.param_groups[1]["params"]) == 1 and optimizer.param_groups[1]["params"][0] is second


def test_duplicate_parameters_in_a_group_warn_like_torch():
    weight = minigrad.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([weight, weight], lr=0.1)


class Descent(Optimizer):
    """The smallest subclass: plain gradient descent with a required learning rate."""

    def __init__(self, params, lr=required):
        super().__init__(params, dict(lr=lr))

    def update(self, param, grad, state, group):
        param.array -= group["lr"] * grad


def test_a_minimal_subclass_and_required_hyper_parameters():
    first, second = _leaves(minigrad)
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Descent([first])
    optimizer = Descent([{"params": [first], "lr": 0.5}])
    (first * first).sum().backward()
    optimizer.step()
    numpy.testing.assert_allclose(first.detach().numpy(), [0.0, 0.0])
    assert repr(optimizer) == "Descent (\nParameter Group 0\n    lr: 0.5\n)"
    second.sum().backward()
    with pytest.raises(NotImplementedError, match="must define update"):
        Optimizer([second], {}).step()


@pytest.mark.parametrize("cls_name", ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"])
def test_dense_optimizers_refuse_sparse_gradients(cls_name):
    weight = minigrad.zeros(3, 2, requires_grad=True)
    weight.grad = SparseTensor(numpy.array([0]), numpy.ones((1, 2), "float32"), (3, 2))
    with pytest.raises(RuntimeError, match=f"{cls_name} does not support sparse gradients"):
        getattr(optim, cls_name)([weight]).step()


def test_no_warnings_on_a_plain_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Run("minigrad", "SGD", dict(lr=0.1, momentum=0.9)).run(2)
