"""Timing helpers shared by the benchmarks: interleaved repetitions, medians, machine facts."""
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python bench/x.py` from a checkout
    sys.path.insert(0, str(ROOT))


def interleaved(candidates, repeats=20, warmup=3):
    """Median seconds per call of each callable in ``candidates`` (a dict name -> fn).

    The candidates take turns within every repetition, so a slow phase of the machine hits
    them all alike; the ratio of two medians from one call is the figure we report.
    """
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    samples = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in samples.items()}


def row(benchmark, ours, theirs, note=""):
    """One result line: seconds for minigrad and PyTorch, and their ratio."""
    return {"benchmark": benchmark, "minigrad_ms": ours * 1e3, "torch_ms": theirs * 1e3,
            "ratio": ours / theirs if theirs else float("nan"), "note": note}


def machine():
    import numpy
    import torch
    facts = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
             "numpy": numpy.__version__, "torch": torch.__version__, "torch_threads": torch.get_num_threads()}
    try:
        config = numpy.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        facts["numpy_blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy: no dict mode
        facts["numpy_blas"] = "unknown"
    try:
        from threadpoolctl import threadpool_info
        facts["blas_threads"] = ", ".join(f"{i['internal_api']}={i['num_threads']}" for i in threadpool_info())
    except ImportError:
        facts["blas_threads"] = os.environ.get("OMP_NUM_THREADS", "default")
    return facts


def print_rows(rows):
    print(f"{'benchmark':<46}{'minigrad ms':>13}{'torch ms':>11}{'ratio':>8}  note")
    for r in rows:
        print(f"{r['benchmark']:<46}{r['minigrad_ms']:>13.3f}{r['torch_ms']:>11.3f}{r['ratio']:>8.2f}  {r['note']}")
