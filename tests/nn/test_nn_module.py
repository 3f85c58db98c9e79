"""nn.Module, Parameter and the containers: registration, traversal, modes, state_dict,
repr and summary, compared with torch.nn where PyTorch has an answer (live, or its stored
answers: tests/oracle.py)."""
import copy
from collections import OrderedDict

import numpy
import pytest

import minigrad
import nn
from nn_cases import as_numpy, load_arrays, state_arrays, torch_lenet
from oracle import Raised, reference


def nested(m):
    """A model touching every container and a shared layer, in either library."""
    shared = m.Linear(4, 4)
    model = m.Sequential(OrderedDict([
        ("features", m.Sequential(m.Conv2d(3, 4, 3, bias=False), m.BatchNorm2d(4), m.ReLU())),
        ("blocks", m.ModuleList([shared, m.Dropout(0.1), shared])),
        ("heads", m.ModuleDict({"cls": m.Linear(4, 2), "emb": m.Embedding(5, 4, padding_idx=0)})),
    ]))
    return model


# ---- Parameter -------------------------------------------------------------------------------

def test_parameter_is_a_leaf_tensor_sharing_storage():
    source = minigrad.tensor([1.0, 2.0])
    param = nn.Parameter(source)
    assert isinstance(param, minigrad.Tensor) and param.requires_grad and param.is_leaf
    with minigrad.no_grad():
        param.mul_(3)
    assert source.tolist() == [3.0, 6.0]  # Parameter(tensor) shares the tensor's storage, as in PyTorch
    assert not nn.Parameter(minigrad.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert type(param * 2) is minigrad.Tensor and type(param.detach()) is minigrad.Tensor


def test_parameter_repr_matches_torch():
    assert repr(nn.Parameter(minigrad.tensor([1.0, 2.5]))) == \
        reference(lambda torch: repr(torch.nn.Parameter(torch.tensor([1.0, 2.5]))))


def test_integer_parameter_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(minigrad.tensor([1, 2]))
    assert nn.Parameter(minigrad.tensor([1, 2]), requires_grad=False).dtype == minigrad.int64


# ---- registration and traversal ------------------------------------------------------------

@pytest.mark.parametrize("listing", ["named_parameters", "named_buffers", "named_modules", "named_children"])
def test_names_and_order_match_torch(listing):
    def names(m):
        return [name for name, _ in getattr(nested(m), listing)()]

    assert names(nn) == reference(lambda torch: names(torch.nn))


def test_shared_parameters_are_listed_once():
    model = nested(nn)
    assert len(list(model.parameters())) == len({id(p) for p in model.parameters()}) == 8
    names = [name for name, _ in model.named_parameters(remove_duplicate=False)]
    assert "blocks.2.weight" in names


def test_attribute_assignment_registers_and_unregisters():
    model = nn.Module()
    model.weight = nn.Parameter(minigrad.ones(2))
    model.layer = nn.Linear(2, 2)
    model.register_buffer("steps", minigrad.tensor(0))
    model.register_buffer("scratch", minigrad.zeros(3), persistent=False)
    assert list(model.state_dict()) == ["weight", "steps", "layer.weight", "layer.bias"]
    assert [name for name, _ in model.named_buffers()] == ["steps", "scratch"]
    model.layer = None
    model.steps = minigrad.tensor(5)
    assert list(model.state_dict()) == ["weight", "steps"] and model.steps.item() == 5
    del model.weight
    assert not hasattr(model, "weight") and "weight" not in model.state_dict()
    model.weight = 3  # a plain attribute again
    assert model.weight == 3 and list(model.parameters()) == []


@pytest.mark.parametrize("action,error,words", [
    (lambda m: setattr(m.linear, "weight", minigrad.ones(2, 2)), TypeError, "cannot assign 'Tensor' as parameter"),
    (lambda m: setattr(m, "linear", 3), TypeError, "cannot assign 'int' as child module 'linear'"),
    (lambda m: m.register_buffer("steps", 3), TypeError, "cannot assign 'int' object to buffer"),
    (lambda m: m.register_buffer("a.b", minigrad.ones(1)), KeyError, 'contain ".", got: a.b'),
    (lambda m: m.register_parameter("", None), KeyError, "be empty string"),
    (lambda m: m.register_parameter(1, None), TypeError, "parameter name should be a string"),
    (lambda m: m.register_parameter("w", minigrad.ones(1)), TypeError, "nn.Parameter or None required"),
    (lambda m: m.register_buffer("linear", minigrad.ones(1)), KeyError, "attribute 'linear' already exists"),
    (lambda m: m.add_module("x", minigrad.ones(1)), TypeError, "Tensor is not a Module subclass"),
    (lambda m: m.missing, AttributeError, "'Module' object has no attribute 'missing'"),
    (lambda m: m.forward(1), NotImplementedError, 'missing the required "forward" function'),
    (lambda m: m.train("yes"), ValueError, "training mode is expected to be boolean"),
], ids=["tensor_as_parameter", "int_as_module", "int_as_buffer", "dotted_name", "empty_name", "int_name",
        "tensor_register_parameter", "name_taken", "add_non_module", "missing_attribute", "no_forward", "train_str"])
def test_registration_errors(action, error, words):
    model = nn.Module()
    model.linear = nn.Linear(2, 2)
    with pytest.raises(error, match=words):
        action(model)


def test_assigning_before_init_is_an_error():
    class Broken(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter(minigrad.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()


def test_get_submodule_and_dir():
    model = nested(nn)
    assert model.get_submodule("heads.cls") is model.heads["cls"] and model.get_submodule("") is model
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        model.get_submodule("heads.nope")
    assert {"features", "blocks", "heads"} <= set(dir(model))


# ---- modes, gradients, hooks, devices --------------------------------------------------------

def test_train_eval_reach_every_module_through_train():
    calls = []

    class Frozen(nn.Module):
        def train(self, mode=True):  # a subclass override is honoured, as in PyTorch
            calls.append(mode)
            return super().train(False)

    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), Frozen()))
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert model[1][0].training and not model[1][1].training and calls == [False, True]


