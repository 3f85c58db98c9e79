"""Adagrad, RMSprop, Adadelta, ASGD and Rprop against torch.optim: trajectories in float64 and
float32, state buffers, state_dict layout and resume, parameter groups, sparse gradients
(Adagrad), ASGD's averaged weights, Rprop's sign rule, and the errors. LBFGS: test_lbfgs.py.
PyTorch's side is asked through tests/oracle.py (live, or its stored answers)."""
import re

import numpy
import pytest

import minigrad
import nn
import optim
from optim_cases import (Run, assert_trajectories_close, case_ids, check_against_torch, check_repr, check_resume,
                         check_state_dict_layout, libraries, per_parameter, relative_difference, snapshot)
from oracle import Raised, reference

STEPS = 60
# maximize climbs a loss with no top: small steps keep those runs from blowing up (which would
# amplify rounding, and flip Rprop's signs where gradients vanish) within STEPS steps
CASES = [
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.01, weight_decay=0.1, eps=1e-6, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.001, momentum=0.5, centered=True, eps=1e-3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.1, eps=1e-4, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=10)),
    ("ASGD", dict(lr=0.005, weight_decay=0.1, t0=5, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
    ("Rprop", dict(lr=0.001, step_sizes=(1e-6, 0.005), maximize=True)),
]
# one configuration per optimizer with every buffer in use, for the slower checks
RICH = [
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=10, weight_decay=0.1)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1))),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=case_ids(CASES))
def test_mlp_trajectory_matches_torch(name, kwargs, dtype):
    check_against_torch(name, kwargs, dtype=dtype, steps=STEPS)


@pytest.mark.parametrize("name,kwargs", RICH, ids=case_ids(RICH))
def test_lenet_trajectory_matches_torch(name, kwargs):
    check_against_torch(name, dict(kwargs, lr=kwargs["lr"] / 10), model="lenet", steps=4)


# ---- state ----------------------------------------------------------------------------------

def numbers(value):
    return numpy.array(value.detach().numpy() if hasattr(value, "detach") else value, dtype=numpy.float64)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,kwargs", RICH, ids=case_ids(RICH))
def test_state_buffers_match_torch(name, kwargs, dtype):
    """Every buffer (sums, averages, ASGD's ax/eta/mu, Rprop's prev/step_size) after 30 steps."""
    def buffers(run):
        return [{key: numbers(value) for key, value in run.optimizer.state.get(param, {}).items()}
                for param in run.model.parameters()]

    ours, expected = check_against_torch(name, kwargs, dtype=dtype, steps=30, observe=buffers)
    for our_state, their_state in zip(buffers(ours), expected):
        assert list(our_state) == list(their_state)
        for key, value in their_state.items():
            difference = relative_difference(our_state[key], value)
            assert difference <= (1e-9 if dtype == "float64" else 1e-5), key


@pytest.mark.parametrize("name,kwargs", CASES, ids=case_ids(CASES))
def test_state_dict_layout_matches_torch(name, kwargs):
    check_state_dict_layout(name, kwargs)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_adagrad_creates_its_state_at_construction_as_torch(dtype):
    """Even for parameters that never get a gradient, before any step."""
    mine, reference = check_state_dict_layout("Adagrad", dict(initial_accumulator_value=0.5), steps=0, dtype=dtype)
    assert len(mine["state"]) == len(reference["state"]) > 0
    for buffers in mine["state"].values():
        assert float(buffers["step"]) == 0.0 and numpy.all(buffers["sum"].numpy() == 0.5)


@pytest.mark.parametrize("name,kwargs", RICH, ids=case_ids(RICH))
def test_save_and_load_mid_run_continues_identically(name, kwargs):
    check_resume(name, kwargs)


def test_resume_through_a_file(tmp_path):
    check_resume("RMSprop", dict(lr=0.01, momentum=0.9, centered=True), steps=20, save_at=10,
                 through_file=tmp_path / "rmsprop.pt")


@pytest.mark.parametrize("name,kwargs", RICH, ids=case_ids(RICH))
def test_repr_matches_torch(name, kwargs):
    check_repr(name, kwargs)


# ---- parameter groups -----------------------------------------------------------------------

GROUPS = [
    ("Adagrad", dict(lr=0.1), lambda m: [{"params": m.parameters()[:2], "lr_decay": 0.05},
                                         {"params": m.parameters()[2:], "weight_decay": 0.1}]),
    ("RMSprop", dict(lr=0.01), lambda m: [{"params": m.parameters()[:2], "centered": True, "momentum": 0.9},
                                          {"params": m.parameters()[2:], "lr": 0.003, "alpha": 0.9}]),
    ("Adadelta", dict(), lambda m: [{"params": m.parameters()[:2], "rho": 0.5},
                                    {"params": m.parameters()[2:], "lr": 0.3}]),
    ("ASGD", dict(lr=0.05, t0=5), lambda m: [{"params": m.parameters()[:2]},
                                             {"params": m.parameters()[2:], "t0": 15, "lambd": 0.1}]),
    ("Rprop", dict(lr=0.01), lambda m: [{"params": m.parameters()[:2], "etas": (0.2, 1.1)},
                                        {"params": m.parameters()[2:], "step_sizes": (1e-3, 0.05)}]),
]


