"""A strict CPU stand-in for CuPy, so that the "cuda" device is tested on machines without a GPU.

Its arrays live in host memory but obey CuPy's rules: ``numpy.asarray`` of one raises CuPy's
TypeError; functions, ufuncs and operators refuse ``numpy.ndarray`` operands (0-d included) and
take Python and NumPy scalars; ``.get()``/``cupy.asnumpy`` copy to the host; reductions return
0-d arrays; views share memory; and a process forked after its parent used the device gets
CUDA's initialization error. Code that passes against it uses CuPy the way CuPy allows; numbers
and speed on a real GPU still need a real GPU.

``install()`` makes ``import cupy`` and ``import cupyx`` return it; tests/conftest.py calls it
when real CuPy cannot be imported (real CuPy always wins).
"""
import sys

from cupy_standin import _cuda, _random, _state, _ufunc, cupy_api, cupyx_api  # noqa: F401 (_ufunc adds operators)

MODULES = {"cupy": cupy_api, "cupy.cuda": _cuda, "cupy.cuda.runtime": _cuda.runtime, "cupy.random": _random,
           "cupy.linalg": cupy_api.linalg, "cupyx": cupyx_api}
CUDARuntimeError = _state.CUDARuntimeError


def install():
    """Register the stand-in as the modules ``cupy``, ``cupy.cuda``... and ``cupyx``."""
    sys.modules.update(MODULES)


def installed():
    return sys.modules.get("cupy") is cupy_api