def test_zero_grad_requires_grad_and_apply():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    model(minigrad.ones(3, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(float(abs(p.grad).sum()) == 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    assert model.requires_grad_(False) is model and not any(p.requires_grad for p in model.parameters())
    visited = []
    assert model.apply(lambda m: visited.append(type(m).__name__)) is model
    assert visited == ["Linear", "ReLU", "Linear", "Sequential"]


def test_apply_order_matches_torch():
    def order(m):
        visited = []
        nested(m).apply(lambda module: visited.append(type(module).__name__))
        return visited

    assert order(nn) == reference(lambda torch: order(torch.nn))


def test_forward_hooks_see_and_replace_values():
    layer = nn.Linear(2, 2)
    seen = []
    handle = layer.register_forward_hook(lambda module, inputs, output: output * 0)
    pre = layer.register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0].shape))
    twice = layer.register_forward_pre_hook(lambda module, inputs: seen.append("again"))
    assert float(abs(layer(minigrad.ones(1, 2))).sum()) == 0 and seen == [(1, 2), "again"]
    for h in (handle, pre, twice):
        h.remove()
    assert float(abs(layer(minigrad.ones(1, 2))).sum()) > 0 and len(seen) == 2


def test_to_casts_in_place_and_keeps_parameter_identity():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    model(minigrad.randn(4, 2)).sum().backward()
    params = list(model.parameters())
    assert model.double() is model and [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == minigrad.float64 and p.grad.dtype == minigrad.float64 for p in params)
    assert model[1].running_mean.dtype == minigrad.float64 and model[1].num_batches_tracked.dtype == minigrad.int64
    model.to(minigrad.float32)
    assert all(p.dtype == minigrad.float32 for p in params) and model.cpu() is model
    assert model.to("cpu", minigrad.float64)[0].weight.dtype == minigrad.float64
    with pytest.raises(TypeError, match="floating point dtypes"):
        model.to(minigrad.int64)


def test_deepcopy_gives_an_independent_model():
    model = nested(nn)
    clone = copy.deepcopy(model)
    with minigrad.no_grad():
        clone.heads["cls"].weight.fill_(0)
    assert float(abs(model.heads["cls"].weight).sum()) > 0
    assert clone.blocks[0] is clone.blocks[2]  # sharing survives the copy
    assert isinstance(clone.blocks[0].weight, nn.Parameter)


# ---- state_dict --------------------------------------------------------------------------------

def test_state_dict_keys_match_torch_and_share_storage():
    ours = nested(nn)
    assert list(ours.state_dict()) == reference(lambda torch: list(nested(torch.nn).state_dict()))
    state = ours.state_dict()
    assert not state["heads.cls.weight"].requires_grad
    with minigrad.no_grad():
        state["heads.cls.bias"].fill_(7)
    assert ours.heads["cls"].bias.tolist() == [7.0, 7.0]
    assert ours.state_dict(keep_vars=True)["heads.cls.bias"] is ours.heads["cls"].bias


def test_state_dict_round_trip_through_torch():
    minigrad.manual_seed(1)
    ours = nested(nn)
    ours.features[1].running_mean.normal_()  # make the buffers worth checking
    start = state_arrays(ours)
    back = load_arrays(nested(nn), reference(lambda torch: state_arrays(load_arrays(nested(torch.nn), start))))
    for (key, value), (_, again) in zip(ours.state_dict().items(), back.state_dict().items()):
        numpy.testing.assert_array_equal(as_numpy(value), as_numpy(again), err_msg=key)
        assert value.dtype == again.dtype, key