@pytest.mark.parametrize("name,kwargs,groups", GROUPS, ids=[name for name, _, _ in GROUPS])
def test_parameter_groups_with_their_own_options(name, kwargs, groups):
    check_against_torch(name, kwargs, groups=groups, steps=30)


@pytest.mark.parametrize("name,kwargs,extra", [
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.2), dict(initial_accumulator_value=5.0, lr=0.05)),
    ("RMSprop", dict(lr=0.01), dict(momentum=0.9, centered=True)),
    ("ASGD", dict(lr=0.05, t0=3), dict(lr=0.02)),
], ids=["Adagrad", "RMSprop", "ASGD"])
def test_add_param_group_mid_run(name, kwargs, extra):
    """The third parameter joins after 10 steps. Adagrad fills its new sum from the
    constructor's initial_accumulator_value, not the group's: PyTorch's behaviour."""
    def trajectory(lib_name):
        run = Run(lib_name, name, kwargs, groups=lambda m: [{"params": m.parameters()[:2]}])
        history = run.run(10)[1]
        run.optimizer.add_param_group(dict(extra, params=[run.model.parameters()[2]]))
        return history + run.run(10)[1]

    assert_trajectories_close(trajectory("minigrad"), reference(lambda torch: per_parameter(trajectory("torch"))), 1e-9)


# ---- what each algorithm promises ------------------------------------------------------------

def test_asgd_ax_is_the_average_of_the_weights_since_t0():
    """mu_t = 1 / max(1, t - t0): after step t, ax is the mean of the weights of steps t0+2..t."""
    t0, steps = 5, 25
    run = Run("minigrad", "ASGD", dict(lr=0.05, t0=t0))
    history = run.run(steps)[1]
    for param_index, param in enumerate(run.model.parameters()):
        if param.grad is None:
            continue
        expected = numpy.mean([weights[param_index] for weights in history[t0 + 1:]], axis=0)
        # mu is kept in float32, as PyTorch keeps it: the average is exact to float32 precision
        numpy.testing.assert_allclose(run.optimizer.state[param]["ax"].numpy(), expected, rtol=1e-6)


def synthetic_steps(lib_name, name, kwargs, gradients):
    """Run ``name`` on one parameter starting at zero, feeding it ``gradients`` one per step."""
    lib, module = libraries(lib_name)
    param = lib.zeros(len(gradients[0]), dtype=lib.float64, requires_grad=True)
    optimizer = getattr(module, name)([param], **kwargs)
    history = []
    for gradient in gradients:
        param.grad = lib.tensor(numpy.array(gradient, dtype="float64"))
        optimizer.step()
        state = optimizer.state[param]
        history.append((snapshot([param])[0], numbers(state["prev"]), numbers(state["step_size"])))
    return history


def test_rprop_skips_a_step_and_forgets_the_gradient_after_a_sign_change():
    lr, (eta_minus, eta_plus) = 0.1, (0.5, 1.2)
    gradients = [[1.0, 1.0], [-1.0, 2.0], [-3.0, 2.0], [-3.0, 0.0]]
    ours = synthetic_steps("minigrad", "Rprop", dict(lr=lr), gradients)
    theirs = reference(lambda torch: synthetic_steps("torch", "Rprop", dict(lr=lr), gradients))
    for mine, reference_step in zip(ours, theirs):
        for a, b in zip(mine, reference_step):
            numpy.testing.assert_array_equal(a, b)
    (w1, _, _), (w2, prev2, size2), (w3, prev3, size3), (w4, _, size4) = ours
    numpy.testing.assert_allclose(w1, [-lr, -lr])
    # first entry flipped sign: its step shrinks, it does not move, and its gradient is forgotten
    assert w2[0] == w1[0] and prev2[0] == 0 and size2[0] == pytest.approx(lr * eta_minus)
    assert w2[1] == pytest.approx(w1[1] - lr * eta_plus) and size2[1] == pytest.approx(lr * eta_plus)
    # next step: nothing to compare with, so the step size is kept and the weight moves again
    assert size3[0] == size2[0] and w3[0] == pytest.approx(w2[0] + size2[0]) and prev3[0] == -3.0
    assert size3[1] == pytest.approx(lr * eta_plus ** 2)
    assert w4[1] == w3[1] and size4[1] == size3[1]  # a zero gradient: no move, step size kept


# ---- sparse gradients --------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1,
                                                       maximize=True)], ids=["defaults", "lr_decay_maximize"])
