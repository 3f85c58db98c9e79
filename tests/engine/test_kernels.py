"""The kernels' scratch memory: owned by a per-thread Workspace, bounded and releasable."""
import threading

import numpy

from minigrad.kernels import conv


def test_workspace_reuses_a_buffer_and_keeps_within_its_limit():
    space = conv.Workspace(limit=1000)
    first = space.get("columns", 100, numpy.dtype("float32"), numpy)
    again = space.get("columns", 50, numpy.dtype("float32"), numpy)
    assert numpy.shares_memory(first, again) and space.nbytes == 400
    big = space.get("other", 1000, numpy.dtype("float32"), numpy)  # 4000 bytes: over the limit, not kept
    assert big.size == 1000 and space.nbytes == 400
    space.release()
    assert space.nbytes == 0


def test_each_thread_owns_its_workspace():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(conv.workspace()))
    thread.start()
    thread.join()
    assert seen[0] is not conv.workspace()


def test_release_workspace_frees_the_threads_buffers():
    conv.workspace().get("columns", 10, numpy.dtype("float64"), numpy)
    conv.release_workspace()
    assert conv.workspace().nbytes == 0