def test_load_state_dict_copies_in_place_with_casting():
    model = nn.Linear(3, 2)
    weight = model.weight
    result = model.load_state_dict({"weight": numpy.ones((2, 3)), "bias": minigrad.zeros(2, dtype=minigrad.float64)})
    assert model.weight is weight and weight.dtype == minigrad.float32 and weight.tolist() == [[1.0] * 3] * 2
    assert repr(result) == "<All keys matched successfully>" and result == ([], [])


def test_load_state_dict_errors_like_torch():
    def broken_state(model, make):
        state = OrderedDict((k, v) for k, v in model.state_dict().items() if k != "fc3.bias")
        state["extra.weight"] = make(numpy.zeros(1, dtype="float32"))
        state["conv1.weight"] = make(numpy.zeros((6, 1, 5, 5), dtype="float32"))
        return state

    def error(model, make):
        return Raised.of(lambda: model.load_state_dict(broken_state(model, make)))

    ours = error(nn.models.LeNet(2), minigrad.tensor)
    theirs = reference(lambda torch: error(torch_lenet(torch), torch.tensor))
    assert ours.kind == theirs.kind == "RuntimeError"
    # the same text, up to how each library prints a shape
    assert ours.message == theirs.message.replace("minigrad.Size([", "(").replace("])", ")")
    assert 'Missing key(s) in state_dict: "fc3.bias". ' in ours.message


def test_load_state_dict_not_strict_reports_keys():
    model = nn.models.LeNet(2)
    state = model.state_dict()
    del state["fc3.bias"]
    state["extra"] = minigrad.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["fc3.bias"] and result.unexpected_keys == ["extra"]
    state["fc1.weight"] = minigrad.zeros(3)
    with pytest.raises(RuntimeError, match=r"size mismatch for fc1.weight: .* shape \(3,\) from checkpoint, "
                                           r"the shape in current model is \(120, 400\)"):
        model.load_state_dict(state, strict=False)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        model.load_state_dict([("fc1.weight", 1)])


def test_non_persistent_buffers_stay_out_of_state_dict():
    model = nn.BatchNorm1d(2)
    model.register_buffer("scale", minigrad.ones(2), persistent=False)
    assert "scale" not in model.state_dict() and "scale" in dict(model.named_buffers())
    model.load_state_dict(model.state_dict())  # strict: the non-persistent buffer is not missing


# ---- containers --------------------------------------------------------------------------------

def test_sequential_indexing_and_editing_match_torch():

    def edited(m):
        seq = m.Sequential(m.ReLU(), m.Tanh(), m.Sigmoid(), m.Identity())
        del seq[1]
        seq.insert(1, m.LeakyReLU(0.2))
        seq.append(m.Flatten())
        seq.pop(0)
        seq += m.Sequential(m.Softmax(dim=1))
        return seq

    def seen(m):
        seq = edited(m)
        return {"repr": repr(seq), "len": len(seq), "slice": repr(seq[1:3]), "last": repr(seq[-1]),
                "items": [repr(layer) for layer in seq]}

    ours, theirs = edited(nn), reference(lambda torch: seen(torch.nn))
    assert seen(nn) == theirs and theirs["len"] == 5 and type(ours[1:3]) is nn.Sequential
    with pytest.raises(IndexError, match="index 5 is out of range"):
        ours[5]


def test_sequential_from_ordered_dict_runs_in_order():
    model = nn.Sequential(OrderedDict([("scale", nn.Linear(1, 1, bias=False)), ("act", nn.ReLU())]))
    with minigrad.no_grad():
        model.scale.weight.fill_(2)
    assert model(minigrad.tensor([[3.0], [-1.0]])).tolist() == [[6.0], [0.0]]
    assert list(model.state_dict()) == ["scale.weight"]


def test_module_list_and_dict_match_torch():

    def build(m):
        layers = m.ModuleList([m.Linear(2, 2), m.Linear(2, 2)])
        layers += [m.ReLU()]
        layers.insert(0, m.Tanh())
        layers.extend([m.ReLU(), m.ReLU()])
        del layers[1]
        heads = m.ModuleDict({"b": m.Linear(2, 1)})
        heads.update({"a": m.Identity()})
        heads["c"] = m.Sigmoid()
        heads.pop("b")
        return m.Sequential(OrderedDict([("layers", layers), ("heads", heads)]))

    ours = build(nn)
    theirs = reference(lambda torch: (lambda model: {"repr": repr(model), "keys": list(model.state_dict())})(
        build(torch.nn)))
    assert repr(ours) == theirs["repr"]  # ModuleList prints runs of identical layers as "(2-4): 3 x ReLU()"
    assert list(ours.heads.keys()) == ["a", "c"] and "a" in ours.heads and len(ours.layers) == 5
    assert list(ours.state_dict()) == theirs["keys"]


