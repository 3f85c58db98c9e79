"""Shared fixtures: the devices to run on and the location of the real RMB photos."""
from pathlib import Path

import pytest

import minigrad

RMB_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "rmb" / "RMB_data"

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not minigrad.cuda.is_available(), reason="CUDA needs CuPy and a GPU (the gpu extra)"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Every op test runs on the CPU and, when CuPy sees a GPU, on CUDA."""
    return request.param


@pytest.fixture
def rmb_data():
    """The folder of real RMB photos next to the checkout; the test is skipped without it."""
    if not RMB_DATA.is_dir():
        pytest.skip(f"real RMB photos not found at {RMB_DATA}")
    return RMB_DATA


@pytest.fixture(autouse=True)
def _seed():
    minigrad.manual_seed(0)
