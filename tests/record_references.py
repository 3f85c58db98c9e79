"""Record PyTorch's answers for the differential tests into tests/references/ (run by hand, with
PyTorch installed), so that the suite checks the same numbers on a machine without PyTorch.

    python tests/record_references.py              # the whole suite: the store is rewritten
    python tests/record_references.py tests/nn -k lenet   # these tests only: other answers stay

Arguments are passed to pytest. The answers are written even when some tests fail (a failure
is minigrad's, the reference is PyTorch's); the exit status is pytest's.
"""
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
STORE = TESTS / "references"


def main(argv):
    try:
        import torch
    except ImportError:
        print("recording references needs PyTorch installed", file=sys.stderr)
        return 2
    if not argv:  # a full run rewrites the store, so answers of removed tests do not linger
        for path in STORE.glob("*.npz"):
            path.unlink()
    env = dict(os.environ, MINIGRAD_TORCH_REFERENCES="record", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    status = subprocess.call([sys.executable, "-m", "pytest", "-q", *(argv or [str(TESTS)])], cwd=ROOT, env=env)
    files = sorted(STORE.glob("*.npz"))
    total = sum(path.stat().st_size for path in files)
    print(f"PyTorch {torch.__version__}: {len(files)} reference files, {total / 1e6:.2f} MB in {STORE}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
