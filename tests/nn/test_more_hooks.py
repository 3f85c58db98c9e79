"""Module backward hooks against PyTorch: register_full_backward_hook (what the hook sees, the
gradients it replaces, the order across layers, removal), register_full_backward_pre_hook, and
the deprecated register_backward_hook on single-op modules; PyTorch's errors and warnings."""
import warnings

import pytest

import minigrad
import nn
from oracle import reference
from torch_compare import assert_same_observations


def recorder(seen, name):
    """A full backward hook that records what it is given."""
    def hook(module, grad_input, grad_output):
        seen.append((name, type(module).__name__, tuple(grad_input), tuple(grad_output)))
    return hook


def _network(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))


def _observe(seen):
    """The hook calls as comparable observations: names and the gradients (None kept)."""
    return {f"call {k}": (name, kind, grad_input, grad_output) for k, (name, kind, grad_input, grad_output)
            in enumerate(seen)}


def test_full_backward_hooks_see_torchs_gradients_in_torchs_order():
    def scenario(lib):
        net, seen = _network(lib), []
        for index, layer in enumerate(net):
            layer.register_full_backward_hook(recorder(seen, f"layer {index}"))
        x = lib.randn(5, 3, requires_grad=True)
        net(x).pow(2).sum().backward()
        return {**_observe(seen), "x.grad": x.grad, "weight grad": net[0].weight.grad}
    assert_same_observations(scenario)


def test_a_full_backward_hook_replaces_grad_input():
    def scenario(lib):
        net = _network(lib)
        net[1].register_full_backward_hook(lambda module, grad_input, grad_output: (grad_input[0] * 0 + 1,))
        x = lib.randn(5, 3, requires_grad=True)
        net(x).sum().backward()
        return {"x.grad": x.grad, "first weight grad": net[0].weight.grad, "last weight grad": net[2].weight.grad}
    assert_same_observations(scenario)


def test_backward_pre_hooks_replace_grad_output_before_the_full_hooks():
    def scenario(lib):
        net, seen = _network(lib), []
        net[2].register_full_backward_hook(recorder(seen, "full"))
        net[2].register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 3,))
        net[2].register_full_backward_pre_hook(lambda module, grad_output: seen.append(("pre", grad_output)),
                                               prepend=True)
        x = lib.randn(5, 3, requires_grad=True)
        net(x).sum().backward()
        return {"seen": tuple(seen), "x.grad": x.grad}
    assert_same_observations(scenario)


def test_hooks_on_a_module_with_several_inputs_and_outputs():
    def scenario(lib):
        class Mixer(lib.nn.Module):
            def forward(self, a, scale, b):
                return a * scale + b, (a - b).exp()

        seen = []
        mixer = Mixer()
        mixer.register_full_backward_hook(recorder(seen, "mixer"))
        a, b = lib.randn(3, requires_grad=True), lib.randn(3)
        first, second = mixer(a, 2.0, b)
        (first.sum() + second.sum() * 2).backward()
        return {**_observe(seen), "a.grad": a.grad}
    assert_same_observations(scenario)


def test_an_unused_output_gets_a_zero_grad_output():
    def scenario(lib):
        class Pair(lib.nn.Module):
            def forward(self, x):
                return x * 2, x * 3

        seen = []
        pair = Pair()
        pair.register_full_backward_hook(recorder(seen, "pair"))
        x = lib.randn(4, requires_grad=True)
        pair(x)[0].sum().backward()
        return _observe(seen)
    assert_same_observations(scenario)


def test_first_layer_hook_fires_without_input_gradients():
    def scenario(lib):
        net, seen = _network(lib), []
        net[0].register_full_backward_hook(recorder(seen, "first"))
        net(lib.randn(5, 3)).sum().backward()
        return _observe(seen)
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        assert_same_observations(scenario)


