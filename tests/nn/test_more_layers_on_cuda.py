"""The new layers, losses and functions on the CUDA device (a GPU through CuPy, or the CuPy
stand-in of tests/cupy_standin): the same values and gradients as on the CPU."""
import numpy
import pytest

import minigrad
import nn

if not minigrad.cuda.is_available():
    pytest.skip("no CUDA device", allow_module_level=True)

F = nn.functional
CASES = [
    ("erf-gelu", lambda x: F.gelu(x * 3) + minigrad.erf(x)),
    ("activations", lambda x: F.elu(x) + F.selu(x) + F.celu(x, 2.0) + F.hardswish(x * 4) + F.hardsigmoid(x * 4)
     + F.mish(x) + F.softshrink(x, 0.2) + F.hardshrink(x, 0.2) + F.threshold(x, 0.1, 2.0) + F.relu6(x * 8)),
    ("rrelu-eval-prelu", lambda x: F.rrelu(x) + F.prelu(x, minigrad.full((3,), 0.3, dtype=x.dtype, device=x.device))),
    ("norms", lambda x: F.layer_norm(x, (4, 5)) + F.group_norm(x, 3) + F.instance_norm(x)
     + F.local_response_norm(x, 2)),
    ("conv1d-pool1d", lambda x: F.max_pool1d(F.conv1d(x[:, :, 0], minigrad.ones(2, 3, 2, dtype=x.dtype,
                                                                               device=x.device)), 2)),
    ("unpool", lambda x: F.max_unpool2d(*F.max_pool2d(x[..., :4], 2, return_indices=True), 2)),
    ("interpolate", lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear").sum() + F.interpolate(
        x, size=(3, 7), mode="bicubic").sum() + F.interpolate(x, scale_factor=2).sum()),
    ("pixel-shuffle-pad", lambda x: F.pixel_unshuffle(F.pad(x, (1, 1, 0, 0), mode="reflect")[:, :, :4, :6], 2)),
    ("losses", lambda x: F.huber_loss(x, x.flip(0)) + F.soft_margin_loss(x, x.sign()) + F.multilabel_margin_loss(
        x[:, 0, 0], minigrad.tensor([[2, 0, -1, 1, 0]] * 2, device=x.device)) + F.multi_margin_loss(
        x[:, :, 0, 0], minigrad.tensor([1, 2], device=x.device)) + F.triplet_margin_loss(x[0], x[1], x.flip(0)[0])),
    ("ctc", lambda x: F.ctc_loss(x.reshape(4, 2, 15).log_softmax(2), minigrad.tensor([[1, 2], [3, 3]], device=x.device),
                                 [4, 3], [2, 2])),
]


@pytest.mark.parametrize("function", [pytest.param(f, id=name) for name, f in CASES])
def test_cuda_matches_cpu(function):
    values = numpy.random.RandomState(0).standard_normal((2, 3, 4, 5))
    results = {}
    for device in ("cpu", "cuda"):
        x = minigrad.tensor(values, device=device, requires_grad=True)
        out = function(x)
        out.sum().backward()
        assert out.device.type == device and x.grad.device.type == device
        results[device] = (out.detach().cpu().numpy(), x.grad.cpu().numpy())
    for ours, reference in zip(results["cuda"], results["cpu"]):
        numpy.testing.assert_allclose(ours, reference, rtol=1e-10, atol=1e-12)


def test_backward_hooks_and_dropout_run_on_cuda():
    seen = []
    model = nn.Sequential(nn.Linear(4, 6), nn.Unflatten(1, (3, 2)), nn.Dropout1d(0.5), nn.AlphaDropout(0.3)).to("cuda")
    model[0].register_full_backward_hook(lambda m, gi, go: seen.append(go[0].device.type))
    model(minigrad.randn(2, 4, device="cuda", requires_grad=True)).sum().backward()
    assert seen == ["cuda"]
    nn.utils.clip_grad_norm_(model.parameters(), 0.1)
    assert float(nn.utils.get_total_norm([p.grad for p in model.parameters()]).cpu()) <= 0.1 + 1e-6
