"""Benchmark 7: peak memory (RSS) of a LeNet training run at batch 256, minigrad against PyTorch,
each in its own process so neither library's memory counts for the other."""
import subprocess
import sys

from common import ROOT, print_rows

STEPS = 20
# VmHWM (peak resident memory of this process image) rather than ru_maxrss, which Linux carries
# over from the parent across exec and so would report the benchmark runner's own peak.
CHILD = r"""
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import numpy
from lenet_step import make_steps_for
step = make_steps_for({library!r}, 256)
for _ in range({steps}):
    step()
print([line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")][0])
"""


def peak_rss_mb(library):
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), library=library, steps=STEPS)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(output.strip().splitlines()[-1]) / 1024  # VmHWM is in KiB


def run(quick=False):
    ours, theirs = peak_rss_mb("minigrad"), peak_rss_mb("torch")
    return [{"benchmark": f"peak RSS, LeNet training at batch 256 (MB)", "minigrad_ms": ours, "torch_ms": theirs,
             "ratio": ours / theirs, "note": "values are MB, not ms; each library in a fresh process"}]


if __name__ == "__main__":
    print_rows(run())
