"""LBFGS against torch.optim.LBFGS: trajectories with and without the strong-Wolfe line search
on a small MLP and on Rosenbrock, the returned loss, the first step size, the stopping rules,
the state_dict layout, save/load mid-run, and the errors.

L-BFGS amplifies rounding: each step runs up to 20 iterations whose directions depend on all
the previous ones, and a stochastic loss (a different batch every step) makes it diverge from
any reference after a few steps. So the MLP here is trained full-batch (a deterministic loss,
on which L-BFGS converges), and float32 runs are kept to a few short steps. PyTorch's side is
asked through tests/oracle.py (live, or its stored answers).
"""
import re

import numpy
import pytest

import minigrad
import optim
from optim_cases import (assert_trajectories_close, case_ids, check_repr, check_resume, libraries, per_parameter,
                         snapshot)
from oracle import Raised, reference


class FullBatchMLP:
    """A 4-6-3 tanh network on one fixed batch (a deterministic loss, on which L-BFGS converges),
    plus a frozen parameter and one without a gradient, which LBFGS flattens as zeros."""

    def __init__(self, lib, dtype, seed=0):
        rng = numpy.random.default_rng(seed)

        def tensor(*shape, scale=1.0, requires_grad=True):
            return lib.tensor((scale * rng.standard_normal(shape)).astype(dtype), requires_grad=requires_grad)

        self.w1, self.b1 = tensor(6, 4, scale=0.5), tensor(6, scale=0.1)
        self.w2, self.b2 = tensor(3, 6, scale=0.5), tensor(3, scale=0.1)
        self.frozen, self.unused = tensor(3, requires_grad=False), tensor(2)
        self.x, self.y = tensor(10, 4, requires_grad=False), tensor(10, 3, requires_grad=False)

    def parameters(self):
        return [self.w1, self.b1, self.w2, self.b2, self.frozen, self.unused]

    def loss(self):
        hidden = (self.x @ self.w1.T + self.b1).tanh()
        return ((hidden @ self.w2.T + self.b2 + self.frozen - self.y) ** 2).mean()


class Rosenbrock:
    """f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2); its minimum is 0 at (1, 1)."""

    def __init__(self, lib, dtype):
        self.point = lib.tensor(numpy.array([-1.5, 2.0], dtype=dtype), requires_grad=True)

    def parameters(self):
        return [self.point]

    def loss(self):
        x, y = self.point[0], self.point[1]
        return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


class Quadratic:
    """f(w) = scale * sum(w^2) from ``start``: its gradient is as small as we like."""

    def __init__(self, lib, dtype, start=(0.5, -0.25, 1.0), scale=0.01):
        self.w = lib.tensor(numpy.array(start, dtype=dtype), requires_grad=True)
        self.scale = scale

    def parameters(self):
        return [self.w]

    def loss(self):
        return self.scale * (self.w ** 2).sum()


PROBLEMS = {
    "mlp": FullBatchMLP,
    "rosenbrock": Rosenbrock,
    "quadratic": Quadratic,
    "at_minimum": lambda lib, dtype: Quadratic(lib, dtype, start=(0.0, 0.0, 0.0)),
}


class LBFGSRun:
    """LBFGS(**kwargs) on one of ``PROBLEMS`` in minigrad or torch; counts the closure's calls."""

    def __init__(self, lib_name, problem, kwargs, dtype="float64"):
        self.lib, module = libraries(lib_name)
        self.problem = PROBLEMS[problem](self.lib, dtype)
        self.optimizer = module.LBFGS(self.problem.parameters(), **kwargs)
        self.closure_losses = []

    def closure(self):
        self.optimizer.zero_grad()
        loss = self.problem.loss()
        loss.backward()
        self.closure_losses.append(loss)
        return loss

    @property
    def state(self):
        return self.optimizer.state[self.problem.parameters()[0]]

    def run(self, steps):
        """(returned losses as floats, parameters after each step, (func_evals, n_iter) after each step)."""
        losses, history, counters = [], [], []
        for _ in range(steps):
            losses.append(float(self.optimizer.step(self.closure).detach().numpy()))
            history.append(snapshot(self.problem.parameters()))
            counters.append((self.state["func_evals"], self.state["n_iter"]))
        return losses, history, counters