# ---- repr --------------------------------------------------------------------------------------

def every_layer(m):
    return m.Sequential(OrderedDict([
        ("conv", m.Conv2d(3, 8, 3, padding=1, bias=False)),
        ("conv_same", m.Conv2d(8, 8, (3, 4), padding="same", dilation=2, groups=4, padding_mode="reflect")),
        ("conv_strided", m.Conv2d(8, 4, 5, stride=2, padding=(1, 2))),
        ("bn", m.BatchNorm2d(4)), ("bn1d", m.BatchNorm1d(4, eps=1e-3, momentum=None, affine=False)),
        ("act", m.ReLU()), ("act_inplace", m.ReLU(inplace=True)), ("leaky", m.LeakyReLU(0.1)),
        ("sigmoid", m.Sigmoid()), ("tanh", m.Tanh()),
        ("pool", m.MaxPool2d(2)), ("pool_ceil", m.MaxPool2d((3, 2), stride=1, padding=1, ceil_mode=True)),
        ("avg", m.AvgPool2d(3, stride=2, padding=1)), ("adaptive", m.AdaptiveAvgPool2d((1, None))),
        ("adaptive_max", m.AdaptiveMaxPool2d(2)), ("drop", m.Dropout(0.25)),
        ("flat", m.Flatten()), ("flat_some", m.Flatten(0, 1)), ("identity", m.Identity()),
        ("fc", m.Linear(8, 2)), ("fc_plain", m.Linear(2, 2, bias=False)),
        ("softmax", m.Softmax(dim=1)), ("log_softmax", m.LogSoftmax(dim=-1)),
        ("emb", m.Embedding(10, 3, padding_idx=0)), ("emb_sparse", m.Embedding(10, 3, max_norm=1.0, sparse=True)),
        ("loss", m.CrossEntropyLoss()),
    ]))


def test_repr_of_every_layer_matches_torch():
    assert repr(every_layer(nn)) == reference(lambda torch: repr(every_layer(torch.nn)))


def test_lenet_repr_matches_torch_exactly():
    assert repr(nn.models.LeNet(2)) == reference(lambda torch: repr(torch_lenet(torch, 2)), "repr")
    assert str(nn.models.LeNet(10)) == reference(lambda torch: str(torch_lenet(torch, 10)), "str")


def test_repr_with_custom_extra_repr_and_empty_module():
    class Scale(nn.Module):
        def extra_repr(self):
            return "factor=2\nbias=False"

    assert repr(nn.Module()) == "Module()"
    assert repr(Scale()) == "Scale(\n  factor=2\n  bias=False\n)"
    holder = nn.Module()
    holder.inner = Scale()
    assert repr(holder) == "Module(\n  (inner): Scale(\n    factor=2\n    bias=False\n  )\n)"


# ---- summary -----------------------------------------------------------------------------------

def test_summary_of_lenet(capsys):
    model = nn.models.LeNet(2)
    text = nn.summary(model, (3, 32, 32))
    assert capsys.readouterr().out == text + "\n"
    lines = text.splitlines()
    assert lines[1].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#"]
    rows = [line.split(None, 1) for line in lines[3:8]]
    assert [name for name, _ in rows] == ["Conv2d-1", "Conv2d-2", "Linear-3", "Linear-4", "Linear-5"]
    assert [rest.rsplit(None, 1)[1] for _, rest in rows] == ["456", "2,416", "48,120", "10,164", "170"]
    assert "[-1, 6, 28, 28]" in lines[3] and "[-1, 16, 10, 10]" in lines[4] and "[-1, 2]" in lines[7]
    assert "Total params: 61,326" in lines and "Trainable params: 61,326" in lines
    assert "Non-trainable params: 0" in lines and "Params size (MB): 0.23" in lines


def test_summary_counts_frozen_layers_and_restores_modes():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Dropout(), nn.Flatten(), nn.Linear(8, 3))
    model[0].requires_grad_(False)
    model[2].eval()
    before = model[1].running_mean.tolist()
    text = nn.summary(model, (1, 4, 4), batch_size=16)
    assert "Total params: 51" in text and "Trainable params: 31" in text and "Non-trainable params: 20" in text
    assert "BatchNorm2d-2" in text and "[16, 2, 2, 2]" in text and "[16, 3]" in text
    assert model[1].running_mean.tolist() == before and model.training and not model[2].training
