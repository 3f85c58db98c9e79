"""Shared helpers for the optimizer tests: the same models, data and loop in minigrad and PyTorch.
PyTorch's runs are asked through tests/oracle.py, so they are live when PyTorch is installed and
read from the committed references otherwise.

Table-driven use::

    CASES = [("Adagrad", dict(lr=0.1)), ("Adagrad", dict(lr=0.1, lr_decay=0.01)), ...]

    @pytest.mark.parametrize("cls_name,kwargs", CASES, ids=case_ids(CASES))
    @pytest.mark.parametrize("dtype", ["float64", "float32"])
    def test_matches_torch(cls_name, kwargs, dtype):
        check_against_torch(cls_name, kwargs, dtype=dtype)           # MLP, 50 steps

    check_against_torch(cls_name, kwargs, model="lenet", steps=5)    # skips without nn.models.LeNet
    check_against_torch(cls_name, kwargs, groups=lambda m: [{"params": m.parameters()[:2], "lr": 0.1},
                                                            {"params": m.parameters()[2:]}])
    check_state_dict_layout(cls_name, kwargs)   # keys, ids, per-parameter buffers as PyTorch's
    check_resume(cls_name, kwargs)              # save at 25, load into a fresh optimizer: bit-identical
    check_repr(cls_name, kwargs)                # repr(optimizer) == repr(torch's)

Every check builds its models from one seeded NumPy generator, runs ``optimizer.step(closure)``
(the closure zeroes the gradients, evaluates the loss on the step's batch and back-propagates;
LBFGS calls it several times per step) and compares every parameter after every step. In the
store, a parameter's trajectory longer than ``SKETCH_ABOVE`` numbers is kept as a sketch.
"""
import numpy
import pytest

import minigrad
import optim
from oracle import Sketch, reference

SKETCH_ABOVE = 512

TOLERANCE = {"float64": 1e-9, "float32": 1e-5}
STEPS = 50
MAXIMIZE_STEPS = 20  # the default with maximize=True: ascent diverges and amplifies rounding


def case_ids(cases):
    """Readable pytest ids: ``Adam-lr=0.01-amsgrad=True`` (``Adam-defaults`` without kwargs)."""
    return [f"{name}-{'-'.join(f'{k}={v}' for k, v in kwargs.items()) or 'defaults'}" for name, kwargs in cases]


def libraries(lib_name):
    """(tensor library, optimizer module) for "minigrad" or "torch"."""
    if lib_name == "minigrad":
        return minigrad, optim
    import torch
    return torch, torch.optim


# ---- models ---------------------------------------------------------------------------------

class MLP:
    """A two-layer tanh network written with raw tensors, identical in minigrad and PyTorch:
    w1 (6x4), b1 (6), w2 (3x6).

    ``parameters()`` also lists ``frozen`` (requires_grad=False, used as the output bias) and
    ``unused`` (requires a gradient but takes no part in the loss): both keep ``.grad`` None,
    so every optimizer must skip them. ``loss(step)`` uses batch ``step % batches``; one batch
    by default (full-batch descent, which keeps LBFGS's many inner iterations well conditioned)."""

    def __init__(self, lib, dtype="float64", seed=0, batches=1):
        rng = numpy.random.default_rng(seed)

        def tensor(*shape, scale=1.0, requires_grad=True):
            return lib.tensor((scale * rng.standard_normal(shape)).astype(dtype), requires_grad=requires_grad)

        self.w1, self.b1, self.w2 = tensor(6, 4), tensor(6), tensor(3, 6)
        self.frozen = tensor(3, requires_grad=False)
        self.unused = tensor(2)
        self.inputs = [tensor(10, 4, requires_grad=False)]
        self.targets = [tensor(10, 3, requires_grad=False)]
        for _ in range(batches - 1):
            self.inputs.append(tensor(10, 4, requires_grad=False))
            self.targets.append(tensor(10, 3, requires_grad=False))

    def parameters(self):
        return [self.w1, self.b1, self.w2, self.frozen, self.unused]

    def loss(self, step=0):
        x, y = self.inputs[step % len(self.inputs)], self.targets[step % len(self.targets)]
        hidden = (x @ self.w1.T + self.b1).tanh()
        return ((hidden @ self.w2.T + self.frozen - y) ** 2).mean()


def torch_lenet(classes=2):
    """PyTorch's twin of ``nn.models.LeNet`` (same layers, same state_dict keys)."""
    import torch

    class LeNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = torch.nn.Conv2d(3, 6, 5), torch.nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2 = torch.nn.Linear(400, 120), torch.nn.Linear(120, 84)
            self.fc3 = torch.nn.Linear(84, classes)

        def forward(self, x):
            out = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
            out = torch.max_pool2d(torch.relu(self.conv2(out)), 2).flatten(1)
            return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(out)))))

    return LeNet()


