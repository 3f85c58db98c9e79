"""CTCLoss against PyTorch: losses and gradients for padded, concatenated and unbatched targets,
every reduction, impossible alignments with and without zero_infinity, repeated labels,
gradcheck through log_softmax, and PyTorch's errors."""
import numpy
import pytest

import minigrad
import nn
from minigrad.autograd import gradcheck
from oracle import reference
from torch_compare import assert_same_observations

PADDED = [[1, 2, 2], [3, 1, 0], [4, 4, 4]]
CASES = [
    ("padded-mean", dict(targets=PADDED, inputs=[6, 5, 6], lengths=[3, 2, 3])),
    ("padded-sum", dict(targets=PADDED, inputs=[6, 6, 4], lengths=[3, 1, 2], reduction="sum")),
    ("padded-none", dict(targets=PADDED, inputs=[6, 5, 6], lengths=[3, 2, 3], reduction="none")),
    ("concatenated", dict(targets=[1, 2, 2, 3, 1, 4, 4], inputs=[6, 5, 6], lengths=[3, 2, 2])),
    ("empty-target", dict(targets=PADDED, inputs=[6, 5, 6], lengths=[0, 2, 3], reduction="none")),
    ("impossible", dict(targets=PADDED, inputs=[2, 5, 6], lengths=[3, 2, 3], reduction="none")),
    ("impossible-zeroed", dict(targets=PADDED, inputs=[2, 5, 6], lengths=[3, 2, 3], zero_infinity=True)),
    ("other-blank", dict(targets=[[0, 2, 1], [3, 1, 0], [2, 2, 0]], inputs=[6, 6, 6], lengths=[3, 3, 2], blank=4)),
    ("length-tensors", dict(targets=PADDED, inputs="tensor", lengths=[3, 2, 3])),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [pytest.param(o, id=name) for name, o in CASES])
def test_ctc_loss_matches_torch(options, dtype):
    def scenario(lib):
        state = numpy.random.RandomState(0)
        logits = lib.tensor(state.standard_normal((6, 3, 5)), dtype=getattr(lib, dtype), requires_grad=True)
        log_probs = logits.log_softmax(2)
        log_probs.retain_grad()
        inputs, lengths = options["inputs"], options["lengths"]
        if inputs == "tensor":  # PyTorch takes both lengths as lists or both as tensors
            inputs, lengths = lib.tensor([6, 5, 6]), lib.tensor(lengths)
        loss = lib.nn.CTCLoss(blank=options.get("blank", 0), reduction=options.get("reduction", "mean"),
                              zero_infinity=options.get("zero_infinity", False))(
            log_probs, lib.tensor(options["targets"]), inputs, lengths)
        loss.sum().backward()
        return {"loss": loss, "logits grad": logits.grad, "log_probs grad": log_probs.grad}
    tolerance = dict(rtol=2e-5, atol=2e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    assert_same_observations(scenario, **tolerance)


def test_unbatched_ctc_loss_matches_torch():
    def scenario(lib):
        logits = lib.linspace(-2, 2, 24, requires_grad=True)
        log_probs = logits.reshape(6, 4).sin().log_softmax(1)
        loss = lib.nn.functional.ctc_loss(log_probs, lib.tensor([1, 3, 3]), lib.tensor(6), lib.tensor(3),
                                          reduction="none")
        loss.backward()
        return {"loss": loss, "grad": logits.grad}
    assert_same_observations(scenario)


def test_ctc_loss_gradient_through_log_softmax_passes_gradcheck():
    targets, lengths = minigrad.tensor(PADDED), [3, 2, 3]

    def loss(logits):
        return nn.functional.ctc_loss(logits.log_softmax(2), targets, [5, 4, 5], lengths, reduction="sum")
    logits = minigrad.randn(5, 3, 5, dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(loss, [logits])


def test_ctc_loss_cannot_be_differentiated_twice_as_in_torch():
    def scenario(lib):
        log_probs = lib.randn(4, 1, 3, dtype=lib.float64, requires_grad=True).log_softmax(2)
        loss = lib.nn.functional.ctc_loss(log_probs, lib.tensor([[1, 2]]), [4], [2])
        grad, = lib.autograd.grad(loss, log_probs, create_graph=True)
        grad.sum().backward()
    assert_same_observations(lambda lib: {"result": scenario(lib)})


def _call(lib, **changes):
    log_probs = lib.randn(5, 2, 4).log_softmax(2)
    arguments = dict(targets=lib.tensor([[1, 2], [3, 1]]), input_lengths=[5, 5], target_lengths=[2, 2])
    arguments.update(changes)
    return lib.nn.functional.ctc_loss(log_probs, **arguments)


ERRORS = [
    ("blank", lambda lib: _call(lib, blank=4)),
    ("input-too-long", lambda lib: _call(lib, input_lengths=[6, 5])),
    ("input-lengths-size", lambda lib: _call(lib, input_lengths=[5])),
    ("target-too-short", lambda lib: _call(lib, target_lengths=[2, 3])),
    ("concatenated-size", lambda lib: _call(lib, targets=lib.tensor([1, 2, 3]))),
    ("reduction", lambda lib: _call(lib, reduction="x")),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})


def test_repr():
    expected = reference(lambda torch: repr(torch.nn.CTCLoss(blank=3, zero_infinity=True)))
    assert repr(nn.CTCLoss(blank=3, zero_infinity=True)) == expected
