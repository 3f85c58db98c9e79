"""Every learning-rate scheduler against PyTorch's sequence, with two parameter groups."""
import warnings

import numpy
import pytest

import minigrad
import optim
from optim import lr_scheduler

torch = pytest.importorskip("torch")

SCHEDULERS = [
    ("step", lambda S, o: S.StepLR(o, 7, 0.5)),
    ("step_tutorial", lambda S, o: S.StepLR(o, step_size=10, gamma=0.1)),
    ("multistep", lambda S, o: S.MultiStepLR(o, [5, 20, 20, 60], 0.3)),
    ("constant", lambda S, o: S.ConstantLR(o, 0.25, 12)),
    ("linear", lambda S, o: S.LinearLR(o, 0.1, 0.9, 30)),
    ("linear_default", lambda S, o: S.LinearLR(o)),
    ("exponential", lambda S, o: S.ExponentialLR(o, 0.97)),
    ("polynomial", lambda S, o: S.PolynomialLR(o, 50, 2.0)),
    ("polynomial_default", lambda S, o: S.PolynomialLR(o)),
    ("cosine", lambda S, o: S.CosineAnnealingLR(o, 25, 0.001)),
    ("cosine_restarts", lambda S, o: S.CosineAnnealingWarmRestarts(o, 10, 2, 0.001)),
    ("cosine_restarts_flat", lambda S, o: S.CosineAnnealingWarmRestarts(o, 7)),
    ("lambda_per_group", lambda S, o: S.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)])),
    ("multiplicative", lambda S, o: S.MultiplicativeLR(o, lambda e: 0.98)),
    ("cyclic_triangular2", lambda S, o: S.CyclicLR(o, 0.01, 0.1, 10, 5, mode="triangular2")),
    ("cyclic_exp_range", lambda S, o: S.CyclicLR(o, [0.01, 0.02], 0.1, 7, mode="exp_range", gamma=0.99)),
    ("cyclic_scale_fn", lambda S, o: S.CyclicLR(o, 0.01, 0.1, 6, scale_fn=lambda x: 0.9 ** x,
                                                scale_mode="iterations")),
    ("onecycle", lambda S, o: S.OneCycleLR(o, 0.5, total_steps=120)),
    ("onecycle_three_phase_linear", lambda S, o: S.OneCycleLR(o, [0.5, 0.2], epochs=10, steps_per_epoch=13,
                                                              three_phase=True, anneal_strategy="linear")),
    ("sequential", lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=10), S.ExponentialLR(o, 0.95)],
                                               [10])),
    ("chained", lambda S, o: S.ChainedScheduler([S.ConstantLR(o, 0.5, 10), S.ExponentialLR(o, 0.97)])),
]


def _optimizer(lib, module, kind="SGD"):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    return module.SGD(groups, lr=0.1, momentum=0.9) if kind == "SGD" else module.Adam(groups, lr=0.1)


