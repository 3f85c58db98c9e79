"""Hooks on graph nodes (``grad_fn.register_hook`` and ``register_prehook``), against PyTorch."""
import pytest

import minigrad
from oracle import reference


def run(lib):
    seen = []
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 10,))
    handle = y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: seen.append(
        [g.tolist() for g in grad_inputs] + [grad_outputs[0].tolist()]))
    y.sum().backward(retain_graph=True)
    handle.remove()
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 0, grad_inputs[1]))
    y.sum().backward()
    return seen, x.grad.tolist(), w.grad.tolist()


def test_node_hooks_match_torch():
    assert run(minigrad) == reference(run)


def test_a_post_hook_returning_the_wrong_number_of_gradients_is_refused():
    x = minigrad.ones(2, requires_grad=True)
    y = x * 2
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0],) * 3)
    with pytest.raises(RuntimeError, match="returned an incorrect number of values"):
        y.sum().backward()


def restride(lib):
    y = lib.ones(2, 3, requires_grad=True) * 2
    y.unsqueeze_(0)
    y.transpose_(1, 2)
    y.squeeze_(0)
    y.t_()
    (y * lib.arange(6.0).reshape(2, 3)).sum().backward()
    return tuple(y.shape), y._version, repr(y.grad_fn).split()[0]


def test_in_place_shape_ops_match_torch():
    assert restride(minigrad) == reference(restride)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        minigrad.ones(2, requires_grad=True).unsqueeze_(0)
