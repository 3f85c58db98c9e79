"""Every learning-rate scheduler against torch.optim.lr_scheduler: the rates (and cycled momenta)
of two parameter groups over 120 steps, state_dicts, resuming, warnings and errors. PyTorch's side
is asked through tests/oracle.py (live, or its stored answers)."""
import pickle
import re
import warnings
from types import SimpleNamespace

import numpy
import pytest

import minigrad
import nn
import optim
from nn_cases import SKETCH_ABOVE, load_arrays, state_arrays, torch_lenet
from optim import lr_scheduler
from oracle import Raised, assert_close_to, reference

# a SequentialLR whose first member is a ChainedScheduler warns at construction (PyTorch's does too);
# the tests of the warnings record them explicitly
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of")

STEPS = 120


def library(name):
    """(tensor library, optimizer package) for "minigrad" or "torch"."""
    if name == "minigrad":
        return minigrad, optim
    import torch
    return torch, torch.optim


def factor_per_group(epoch):
    return 0.95 ** epoch


def inverse_time(epoch):
    return 1.0 / (1.0 + 0.1 * epoch)


# (id, scheduler class, keyword arguments): all of them take last_epoch too
SINGLE = [
    ("step", "StepLR", dict(step_size=7, gamma=0.5)),
    ("step_tutorial", "StepLR", dict(step_size=10, gamma=0.1)),
    ("step_every_epoch", "StepLR", dict(step_size=1, gamma=0.97)),
    ("multistep", "MultiStepLR", dict(milestones=[5, 20, 60])),
    ("multistep_repeated", "MultiStepLR", dict(milestones=[5, 20, 20, 60], gamma=0.3)),
    ("constant", "ConstantLR", dict(factor=0.25, total_iters=12)),
    ("constant_default", "ConstantLR", dict()),
    ("constant_zero_iters", "ConstantLR", dict(factor=0.5, total_iters=0)),
    ("linear_warmup", "LinearLR", dict(start_factor=0.1, total_iters=30)),
    ("linear_decay", "LinearLR", dict(start_factor=1.0, end_factor=0.05, total_iters=80)),
    ("linear_default", "LinearLR", dict()),
    ("exponential", "ExponentialLR", dict(gamma=0.97)),
    ("exponential_growth", "ExponentialLR", dict(gamma=1.01)),
    ("polynomial_square", "PolynomialLR", dict(total_iters=50, power=2.0)),
    ("polynomial_root", "PolynomialLR", dict(total_iters=200, power=0.5)),
    ("polynomial_default", "PolynomialLR", dict()),
    ("cosine", "CosineAnnealingLR", dict(T_max=25, eta_min=0.001)),
    ("cosine_long", "CosineAnnealingLR", dict(T_max=100)),
    ("cosine_short_period", "CosineAnnealingLR", dict(T_max=3, eta_min=0.01)),
    ("cosine_restarts_growing", "CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=2, eta_min=0.001)),
    ("cosine_restarts_flat", "CosineAnnealingWarmRestarts", dict(T_0=7)),
    ("cosine_restarts_triple", "CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=3, eta_min=0.02)),
    ("lambda_one", "LambdaLR", dict(lr_lambda=inverse_time)),
    ("lambda_per_group", "LambdaLR", dict(lr_lambda=[factor_per_group, lambda epoch: epoch // 30 + 1])),
    ("multiplicative", "MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.98)),
    ("multiplicative_per_group", "MultiplicativeLR", dict(lr_lambda=[lambda epoch: 0.99, inverse_time])),
    ("cyclic_triangular", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=8)),
    ("cyclic_triangular2", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=10, step_size_down=5,
                                            mode="triangular2")),
    ("cyclic_exp_range", "CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=7, mode="exp_range",
                                          gamma=0.99, base_momentum=[0.7, 0.8], max_momentum=[0.9, 0.95])),
    ("cyclic_scale_fn_iterations", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6,
                                                    scale_fn=lambda x: 0.9 ** x, scale_mode="iterations")),
    ("cyclic_scale_fn_cycle", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=9,
                                               scale_fn=lambda x: 1 / x)),
    ("cyclic_no_momentum", "CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=False)),
    ("onecycle", "OneCycleLR", dict(max_lr=0.5, total_steps=STEPS)),
    ("onecycle_epochs_linear", "OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=10, steps_per_epoch=13,
                                                  anneal_strategy="linear")),
    ("onecycle_three_phase", "OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=150, three_phase=True,
                                                pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                                                base_momentum=[0.8, 0.85], max_momentum=0.9)),
    ("onecycle_no_momentum", "OneCycleLR", dict(max_lr=0.3, total_steps=130, cycle_momentum=False, pct_start=0.5)),
]


