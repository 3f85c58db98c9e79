"""DataLoader workers when the main process dies (issue 17, item 6)."""
import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60  # an upper bound for the workers to notice (they check every second), not a timing claim

MAIN = """
import sys
from data import DataLoader

class Numbers:
    def __getitem__(self, index):
        return index

    def __len__(self):
        return 1000

batches = iter(DataLoader(Numbers(), batch_size=2, num_workers=2))
next(batches)
print(" ".join(str(worker.pid) for worker in batches.workers), flush=True)
sys.stdin.read()  # block until killed
"""


def _exited(pid, timeout):
    """True once process ``pid`` (not our child) has exited, watched through a pidfd."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([handle], [], [], timeout)
        return bool(readable)
    finally:
        os.close(handle)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfds to watch processes that are not ours")
def test_workers_exit_when_the_main_process_is_sigkilled():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    main = subprocess.Popen([sys.executable, "-c", MAIN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                            cwd=ROOT, text=True)
    workers = []
    try:
        workers = [int(pid) for pid in main.stdout.readline().split()]
        assert len(workers) == 2
        main.send_signal(signal.SIGKILL)
        main.wait()
        assert all(_exited(pid, WAIT_SECONDS) for pid in workers)
    finally:
        main.kill()
        main.wait()
        main.stdin.close()
        main.stdout.close()
        for pid in workers:  # only if the test failed: leave nothing behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