def sequence(lib, module, make, steps=120, kind="SGD", metrics=None):
    optimizer = _optimizer(lib, module, kind)
    scheduler = make(module.lr_scheduler, optimizer)
    values = []
    for epoch in range(steps):
        optimizer.step()
        scheduler.step(metrics(epoch)) if metrics else scheduler.step()
        group = optimizer.param_groups[0]
        momentum = group["momentum"] if "momentum" in group else group["betas"][0]
        values.append([g["lr"] for g in optimizer.param_groups] + [momentum] + scheduler.get_last_lr())
    return numpy.array(values)


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name,make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_learning_rates_match_torch(name, make, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = sequence(minigrad, optim, make, kind=kind), sequence(torch, torch.optim, make, kind=kind)
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


PLATEAU = [
    dict(factor=0.5, patience=3, cooldown=2, min_lr=[0.001, 0.002]),
    dict(mode="max", factor=0.2, patience=1, threshold=0.1, threshold_mode="abs"),
    dict(factor=0.1, patience=0, eps=1e-3),
]


@pytest.mark.parametrize("options", PLATEAU, ids=["min_rel_cooldown", "max_abs", "eps"])
def test_reduce_lr_on_plateau_matches_torch(options):
    def metric(epoch):
        return max(1.0 / (1 + epoch), 0.3) + 0.01 * numpy.sin(epoch)

    def make(S, o):
        return S.ReduceLROnPlateau(o, **options)

    ours = sequence(minigrad, optim, make, metrics=metric)
    theirs = sequence(torch, torch.optim, make, metrics=metric)
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("name,make", [s for s in SCHEDULERS if s[0] in (
    "step", "multistep", "constant", "linear", "exponential", "polynomial", "cosine")], ids=str)
def test_closed_forms_agree_with_the_recursion(name, make):
    optimizer = _optimizer(minigrad, optim)
    scheduler = make(lr_scheduler, optimizer)
    for _ in range(40):
        optimizer.step()
        scheduler.step()
        numpy.testing.assert_allclose(scheduler.get_last_lr(), scheduler._get_closed_form_lr(), rtol=1e-9)


def test_the_tutorial_steplr_closed_form():
    optimizer = _optimizer(minigrad, optim)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
    for epoch in range(35):
        assert scheduler.get_last_lr()[0] == pytest.approx(0.1 * 0.1 ** (epoch // 10))
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize("name,make", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_state_dict_round_trip_continues_the_sequence(name, make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = sequence(minigrad, optim, make, steps=60)
        optimizer = _optimizer(minigrad, optim)
        scheduler = make(lr_scheduler, optimizer)
        for _ in range(30):
            optimizer.step()
            scheduler.step()
        saved_opt, saved_sched = optimizer.state_dict(), scheduler.state_dict()
        fresh_optimizer = _optimizer(minigrad, optim)
        fresh = make(lr_scheduler, fresh_optimizer)
        fresh_optimizer.load_state_dict(saved_opt)
        fresh.load_state_dict(saved_sched)
        for step in range(30, 60):
            fresh_optimizer.step()
            fresh.step()
            numpy.testing.assert_allclose([g["lr"] for g in fresh_optimizer.param_groups], reference[step][:2],
                                          rtol=1e-12)


def test_warns_when_stepped_before_the_optimizer():
    optimizer = _optimizer(minigrad, optim)
    scheduler = lr_scheduler.StepLR(optimizer, 3)
    with pytest.warns(UserWarning, match=r"`lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()
    optimizer = _optimizer(minigrad, optim)
    scheduler = lr_scheduler.StepLR(optimizer, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()


def test_onecycle_raises_past_total_steps():
    optimizer = _optimizer(minigrad, optim)
    scheduler = lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps=3)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        scheduler.step()


@pytest.mark.parametrize("call,error,words", [
    (lambda o: lr_scheduler.StepLR(o, 0), ValueError, "step_size must be a positive integer"),
    (lambda o: lr_scheduler.MultiStepLR(o, [5, 2]), ValueError, "increasing"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 0), ValueError, "positive integer T_0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.5), ValueError, "Factor should be < 1.0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="zigzag"), ValueError, "mode is invalid"),
    (lambda o: lr_scheduler.OneCycleLR(o, 0.1), ValueError, "total_steps OR"),
    (lambda o: lr_scheduler.StepLR(o, 3, last_epoch=5), KeyError, "initial_lr"),
    (lambda o: lr_scheduler.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
    (lambda o: lr_scheduler.CyclicLR(optim.Adagrad([minigrad.zeros(1, requires_grad=True)]), 0.01, 0.1),
     ValueError, "must support momentum"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], [3]), ValueError, "one more"),
], ids=["step_size", "milestones", "T_0", "factor", "mode", "cyclic_mode", "onecycle_steps", "initial_lr", "lambdas",
        "cyclic_momentum", "sequential"])
def test_scheduler_errors(call, error, words):
    with pytest.raises(error, match=words):
        call(_optimizer(minigrad, optim))