def _single(class_name, kwargs):
    def make(S, optimizer, **extra):
        return getattr(S, class_name)(optimizer, **kwargs, **extra)
    return make


# schedulers built from schedulers
COMPOSITE = [
    ("sequential_warmup_exp", lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, 0.1, total_iters=10), S.ExponentialLR(o, 0.95)], milestones=[10])),
    ("sequential_three", lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, 0.5, 8), S.CosineAnnealingLR(o, 30), S.StepLR(o, 9, 0.5)], milestones=[8, 50])),
    ("sequential_lambda_after", lambda S, o: S.SequentialLR(
        o, [S.StepLR(o, 3, 0.5), S.LambdaLR(o, inverse_time), S.MultiplicativeLR(o, lambda e: 0.97)], [20, 60])),
    ("sequential_nested_chain", lambda S, o: S.SequentialLR(
        o, [S.ChainedScheduler([S.ConstantLR(o, 0.5, 5), S.ExponentialLR(o, 0.9)]), S.PolynomialLR(o, 90, 2.0)],
        milestones=[15])),
    ("chained", lambda S, o: S.ChainedScheduler([S.ConstantLR(o, 0.5, 10), S.ExponentialLR(o, 0.97)])),
    ("chained_step_cosine", lambda S, o: S.ChainedScheduler(
        [S.StepLR(o, 20, 0.5), S.CosineAnnealingLR(o, 15, 0.001)], optimizer=o)),
]

CASES = [(name, _single(class_name, kwargs)) for name, class_name, kwargs in SINGLE] + COMPOSITE
CASE_IDS = [case[0] for case in CASES]
CYCLING = [case for case in CASES if "cyclic" in case[0] or "onecycle" in case[0]]


def make_optimizer(name, kind="sgd"):
    """Two groups with different rates; parameters without gradients, so steps change nothing."""
    lib, module = library(name)
    first, second = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    groups = [{"params": [first]}, {"params": [second], "lr": 0.05}]
    if kind == "sgd":
        return module.SGD(groups, lr=0.1, momentum=0.9)
    return module.Adam(groups, lr=0.1, betas=(0.9, 0.999))


def scheduler_module(name):
    return library(name)[1].lr_scheduler


def snapshot(optimizer, scheduler):
    """The rates and momenta of both groups, and what get_last_lr() reports."""
    groups = optimizer.param_groups
    momenta = [group["betas"][0] if "betas" in group else group["momentum"] for group in groups]
    return [group["lr"] for group in groups] + momenta + list(scheduler.get_last_lr())


def run(optimizer, scheduler, steps, metric=None):
    rows = []
    for epoch in range(steps):
        optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric(epoch))
        rows.append(snapshot(optimizer, scheduler))
    return numpy.array(rows)


def sequence(name, make, kind="sgd", steps=STEPS):
    optimizer = make_optimizer(name, kind)
    scheduler = make(scheduler_module(name), optimizer)
    start = numpy.array([snapshot(optimizer, scheduler)])
    return numpy.concatenate([start, run(optimizer, scheduler, steps)])


# ---- the learning-rate sequences ---------------------------------------------------------

@pytest.mark.parametrize("name,make", CASES, ids=CASE_IDS)
def test_rates_match_torch(name, make):
    ours, theirs = sequence("minigrad", make), reference(lambda torch: sequence("torch", make))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name,make", CYCLING, ids=[case[0] for case in CYCLING])
def test_cycled_betas_of_adam_match_torch(name, make):
    ours = sequence("minigrad", make, kind="adam")
    theirs = reference(lambda torch: sequence("torch", make, kind="adam"))
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


