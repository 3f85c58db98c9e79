"""Benchmark 7: peak memory (RSS) of a LeNet training run at batch 256, minigrad against PyTorch,
each in its own process so neither library's memory counts for the other."""
import subprocess
import sys

from common import ROOT, print_rows

STEPS = 20
CHILD = r"""
import resource, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import numpy
from lenet_step import make_steps_for
step = make_steps_for({library!r}, 256)
for _ in range({steps}):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(library):
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), library=library, steps=STEPS)
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(output.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KiB on Linux


def run(quick=False):
    ours, theirs = peak_rss_mb("minigrad"), peak_rss_mb("torch")
    return [{"benchmark": f"peak RSS, LeNet training at batch 256 (MB)", "minigrad_ms": ours, "torch_ms": theirs,
             "ratio": ours / theirs, "note": "values are MB, not ms; each library in a fresh process"}]


if __name__ == "__main__":
    print_rows(run())
