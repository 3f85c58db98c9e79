"""Checkpoints, workers and the command line with the "cuda" device: a checkpoint made on CUDA
loads on a machine without a GPU through ``map_location``; DataLoader workers load on the CPU;
a forked process that touches CUDA gets the fork error, not the install hint."""
import warnings

import numpy
import pytest

import cupy_standin
import minigrad
import nn
import optim
from data import DataLoader, Dataset
from minigrad_app.rmb import tools as rmb
from minigrad_app.commands import predict, train

CUDA = pytest.mark.skipif(not minigrad.cuda.is_available(), reason="real CuPy is installed but sees no GPU")
STANDIN = pytest.mark.skipif(not cupy_standin.installed(), reason="plays a machine without a GPU: needs the stand-in")
pytestmark = CUDA


@pytest.fixture
def no_gpu(monkeypatch):
    """A machine whose CUDA driver sees no GPU (the stand-in with no devices)."""
    monkeypatch.setattr(cupy_standin._state, "DEVICE_COUNT", 0)
    assert not minigrad.cuda.is_available()


@pytest.fixture(scope="module")
def notes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notes")
    rmb.synthesize(folder, n_per_class=8, seed=0)
    return folder


def train_args(notes, out, device, epochs=2, extra=()):
    return ["--data", str(notes), "--epochs", str(epochs), "--batch-size", "4", "--out", str(out), "--no-progress",
            "--device", device, *extra]


# ---- minigrad.load(map_location=...) -------------------------------------------------------

@pytest.mark.parametrize("saved_on,map_location,expected", [
    ("cuda", "cpu", "cpu"),
    ("cuda", minigrad.device("cpu"), "cpu"),
    ("cuda", {"cuda:0": "cpu"}, "cpu"),
    ("cuda", None, "cuda"),
    ("cpu", "cuda", "cuda"),
    ("cpu", {"cuda": "cpu"}, "cpu"),
], ids=["str", "device", "dict", "none-stays", "to-cuda", "dict-other-device"])
def test_map_location_puts_every_tensor_on_the_device_it_names(saved_on, map_location, expected, tmp_path):
    weights = minigrad.randn(3, 2).to(saved_on).requires_grad_()
    minigrad.save({"w": weights, "nested": [minigrad.arange(4).to(saved_on)]}, tmp_path / "x.ckpt")
    loaded = minigrad.load(tmp_path / "x.ckpt", map_location=map_location)
    assert loaded["w"].device == minigrad.device(expected) and loaded["w"].requires_grad
    assert loaded["nested"][0].device == minigrad.device(expected)
    assert numpy.array_equal(loaded["w"].detach().cpu().numpy(), weights.detach().cpu().numpy())


@STANDIN
def test_a_cuda_checkpoint_without_map_location_on_a_machine_without_gpu_says_what_to_do(tmp_path, monkeypatch):
    minigrad.save({"w": minigrad.ones(2, device="cuda")}, tmp_path / "x.ckpt")
    monkeypatch.setattr(cupy_standin._state, "DEVICE_COUNT", 0)
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        minigrad.load(tmp_path / "x.ckpt")
    assert minigrad.load(tmp_path / "x.ckpt", map_location="cpu")["w"].tolist() == [1.0, 1.0]


# ---- the command line ----------------------------------------------------------------------

def final_weights(out):
    return {key: value.numpy() for key, value in minigrad.load(out / "last.ckpt", map_location="cpu")["model"].items()}


def test_train_on_cuda_with_workers_matches_the_cpu_run(notes, tmp_path):
    assert train.main(train_args(notes, tmp_path / "cpu", "cpu", extra=["--num-workers", "2"])) == 0
    assert train.main(train_args(notes, tmp_path / "cuda", "cuda", extra=["--num-workers", "2"])) == 0
    saved = minigrad.load(tmp_path / "cuda" / "last.ckpt")
    assert all(value.device == minigrad.device("cuda") for value in saved["model"].values())
    expected, result = final_weights(tmp_path / "cpu"), final_weights(tmp_path / "cuda")
    for key in expected:
        numpy.testing.assert_allclose(result[key], expected[key], rtol=1e-4, atol=1e-6, err_msg=key)


