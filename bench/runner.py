"""Start each measurement in a fresh process, one library per process, and keep the machine's
other load out of the figures.

Method: for every row, rounds of two processes (minigrad alone, then PyTorch alone, the order
alternating from round to round); each process reports the median of its timed calls after
a warm-up; the row keeps the best (lowest) of those per-process medians for each library.
Before each process the runner waits for the machine to be quiet, and afterwards it measures
how much CPU other processes took while ours ran (from /proc/stat, less the child's own CPU
time); a process that shared the cores is run again, and the load it saw is recorded.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import cpu_counters

BENCH_ROOT = Path(__file__).resolve().parents[1]  # the checkout that holds this bench package
QUIET = 0.10        # other processes may use at most this share of all cores during a measurement
PATIENCE_S = 120.0  # how long to wait for a quiet machine before measuring anyway (and saying so)
RETRIES = 3         # runs of one process at most, when others kept the machine busy


@dataclass(frozen=True)
class Participant:
    """Who runs in a child process: ``library`` ("minigrad" or "torch") imported from the
    checkout ``engine_root`` (another commit's tree measures an older engine)."""
    name: str
    library: str
    engine_root: Path = BENCH_ROOT


@dataclass
class Settings:
    """How the child processes run: thread variables, rounds, and the quiet-machine guard."""
    threads: int = None     # None: leave the thread variables as they are (both libraries use every core)
    rounds: int = 3
    child_options: list = field(default_factory=list)  # e.g. ["--min-seconds", "0.2"]
    quiet: float = QUIET
    patience: float = PATIENCE_S
    retries: int = RETRIES

    def environment(self, participant):
        env = dict(os.environ)
        # the engine first, then this checkout for the bench package (the child runs with -P,
        # so the working folder adds nothing of its own)
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(participant.engine_root), str(BENCH_ROOT)]))
        if self.threads is not None:
            for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
                env[name] = str(self.threads)
        return env


def machine_load(window=0.5):
    """Share of all cores busy over ``window`` seconds (0 to 1)."""
    busy0, total0 = cpu_counters()
    time.sleep(window)
    busy1, total1 = cpu_counters()
    return (busy1 - busy0) / max(total1 - total0, 1e-9)


def wait_for_quiet(limit=QUIET, patience=PATIENCE_S):
    """Wait until other processes leave the cores alone; returns the last load seen."""
    deadline = time.monotonic() + patience
    load = machine_load()
    while load > limit and time.monotonic() < deadline:
        load = machine_load(1.0)
    return load


def run_process(command, env, settings, cwd=None):
    """Run ``command`` once; returns (stdout lines with their times since start, wall seconds,
    the share of all cores that other processes used meanwhile)."""
    wait_for_quiet(settings.quiet, settings.patience)
    busy0, total0 = cpu_counters()
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:  # a file, not a pipe: a chatty stderr cannot block the child
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=cwd)
        lines = [(time.perf_counter() - started, line.rstrip("\n")) for line in child.stdout]
        child.stdout.close()
        _, status, usage = os.wait4(child.pid, 0)  # wait4, for the child's own CPU time
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{' '.join(command)} failed with status {child.returncode}:\n{errors.read()[-2000:]}")
    busy1, total1 = cpu_counters()
    others = (busy1 - busy0) - (usage.ru_utime + usage.ru_stime)
    return lines, wall, max(others, 0.0) / max(total1 - total0, 1e-9)


def least_disturbed(run_once, settings):
    """``run_once()`` (returning a result and the other load it saw) again while other
    processes took more than ``settings.quiet`` of the machine, at most ``settings.retries``
    times; the least disturbed result is kept."""
    best = None
    for _ in range(max(settings.retries, 1)):
        result, load = run_once()
        if best is None or load < best[1]:
            best = result, load
        if load <= settings.quiet:
            break
    return best[0]


def run_case(module, participant, variant, settings):
    """One fresh process of ``bench.<module>`` for ``participant``: its JSON report. The other
    load that counts is the one the child saw while timing (its report's ``other_load``); a
    case that times nothing (peak memory) is not run again."""
    command = [sys.executable, "-P", "-m", f"bench.{module}", "--library", participant.library,
               "--variant", variant, *settings.child_options]
    env = settings.environment(participant)

    def run_once():
        lines, wall, _ = run_process(command, env, settings)
        result = json.loads(lines[-1][1])
        result["wall_s"] = wall
        return result, result.get("other_load") or 0.0
    return least_disturbed(run_once, settings)


def alternating(measure, participants, rounds):
    """``measure(participant)`` for each participant, ``rounds`` times, the order reversed
    every other round; returns {participant name: [result per round]}."""
    results = {participant.name: [] for participant in participants}
    for round_index in range(rounds):
        order = participants if round_index % 2 == 0 else tuple(reversed(participants))
        for participant in order:
            results[participant.name].append(measure(participant))
    return results
