"""The instruments for learning: curvature by Hessian-vector products, the LR range test, training
diagnostics, the loss landscape and the autograd graph drawn, each on tiny sizes.

Whatever needs second derivatives (``minigrad.autograd.grad`` with ``create_graph=True``) or
PyTorch's node names (``AccumulateGrad``) skips, not fails, on an engine without them.
"""
import json

import numpy
import pytest

import minigrad
from experiments import hessian
from minigrad.viz import draw_graph


@pytest.fixture
def higher_order():
    """Skips the test unless the engine can differentiate a gradient."""
    if not hessian.higher_order_available():
        pytest.skip("minigrad.autograd.grad with create_graph=True is not available yet")


@pytest.fixture
def accumulate_grad_nodes():
    """Skips the test unless leaves appear in the graph as PyTorch's AccumulateGrad nodes."""
    x = minigrad.tensor([1.0], requires_grad=True)
    nodes = [node for node, _ in (2 * x).grad_fn.next_functions]
    if not any(hasattr(node, "variable") for node in nodes if node is not None):
        pytest.skip("grad_fn.next_functions has no AccumulateGrad nodes yet")


def _labels(figure):
    return [text.get_text() for text in figure.axes[0].texts if text.get_text()]  # arrows have no text


# ---- the autograd graph drawn ----

def _tutorial_graph(lib):
    x = lib.tensor([2.0], requires_grad=True)
    y = (2 * x) ** 2
    y.backward(retain_graph=True)
    return x, y


def _graph_labels(lib, make):
    tensor, params = make(lib)
    figure = draw_graph(tensor, params=params, grads=True)
    return _labels(figure)


def _tutorial_case(lib):
    x, y = _tutorial_graph(lib)
    return y, {"x": x}


def test_tutorial_graph_from_torch_tensors():
    torch = pytest.importorskip("torch")
    labels = _graph_labels(torch, _tutorial_case)
    assert labels.count("output (1,)") == 1
    assert "1. PowBackward0" in labels and "2. MulBackward0" in labels
    assert "x (1,)\nrequires_grad\ngrad: [16]" in labels  # dy/dx = 8x at x = 2


def test_lenet_graph_from_torch_is_layered(tmp_path):
    torch = pytest.importorskip("torch")
    from nn_cases import torch_lenet

    net = torch_lenet(torch)
    loss = torch.nn.functional.cross_entropy(net(torch.randn(2, 3, 32, 32)), torch.tensor([0, 1]))
    figure = draw_graph(loss, tmp_path / "lenet.png", params=dict(net.named_parameters()))
    labels = _labels(figure)
    leaves = [label for label in labels if "requires_grad" in label]
    assert sorted(label.split()[0] for label in leaves) == sorted(name for name, _ in net.named_parameters())
    ops = [label for label in labels if label[0].isdigit()]
    assert sorted(int(label.split(".")[0]) for label in ops) == list(range(1, len(ops) + 1))
    assert figure.get_size_inches()[0] < 3 * figure.get_size_inches()[1]  # layered: taller than wide
    assert (tmp_path / "lenet.png").stat().st_size > 5000


def test_minigrad_graph_names_nodes_like_pytorch(accumulate_grad_nodes):
    torch = pytest.importorskip("torch")
    assert _graph_labels(minigrad, _tutorial_case) == _graph_labels(torch, _tutorial_case)


def test_draw_graph_rejects_a_non_tensor():
    with pytest.raises(TypeError, match="tensor must be a Tensor"):
        draw_graph([1.0, 2.0])