@STANDIN
def test_a_cuda_run_resumes_and_predicts_on_a_machine_without_gpu(notes, tmp_path, monkeypatch, capsys):
    assert train.main(train_args(notes, tmp_path, "cuda", epochs=1)) == 0
    monkeypatch.setattr(cupy_standin._state, "DEVICE_COUNT", 0)
    resumed = train_args(notes, tmp_path, "cpu", extra=["--resume", str(tmp_path / "last.ckpt")])
    assert train.main(resumed) == 0
    saved = minigrad.load(tmp_path / "last.ckpt")
    assert saved["run"]["epoch"] == 2 and all(v.device == minigrad.device("cpu") for v in saved["model"].values())
    capsys.readouterr()
    assert predict.main([str(tmp_path / "last.ckpt"), str(notes / "1"), "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("LeNet got") == 8


@STANDIN
def test_a_cuda_run_resumes_on_cuda(notes, tmp_path):
    """The checkpoint's random states (CPU byte tensors) are mapped to the device with the rest:
    resuming brings them back to the CPU generator."""
    assert train.main(train_args(notes, tmp_path, "cuda", epochs=1)) == 0
    assert train.main(train_args(notes, tmp_path, "cuda", extra=["--resume", str(tmp_path / "last.ckpt")])) == 0
    assert minigrad.load(tmp_path / "last.ckpt", map_location="cpu")["run"]["epoch"] == 2


# ---- worker processes ----------------------------------------------------------------------

class OnCuda(Dataset):
    """A dataset that (wrongly) makes its samples on the GPU."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return minigrad.full((2,), float(index), device="cuda")


def test_a_worker_touching_cuda_gets_the_fork_error_not_the_install_hint():
    minigrad.ones(1, device="cuda")  # this process has used CUDA: a forked worker cannot
    with pytest.raises(RuntimeError, match="Cannot re-initialize CUDA in forked subprocess") as error:
        list(DataLoader(OnCuda(), batch_size=2, num_workers=1))
    assert "install" not in str(error.value) and "no CUDA GPU" not in str(error.value)


def test_workers_load_on_the_cpu_and_the_batches_move_in_the_main_process():
    images = minigrad.randn(6, 3)
    loader = DataLoader(list(zip(images, range(6))), batch_size=3, num_workers=2)
    batches = [(x.to("cuda"), y.to("cuda")) for x, y in loader]
    assert [x.device for x, _ in batches] == [minigrad.device("cuda")] * 2
    assert numpy.array_equal(minigrad.cat([x for x, _ in batches]).cpu().numpy(), images.numpy())


# ---- optimizers and ops on the device ------------------------------------------------------

def test_asgd_keeps_step_eta_and_mu_on_the_parameters_device_as_pytorch():
    param = minigrad.randn(3, device="cuda", requires_grad=True)
    optimizer = optim.ASGD([param], lr=0.1, t0=1)
    for _ in range(5):  # averaging (mu < 1) from step t0 + 2 on
        optimizer.zero_grad()
        (param ** 2).sum().backward()
        optimizer.step()
    state = optimizer.state[param]
    assert {key: state[key].device for key in ("step", "eta", "mu", "ax")} == dict.fromkeys(
        ("step", "eta", "mu", "ax"), minigrad.device("cuda"))
    assert float(state["mu"]) == pytest.approx(1 / 4)


def test_scatter_add_on_cuda_uses_add_at_without_deprecation_warnings():
    table = nn.Embedding(4, 2, sparse=False).to("cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table(minigrad.tensor([1, 1, 3], device="cuda")).sum().backward()
    assert table.weight.grad.cpu().numpy()[:, 0].tolist() == [0.0, 2.0, 0.0, 1.0]


@STANDIN
def test_cuda_on_a_machine_whose_driver_sees_no_gpu_says_so(no_gpu):
    with pytest.raises(RuntimeError, match=r'no CUDA GPU is usable \(cudaErrorNoDevice.*pip install -e "\.\[gpu\]"'):
        minigrad.zeros(2, device="cuda")
    assert minigrad.cuda.device_count() == 0


def test_a_gpu_that_does_not_exist_is_named():
    count = minigrad.cuda.device_count()
    with pytest.raises(RuntimeError, match=f"invalid device ordinal: cuda:{count} was requested"):
        minigrad.ones(2).to(f"cuda:{count}")
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        minigrad.zeros(2, device=f"cuda:{count}")