# ConstantLR(total_iters=0) is left out: PyTorch's recursion then keeps the factor for good
CLOSED_FORMS = [case for case in SINGLE if case[0] != "constant_zero_iters" and case[1] in (
    "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR")]


@pytest.mark.parametrize("name,class_name,kwargs", CLOSED_FORMS, ids=[case[0] for case in CLOSED_FORMS])
def test_recursive_form_follows_the_closed_form(name, class_name, kwargs):
    # the recursion multiplies step by step, so it drifts from the formula by rounding only
    optimizer = make_optimizer("minigrad")
    scheduler = _single(class_name, kwargs)(lr_scheduler, optimizer)
    for _ in range(STEPS):
        optimizer.step()
        scheduler.step()
        numpy.testing.assert_allclose(scheduler.get_last_lr(), scheduler._get_closed_form_lr(), rtol=1e-9, atol=1e-15)


def test_the_tutorial_steplr_follows_its_closed_form():
    """StepLR(step_size=10, gamma=0.1) on the tutorial's lr 0.0125: lr = 0.0125 * 0.1 ** (epoch // 10)."""
    weight = minigrad.zeros(1, requires_grad=True)
    optimizer = optim.SGD([weight], lr=0.0125, momentum=0.9)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
    for epoch in range(50):
        expected = 0.0125 * 0.1 ** (epoch // 10)
        assert optimizer.param_groups[0]["lr"] == pytest.approx(expected, rel=1e-12)
        assert scheduler.get_last_lr() == pytest.approx([expected], rel=1e-12)
        optimizer.step()
        scheduler.step()


def test_the_tutorial_training_flow_on_lenet_matches_torch():
    """zero_grad, backward, step, scheduler.step() over LeNet: the scheduled rate reaches the
    update as in PyTorch (the other tests here step optimizers over parameters without gradients)."""
    ours = nn.models.LeNet(2)
    start = state_arrays(ours)

    def train(lib, module, model, loss_fn):
        optimizer = module.SGD(model.parameters(), lr=0.0125, momentum=0.9)
        scheduler = module.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
        rng = numpy.random.default_rng(0)
        for _ in range(5):
            images, labels = rng.standard_normal((8, 3, 32, 32)).astype("float32"), rng.integers(0, 2, 8)
            loss = loss_fn(model(lib.tensor(images)), lib.tensor(labels))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
        return [p.detach().numpy().copy() for p in model.parameters()]

    expected = reference(lambda torch: train(torch, torch.optim, load_arrays(torch_lenet(torch), start),
                                             torch.nn.CrossEntropyLoss()), sketch_above=SKETCH_ABOVE)
    for mine, want in zip(train(minigrad, optim, ours, nn.CrossEntropyLoss()), expected):
        assert_close_to(mine, want, rtol=1e-4, atol=1e-5)


# ---- ReduceLROnPlateau -------------------------------------------------------------------

def stalling_loss(epoch):
    """Improves, then wobbles on a plateau, then improves a little once more."""
    return max(1.0 / (1 + epoch), 0.3) + 0.01 * numpy.sin(epoch) - (0.05 if epoch > 80 else 0.0)


def rising_accuracy(epoch):
    return min(0.5 + 0.02 * epoch, 0.9) + 0.005 * numpy.cos(3 * epoch)


PLATEAU = [
    ("min_rel_cooldown", dict(factor=0.5, patience=3, cooldown=2, min_lr=[0.001, 0.002]), stalling_loss),
    ("min_abs", dict(factor=0.3, patience=2, threshold=0.01, threshold_mode="abs"), stalling_loss),
    ("min_patience_zero_eps", dict(factor=0.1, patience=0, eps=1e-3), stalling_loss),
    ("min_default", dict(), stalling_loss),
    ("max_rel", dict(mode="max", factor=0.5, patience=4, threshold=0.01, min_lr=0.01), rising_accuracy),
    ("max_abs", dict(mode="max", factor=0.2, patience=1, threshold=0.1, threshold_mode="abs"), rising_accuracy),
]


@pytest.mark.parametrize("name,options,metric", PLATEAU, ids=[case[0] for case in PLATEAU])
def test_reduce_lr_on_plateau_matches_torch(name, options, metric):
    def plateau(name):
        optimizer = make_optimizer(name)
        scheduler = scheduler_module(name).ReduceLROnPlateau(optimizer, **options)
        rates = run(optimizer, scheduler, STEPS, metric)
        return rates, [scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter, scheduler.last_epoch]

    results = plateau("minigrad") + reference(lambda torch: plateau("torch"))
    numpy.testing.assert_allclose(results[0], results[2], rtol=1e-12, atol=0)
    assert results[1] == results[3]
    assert results[0][0, 0] > results[0][-1, 0], "the scripted metric should trigger at least one cut"


def test_reduce_lr_on_plateau_takes_a_tensor_metric():
    optimizer = make_optimizer("minigrad")
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    for loss in (1.0, 2.0):
        scheduler.step(minigrad.tensor(loss))
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.005])


