"""Edge cases of the engine's numbers and errors, each the exact reproduction of a finding
(issue 17, item 5), checked against PyTorch: empty reductions, the norm's gradient at zero, NaN
in max pooling, in-place writes into an expanded tensor, a .grad of the wrong shape."""
import math

import numpy
import pytest

import minigrad
from oracle import reference


def grad_of(lib, make, function):
    x = make(lib)
    function(lib, x).backward()
    return x.grad


CASES = {
    "logsumexp_empty": lambda lib: lib.logsumexp(lib.zeros(0), 0),
    "logsumexp_empty_rows": lambda lib: lib.zeros(2, 0).logsumexp(1),
    "logsumexp_no_rows": lambda lib: lib.zeros(0, 3).logsumexp(1),
    "softmax_empty_rows": lambda lib: lib.softmax(lib.zeros(2, 0), 1),
    "log_softmax_empty_rows": lambda lib: lib.log_softmax(lib.zeros(2, 0), 1),
    "softmax_no_rows": lambda lib: lib.softmax(lib.zeros(0, 2), 1),
    "amax_empty": lambda lib: lib.zeros(0).amax(),
    "amax_empty_dim": lambda lib: lib.zeros(2, 0).amax(1),
    "amax_no_rows": lambda lib: lib.zeros(0, 3).amax(1),
    "max_empty": lambda lib: lib.zeros(0).max(),
    "max_empty_dim": lambda lib: lib.zeros(2, 0).max(1),
    "max_no_rows": lambda lib: lib.zeros(0, 3).max(1).values,
    "argmax_empty": lambda lib: lib.zeros(0).argmax(),
    "argmax_empty_dim": lambda lib: lib.zeros(2, 0).argmax(1),
    "argmax_no_rows": lambda lib: lib.zeros(0, 3).argmax(1),
    "min_empty": lambda lib: lib.zeros(0).min(),
    "sum_empty": lambda lib: lib.zeros(0).sum(),
    "mean_empty": lambda lib: lib.zeros(0).mean(),
    "norm_empty": lambda lib: lib.zeros(0).norm(),
    "expand_add_": lambda lib: lib.ones(1).expand(3).add_(1),
    "expand_setitem": lambda lib: lib.ones(1).expand(3).__setitem__(0, 2.0),
    "norm_grad_at_zero": lambda lib: grad_of(lib, lambda l: l.zeros(3, requires_grad=True), lambda l, x: x.norm()),
    "norm_dim_grad_at_zero": lambda lib: grad_of(
        lib, lambda l: l.tensor([[0.0, 0.0], [3.0, 4.0]], requires_grad=True), lambda l, x: x.norm(dim=1).sum()),
    "max_pool_nan_value": lambda lib: lib.nn.functional.max_pool2d(lib.tensor([[[[1., math.nan], [3., 0.]]]]), 2),
    "max_pool_nan_grad": lambda lib: grad_of(
        lib, lambda l: l.tensor([[[[1., math.nan], [3., 0.]]]], requires_grad=True),
        lambda l, x: l.nn.functional.max_pool2d(x, 2).sum()),
    "linspace_one_step": lambda lib: lib.linspace(0.5, 2, 1),
    "linspace_one_step_int_ends": lambda lib: lib.linspace(0, 1, 1),
    "grad_wrong_shape": lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", lib.zeros(2)),
    "grad_wrong_dtype": lambda lib: setattr(lib.ones(3, requires_grad=True), "grad", lib.zeros(3, dtype=lib.float64)),
}


def outcome(lib, case):
    """What a case gives: ('value', repr) or ('error', type name, first words of the message)."""
    try:
        result = CASES[case](lib)
    except Exception as error:  # noqa: BLE001 - the outcome under test
        return "error", type(error).__name__, str(error).replace("torch.", "minigrad.").split(".")[0][:60]
    return "value", repr(result).replace("torch.", "minigrad.")


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch(case):
    ours, theirs = outcome(minigrad, case), reference(lambda torch: outcome(torch, case))
    if ours[0] == "error" and ours[1] == theirs[1] == "RuntimeError" and case.startswith("grad_wrong"):
        return  # the same error type; PyTorch's words vary between versions
    assert ours == theirs


def test_norm_gradient_at_the_zero_vector_is_zero_and_training_stays_finite():
    """A LeNet whose loss adds 1e-4 * sum of parameter norms used to get NaN biases after one step."""
    net = minigrad.nn.models.LeNet(2)
    for module in net.modules():
        if hasattr(module, "bias") and module.bias is not None:
            minigrad.nn.init.zeros_(module.bias)
    optimizer = minigrad.optim.SGD(net.parameters(), lr=0.01)
    images, labels = minigrad.randn(2, 3, 32, 32), minigrad.tensor([0, 1])
    loss = minigrad.nn.functional.cross_entropy(net(images), labels) + 1e-4 * sum(p.norm() for p in net.parameters())
    loss.backward()
    optimizer.step()
    assert all(numpy.isfinite(p.detach().numpy()).all() for p in net.parameters())


def test_max_pool_sends_the_gradient_to_the_nan():
    x = minigrad.tensor([[[[1.0, math.nan], [3.0, 0.0]]]], requires_grad=True)
    out = minigrad.nn.functional.max_pool2d(x, 2)
    out.sum().backward()
    assert math.isnan(out.item()) and x.grad.numpy().reshape(-1).tolist() == [0.0, 1.0, 0.0, 0.0]


def test_writing_into_an_expanded_tensor_is_refused_with_pytorchs_words():
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor refers to a single"):
        minigrad.ones(1).expand(3).add_(1)


@pytest.mark.parametrize("make", [
    lambda lib: lib.Tensor([1, 2]), lambda lib: lib.Tensor(2, 3).shape, lambda lib: lib.Tensor(),
    lambda lib: lib.Tensor(numpy.array([1, 2])), lambda lib: lib.Tensor(lib.tensor([1, 2])),
    lambda lib: lib.Tensor((2, 3)), lambda lib: lib.FloatTensor([1, 2]), lambda lib: lib.LongTensor([1.5, 2.5]),
], ids=["list", "shape", "empty", "ndarray", "tensor", "tuple_data", "FloatTensor", "LongTensor"])
def test_the_legacy_tensor_constructor_as_pytorch(make):
    def shown(lib):
        made = make(lib)
        return tuple(made) if isinstance(made, tuple) else repr(made).replace("torch.", "minigrad.")
    assert shown(minigrad) == reference(shown)
