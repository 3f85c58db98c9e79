"""Factories, randomness, devices, in-place ops and the errors a learner meets first."""
import sys

import numpy
import pytest

import minigrad
from minigrad import backend
from oracle import reference

FACTORIES = [
    ("zeros", lambda m: m.zeros(2, 3)),
    ("zeros_tuple_double", lambda m: m.zeros((2, 3), dtype=m.float64)),
    ("ones", lambda m: m.ones(4)),
    ("full_float", lambda m: m.full((2, 2), 1.5)),
    ("full_int", lambda m: m.full((2,), 7)),
    ("empty_shape", lambda m: m.empty(3, 1).shape and m.zeros(3, 1)),
    ("arange_int", lambda m: m.arange(5)),
    ("arange_float", lambda m: m.arange(0, 1, 0.25)),
    ("arange_negative_step", lambda m: m.arange(5, 0, -2)),
    ("linspace", lambda m: m.linspace(-1, 1, 7)),
    ("eye", lambda m: m.eye(3)),
    ("eye_rect", lambda m: m.eye(2, 4)),
    ("zeros_like", lambda m: m.zeros_like(m.ones(2, 2, dtype=m.int64))),
    ("ones_like", lambda m: m.ones_like(m.zeros(3))),
    ("full_like", lambda m: m.full_like(m.zeros(3), 2.5)),
    ("tensor_nested", lambda m: m.tensor([[1, 2], [3, 4]])),
    ("tensor_bool", lambda m: m.tensor([True, False])),
    ("tensor_scalar", lambda m: m.tensor(3.5)),
    ("from_numpy_float64", lambda m: m.from_numpy(numpy.arange(3.0))),
]


@pytest.mark.parametrize("name,make", FACTORIES, ids=[f[0] for f in FACTORIES])
def test_factories_match_torch(name, make):
    ours = make(minigrad)
    theirs = reference(lambda torch: (lambda made: {"dtype": str(made.dtype), "values": made.numpy()})(make(torch)))
    assert ours.shape == theirs["values"].shape
    assert str(ours.dtype) == theirs["dtype"].replace("torch", "minigrad")
    numpy.testing.assert_allclose(ours.numpy(), theirs["values"], rtol=1e-6)


@pytest.mark.parametrize("draw", [
    lambda: minigrad.rand(3, 4), lambda: minigrad.randn(5), lambda: minigrad.randint(0, 10, (6,)),
    lambda: minigrad.randperm(8), lambda: minigrad.rand_like(minigrad.zeros(3)),
    lambda: minigrad.empty(4).normal_(), lambda: minigrad.empty(4).uniform_(-1, 1),
], ids=["rand", "randn", "randint", "randperm", "rand_like", "normal_", "uniform_"])
def test_manual_seed_makes_draws_reproducible(draw):
    minigrad.manual_seed(7)
    first = draw().numpy().copy()
    minigrad.manual_seed(7)
    assert numpy.array_equal(first, draw().numpy())
    assert not numpy.array_equal(first, draw().numpy())


def test_random_distributions_and_generators():
    minigrad.manual_seed(0)
    normal, uniform = minigrad.randn(20000), minigrad.rand(20000)
    assert normal.dtype == uniform.dtype == minigrad.float32
    assert abs(normal.mean().item()) < 0.03 and abs(normal.std().item() - 1) < 0.03
    assert 0 <= uniform.min().item() and uniform.max().item() < 1
    values = minigrad.randint(3, 6, (1000,))
    assert values.dtype == minigrad.int64 and set(values.tolist()) == {3, 4, 5}
    assert sorted(minigrad.randperm(10).tolist()) == list(range(10))
    local = minigrad.Generator().manual_seed(3)
    again = minigrad.Generator().manual_seed(3)
    assert numpy.array_equal(minigrad.randn(4, generator=local).numpy(), minigrad.randn(4, generator=again).numpy())


def test_rng_state_round_trip():
    minigrad.manual_seed(5)
    state = minigrad.get_rng_state()
    first = minigrad.randn(3).numpy().copy()
    minigrad.set_rng_state(state)
    assert numpy.array_equal(first, minigrad.randn(3).numpy())
    assert state.dtype == numpy.uint8
    with pytest.raises(RuntimeError, match="CPUGeneratorImplState of size 5056"):
        minigrad.set_rng_state(numpy.zeros(4, dtype=numpy.uint8))


