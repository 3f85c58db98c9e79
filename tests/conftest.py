"""Shared fixtures: the devices to run on and the location of the real RMB photos; and the hooks
that tell tests/oracle.py which test is asking for PyTorch's answers.

The tests mirror the source tree (engine/ for minigrad, nn/, optim/, data/, app/ for minigrad_app);
the helpers they share (op registries, case tables, the CuPy stand-in) live here at the root, which
this file puts on ``sys.path`` so ``import nn_cases`` works from any folder.

Without real CuPy, the CuPy stand-in of tests/cupy_standin (CPU arrays behind CuPy's rules)
is installed as ``cupy``, so the "cuda" device runs everywhere; real CuPy always wins.
"""
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

import cupy_standin  # noqa: E402 - importable once tests/ is on the path
import minigrad  # noqa: E402
from oracle import ORACLE  # noqa: E402

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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    ORACLE.begin(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield
    ORACLE.end()


def pytest_sessionfinish(session):
    ORACLE.finish()
