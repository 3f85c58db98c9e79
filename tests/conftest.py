"""Shared fixtures: the devices to run on and the location of the real RMB photos.

Without real CuPy, the CuPy stand-in of tests/cupy_standin (CPU arrays behind CuPy's rules)
is installed as ``cupy``, so the "cuda" device runs everywhere; real CuPy always wins.
"""
from pathlib import Path

import pytest

import cupy_standin
import minigrad

try:
    import cupy  # noqa: F401
except ImportError:
    cupy_standin.install()

RMB_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "rmb" / "RMB_data"

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not minigrad.cuda.is_available(), reason="real CuPy is installed but sees no GPU"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Every op test runs on the CPU and on CUDA (a GPU through CuPy, or the CuPy stand-in)."""
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