def compare_with_torch(problem, kwargs, steps, dtype, rtol):
    def theirs(torch):
        losses, history, counters = LBFGSRun("torch", problem, kwargs, dtype).run(steps)
        return {"losses": losses, "params": per_parameter(history), "counters": counters}

    expected = reference(theirs)
    our_losses, our_history, our_counters = LBFGSRun("minigrad", problem, kwargs, dtype).run(steps)
    assert_trajectories_close(our_history, expected["params"], rtol)
    numpy.testing.assert_allclose(our_losses, expected["losses"], rtol=rtol, atol=1e-12)
    assert our_counters == expected["counters"]  # the same number of closure calls and iterations


WOLFE = "strong_wolfe"
FLOAT64_CASES = [
    ("mlp", dict(), 6),
    ("mlp", dict(line_search_fn=WOLFE), 6),
    ("mlp", dict(lr=0.5, history_size=3, max_iter=5), 6),
    ("mlp", dict(lr=0.3, max_iter=10, tolerance_change=1e-5), 6),
    ("mlp", dict(line_search_fn=WOLFE, history_size=4, max_iter=8, max_eval=12, tolerance_change=1e-6), 6),
    ("mlp", dict(line_search_fn=WOLFE, tolerance_grad=1e-3), 4),
    ("rosenbrock", dict(max_iter=5), 6),
    ("rosenbrock", dict(lr=0.5, max_iter=5, history_size=4), 8),
    ("rosenbrock", dict(line_search_fn=WOLFE), 8),
    ("rosenbrock", dict(line_search_fn=WOLFE, max_iter=5, history_size=3), 3),
]
FLOAT32_CASES = [
    ("mlp", dict(), 1),
    ("mlp", dict(line_search_fn=WOLFE), 1),
    ("mlp", dict(line_search_fn=WOLFE, max_iter=5, history_size=5), 3),
    ("mlp", dict(lr=0.5, history_size=3, max_iter=5), 3),
    ("mlp", dict(max_iter=1), 8),
    ("rosenbrock", dict(lr=0.5, max_iter=5, history_size=4), 3),
    ("rosenbrock", dict(line_search_fn=WOLFE, max_iter=5, history_size=3), 2),
]


def ids(cases):
    return [f"{problem}-{steps}steps-{case}" for (problem, _, steps), case in
            zip(cases, case_ids([("LBFGS", kwargs) for _, kwargs, _ in cases]))]


@pytest.mark.parametrize("problem,kwargs,steps", FLOAT64_CASES, ids=ids(FLOAT64_CASES))
def test_matches_torch_float64(problem, kwargs, steps):
    compare_with_torch(problem, kwargs, steps, "float64", rtol=1e-9)


@pytest.mark.parametrize("problem,kwargs,steps", FLOAT32_CASES, ids=ids(FLOAT32_CASES))
def test_matches_torch_float32(problem, kwargs, steps):
    compare_with_torch(problem, kwargs, steps, "float32", rtol=1e-5)


@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn=WOLFE)], ids=["fixed_step", "strong_wolfe"])
def test_step_returns_the_loss_of_its_first_closure_call(kwargs):
    run = LBFGSRun("minigrad", "rosenbrock", kwargs)
    for _ in range(3):
        calls_before = len(run.closure_losses)
        returned = run.optimizer.step(run.closure)
        assert len(run.closure_losses) > calls_before + 1  # it did evaluate more points
        assert returned is run.closure_losses[calls_before]


@pytest.mark.parametrize("problem,lr", [("rosenbrock", 0.5), ("quadratic", 0.5)],
                         ids=["large_gradient", "small_gradient"])
def test_first_step_size_is_min_of_one_and_inverse_l1_norm_times_lr(problem, lr):
    run = LBFGSRun("minigrad", problem, dict(lr=lr, max_iter=1))
    start = snapshot(run.problem.parameters())[0]
    run.closure()
    gradient = run.problem.parameters()[0].grad.numpy().copy()
    run.optimizer.step(run.closure)
    expected_t = min(1.0, 1.0 / numpy.abs(gradient).sum()) * lr
    assert float(run.state["t"]) == pytest.approx(expected_t, rel=1e-15)
    numpy.testing.assert_allclose(snapshot(run.problem.parameters())[0], start - expected_t * gradient, rtol=1e-15)
    def first_step(torch):
        theirs = LBFGSRun("torch", problem, dict(lr=lr, max_iter=1))
        theirs.optimizer.step(theirs.closure)
        return float(theirs.state["t"])

    assert float(run.state["t"]) == reference(first_step)