@pytest.mark.parametrize("min_lr", [0.001, [0.001, 0.002]], ids=["one_min_lr", "min_lr_per_group"])
def test_reduce_lr_on_plateau_after_a_group_is_added(min_lr):
    def outcome(name):
        optimizer = make_optimizer(name)
        scheduler = scheduler_module(name).ReduceLROnPlateau(optimizer, patience=0, min_lr=min_lr)
        optimizer.add_param_group({"params": [library(name)[0].zeros(1, requires_grad=True)], "lr": 0.2})
        try:
            for loss in (1.0, 2.0):
                scheduler.step(loss)
            return scheduler.get_last_lr()
        except RuntimeError as error:
            return str(error)

    outcomes = [outcome("minigrad"), reference(lambda torch: outcome("torch"))]
    assert outcomes[0] == pytest.approx(outcomes[1]) if isinstance(outcomes[1], list) else outcomes[0] == outcomes[1]


# ---- state_dict, resuming ----------------------------------------------------------------

STATEFUL = CASES + [(f"plateau_{name}", lambda S, o, options=options: S.ReduceLROnPlateau(o, **options))
                    for name, options, _ in PLATEAU[:2]]


def _step_with(scheduler, epoch):
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(stalling_loss(epoch))
    else:
        scheduler.step()


def _compare_states(ours, theirs, where="state_dict"):
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), where
        for key in theirs:
            _compare_states(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), where
        for index, (mine, reference) in enumerate(zip(ours, theirs)):
            _compare_states(mine, reference, f"{where}[{index}]")
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-12, abs=0), where
    else:
        assert ours == theirs, where


