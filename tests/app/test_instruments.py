"""The instruments for learning: curvature by Hessian-vector products, the LR range test, training
diagnostics, the loss landscape and the autograd graph drawn, each on tiny sizes.

Whatever needs second derivatives (``minigrad.autograd.grad`` with ``create_graph=True``) or
PyTorch's node names (``AccumulateGrad``) skips, not fails, on an engine without them.
"""
import json
import math

import numpy
import pytest

import minigrad
import nn
import optim
from minigrad_app import __main__ as cli
from minigrad_app import conditioning, diagnostics, hessian
from minigrad_app.commands import curvature, landscape, lr_find, train
from minigrad.viz import draw_graph, graph_summary
from oracle import reference, torch_itself

TINY_JOB = ["--batch-size", "4"]



@pytest.fixture
def accumulate_grad_nodes():
    """Skips the test unless leaves appear in the graph as PyTorch's AccumulateGrad nodes."""
    x = minigrad.tensor([1.0], requires_grad=True)
    nodes = [node for node, _ in (2 * x).grad_fn.next_functions]
    if not any(hasattr(node, "variable") for node in nodes if node is not None):
        pytest.skip("grad_fn.next_functions has no AccumulateGrad nodes yet")


@pytest.fixture(scope="module")
def trained(notes, tmp_path_factory):
    """A checkpoint of one epoch of the main job on the small set."""
    out = tmp_path_factory.mktemp("train")
    argv = ["--data", str(notes), "--epochs", "1", "--out", str(out), "--no-progress", *TINY_JOB]
    assert train.main(argv) == 0
    return out / "last.ckpt"


def _run(argv, capsys):
    status = cli.main(argv)
    return status, capsys.readouterr()


def _metrics(folder):
    return json.loads((folder / "metrics.json").read_text())


def _tiny_lenet():
    """LeNet's pattern (convolution, ReLU, max-pool, linear) with 74 parameters."""
    return nn.Sequential(nn.Conv2d(3, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 2))


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
    torch = torch_itself("draw_graph is given PyTorch's own graph")
    labels = _graph_labels(torch, _tutorial_case)
    assert labels.count("output (1,)") == 1
    assert "1. PowBackward0" in labels and "2. MulBackward0" in labels
    assert "x (1,)\nrequires_grad\ngrad: [16]" in labels  # dy/dx = 8x at x = 2


def test_lenet_graph_from_torch_is_layered(tmp_path):
    torch = torch_itself("draw_graph is given PyTorch's own graph")
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
    assert _graph_labels(minigrad, _tutorial_case) == reference(lambda torch: _graph_labels(torch, _tutorial_case))


def test_draw_graph_rejects_a_non_tensor():
    with pytest.raises(TypeError, match="tensor must be a Tensor"):
        draw_graph([1.0, 2.0])


def test_graph_summary_lists_ops_in_backward_order():
    torch = torch_itself("graph_summary is given PyTorch's own graph")
    _, y = _tutorial_graph(torch)
    assert graph_summary(y) == {"backward_order": ["PowBackward0", "MulBackward0"], "leaves": ["(1,)"], "layers": 4}


def test_graph_command_draws_both_graphs(notes, tmp_path, capsys, accumulate_grad_nodes):
    status, out = _run(["graph", "--data", str(notes), "--grads", "--out", str(tmp_path), *TINY_JOB], capsys)
    assert status == 0, out.err
    for name in ("graph-tutorial.png", "graph-lenet.png"):
        assert (tmp_path / name).stat().st_size > 3000
    metrics = _metrics(tmp_path)
    assert metrics["tutorial"]["backward_order"] == ["PowBackward0", "MulBackward0"]
    assert len(metrics["lenet"]["leaves"]) == 10  # weight and bias of 5 layers


# ---- curvature: Hessian-vector products ----

def test_tutorial_second_derivative_is_exactly_8():
    x = minigrad.tensor([2.0], requires_grad=True)
    hvp = hessian.hessian_vector_product((2 * x) ** 2, [x])
    assert hvp([minigrad.ones(1)])[0].item() == 8.0
    assert hessian.top_eigenvalue(hvp, [x])[0] == 8.0


