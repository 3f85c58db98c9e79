"""ParameterList, ParameterDict and nn.utils (gradient clipping, parameters as one vector)
against PyTorch: registration, names, repr, list and dict behaviour, values and errors."""
import collections

import pytest

import minigrad
import nn
from torch_compare import assert_same_observations


def holder(lib, **children):
    """A module holding ``children`` as attributes, so that their parameters get dotted names."""
    module = lib.nn.Module()
    for name, child in children.items():
        setattr(module, name, child)
    return module


LIST_SCENARIOS = [
    ("build-and-register", lambda lib: holder(lib, weights=lib.nn.ParameterList(
        [lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4, dtype=lib.float64), "note"]))),
    ("append-extend-iadd", lambda lib: holder(lib, weights=lib.nn.ParameterList().append(lib.ones(2)).extend(
        [lib.zeros(1)]).__iadd__([lib.nn.Parameter(lib.ones(3), requires_grad=False)]))),
    ("slice", lambda lib: holder(lib, weights=lib.nn.ParameterList([lib.ones(1), lib.ones(2), lib.ones(3)])[::2])),
    ("setitem", lambda lib: _set_item(lib)),
]


def _set_item(lib):
    weights = lib.nn.ParameterList([lib.ones(1), lib.ones(2)])
    weights[-1] = lib.full((2, 2), 3.0)
    return holder(lib, weights=weights)


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in LIST_SCENARIOS])
def test_parameter_list_registers_like_torch(build):
    def scenario(lib):
        module = build(lib)
        weights = module.weights
        return {"repr": repr(module), "names": tuple(name for name, _ in module.named_parameters()),
                "state keys": tuple(module.state_dict()), "length": len(weights),
                "kinds": tuple(type(w).__name__.replace("Tensor", "Parameter") for w in weights),
                "requires grad": tuple(getattr(w, "requires_grad", None) for w in weights)}
    assert_same_observations(scenario)


DICT_SCENARIOS = [
    ("mapping-sorted", lambda lib: lib.nn.ParameterDict({"b": lib.ones(2), "a": lib.zeros(3, 1, dtype=lib.float64)})),
    ("ordered", lambda lib: lib.nn.ParameterDict(collections.OrderedDict([("b", lib.ones(2)), ("a", lib.zeros(1))]))),
    ("pairs-and-object", lambda lib: lib.nn.ParameterDict([("w", lib.nn.Parameter(lib.ones(2))), ("tag", 3)])),
    ("edit", lambda lib: _edited(lib)),
    ("union", lambda lib: lib.nn.ParameterDict({"a": lib.ones(1)}) | lib.nn.ParameterDict({"b": lib.ones(2)})),
]


def _edited(lib):
    params = lib.nn.ParameterDict({"a": lib.ones(1), "b": lib.ones(2), "c": lib.ones(3)})
    params["d"] = lib.zeros(2, 2)
    del params["a"]
    params.pop("b")
    params.setdefault("e", lib.ones(5))
    params.update({"c": lib.full((3,), 7.0)})
    return params


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in DICT_SCENARIOS])
def test_parameter_dict_behaves_like_torch(build):
    def scenario(lib):
        params = build(lib)
        module = holder(lib, params=params)
        return {"repr": repr(module), "names": tuple(name for name, _ in module.named_parameters()),
                "keys": tuple(params.keys()), "length": len(params), "contains": "a" in params,
                "values": tuple(v for v in params.values() if hasattr(v, "shape")),
                "get": params.get("zzz", "missing"), "reversed": tuple(reversed(params))}
    assert_same_observations(scenario)


def test_parameter_containers_train_with_an_optimizer():
    def scenario(lib):
        lib.manual_seed(0)
        scales = lib.nn.ParameterList([lib.randn(3) for _ in range(2)])
        shifts = lib.nn.ParameterDict({"first": lib.randn(3)})
        optimizer = lib.optim.SGD(list(scales.parameters()) + list(shifts.parameters()), lr=0.1)
        x = lib.randn(4, 3)
        for _ in range(3):
            optimizer.zero_grad()
            loss = ((x * scales[0] * scales[1] + shifts["first"]) ** 2).mean()
            loss.backward()
            optimizer.step()
        return {"loss": loss, "scale": scales[1], "shift": shifts["first"]}
    assert_same_observations(scenario)


