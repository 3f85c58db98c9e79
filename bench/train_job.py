"""The main job end to end: ``minigrad train`` on the real photos against bench.torch_train
(the same recipe in PyTorch), each alone in its own process, data loading included.

An epoch ends when its validation line is printed (after training and validating, before the
checkpoint); the runner stamps every output line with its arrival time, so an epoch's wall
time is the gap between two validation lines. The first epoch also carries the process's
start-up (imports, the 8:1:1 split of the photos), so the figure is the median of the later
epochs; the total wall time of the process is recorded beside it.
"""
import statistics
import sys
import tempfile
from pathlib import Path

from bench.runner import least_disturbed, run_process

VALID_PREFIX = "Valid:"


def command(participant, photos, out, epochs):
    if participant.library == "minigrad":
        module = ["minigrad_app", "train", "--no-progress"]
    else:
        module = ["bench.torch_train"]
    return [sys.executable, "-P", "-m", *module, "--data", str(photos), "--out", str(out), "--epochs", str(epochs)]


def epoch_times(lines):
    """Seconds of each epoch after the first, from the stamped validation lines."""
    stamps = [stamp for stamp, line in lines if line.startswith(VALID_PREFIX)]
    return [later - earlier for earlier, later in zip(stamps, stamps[1:])], stamps


def measure(participant, settings, photos, epochs=10):
    """The job's least disturbed run (see runner.least_disturbed); the result has the keys of
    a case's JSON report, ``value`` being the median epoch in seconds."""
    env = settings.environment(participant)

    def run_once():
        with tempfile.TemporaryDirectory() as scratch:
            lines, wall, load = run_process(command(participant, photos, Path(scratch) / "out", epochs), env,
                                            settings, cwd=scratch)
        later, stamps = epoch_times(lines)
        if len(stamps) != epochs:
            raise RuntimeError(f"{participant.name}: expected {epochs} validation lines, got {len(stamps)}")
        return {"library": participant.library, "variant": f"{epochs} epochs", "unit": "s",
                "value": statistics.median(later) if later else stamps[0], "first_epoch_s": stamps[0],
                "total_s": wall, "samples": len(later), "other_load": load, "wall_s": wall}, load
    return least_disturbed(run_once, settings)