def test_rosenbrock_minimum_eigenvalues():
    h_max, h_min = hessian.eigenvalues(curvature.function_hessian(conditioning.rosenbrock, (1.0, 1.0)))
    # H = [[802, -400], [-400, 200]]: eigenvalues 501 +- sqrt(501^2 - 400)
    assert h_max == pytest.approx(501 + math.sqrt(501 ** 2 - 400), rel=1e-9)
    assert h_min == pytest.approx(501 - math.sqrt(501 ** 2 - 400), rel=1e-6)
    assert (round(h_max, 1), round(h_min, 4), round(h_max / h_min)) == (1001.6, 0.3994, 2508)


def _exact_hessian(function, point):
    x, y = point
    if function is conditioning.rosenbrock:
        return numpy.array([[2 + 1200 * x * x - 400 * y, -400 * x], [-400 * x, 200.0]])
    return numpy.diag([8.0, 0.08])


def _hvp_hessian(function, point):
    return curvature.function_hessian(function, point)


@pytest.mark.parametrize("hessian_at", [_exact_hessian, _hvp_hessian], ids=["exact-hessian", "hvp-hessian"])
@pytest.mark.parametrize("problem", conditioning.PROBLEMS, ids=["rosenbrock", "quadratic"])
def test_predicted_contraction_matches_measured(problem, hessian_at):
    result = conditioning.study(problem, hessian_at, steps=1200)
    for method, run in result["runs"].items():
        assert run["measured"] == pytest.approx(run["predicted"], rel=0.03), method
    kappa = result["kappa"]
    assert result["runs"]["gd"]["predicted"] == pytest.approx((kappa - 1) / (kappa + 1))
    assert result["runs"]["heavy_ball"]["predicted"] == pytest.approx((kappa ** 0.5 - 1) / (kappa ** 0.5 + 1))


@pytest.mark.parametrize("rate", [0.5, 0.9, 0.999], ids=["fast", "slow", "crawl"])
def test_measured_contraction_of_a_geometric_sequence(rate):
    assert conditioning.measured_contraction([3 * rate ** t for t in range(400)]) == pytest.approx(rate, rel=1e-9)


def test_power_iteration_agrees_with_the_dense_hessian():
    net = _tiny_lenet()
    batch = (minigrad.randn(6, 3, 6, 6), minigrad.tensor([0, 1, 1, 0, 1, 0]))
    criterion = nn.CrossEntropyLoss()
    params = list(net.parameters())
    hvp = hessian.hessian_vector_product(criterion(net(batch[0]), batch[1]), params)
    exact = hessian.eigenvalues(hessian.dense_hessian(hvp, params))
    assert exact.shape == (74,)
    assert curvature.lenet_sharpness(net, criterion, batch, iters=300) == pytest.approx(exact[0], rel=1e-3)