def minigrad_lenet_class():
    """``nn.models.LeNet``, or a pytest skip saying why it is not there."""
    nn = pytest.importorskip("nn", reason="the nn package is not importable", exc_type=ImportError)
    lenet = getattr(getattr(nn, "models", None), "LeNet", None)
    if lenet is None:
        pytest.skip("nn.models.LeNet does not exist yet")
    return lenet


class LeNetCase:
    """LeNet on a few fixed random batches of 3x32x32 images with cross-entropy. Seeded alike,
    minigrad's LeNet starts from PyTorch's initial weights (tests/engine/test_random_order.py and
    tests/nn/test_lenet.py check that), so each library builds its own."""

    def __init__(self, lib, dtype="float64", seed=0, batches=3, batch_size=8):
        lib.manual_seed(seed)
        if lib is minigrad:
            import nn
            self.net = minigrad_lenet_class()(classes=2).to(getattr(minigrad, dtype))
            self.cross_entropy = nn.functional.cross_entropy
        else:
            self.net = torch_lenet().to(getattr(lib, dtype))
            self.cross_entropy = lib.nn.functional.cross_entropy
        rng = numpy.random.default_rng(seed)
        self.inputs = [lib.tensor(rng.standard_normal((batch_size, 3, 32, 32)).astype(dtype)) for _ in range(batches)]
        self.targets = [lib.tensor(rng.integers(0, 2, batch_size)) for _ in range(batches)]

    def parameters(self):
        return list(self.net.parameters())

    def loss(self, step=0):
        index = step % len(self.inputs)
        return self.cross_entropy(self.net(self.inputs[index]), self.targets[index])


def make_model(lib, model="mlp", dtype="float64"):
    if model == "mlp":
        return MLP(lib, dtype)
    if model == "lenet":
        return LeNetCase(lib, dtype)
    raise ValueError(f"unknown model {model!r}: 'mlp' or 'lenet'")


# ---- running an optimizer -------------------------------------------------------------------

def snapshot(params):
    return [p.detach().numpy().copy() for p in params]


class Run:
    """An optimizer ``cls_name(**kwargs)`` over ``model``'s parameters (or ``groups(model)``)."""

    def __init__(self, lib_name, cls_name, kwargs, model="mlp", dtype="float64", groups=None):
        self.lib, module = libraries(lib_name)
        self.model = make_model(self.lib, model, dtype)
        self.optimizer = getattr(module, cls_name)(groups(self.model) if groups else self.model.parameters(),
                                                   **kwargs)
        self.steps_done = 0

    def closure(self):
        self.optimizer.zero_grad()
        loss = self.model.loss(self.steps_done)
        loss.backward()
        return loss

    def step(self):
        """One ``optimizer.step(closure)``; returns the loss it returned, as a float."""
        loss = self.optimizer.step(self.closure)
        self.steps_done += 1
        return float(loss.detach().numpy())

    def run(self, steps):
        """(losses, parameters after each step) for ``steps`` more steps."""
        losses, history = [], []
        for _ in range(steps):
            losses.append(self.step())
            history.append(snapshot(self.model.parameters()))
        return losses, history


def relative_difference(ours, theirs):
    """max |ours - theirs| over the largest magnitude of ``theirs`` (so entries near zero do
    not inflate it); 0 for empty tensors."""
    if theirs.size == 0:
        return 0.0
    return float(numpy.max(numpy.abs(ours - theirs)) / max(float(numpy.max(numpy.abs(theirs))), 1e-300))


def per_parameter(history):
    """A trajectory (a list of steps, each a list of parameters) as one array per parameter,
    steps first: the form in which trajectories are stored."""
    return [numpy.stack([step[index] for step in history]) for index in range(len(history[0]))]


def assert_trajectories_close(ours, theirs, rtol):
    """Every parameter after every step within ``rtol`` (see ``relative_difference``). ``ours`` is
    a list of steps; ``theirs`` is one array (or stored ``Sketch``) per parameter, steps first."""
    assert len(ours[0]) == len(theirs), "number of parameters"
    for index, (mine, reference) in enumerate(zip(per_parameter(ours), theirs)):
        where = f"parameter {index}"
        if isinstance(reference, Sketch):  # every step at once, relative to the largest value of any step
            assert (mine.dtype.str, mine.shape) == (reference.dtype, reference.shape), where
            reference.check(mine, rtol=0, atol=rtol * reference.largest, message=where)
            continue
        assert mine.shape == reference.shape and mine.dtype == reference.dtype, where
        for step, (a, b) in enumerate(zip(mine, reference)):
            difference = relative_difference(a, b)
            assert difference <= rtol, f"step {step + 1}, {where}: relative difference {difference:.3g}"


def torch_trajectory(cls_name, kwargs, steps, *, model="mlp", dtype="float64", groups=None, observe=None,
                     label=None):
    """PyTorch's run of ``cls_name(**kwargs)``: {"losses", "params" (per parameter, steps first)},
    and ``observe(run)`` of the finished run under "observed" when given."""
    def run(torch):
        theirs = Run("torch", cls_name, kwargs, model, dtype, groups)
        losses, history = theirs.run(steps)
        answer = {"losses": losses, "params": per_parameter(history)}
        if observe is not None:
            answer["observed"] = observe(theirs)
        return answer

    return reference(run, label, sketch_above=SKETCH_ABOVE)