def test_a_zero_gradient_stops_before_any_iteration():
    def stop(lib_name):
        run = LBFGSRun(lib_name, "at_minimum", dict())
        returned = run.optimizer.step(run.closure)
        return {"returned": float(returned.detach().numpy()), "calls": len(run.closure_losses),
                "state": dict(run.state)}

    assert stop("minigrad") == reference(lambda torch: stop("torch")) == \
        {"returned": 0.0, "calls": 1, "state": {"func_evals": 1, "n_iter": 0}}


@pytest.mark.parametrize("kwargs", [dict(max_iter=10, max_eval=4), dict(line_search_fn=WOLFE, max_iter=10, max_eval=7)],
                         ids=["fixed_step", "strong_wolfe"])
def test_max_eval_bounds_the_closure_calls_of_one_step(kwargs):
    def calls_per_step(lib_name):
        run = LBFGSRun(lib_name, "rosenbrock", kwargs)
        per_step = []
        for _ in range(3):
            before = len(run.closure_losses)
            run.optimizer.step(run.closure)
            per_step.append(len(run.closure_losses) - before)
        return per_step

    counts = {"minigrad": calls_per_step("minigrad"), "torch": reference(lambda torch: calls_per_step("torch"))}
    assert counts["minigrad"] == counts["torch"]
    if "line_search_fn" not in kwargs:
        assert max(counts["minigrad"]) <= kwargs["max_eval"]


# ---- the line search's interpolation -------------------------------------------------------

CUBICS = [  # (x1, f1, g1, x2, f2, g2, bounds, expected minimiser)
    (0.0, 0.09, -0.6, 1.0, 0.49, 1.4, None, 0.3),  # (x - 0.3)^2: the cubic is that parabola
    (1.0, 0.49, 1.4, 0.0, 0.09, -0.6, None, 0.3),  # the same points in the other order
    (0.0, 0.0, -1.0, 1.0, -1 + 0.001 / 3, -0.999, (1.01, 10.0), 10.0),  # -x + x^3/3000: minimum at 31.6, clamped
    (0.0, 0.0, 2.0, 1.0, 1.0, 2.0, None, 0.5),  # no real stationary point: the middle
]


@pytest.mark.parametrize("x1,f1,g1,x2,f2,g2,bounds,expected", CUBICS,
                         ids=["parabola", "reversed", "clamped", "no_minimum"])
def test_cubic_interpolation(x1, f1, g1, x2, f2, g2, bounds, expected):
    from optim._line_search import _cubic_interpolate

    def theirs(torch):
        from torch.optim.lbfgs import _cubic_interpolate as torch_cubic_interpolate
        return float(torch_cubic_interpolate(x1, f1, torch.tensor(g1, dtype=torch.float64), x2, f2,
                                             torch.tensor(g2, dtype=torch.float64), bounds))

    ours = _cubic_interpolate(x1, f1, numpy.float64(g1), x2, f2, numpy.float64(g2), bounds)
    assert float(ours) == pytest.approx(expected, abs=1e-12)
    assert float(ours) == reference(theirs)


# ---- state_dict -----------------------------------------------------------------------------

def describe(value):
    """The layout of a state entry: tensors by shape and dtype, lists item by item."""
    if hasattr(value, "shape"):
        return ("tensor", tuple(value.shape), str(value.dtype).replace("torch.", "").replace("minigrad.", ""))
    if isinstance(value, list):
        return ("list", [describe(item) for item in value])
    return type(value).__name__


def flatten(value):
    """Every number in a state entry, in order, as float64."""
    if isinstance(value, list):
        return [number for item in value for number in flatten(item)]
    if value is None:
        return []
    if hasattr(value, "shape"):
        return list(numpy.asarray(value.detach().numpy() if hasattr(value, "detach") else value,
                                  dtype=numpy.float64).reshape(-1))
    return [float(value)]