def test_hvp_matches_pytorch_on_a_tiny_network():
    net = _tiny_lenet()
    inputs, labels = minigrad.randn(4, 3, 6, 6), minigrad.tensor([0, 1, 1, 0])
    vectors = [minigrad.randn(*p.shape) for p in net.parameters()]
    ours = hessian.hessian_vector_product(nn.CrossEntropyLoss()(net(inputs), labels), list(net.parameters()))(vectors)
    weights = {key: value.numpy() for key, value in net.state_dict().items()}

    def theirs(torch):
        model = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                    torch.nn.Flatten(), torch.nn.Linear(8, 2))
        model.load_state_dict({key: torch.tensor(value) for key, value in weights.items()})
        names = [name for name, _ in model.named_parameters()]

        def loss(*params):
            outputs = torch.func.functional_call(model, dict(zip(names, params)), (torch.tensor(inputs.numpy()),))
            return torch.nn.functional.cross_entropy(outputs, torch.tensor(labels.numpy()))

        return torch.autograd.functional.hvp(loss, tuple(p.detach() for p in model.parameters()),
                                             tuple(torch.tensor(v.numpy()) for v in vectors))[1]

    for mine, expected in zip(ours, reference(theirs)):
        numpy.testing.assert_allclose(mine.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_curvature_command_on_tiny_sizes(notes, tmp_path, capsys):
    argv = ["curvature", "--iters", "3", "--steps", "150", "--epochs", "2", "--step-size", "1", "--power-iters", "3",
            "--hessian-batch", "4", "--data", str(notes), "--out", str(tmp_path), *TINY_JOB]
    status, out = _run(argv, capsys)
    assert status == 0, out.err
    assert (tmp_path / "curvature.png").stat().st_size > 10000
    metrics = _metrics(tmp_path)
    assert metrics["tutorial"]["second_derivative"] == 8.0 and metrics["tutorial"]["divergence_lr"] == 0.25
    rows = metrics["lenet"]["epochs"]
    assert [row["epoch"] for row in rows] == [0, 1, 2]
    assert [row["gd_limit"] for row in rows] == pytest.approx([2 / 0.0125, 2 / 0.00125, 2 / 0.000125])


# ---- lr-find ----

def _table_batches(count=4):
    return [(minigrad.randn(4, 3, 6, 6), minigrad.randint(0, 2, (4,))) for _ in range(count)]


def test_range_test_restores_model_optimizer_and_generator():
    net = _tiny_lenet()
    optimizer = optim.SGD(net.parameters(), lr=0.0125, momentum=0.9)
    batches = _table_batches()
    net(batches[0][0]).sum().backward()
    optimizer.step()  # a momentum buffer to restore
    before = {key: value.clone() for key, value in net.state_dict().items()}
    saved_optimizer = optimizer.state_dict()
    rng = minigrad.get_rng_state()
    record = lr_find.range_test(net, optimizer, nn.CrossEntropyLoss(), batches, 1e-4, 1.0, steps=10)
    assert len(record["lr"]) == len(record["loss"]) <= 10
    assert record["lr"][:2] == pytest.approx([1e-4, 1e-4 * 10 ** (4 / 9)])
    for key, value in net.state_dict().items():
        assert numpy.array_equal(value.numpy(), before[key].numpy()), key
    restored = optimizer.state_dict()
    assert restored["param_groups"] == saved_optimizer["param_groups"]
    for key, state in saved_optimizer["state"].items():
        assert numpy.array_equal(restored["state"][key]["momentum_buffer"].numpy(), state["momentum_buffer"].numpy())
    after = minigrad.rand(3).numpy()
    minigrad.set_rng_state(rng)
    assert numpy.array_equal(after, minigrad.rand(3).numpy())  # the generator was put back too


@pytest.mark.parametrize("center", [1e-3, 3e-2], ids=["low", "high"])
def test_suggestion_is_the_steepest_fall(center):
    lrs = numpy.geomspace(1e-5, 1.0, 101)
    smoothed = 1 - numpy.tanh(3 * (numpy.log10(lrs) - numpy.log10(center))) + (lrs > 0.5) * 10.0
    assert lr_find.suggest(lrs, smoothed) == pytest.approx(center, rel=0.13)  # within one grid step


def test_lr_find_command_on_tiny_sizes(notes, tmp_path, capsys):
    argv = ["lr-find", "--data", str(notes), "--steps", "12", "--out", str(tmp_path), *TINY_JOB]
    status, out = _run(argv, capsys)
    assert status == 0 and "suggested lr" in out.out
    metrics = _metrics(tmp_path)
    assert 1e-5 <= metrics["suggested_lr"] <= 1.0 and metrics["suggested_lr"] in metrics["lr"]
    assert metrics["tutorial_lr"] == 0.0125 and metrics["steps_run"] == len(metrics["loss"])
    assert (tmp_path / "lr_find.png").stat().st_size > 10000


# ---- train --diagnostics ----

def test_diagnostics_numbers_match_their_definitions():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    optimizer = optim.SGD(net.parameters(), lr=0.1)
    recorder = diagnostics.Diagnostics(net, optimizer)
    inputs = minigrad.randn(5, 3)
    first_output = net[0](inputs).detach().numpy()
    net(inputs).sum().backward()
    optimizer.step()
    recorder.after_step()
    first = recorder.records["0"]
    grad, weight = net[0].weight.grad.numpy(), net[0].weight.detach().numpy()
    assert list(recorder.records) == ["0", "2"]
    assert first["grad_norm"][0] == pytest.approx(numpy.linalg.norm(grad), rel=1e-5)
    expected_ratio = 0.1 * numpy.linalg.norm(grad) / numpy.linalg.norm(weight)  # weight after the step
    assert first["update_ratio"][0] == pytest.approx(expected_ratio, rel=1e-5)
    assert first["act_positive"][0] == pytest.approx((first_output > 0).mean())
    assert first["act_std"][0] == pytest.approx(first_output.std(ddof=1), rel=1e-5)


def test_train_with_diagnostics(notes, tmp_path, capsys):
    argv = ["train", "--data", str(notes), "--epochs", "2", "--diagnostics", "--no-progress", "--out", str(tmp_path),
            *TINY_JOB]
    status, _ = _run(argv, capsys)
    assert status == 0
    metrics = _metrics(tmp_path)
    layers = metrics["diagnostics"]["layers"]
    assert list(layers) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert all(len(record["grad_norm"]) == 8 for record in layers.values())  # 2 epochs of 4 batches
    assert "epochs" in metrics and metrics["diagnostics"]["guide_update_ratio"] == 1e-3
    for name in ("grad-flow.png", "update-ratio.png"):
        assert (tmp_path / name).stat().st_size > 10000


# ---- landscape ----

def test_filter_normalized_direction_keeps_each_filter_norm():
    weights = [minigrad.randn(4, 3, 2, 2), minigrad.randn(4), minigrad.randn(5, 7)]
    direction = landscape.filter_normalized_direction(weights)
    for weight, step in zip(weights, direction):
        if weight.dim() == 1:
            assert not step.numpy().any()
            continue
        norms = [numpy.linalg.norm(part) for part in (weight.numpy(), step.numpy())]
        rows = [numpy.linalg.norm(part.reshape(part.shape[0], -1), axis=1) for part in (weight.numpy(), step.numpy())]
        numpy.testing.assert_allclose(rows[1], rows[0], rtol=1e-5)
        assert norms[1] == pytest.approx(norms[0], rel=1e-5)


def test_landscape_command_on_tiny_sizes(trained, tmp_path, capsys):
    argv = ["landscape", str(trained), "--line-points", "3", "--grid", "3", "--out", str(tmp_path)]
    status, out = _run(argv, capsys)
    assert status == 0, out.err
    metrics = _metrics(tmp_path)
    assert metrics["line"]["alpha"] == [-0.25, 0.0, 0.5, 1.0, 1.25]  # 0 and 1 always on the line
    center = metrics["grid"]["loss"][1][1]  # the trained weights themselves
    assert metrics["trained_loss"] == pytest.approx(center, rel=1e-4)
    assert metrics["grid"]["min"] <= center and metrics["images"] == 16
    assert (tmp_path / "landscape.png").stat().st_size > 10000


# ---- every command: help and bad arguments ----

@pytest.mark.parametrize("name", ["curvature", "lr-find", "landscape", "graph"])
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([name, "--help"])
    assert exit_info.value.code == 0 and f"minigrad {name}" in capsys.readouterr().out


@pytest.mark.parametrize("argv,words", [
    (["lr-find", "--start-lr", "1", "--end-lr", "0.1"], "must be smaller than --end-lr"),
    (["lr-find", "--data", "/nowhere/at/all"], "/nowhere/at/all"),
    (["landscape", "/nowhere/model.ckpt"], "checkpoint not found"),
    (["graph", "--model", "resnet"], "invalid choice"),
    (["curvature", "--power-iters", "0"], "expected a positive integer"),
], ids=["lr-range", "lr-data", "landscape-ckpt", "graph-model", "curvature-iters"])
def test_bad_arguments_exit_2_with_one_line(argv, words, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv + ["--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and words in err and len(err.splitlines()) == 1