def plain_state(value):
    """A scheduler's state_dict with what cannot be stored (functions) kept as their type's name."""
    if isinstance(value, dict):
        return {key: plain_state(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(plain_state(item) for item in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return f"<{type(value).__name__}>"


@pytest.mark.parametrize("name,make", STATEFUL, ids=[case[0] for case in STATEFUL])
def test_state_dict_has_torchs_keys_and_values(name, make):
    def state(name):
        optimizer = make_optimizer(name)
        scheduler = make(scheduler_module(name), optimizer)
        for epoch in range(17):
            optimizer.step()
            _step_with(scheduler, epoch)
        return scheduler.state_dict()

    _compare_states(state("minigrad"), reference(lambda torch: plain_state(state("torch"))))


@pytest.mark.parametrize("name,make", STATEFUL, ids=[case[0] for case in STATEFUL])
def test_state_dict_round_trip_continues_the_sequence(name, make):
    optimizer = make_optimizer("minigrad")
    scheduler = make(lr_scheduler, optimizer)
    reference = []
    for epoch in range(60):
        optimizer.step()
        _step_with(scheduler, epoch)
        reference.append(snapshot(optimizer, scheduler))
        if epoch == 29:  # through pickle: a state_dict must hold no lambdas
            saved = pickle.dumps((optimizer.state_dict(), scheduler.state_dict()))
    fresh_optimizer = make_optimizer("minigrad")
    fresh = make(lr_scheduler, fresh_optimizer)  # built before loading, as PyTorch advises
    optimizer_state, scheduler_state = pickle.loads(saved)
    fresh_optimizer.load_state_dict(optimizer_state)
    fresh.load_state_dict(scheduler_state)
    for epoch in range(30, 60):
        fresh_optimizer.step()
        _step_with(fresh, epoch)
        assert snapshot(fresh_optimizer, fresh) == pytest.approx(reference[epoch], rel=1e-15, abs=0)


@pytest.mark.parametrize("name,class_name,kwargs", SINGLE, ids=[case[0] for case in SINGLE])
def test_resuming_with_last_epoch_matches_torch(name, class_name, kwargs):
    """PyTorch's other way to resume: load the optimizer, then build the scheduler with last_epoch."""
    make = _single(class_name, kwargs)

    def resumed_rates(name):
        optimizer = make_optimizer(name)
        scheduler = make(scheduler_module(name), optimizer)
        run(optimizer, scheduler, 23)
        resumed_optimizer = make_optimizer(name)
        resumed_optimizer.load_state_dict(optimizer.state_dict())
        resumed = make(scheduler_module(name), resumed_optimizer, last_epoch=23)
        return run(resumed_optimizer, resumed, 40)

    numpy.testing.assert_allclose(resumed_rates("minigrad"), reference(lambda torch: resumed_rates("torch")),
                                  rtol=1e-12, atol=0)


class Halving:
    """A callable object: LambdaLR's state_dict keeps its attributes."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


def test_lambda_state_keeps_callable_objects_only():
    optimizer = make_optimizer("minigrad")
    scheduler = lr_scheduler.LambdaLR(optimizer, [Halving(0.5), factor_per_group])
    state = scheduler.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    fresh = lr_scheduler.LambdaLR(make_optimizer("minigrad"), [Halving(0.9), factor_per_group])
    fresh.load_state_dict(state)
    assert fresh.lr_lambdas[0].rate == 0.5 and fresh.lr_lambdas[1] is factor_per_group


# ---- deprecated step(epoch) --------------------------------------------------------------

JUMPS = [case for case in SINGLE if case[1] in (
    "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
    "LambdaLR", "CyclicLR")][::2]
EPOCHS = [3, 1, 10, 10, 25, 24, 60, 0, 99]


@pytest.mark.parametrize("name,class_name,kwargs", JUMPS, ids=[case[0] for case in JUMPS])
def test_step_with_an_epoch_uses_the_closed_form_and_warns(name, class_name, kwargs):
    def jumps(name):
        optimizer = make_optimizer(name)
        scheduler = _single(class_name, kwargs)(scheduler_module(name), optimizer)
        rows = []
        for epoch in EPOCHS:
            optimizer.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
                scheduler.step(epoch)
            rows.append(snapshot(optimizer, scheduler))
        return rows

    numpy.testing.assert_allclose(jumps("minigrad"), reference(lambda torch: jumps("torch")), rtol=1e-12, atol=0)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_step_at_fractional_epochs(T_mult):
    """Stepped per batch with epoch + batch / batches, mixed with plain steps, as PyTorch's docs show."""
    epochs = [i / 4 for i in range(200)] + [None] * 5 + [70.2, 0.3, 13.999, None, 155.5]
    def restarts(name):
        optimizer = make_optimizer(name)
        scheduler = scheduler_module(name).CosineAnnealingWarmRestarts(optimizer, 5, T_mult, eta_min=0.001)
        rows = []
        for epoch in epochs:
            optimizer.step()
            scheduler.step(epoch)
            rows.append(snapshot(optimizer, scheduler) + [scheduler.T_cur, scheduler.T_i, scheduler.last_epoch])
        return rows

    numpy.testing.assert_allclose(restarts("minigrad"), reference(lambda torch: restarts("torch")), rtol=1e-12,
                                  atol=1e-15)


# ---- warnings ----------------------------------------------------------------------------

def _order_warnings(name, make):
    """Messages of the order warning when the scheduler steps twice before the optimizer."""
    optimizer = make_optimizer(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler = make(scheduler_module(name), optimizer)
        scheduler.step()
        scheduler.step()
    return [str(w.message) for w in caught if "before `optimizer.step()`" in str(w.message)]


@pytest.mark.parametrize("name,make", CASES, ids=CASE_IDS)
def test_stepping_before_the_optimizer_warns_as_torch(name, make):
    ours, theirs = _order_warnings("minigrad", make), reference(lambda torch: _order_warnings("torch", make))
    assert ours == theirs  # the same text, as often (once per scheduler; never for warm restarts)


def test_the_order_warning_names_both_calls():
    optimizer = make_optimizer("minigrad")
    scheduler = lr_scheduler.StepLR(optimizer, 3)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()


def _warnings_in_the_right_order(name, make):
    optimizer = make_optimizer(name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scheduler = make(scheduler_module(name), optimizer)
        run(optimizer, scheduler, 30)
    return optimizer, [str(w.message) for w in caught]


@pytest.mark.parametrize("name,make", CASES, ids=CASE_IDS)
def test_the_right_order_is_silent_and_leaves_optimizer_step_alone(name, make):
    optimizer, ours = _warnings_in_the_right_order("minigrad", make)
    assert ours == reference(lambda torch: _warnings_in_the_right_order("torch", make)[1])
    if name != "sequential_nested_chain":  # its construction steps the chain's members: torch warns there too
        assert ours == []
    assert "step" not in vars(optimizer), "schedulers must not patch optimizer.step"


def test_get_lr_outside_step_points_to_get_last_lr():
    optimizer = make_optimizer("minigrad")
    scheduler = lr_scheduler.ExponentialLR(optimizer, 0.9)
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        scheduler.get_lr()


def test_lr_scheduler_is_a_submodule_of_optim():
    assert optim.lr_scheduler is lr_scheduler
    assert lr_scheduler._LRScheduler is lr_scheduler.LRScheduler
    assert all(issubclass(getattr(lr_scheduler, name), lr_scheduler.LRScheduler) for name in lr_scheduler.__all__)


# ---- errors ------------------------------------------------------------------------------

def test_onecycle_raises_past_total_steps_as_torch():
    def past_the_end(name):
        optimizer = make_optimizer(name)
        scheduler = scheduler_module(name).OneCycleLR(optimizer, 0.1, total_steps=3)
        run(optimizer, scheduler, 3)
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3") as info:
            scheduler.step()
        return str(info.value)

    assert past_the_end("minigrad") == reference(lambda torch: past_the_end("torch"))


def _plateau(e):
    return e.S.ReduceLROnPlateau(e.o)


# (id, call on an environment e with e.S (lr_scheduler), e.M (optim), e.o and e.other (optimizers),
#  exception type, regex, whether PyTorch raises the same)
ERRORS = [
    ("not_an_optimizer", lambda e: e.S.StepLR([e.o], 3), TypeError, "list is not an Optimizer", True),
    ("resume_without_initial_lr", lambda e: e.S.StepLR(e.o, 3, last_epoch=5), KeyError, "initial_lr", True),
    ("step_size_zero", lambda e: e.S.StepLR(e.o, 0), ValueError, "step_size must be a positive integer", False),
    ("step_size_float", lambda e: e.S.StepLR(e.o, 2.5), ValueError, "step_size must be a positive integer", False),
    ("step_gamma_negative", lambda e: e.S.StepLR(e.o, 3, gamma=-0.1), ValueError, "gamma must be a positive", False),
    ("multistep_gamma_zero", lambda e: e.S.MultiStepLR(e.o, [3], gamma=0), ValueError, "gamma must be", False),
    ("exponential_gamma_zero", lambda e: e.S.ExponentialLR(e.o, 0.0), ValueError, "gamma must be", False),
    ("milestones_decreasing", lambda e: e.S.MultiStepLR(e.o, [5, 2]), ValueError, "list of increasing integers",
     False),
    ("constant_factor", lambda e: e.S.ConstantLR(e.o, factor=1.5), ValueError,
     "Constant multiplicative factor expected to be between 0 and 1", True),
    ("linear_start_factor", lambda e: e.S.LinearLR(e.o, start_factor=0), ValueError,
     "Starting multiplicative factor expected to be greater than 0", True),
    ("linear_end_factor", lambda e: e.S.LinearLR(e.o, end_factor=1.5), ValueError,
     "Ending multiplicative factor expected to be between 0 and 1", True),
    ("cosine_T_max", lambda e: e.S.CosineAnnealingLR(e.o, 0), ValueError, "T_max must be a positive", False),
    ("restarts_T_0", lambda e: e.S.CosineAnnealingWarmRestarts(e.o, 0), ValueError,
     "Expected positive integer T_0, but got 0", True),
    ("restarts_T_0_float", lambda e: e.S.CosineAnnealingWarmRestarts(e.o, 2.5), ValueError,
     "Expected positive integer T_0", True),
    ("restarts_T_mult", lambda e: e.S.CosineAnnealingWarmRestarts(e.o, 5, T_mult=0), ValueError,
     "Expected integer T_mult >= 1, but got 0", True),
    ("restarts_eta_min", lambda e: e.S.CosineAnnealingWarmRestarts(e.o, 5, eta_min="0"), ValueError,
     "Expected float or int eta_min", True),
    ("restarts_negative_epoch", lambda e: e.S.CosineAnnealingWarmRestarts(e.o, 5).step(-1), ValueError,
     "Expected non-negative epoch, but got -1", True),
    ("lambda_count", lambda e: e.S.LambdaLR(e.o, [factor_per_group]), ValueError, "Expected 2 lr_lambdas, but got 1",
     True),
    ("lambda_not_callable", lambda e: e.S.LambdaLR(e.o, 0.5), TypeError, "float", True),
    ("multiplicative_not_callable", lambda e: e.S.MultiplicativeLR(e.o, 0.5), TypeError,
     "lr_lambda should be a function, but got float", True),
    ("cyclic_mode", lambda e: e.S.CyclicLR(e.o, 0.01, 0.1, mode="zigzag"), ValueError,
     "mode is invalid and scale_fn is None", True),
    ("cyclic_without_momentum", lambda e: e.S.CyclicLR(e.M.Adagrad(e.o.param_groups[0]["params"]), 0.01, 0.1),
     ValueError, "optimizer must support momentum or beta1 with `cycle_momentum` option enabled", True),
    ("cyclic_base_lr_count", lambda e: e.S.CyclicLR(e.o, [0.01], 0.1), ValueError,
     "base_lr must have the same length as optimizer.param_groups. base_lr has 1 values, param_groups has 2.", True),
    ("cyclic_step_size_up", lambda e: e.S.CyclicLR(e.o, 0.01, 0.1, step_size_up=0), ValueError,
     "step_size_up must be positive", False),
    ("cyclic_scale_mode", lambda e: e.S.CyclicLR(e.o, 0.01, 0.1, scale_fn=abs, scale_mode="epochs"), ValueError,
     "scale_mode must be 'cycle' or 'iterations'", False),
    ("onecycle_no_length", lambda e: e.S.OneCycleLR(e.o, 0.1), ValueError,
     "You must define either total_steps OR \\(epochs AND steps_per_epoch\\)", True),
    ("onecycle_total_steps", lambda e: e.S.OneCycleLR(e.o, 0.1, total_steps=0), ValueError,
     "Expected positive integer total_steps, but got 0", True),
    ("onecycle_epochs", lambda e: e.S.OneCycleLR(e.o, 0.1, epochs=0, steps_per_epoch=3), ValueError,
     "Expected positive integer epochs, but got 0", True),
    ("onecycle_steps_per_epoch", lambda e: e.S.OneCycleLR(e.o, 0.1, epochs=2, steps_per_epoch=-1), ValueError,
     "Expected positive integer steps_per_epoch, but got -1", True),
    ("onecycle_pct_start", lambda e: e.S.OneCycleLR(e.o, 0.1, total_steps=9, pct_start=1.5), ValueError,
     "Expected float between 0 and 1 pct_start, but got 1.5", True),
    ("onecycle_pct_start_int", lambda e: e.S.OneCycleLR(e.o, 0.1, total_steps=9, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start", True),
    ("onecycle_anneal", lambda e: e.S.OneCycleLR(e.o, 0.1, total_steps=9, anneal_strategy="step"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear', instead got step", True),
    ("onecycle_without_momentum", lambda e: e.S.OneCycleLR(e.M.Adagrad(e.o.param_groups[0]["params"]), 0.1,
                                                           total_steps=9), ValueError, "must support momentum", True),
    ("onecycle_max_lr_count", lambda e: e.S.OneCycleLR(e.o, [0.1, 0.2, 0.3], total_steps=9), ValueError,
     "max_lr must have the same length as optimizer.param_groups", True),
    ("plateau_factor", lambda e: e.S.ReduceLROnPlateau(e.o, factor=1.0), ValueError, "Factor should be < 1.0.", True),
    ("plateau_mode", lambda e: e.S.ReduceLROnPlateau(e.o, mode="avg"), ValueError, "mode avg is unknown!", True),
    ("plateau_threshold_mode", lambda e: e.S.ReduceLROnPlateau(e.o, threshold_mode="pct"), ValueError,
     "threshold mode pct is unknown!", True),
    ("plateau_min_lr_count", lambda e: e.S.ReduceLROnPlateau(e.o, min_lr=[0.1, 0.2, 0.3]), ValueError,
     "expected 2 min_lrs, got 3", True),
    ("plateau_not_an_optimizer", lambda e: e.S.ReduceLROnPlateau(None), TypeError, "NoneType is not an Optimizer",
     True),
    ("sequential_empty", lambda e: e.S.SequentialLR(e.o, [], []), ValueError,
     "SequentialLR expects at least one scheduler, but got no scheduler.", True),
    ("sequential_milestone_count", lambda e: e.S.SequentialLR(e.o, [e.S.StepLR(e.o, 2)], [3]), ValueError,
     "expects number of schedulers provided to be one more than the number of milestone points", True),
    ("sequential_milestones_decreasing", lambda e: e.S.SequentialLR(
        e.o, [e.S.StepLR(e.o, 2), e.S.StepLR(e.o, 3), e.S.StepLR(e.o, 4)], [9, 3]), ValueError,
     "list of increasing integers", False),
    ("sequential_plateau", lambda e: e.S.SequentialLR(e.o, [e.S.StepLR(e.o, 2), _plateau(e)], [3]), ValueError,
     "SequentialLR does not support `ReduceLROnPlateau` scheduler", True),
    ("sequential_other_optimizer", lambda e: e.S.SequentialLR(e.o, [e.S.StepLR(e.o, 2), e.S.StepLR(e.other, 2)],
                                                              [3]), ValueError,
     "SequentialLR expects all schedulers to belong to the same optimizer, but got scheduler StepLR at index 1", True),
    ("sequential_not_a_scheduler", lambda e: e.S.SequentialLR(e.o, [e.S.StepLR(e.o, 2), 0.5], [3]), TypeError,
     "SequentialLR at index 1 should have `optimizer` as its attribute.", True),
    ("chained_empty", lambda e: e.S.ChainedScheduler([]), ValueError,
     "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.", True),
    ("chained_plateau", lambda e: e.S.ChainedScheduler([e.S.StepLR(e.o, 2), _plateau(e)]), ValueError,
     "ChainedScheduler does not support `ReduceLROnPlateau`", True),
    ("chained_other_optimizer", lambda e: e.S.ChainedScheduler([e.S.StepLR(e.o, 2), e.S.StepLR(e.other, 2)]),
     ValueError, "ChainedScheduler expects all schedulers to belong to the same optimizer", True),
]


@pytest.mark.parametrize("name,call,error,pattern,torch_too", ERRORS, ids=[case[0] for case in ERRORS])
def test_bad_arguments_raise(name, call, error, pattern, torch_too):
    def raised(library_name):
        module = library(library_name)[1]
        env = SimpleNamespace(S=module.lr_scheduler, M=module, o=make_optimizer(library_name),
                              other=make_optimizer(library_name))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Raised.of(lambda: call(env))

    for seen in [raised("minigrad")] + ([reference(lambda torch: raised("torch"))] if torch_too else []):
        assert seen is not None and seen.kind == error.__name__ and re.search(pattern, seen.message), seen