def test_adagrad_with_sparse_embedding_gradients_matches_torch(kwargs):
    minigrad.manual_seed(0)
    start = nn.Embedding(10, 4, sparse=True).weight.detach().numpy().copy()

    def trajectory(lib, modules, optimizers):
        layer = modules.Embedding(10, 4, sparse=True)
        layer.load_state_dict({"weight": lib.tensor(start)})
        optimizer = optimizers.Adagrad(layer.parameters(), **kwargs)
        rng, history = numpy.random.default_rng(0), []
        for _ in range(20):
            indices, target = rng.integers(0, 6, (5, 2)), rng.standard_normal((5, 2, 4)).astype("float32")
            optimizer.zero_grad()
            ((layer(lib.tensor(indices)) - lib.tensor(target)) ** 2).sum().backward()
            optimizer.step()
            history.append(layer.weight.detach().numpy().copy())
        return history

    ours = trajectory(minigrad, nn, optim)
    theirs = reference(lambda torch: numpy.stack(trajectory(torch, torch.nn, torch.optim)))
    for mine, expected in zip(ours, theirs):
        numpy.testing.assert_allclose(mine, expected, rtol=1e-5)
    assert numpy.array_equal(ours[-1][6:], theirs[-1][6:])  # rows never used


def sparse_step(name, kwargs):
    embedding = nn.Embedding(5, 3, sparse=True)
    optimizer = getattr(optim, name)(embedding.parameters(), **kwargs)
    embedding(minigrad.tensor([[0, 2]])).sum().backward()
    optimizer.step()


@pytest.mark.parametrize("name,kwargs,words", [
    ("Adagrad", dict(weight_decay=0.1), "weight_decay option is not compatible with sparse gradients"),
    ("RMSprop", dict(), "RMSprop does not support sparse gradients"),
    ("Adadelta", dict(), "Adadelta does not support sparse gradients"),
    ("ASGD", dict(), "ASGD does not support sparse gradients"),
    ("Rprop", dict(), "Rprop does not support sparse gradients"),
], ids=["Adagrad_weight_decay", "RMSprop", "Adadelta", "ASGD", "Rprop"])
def test_sparse_gradients_refused(name, kwargs, words):
    with pytest.raises(RuntimeError, match=words):
        sparse_step(name, kwargs)


# ---- errors ------------------------------------------------------------------------------------

ERRORS = [  # (optimizer, bad argument, words the message must hold)
    ("Adagrad", dict(lr=-0.1), "learning rate"), ("Adagrad", dict(lr_decay=-1), "lr_decay"),
    ("Adagrad", dict(weight_decay=-1), "weight_decay"),
    ("Adagrad", dict(initial_accumulator_value=-1), "initial_accumulator_value"), ("Adagrad", dict(eps=-1), "epsilon"),
    ("RMSprop", dict(lr=-0.1), "learning rate"), ("RMSprop", dict(eps=-1), "epsilon"),
    ("RMSprop", dict(momentum=-0.9), "momentum"), ("RMSprop", dict(weight_decay=-1), "weight_decay"),
    ("RMSprop", dict(alpha=-0.5), "alpha"),
    ("Adadelta", dict(lr=-1), "learning rate"), ("Adadelta", dict(rho=1.5), "rho"), ("Adadelta", dict(rho=-0.1), "rho"),
    ("Adadelta", dict(eps=-1), "epsilon"), ("Adadelta", dict(weight_decay=-1), "weight_decay"),
    ("ASGD", dict(lr=-1), "learning rate"), ("ASGD", dict(weight_decay=-1), "weight_decay"),
    ("Rprop", dict(lr=-1), "learning rate"), ("Rprop", dict(etas=(1.5, 1.2)), "eta values: 1.5, 1.2"),
    ("Rprop", dict(etas=(0.5, 0.9)), "eta values"), ("Rprop", dict(etas=(0.0, 1.2)), "eta values"),
]


@pytest.mark.parametrize("name,kwargs,words", ERRORS, ids=case_ids([(name, kwargs) for name, kwargs, _ in ERRORS]))
def test_invalid_hyper_parameters_raise_torchs_error(name, kwargs, words):
    """The same exception type and message as PyTorch, naming the argument and its value."""
    def error(lib, module):
        return Raised.of(lambda: getattr(module, name)([lib.zeros(2, requires_grad=True)], **kwargs))

    ours, theirs = error(minigrad, optim), reference(lambda torch: error(torch, torch.optim))
    assert ours is not None and ours.kind == "ValueError" and re.search(words, ours.message)
    assert ours == theirs


@pytest.mark.parametrize("name", ["Adagrad", "RMSprop", "Adadelta", "ASGD", "Rprop"])
def test_fast_paths_are_refused_clearly(name):
    with pytest.raises(NotImplementedError, match="foreach"):
        getattr(optim, name)([minigrad.zeros(2, requires_grad=True)], foreach=True)