def test_inplace_ops_match_torch():

    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0, 0.5])
        x.add_(lib.tensor([1.0, 1.0, 1.0, 1.0]), alpha=-0.5).mul_(3).div_(2).sub_(0.25)
        x.clamp_(-1.0, 2.0)
        y = lib.zeros(2, 4)
        y.copy_(x)
        y[0, 1:3] = 9.0
        y.fill_(y[1, 0]) if False else None
        return x.numpy(), y.numpy()

    for ours, theirs in zip(run(minigrad), reference(run)):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_inplace_ops_keep_dtype_and_refuse_unsafe_casts():
    x = minigrad.tensor([1, 2, 3])
    x.mul_(2)
    assert x.dtype == minigrad.int64 and x.tolist() == [2, 4, 6]
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.add_(0.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        x.div_(2)


def test_version_counter_counts_inplace_edits():
    x = minigrad.zeros(3)
    assert x._version == 0
    x.add_(1)
    x.zero_()
    x[0] = 2.0
    assert x._version == 3


@pytest.mark.parametrize("call,error,words", [
    (lambda: minigrad.ones(2, 3) + minigrad.ones(4), RuntimeError, r"size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1"),
    (lambda: minigrad.ones(2, 3) * minigrad.ones(2), RuntimeError, r"size of tensor a \(3\) must match the size of tensor b \(2\)"),
    (lambda: minigrad.ones(2, 3) @ minigrad.ones(4, 2), RuntimeError, r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)"),
    (lambda: minigrad.ones(2, 3).reshape(4, 2), RuntimeError, r"shape '\[4, 2\]' is invalid for input of size 6"),
    (lambda: minigrad.ones(2, 3).sum(2), IndexError, "Dimension out of range"),
    (lambda: minigrad.ones(2, 3).permute(0, 1, 2), RuntimeError, "number of dimensions"),
    (lambda: minigrad.cat([minigrad.ones(2, 3), minigrad.ones(2, 4)]), RuntimeError, "Sizes of tensors must match except in dimension 0"),
    (lambda: minigrad.stack([minigrad.ones(2), minigrad.ones(3)]), RuntimeError, "equal size"),
    (lambda: minigrad.ones(2, 3).expand(4, 3), RuntimeError, "expanded size"),
    (lambda: minigrad.ones(3).mean(dtype=None) and minigrad.arange(3).mean(), RuntimeError, "floating point"),
    (lambda: minigrad.clamp(minigrad.ones(2)), RuntimeError, "At least one of 'min' or 'max'"),
    (lambda: bool(minigrad.ones(2)), RuntimeError, "ambiguous"),
    (lambda: minigrad.tensor(["a"]), TypeError, "can't convert"),
    (lambda: minigrad.zeros(-1), RuntimeError, "negative dimension"),
    (lambda: minigrad.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda: minigrad.ones(2).split(0), RuntimeError, "split_size"),
], ids=["broadcast_add", "broadcast_mul", "matmul", "reshape", "dim", "permute", "cat", "stack", "expand",
        "mean_int", "clamp", "bool", "strings", "negative_size", "arange_step", "split"])
def test_errors_name_the_op_and_shapes(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_numpy_arrays_mix_with_tensors():
    x = minigrad.tensor([1.0, 2.0])
    y = numpy.array([3.0, 4.0], dtype=numpy.float32) + x
    assert isinstance(y, minigrad.Tensor) and y.tolist() == [4.0, 6.0]
    assert numpy.asarray(x).tolist() == [1.0, 2.0]


def test_cuda_without_cupy_or_gpu_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` fails, as without the gpu extra
    assert not minigrad.cuda.is_available()
    with pytest.raises(RuntimeError, match=r'pip install -e "\.\[gpu\]"'):
        minigrad.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="gpu"):
        minigrad.ones(2).cuda()
    with pytest.raises(RuntimeError, match="CUDA"):
        minigrad.set_default_device("cuda")


def test_device_objects():
    assert minigrad.device("cpu") == "cpu" and minigrad.device("cuda:1").index == 1
    assert repr(minigrad.device("cpu")) == "device(type='cpu')"
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        minigrad.device("tpu")


def test_ops_run_on_the_requested_device(device):
    x = minigrad.randn(3, 4, device=device, requires_grad=True)
    y = (x.exp() @ minigrad.ones(4, 2, device=device)).sum()
    y.backward()
    assert x.grad.device == device and backend.device_of(x.grad.array) == device
    assert x.to("cpu").device == "cpu"


def test_mixing_devices_names_both():
    if not minigrad.cuda.is_available():
        pytest.skip("needs CUDA")
    with pytest.raises(RuntimeError, match="cpu.*cuda|cuda.*cpu"):
        minigrad.ones(2) + minigrad.ones(2, device="cuda")