@pytest.mark.parametrize("kwargs", [dict(history_size=3, max_iter=4), dict(line_search_fn=WOLFE, max_iter=4)],
                         ids=["fixed_step", "strong_wolfe"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_state_dict_layout_and_values_match_torch(kwargs, dtype):
    def state_dict(lib_name):
        run = LBFGSRun(lib_name, "mlp", kwargs, dtype)
        run.run(2)
        saved = run.optimizer.state_dict()
        return {"param_groups": saved["param_groups"], "ids": list(saved["state"]),
                "keys": list(saved["state"][0]),  # all of it under the first parameter
                "layout": {key: describe(value) for key, value in saved["state"][0].items()},
                "values": {key: flatten(value) for key, value in saved["state"][0].items()}}

    mine, expected = state_dict("minigrad"), reference(lambda torch: state_dict("torch"))
    assert mine["param_groups"] == expected["param_groups"]
    assert mine["ids"] == expected["ids"] == [0]
    assert mine["keys"] == expected["keys"]  # same keys, same order
    for key in expected["keys"]:
        assert mine["layout"][key] == expected["layout"][key], key
        if dtype == "float64":
            numpy.testing.assert_allclose(mine["values"][key], expected["values"][key], rtol=1e-9, atol=1e-12,
                                          err_msg=key)


@pytest.mark.parametrize("kwargs", [dict(lr=0.5, history_size=3, max_iter=5),
                                    dict(line_search_fn=WOLFE, history_size=4, max_iter=5)],
                         ids=["fixed_step", "strong_wolfe"])
def test_save_and_load_mid_run_continues_identically(kwargs, tmp_path):
    check_resume("LBFGS", kwargs, steps=8, save_at=4)
    check_resume("LBFGS", kwargs, steps=6, save_at=3, through_file=tmp_path / "lbfgs.pt")


def test_state_dict_is_a_copy():
    run = LBFGSRun("minigrad", "rosenbrock", dict(max_iter=3))
    run.run(1)
    saved = run.optimizer.state_dict()
    direction = saved["state"][0]["d"].numpy().copy()
    run.run(1)
    numpy.testing.assert_array_equal(saved["state"][0]["d"].numpy(), direction)


def test_repr_matches_torch():
    check_repr("LBFGS", dict(lr=0.5, history_size=10, line_search_fn=WOLFE))


# ---- errors ---------------------------------------------------------------------------------

def two_params(lib):
    return [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]


ERRORS = [
    (lambda lib, p: lib.optim.LBFGS(p).step(), TypeError, "closure"),
    (lambda lib, p: lib.optim.LBFGS([{"params": [p[0]]}, {"params": [p[1]]}]), ValueError, "per-parameter options"),
    (lambda lib, p: lib.optim.LBFGS(p, lr=-1), ValueError, "Invalid learning rate"),
]


class _Library:
    def __init__(self, lib, module):
        self.zeros, self.optim = lib.zeros, module


@pytest.mark.parametrize("make,error,words", ERRORS, ids=["no_closure", "two_groups", "negative_lr"])
def test_errors_match_torch(make, error, words):
    with pytest.raises(error, match=words):
        make(_Library(minigrad, optim), two_params(minigrad))
    theirs = reference(lambda torch: Raised.of(lambda: make(_Library(torch, torch.optim), two_params(torch))))
    assert theirs is not None and theirs.kind == error.__name__ and re.search(words, theirs.message)


def test_a_missing_closure_is_also_a_runtime_error():
    with pytest.raises(RuntimeError, match="requires a closure"):
        optim.LBFGS(two_params(minigrad)).step()


def test_an_unknown_line_search_fails_at_the_first_step_as_in_torch():
    def first_step(lib, module):
        point = lib.zeros(2, requires_grad=True)
        optimizer = module.LBFGS([point], line_search_fn="armijo")  # accepted here, as PyTorch does

        def closure():
            optimizer.zero_grad()
            loss = ((point - 1) ** 2).sum()
            loss.backward()
            return loss

        return Raised.of(lambda: optimizer.step(closure))

    for raised in (first_step(minigrad, optim), reference(lambda torch: first_step(torch, torch.optim))):
        assert raised is not None and raised.kind == "RuntimeError"
        assert "only 'strong_wolfe' is supported" in raised.message
