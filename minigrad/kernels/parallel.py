"""Both cores for one kernel: the work is cut into parts and each part runs on its own thread.

NumPy releases the GIL inside its copies and elementwise loops, so two Python threads that each
run a serial kernel on half of the data really do run at the same time. Max pooling (and its
gradient) cut the batch this way, optimizer updates their flattened arrays (all the parameters
of a step together: a thread hand-off costs tens of microseconds here, as much as a pass over a
quarter-million floats). Convolution does
not: its time is in BLAS, which has threads of its own, and two threads each calling a
multi-threaded BLAS measured slower than one (bench/NOTES.md has the figures).

The rules: a part is a contiguous range of the batch (or array), the parts are fixed by its size
and the thread count alone (so a result never depends on timing); the calling thread runs the
first part itself; a kernel called from inside a part runs serially; work too small to pay for
a thread hand-off (about 30 microseconds) stays on the calling thread. ``set_num_threads(1)``
makes every kernel serial. The team is rebuilt in a child process after ``fork`` (DataLoader
workers), since a forked child has no threads.
"""
import os
import threading
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor, wait

import numpy

# Below this many element visits per part, a part is not worth a thread hand-off.
MIN_WORK_PER_PART = 2 ** 17


def _cores():
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Team:
    """The worker threads the kernels share, and how many threads a kernel may use."""

    def __init__(self, threads=None):
        self.threads = threads or _cores()
        self.executor = None
        self.inside = threading.local()  # .active is True on a thread running a part
        self.lock = threading.Lock()

    def set_threads(self, threads):
        if type(threads) is not int:
            raise RuntimeError(f"set_num_threads expects an int, but got {type(threads).__name__}")
        if threads < 1:
            raise RuntimeError("set_num_threads expects a positive integer")
        with self.lock:
            if self.executor is not None:
                self.executor.shutdown(wait=True)
            self.threads, self.executor = threads, None

    def forget_threads(self):
        """In a forked child: the parent's threads do not exist here."""
        self.executor, self.lock, self.inside = None, threading.Lock(), threading.local()

    def parts(self, size, work):
        """The ranges [(start, stop), ...] that ``size`` batch items are cut into."""
        count = max(min(self.threads, size, int(work // MIN_WORK_PER_PART)), 1)
        if getattr(self.inside, "active", False):
            count = 1
        edges = [size * k // count for k in range(count + 1)]
        return list(zip(edges[:-1], edges[1:]))

    def run(self, function, size, work):
        """``[function(start, stop) for each part]``, the parts run at the same time."""
        ranges = self.parts(size, work)
        if len(ranges) == 1:
            return [function(*ranges[0])]
        with self.lock:
            if self.executor is None:
                self.executor = ThreadPoolExecutor(self.threads - 1, thread_name_prefix="minigrad-kernel")
            executor = self.executor
        pending = [executor.submit(self._part, function, start, stop) for start, stop in ranges[1:]]
        try:
            first = self._part(function, *ranges[0])
        finally:  # even when this part fails, the others finish before the caller goes on
            wait(pending)
        return [first] + [future.result() for future in pending]

    def _part(self, function, start, stop):
        self.inside.active = True
        try:
            return function(start, stop)
        finally:
            self.inside.active = False


TEAM = Team()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=TEAM.forget_threads)


def over_batch(function, size, work, xp):
    """Run ``function(start, stop)`` over parts of a batch of ``size`` items that together cost
    ``work`` multiply-adds; the list of each part's result, in batch order. On a GPU (or for
    any array module but NumPy) the whole batch is one part: the device is already parallel."""
    if xp.__name__ != "numpy":
        return [function(0, size)]
    return TEAM.run(function, size, work)


def set_num_threads(threads, /):
    """How many threads minigrad's CPU kernels use (default: the cores this process may run on),
    as ``torch.set_num_threads``. BLAS keeps its own threads; see bench/NOTES.md."""
    TEAM.set_threads(threads)


def get_num_threads():
    """How many threads minigrad's CPU kernels use (``torch.get_num_threads``)."""
    return TEAM.threads


# Each thread walks its part of the flattened arrays in chunks of 128 Ki elements (512 KB of
# float32 per array), so that an update's arrays and temporaries stay in the core's cache
# between its passes. Smaller chunks cost more than they save: every NumPy call hands the GIL
# over, and with two threads each hand-over can wait on the other (measured in bench/NOTES.md).
CHUNK_ELEMENTS = 2 ** 17


def elementwise(function, *arrays, **options):
    """``function(*arrays, **options)`` for a ``function`` that treats every element alike and
    works in place (an optimizer's update): the flattened arrays are cut into one part per
    thread, each walked in chunks. The result is the same to the last bit; only the order of
    the passes over memory changes. ``None`` entries pass through; anything but contiguous
    NumPy arrays of one size gets one plain call. Inside ``gathered_elementwise()`` the call is
    only recorded, and runs with the others at the end of the block."""
    present = [array for array in arrays if array is not None]
    size = present[0].size
    if (size <= CHUNK_ELEMENTS or type(present[0]).__module__ != "numpy"
            or any(type(a).__module__ != "numpy" or a.size != size or not a.flags.c_contiguous for a in present)):
        return function(*arrays, **options)
    job = Job(function, [None if array is None else array.reshape(-1) for array in arrays], options)
    gathered = getattr(TEAM.inside, "gathered", None)
    if gathered is None:
        _run_jobs([job])
    else:
        if any(numpy.may_share_memory(job.flat[0], other.flat[0]) for other in gathered):
            _run_jobs(gathered)  # the same parameter twice: its first update must land first
            gathered.clear()
        gathered.append(job)
    return None


class Job:
    """One recorded ``elementwise`` call: the function, its flattened arrays and options."""

    def __init__(self, function, flat, options):
        self.function, self.flat, self.options = function, flat, options
        self.size = next(array for array in flat if array is not None).size

    def run(self, start, stop):
        self.function(*(None if array is None else array[start:stop] for array in self.flat), **self.options)


def _run_jobs(jobs):
    """The jobs' elements laid end to end and cut into one part per thread; each thread walks
    its part in chunks, so there is one thread hand-off for all of them."""
    if not jobs:
        return
    offsets = [0]
    for job in jobs:
        offsets.append(offsets[-1] + job.size)

    def part(first, last):
        for job, offset in zip(jobs, offsets):
            for start in range(max(first, offset), min(last, offset + job.size), CHUNK_ELEMENTS):
                job.run(start - offset, min(start + CHUNK_ELEMENTS, last, offset + job.size) - offset)

    TEAM.run(part, offsets[-1], sum(job.size * sum(a is not None for a in job.flat) for job in jobs))


@contextmanager
def gathered_elementwise():
    """Record the ``elementwise`` calls made in this block (on this thread) and run them all at
    its end, with one thread hand-off instead of one per call: an optimizer's step over many
    parameters. The calls must not depend on each other's results (distinct parameters). They
    run even when the block raises, as they would have without gathering."""
    if getattr(TEAM.inside, "gathered", None) is not None:  # already gathering: one level is enough
        yield
        return
    gathered = TEAM.inside.gathered = []
    try:
        yield
    finally:
        TEAM.inside.gathered = None
        _run_jobs(gathered)
