"""What every benchmark case does inside its own process: time a callable, state the threads,
read the peak memory, and print one JSON line for the runner.

A case module is started as ``python -m bench.<case> --library minigrad|torch --variant NAME``;
it imports only the library it measures (and NumPy), so nothing of the other library runs,
spins or takes memory in that process.
"""
import argparse
import ctypes
import json
import os
import statistics
import time

LIBRARIES = ("minigrad", "torch")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def case_parser(description, variants):
    """The command line every case takes; ``variants`` lists the names ``--variant`` accepts."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--library", required=True, choices=LIBRARIES)
    parser.add_argument("--variant", required=True, choices=list(variants))
    parser.add_argument("--min-seconds", type=float, default=1.0,
                        help="time each variant for at least this long after the warm-up (default 1)")
    parser.add_argument("--min-repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    return parser


def cpu_counters():
    """(busy seconds, all seconds) of the whole machine since boot, summed over its cores."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


class OtherLoad:
    """The share of all cores that other processes kept busy between enter and exit: the
    machine's busy time less this process's own CPU time (all its threads)."""

    def __enter__(self):
        self.start = cpu_counters(), time.process_time()
        return self

    def __exit__(self, *exc_info):
        (busy0, total0), own0 = self.start
        (busy1, total1), own1 = cpu_counters(), time.process_time()
        self.share = max((busy1 - busy0) - (own1 - own0), 0.0) / max(total1 - total0, 1e-9)
        return False


def median_seconds(fn, warmup=3, min_repeats=10, min_seconds=1.0, max_repeats=1000):
    """Median wall time of ``fn()``, the samples, and the other load while timing: ``warmup``
    untimed calls, then at least ``min_repeats`` timed calls and at least ``min_seconds`` of
    them (at most ``max_repeats``)."""
    for _ in range(warmup):
        fn()
    samples, spent = [], 0.0
    with OtherLoad() as load:
        while len(samples) < max_repeats and (len(samples) < min_repeats or spent < min_seconds):
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
            spent += samples[-1]
    return statistics.median(samples), samples, load.share


def peak_memory_mb():
    """VmHWM, the peak resident memory of this process image (not ru_maxrss, which Linux carries
    over from the parent across exec); None where /proc is missing."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _openblas_threads():
    """Threads NumPy's OpenBLAS will use, asked from the loaded library itself."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and line.rstrip().endswith(".so")}
    except OSError:
        return None
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "openblas_get_num_threads"):
            if hasattr(library, symbol):
                return getattr(library, symbol)()
    return None


def thread_facts(library):
    """The thread settings this process ran with: the environment and what the libraries report."""
    facts = {name: os.environ.get(name, "unset") for name in THREAD_VARIABLES}
    facts["numpy_openblas_threads"] = _openblas_threads()
    if library == "torch":
        import torch
        facts["torch_threads"] = torch.get_num_threads()
        facts["torch_interop_threads"] = torch.get_num_interop_threads()
    return facts


def report(args, value, samples=(), other_load=None, unit="s", extra=None):
    """Print the one JSON line the runner reads (the last line of stdout); ``other_load`` is
    left out when nothing was timed (the runner then uses the whole process's)."""
    result = {"library": args.library, "variant": args.variant, "value": value, "unit": unit,
              "samples": len(samples), "peak_memory_mb": peak_memory_mb(), "threads": thread_facts(args.library)}
    if other_load is not None:
        result["other_load"] = other_load
    result.update(extra or {})
    print(json.dumps(result), flush=True)
