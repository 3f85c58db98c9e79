"""Bad learning rates and optimizer states are refused where they enter, with PyTorch's error type
and words where it has them (issue 17, item 5)."""
import re

import pytest

import minigrad
import optim
from minigrad_app.factory import optimizer_names
from oracle import Raised, reference


# ---- learning rates: numbers, finite, >= 0, checked when they enter --------------------------

def _param():
    return minigrad.zeros(3, requires_grad=True)


BAD_LRS = [("abc", TypeError, "Invalid learning rate: 'abc' \\(lr must be a number, got str\\)"),
           (None, TypeError, "Invalid learning rate: None"),
           ([0.1], TypeError, "Invalid learning rate: \\[0.1\\]"),
           (float("nan"), ValueError, "Invalid learning rate: nan"),
           (float("inf"), ValueError, "Invalid learning rate: inf"),
           (-1.0, ValueError, "Invalid learning rate: -1.0")]


@pytest.mark.parametrize("name", optimizer_names())
@pytest.mark.parametrize("lr, error, message", BAD_LRS, ids=["str", "none", "list", "nan", "inf", "negative"])
def test_every_optimizer_refuses_a_bad_lr(name, lr, error, message):
    with pytest.raises(error, match=message):
        getattr(optim, name)([_param()], lr=lr)


@pytest.mark.parametrize("lr", ["abc", float("nan")], ids=["str", "nan"])
def test_a_param_group_with_a_bad_lr_is_refused(lr):
    optimizer = optim.SGD([_param()], lr=0.1)
    with pytest.raises((TypeError, ValueError), match="Invalid learning rate"):
        optimizer.add_param_group({"params": [_param()], "lr": lr})
    assert len(optimizer.param_groups) == 1


def test_a_negative_lr_keeps_pytorchs_message():
    expected = reference(lambda torch: Raised.of(lambda: torch.optim.SGD([torch.zeros(3, requires_grad=True)],
                                                                         lr=-1.0)))
    assert expected.kind == "ValueError"
    with pytest.raises(ValueError, match=re.escape(expected.message)):
        optim.SGD([_param()], lr=-1.0)


# ---- optimizer state of another shape: refused by load_state_dict, naming it -------------------

def _stepped(cls, **kwargs):
    param = _param()
    optimizer = cls([param], **kwargs)
    param.grad = minigrad.ones(3)
    optimizer.step()
    return param, optimizer


@pytest.mark.parametrize("cls, kwargs, buffer", [(optim.SGD, dict(lr=0.1, momentum=0.9), "momentum_buffer"),
                                                  (optim.Adam, dict(lr=0.1), "exp_avg_sq"),
                                                  (optim.Rprop, dict(lr=0.1), "step_size")],
                         ids=["sgd-momentum", "adam", "rprop"])
def test_load_state_dict_refuses_a_buffer_of_another_shape(cls, kwargs, buffer):
    param, optimizer = _stepped(cls, **kwargs)
    saved = optimizer.state_dict()
    saved["state"][0][buffer] = minigrad.zeros(5)
    before = optimizer.state_dict()
    with pytest.raises(ValueError, match=f"'{buffer}' of shape \\(5,\\) for parameter 0 of shape \\(3,\\)"):
        optimizer.load_state_dict(saved)
    after = optimizer.state_dict()  # nothing was half loaded
    assert minigrad.equal(after["state"][0][buffer], before["state"][0][buffer])


def test_load_state_dict_refuses_a_saved_lr_that_is_not_a_number():
    _, optimizer = _stepped(optim.SGD, lr=0.1, momentum=0.9)
    saved = optimizer.state_dict()
    saved["param_groups"][0]["lr"] = "abc"
    with pytest.raises(TypeError, match="Invalid learning rate: 'abc'"):
        optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["lr"] == 0.1


def test_lbfgs_state_is_not_shape_checked_per_parameter():
    """LBFGS keeps one flat history over all parameters: its state loads back as it is."""
    weight, bias = minigrad.ones(2, 2, requires_grad=True), minigrad.ones(2, requires_grad=True)
    optimizer = optim.LBFGS([weight, bias], max_iter=2)

    def closure():
        optimizer.zero_grad()
        loss = (weight.sum() - 1) ** 2 + (bias.sum() + 2) ** 2
        loss.backward()
        return loss

    optimizer.step(closure)
    saved = optimizer.state_dict()
    optimizer.load_state_dict(saved)
    assert optimizer.state_dict()["state"][0]["d"].shape == (6,)