CONTAINER_ERRORS = [
    ("list-index", lambda lib: lib.nn.ParameterList([lib.ones(1)])[3]),
    ("list-extend-tensor", lambda lib: lib.nn.ParameterList().extend(lib.ones(2))),
    ("list-call", lambda lib: lib.nn.ParameterList()(1)),
    ("dict-key-type", lambda lib: lib.nn.ParameterDict()[1]),
    ("dict-update-not-iterable", lambda lib: lib.nn.ParameterDict().update(3)),
    ("dict-update-pair-length", lambda lib: lib.nn.ParameterDict().update([("a", lib.ones(1), 2)])),
    ("dict-call", lambda lib: lib.nn.ParameterDict()(1)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in CONTAINER_ERRORS])
def test_container_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})


def _model_with_grads(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2, bias=False))
    (model(lib.randn(5, 3)) * 10).sum().backward()
    return model


CLIPPING = [
    ("norm-2", lambda lib, m: lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)),
    ("norm-inf", lambda lib, m: lib.nn.utils.clip_grad_norm_(m.parameters(), 0.1, norm_type=float("inf"))),
    ("norm-1-large-max", lambda lib, m: lib.nn.utils.clip_grad_norm_(m.parameters(), 1e6, norm_type=1)),
    ("norm-3-single-tensor", lambda lib, m: lib.nn.utils.clip_grad_norm_(m[0].weight, 0.2, 3.0)),
    ("total-norm", lambda lib, m: lib.nn.utils.get_total_norm([p.grad for p in m.parameters()], 2.0)),
    ("with-norm", lambda lib, m: lib.nn.utils.clip_grads_with_norm_(m.parameters(), 1.0, lib.tensor(4.0))),
    ("value", lambda lib, m: lib.nn.utils.clip_grad_value_(m.parameters(), 0.3)),
    ("empty", lambda lib, m: lib.nn.utils.clip_grad_norm_([], 1.0)),
]


@pytest.mark.parametrize("clip", [pytest.param(c, id=name) for name, c in CLIPPING])
def test_gradient_clipping_matches_torch(clip):
    def scenario(lib):
        model = _model_with_grads(lib)
        result = clip(lib, model)
        return {"result": result, "grads": tuple(p.grad for p in model.parameters())}
    assert_same_observations(scenario)


def test_clip_grad_norm_refuses_a_nonfinite_norm_when_asked():
    def scenario(lib):
        model = _model_with_grads(lib)
        model[0].weight.grad[0, 0] = float("inf")
        return {"norm": lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)}
    assert_same_observations(scenario)


def test_clip_grad_norm_warns_for_an_empty_generator_and_the_old_name():
    with pytest.warns(UserWarning, match="empty generator"):
        nn.utils.clip_grad_norm_((p for p in []), 1.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        nn.utils.clip_grad_norm(nn.Linear(2, 2).parameters(), 1.0)


def test_parameters_round_trip_through_one_vector():
    def scenario(lib):
        model = _model_with_grads(lib)
        vector = lib.nn.utils.parameters_to_vector(model.parameters())
        lib.nn.utils.vector_to_parameters(vector * 2 + 1, model.parameters())
        return {"vector": vector, "first": model[0].weight, "last": model[2].weight,
                "still parameters": all(isinstance(p, lib.nn.Parameter) for p in model.parameters()),
                "vector grad": vector.grad_fn is not None}
    assert_same_observations(scenario)


@pytest.mark.parametrize("vector", [[1.0, 2.0], 3], ids=["list", "int"])
def test_vector_to_parameters_refuses_a_non_tensor(vector):
    assert_same_observations(lambda lib: {"result": lib.nn.utils.vector_to_parameters(vector, [lib.ones(2)])})