def check_against_torch(cls_name, kwargs, *, model="mlp", dtype="float64", steps=None, rtol=None, groups=None,
                        observe=None):
    """Run ``cls_name(**kwargs)`` in minigrad and torch.optim for ``steps`` steps (default 50,
    20 with maximize: ascent diverges; pass ``steps`` with a small lr for longer) and assert
    that every parameter matches after every step (``rtol`` defaults to 1e-9 in float64, 1e-5
    in float32) and that step(closure) returns the same loss. Returns our ``Run`` and what
    ``observe`` saw of PyTorch's finished run (None without ``observe``)."""
    if steps is None:
        steps = MAXIMIZE_STEPS if kwargs.get("maximize") else STEPS
    rtol = TOLERANCE[dtype] if rtol is None else rtol
    expected = torch_trajectory(cls_name, kwargs, steps, model=model, dtype=dtype, groups=groups, observe=observe)
    ours = Run("minigrad", cls_name, kwargs, model, dtype, groups)
    our_losses, our_history = ours.run(steps)
    assert_trajectories_close(our_history, expected["params"], rtol)
    numpy.testing.assert_allclose(our_losses, expected["losses"], rtol=max(rtol, 1e-12))
    return ours, expected.get("observed")


# ---- state_dict, resume, repr ---------------------------------------------------------------

def _describe_state(state_dict):
    """Per id: {key: ("tensor", shape, dtype name) or ("number", python type)}."""
    described = {}
    for key, buffers in state_dict["state"].items():
        described[key] = {name: ("tensor", tuple(value.shape), str(value.dtype).replace("torch.", "").replace("minigrad.", ""))
                          if hasattr(value, "shape") else ("number", type(value).__name__)
                          for name, value in buffers.items()}
    return described


def describe_state_dict(state_dict):
    """What of a state_dict must match PyTorch's: its keys, the buffers' layout, the param_groups."""
    return {"keys": sorted(state_dict), "state": _describe_state(state_dict),
            "param_groups": state_dict["param_groups"]}


def check_state_dict_layout(cls_name, kwargs, steps=3, groups=None, model="mlp", dtype="float64"):
    """After ``steps`` steps, minigrad's state_dict has PyTorch's layout: the same ids, the same
    buffer names, kinds, shapes and dtypes, and the same param_groups (hyper-parameters and id lists).
    Returns our state_dict and the description of PyTorch's."""
    def described(torch):
        theirs = Run("torch", cls_name, kwargs, model, dtype, groups)
        theirs.run(steps)
        return describe_state_dict(theirs.optimizer.state_dict())

    expected = reference(described, "state_dict layout")
    ours = Run("minigrad", cls_name, kwargs, model, dtype, groups)
    ours.run(steps)
    mine = ours.optimizer.state_dict()
    observed = describe_state_dict(mine)
    assert observed["keys"] == expected["keys"] == ["param_groups", "state"]
    assert observed["state"] == expected["state"]
    assert observed["param_groups"] == expected["param_groups"]
    return mine, expected


def check_resume(cls_name, kwargs, steps=50, save_at=25, groups=None, model="mlp", dtype="float64",
                 through_file=None):
    """Save at ``save_at``, load into a fresh optimizer over a fresh model holding the same
    weights, continue to ``steps``: exactly the parameters of the uninterrupted run. With
    ``through_file`` (a path) the state_dict also goes through minigrad.save/load."""
    uninterrupted = Run("minigrad", cls_name, kwargs, model, dtype, groups)
    _, expected = uninterrupted.run(steps)
    first = Run("minigrad", cls_name, kwargs, model, dtype, groups)
    first.run(save_at)
    saved = first.optimizer.state_dict()
    if through_file is not None:
        minigrad.save(saved, through_file)
        saved = minigrad.load(through_file)
    second = Run("minigrad", cls_name, kwargs, model, dtype, groups)
    for target, source in zip(second.model.parameters(), first.model.parameters()):
        target.array[...] = source.array
    second.optimizer.load_state_dict(saved)
    second.steps_done = save_at
    first.run(steps - save_at)  # must not disturb the loaded optimizer (nothing is shared)
    _, resumed = second.run(steps - save_at)
    for step, (a_params, b_params) in enumerate(zip(expected[save_at:], resumed)):
        for index, (a, b) in enumerate(zip(a_params, b_params)):
            numpy.testing.assert_array_equal(b, a, err_msg=f"step {save_at + step + 1}, parameter {index}")
    assert second.optimizer._step_count == steps - save_at  # counts this optimizer's own steps


def check_repr(cls_name, kwargs, groups=None):
    ours = Run("minigrad", cls_name, kwargs, groups=groups)
    expected = reference(lambda torch: repr(Run("torch", cls_name, kwargs, groups=groups).optimizer), "repr")
    assert repr(ours.optimizer) == expected