def test_removed_hooks_stop_firing_and_no_grad_skips_them():
    def scenario(lib):
        net, seen = _network(lib), []
        handle = net[0].register_full_backward_hook(recorder(seen, "removed"))
        net[2].register_full_backward_hook(recorder(seen, "kept"))
        handle.remove()
        with lib.no_grad():
            net(lib.randn(2, 3))
        net(lib.randn(5, 3, requires_grad=True)).sum().backward()
        return {"names": tuple(name for name, *_ in seen)}
    assert_same_observations(scenario)


SINGLE_OP = [
    ("ReLU", lambda lib: lib.nn.ReLU(), (4, 3)),
    ("Sigmoid", lambda lib: lib.nn.Sigmoid(), (2, 5)),
    ("Softmax", lambda lib: lib.nn.Softmax(dim=1), (2, 5)),
    ("MaxPool2d", lambda lib: lib.nn.MaxPool2d(2), (1, 2, 4, 4)),
]


@pytest.mark.filterwarnings("ignore:Using a non-full backward hook when the forward contains multiple")
@pytest.mark.parametrize("name, build, shape", SINGLE_OP, ids=[s[0] for s in SINGLE_OP])
def test_deprecated_backward_hook_on_a_single_op_module(name, build, shape):
    def scenario(lib):
        lib.manual_seed(0)
        module, seen = build(lib), []
        module.register_backward_hook(recorder(seen, name))
        x = lib.randn(*shape, requires_grad=True)
        (module(x) * lib.arange(float(module(x).numel())).reshape(module(x).shape)).sum().backward()
        return {**_observe(seen), "x.grad": x.grad}
    assert_same_observations(scenario)


@pytest.mark.filterwarnings("ignore:Using a non-full backward hook when the forward contains multiple")
def test_deprecated_backward_hook_can_replace_the_node_gradients():
    def scenario(lib):
        module = lib.nn.Tanh()
        module.register_backward_hook(lambda m, grad_input, grad_output: (grad_input[0] * 10,))
        x = lib.randn(4, requires_grad=True)
        module(x).sum().backward()
        return {"x.grad": x.grad}
    assert_same_observations(scenario)


ERRORS = [
    ("full-after-regular", lambda lib: _both(lib, "register_backward_hook", "register_full_backward_hook")),
    ("regular-after-full", lambda lib: _both(lib, "register_full_backward_hook", "register_backward_hook")),
    ("wrong-grad-input-count", lambda lib: _wrong_count(lib, "register_full_backward_hook",
                                                        lambda m, gi, go: (gi[0], gi[0]))),
    ("wrong-grad-output-count", lambda lib: _wrong_count(lib, "register_full_backward_pre_hook",
                                                         lambda m, go: (go[0], go[0]))),
]


def _both(lib, first, second):
    module = lib.nn.ReLU()
    getattr(module, first)(lambda *args: None)
    getattr(module, second)(lambda *args: None)


def _wrong_count(lib, method, hook):
    module = lib.nn.Tanh()
    getattr(module, method)(hook)
    module(lib.randn(3, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})


def test_hooks_of_a_module_called_twice_see_each_call():
    seen = []
    layer = nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].sum().item()))
    x = minigrad.ones(1, 2, requires_grad=True)
    (layer(x).sum() + 3 * layer(x).sum()).backward()
    assert sorted(seen) == [2.0, 6.0]


@pytest.mark.parametrize("case", ["leaf-input", "computed-input", "dict-output"])
def test_deprecated_backward_hook_warns_as_torch(case):
    def run(lib):
        class Nested(lib.nn.Module):
            def forward(self, x):
                return {"out": x.tanh()}

        module = Nested() if case == "dict-output" else lib.nn.Tanh()
        module.register_backward_hook(lambda *args: None)
        x = lib.randn(3, requires_grad=True)
        module(x if case != "computed-input" else x * 2)

    def future_warnings(lib):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            run(lib)
        return [str(r.message) for r in records if issubclass(r.category, FutureWarning)]
    assert future_warnings(minigrad) == reference(future_warnings)
