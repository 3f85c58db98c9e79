"""Worker processes for ``DataLoader(num_workers > 0)``.

The main process sends ``(batch number, indices)`` to the workers round-robin through one
index queue per worker, keeping ``prefetch_factor`` batches per worker in flight, and yields
the results from the shared result queue in batch order (a reorder buffer holds the early
ones). Worker ``i`` seeds minigrad's default generator and Python's ``random`` with
``base_seed + i`` and NumPy's global generator with the words PyTorch derives from
(``i``, ``base_seed``), so random transforms are reproducible. A worker sends
back the traceback of any exception; the main process re-raises it naming the worker, and
stops every worker on errors, at the end of the epoch, and when the loop is left early (the
iterator is closed or garbage collected). A worker waiting for work checks every
``WATCHDOG_SECONDS`` that the process that started it is still its parent, and exits when it
is not: a main process killed by SIGKILL leaves no worker behind (PyTorch's watchdog does the same).
"""
import multiprocessing
import os
import pickle
import queue
import random
import traceback
from dataclasses import dataclass

import numpy

import minigrad

POLL_SECONDS = 0.2
JOIN_SECONDS = 2.0
WATCHDOG_SECONDS = 1.0


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` tells code running in a worker process."""
    id: int
    num_workers: int
    seed: int
    dataset: object


_current_worker = [None]  # set once in each worker process; stays None in the main process


def get_worker_info():
    """In a DataLoader worker: its id, the number of workers, its seed and its copy of the
    dataset (a ``WorkerInfo``); None in the main process."""
    return _current_worker[0]


def _seed_everything(seed, worker_id):
    minigrad.manual_seed(seed)
    random.seed(seed)
    # PyTorch's _generate_state is NumPy's SeedSequence over (worker id, base seed's two halves, 0)
    base_seed = seed - worker_id
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    numpy.random.seed(numpy.random.SeedSequence(words).generate_state(4))


def _failure(worker_id, error):
    """A picklable report of ``error``: its type when that pickles, and the traceback text."""
    try:
        error_type = pickle.loads(pickle.dumps(type(error)))
    except Exception:  # a type defined in a local scope, say: re-raised as RuntimeError
        error_type = None
    return worker_id, error_type, traceback.format_exc()


def _next_task(index_queue, parent_pid):
    """The next task, or None when told to stop or when the parent process has died (the
    orphaned worker is adopted by another process, so its parent pid changes)."""
    while True:
        try:
            return index_queue.get(timeout=WATCHDOG_SECONDS)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return None


def _worker_loop(loader, worker_id, seed, index_queue, result_queue, parent_pid):
    _current_worker[0] = WorkerInfo(worker_id, loader.num_workers, seed, loader.dataset)
    _seed_everything(seed, worker_id)
    try:
        if loader.worker_init_fn is not None:
            loader.worker_init_fn(worker_id)
    except Exception as error:
        result_queue.put((-1, None, _failure(worker_id, error)))
        return
    while True:
        task = _next_task(index_queue, parent_pid)
        if task is None:  # results still buffered now are unwanted: exit without waiting to flush them
            result_queue.cancel_join_thread()
            return
        number, indices = task
        try:  # pickle here, so an unpicklable batch is reported instead of lost in the queue's thread
            payload = pickle.dumps(loader.fetch(indices), protocol=pickle.HIGHEST_PROTOCOL)
            result_queue.put((number, payload, None))
        except Exception as error:
            result_queue.put((number, None, _failure(worker_id, error)))


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Message(str):
    """Exception text that KeyError shows as it is, not as a quoted repr (as PyTorch does)."""

    def __repr__(self):
        return str(self)


def _raise_failure(failure, in_init):
    worker_id, error_type, text = failure
    where = "worker_init_fn of " if in_init else ""
    name = error_type.__name__ if error_type is not None else "an exception"
    message = f"Caught {name} in {where}DataLoader worker process {worker_id}.\nOriginal {text}"
    try:
        error = error_type(_Message(message)) if error_type is not None else None
    except Exception:
        error = None
    raise error if isinstance(error, BaseException) else RuntimeError(message)


class MultiProcessIterator:
    """One epoch of batches loaded by ``loader.num_workers`` processes."""

    def __init__(self, loader, base_seed):
        self.loader, self.closed = loader, True
        context = _context()
        self.result_queue = context.Queue()
        self.index_queues, self.workers = [], []
        for worker_id in range(loader.num_workers):
            index_queue = context.Queue()
            process = context.Process(target=_worker_loop, daemon=True, name=f"DataLoader worker {worker_id}",
                                      args=(loader, worker_id, base_seed + worker_id, index_queue,
                                            self.result_queue, os.getpid()))
            process.start()
            self.index_queues.append(index_queue)
            self.workers.append(process)
        self.closed = False
        self.index_lists = loader.index_lists()
        self.sent = self.next_to_yield = 0
        self.ready = {}
        for _ in range(max(1, loader.prefetch_factor) * loader.num_workers):
            self._send_one()

    def _send_one(self):
        indices = next(self.index_lists, None)
        if indices is not None:
            self.index_queues[self.sent % len(self.workers)].put((self.sent, list(indices)))
            self.sent += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self.closed:
            raise StopIteration
        if self.next_to_yield >= self.sent:
            self.close()
            raise StopIteration
        try:
            while self.next_to_yield not in self.ready:
                number, payload, failure = self._receive()
                if failure is not None:
                    _raise_failure(failure, in_init=number < 0)
                self.ready[number] = payload
        except BaseException:
            self.close()
            raise
        payload = self.ready.pop(self.next_to_yield)
        self.next_to_yield += 1
        self._send_one()
        return pickle.loads(payload)

    def _receive(self):
        """The next result, watching for dead workers and the loader's timeout."""
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                waited += POLL_SECONDS
            dead = [f"{w.name} (pid {w.pid}, exit code {w.exitcode})" for w in self.workers if not w.is_alive()]
            if dead:  # its last words may have reached the queue just before it died
                try:
                    return self.result_queue.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    pass
                raise RuntimeError(f"DataLoader worker(s) exited unexpectedly: {', '.join(dead)}")
            if self.loader.timeout and waited >= self.loader.timeout:
                raise RuntimeError(f"DataLoader timed out after {self.loader.timeout} seconds")

    def close(self):
        """Stop and join every worker; safe to call more than once."""
        if self.closed:
            return
        self.closed = True
        for index_queue in self.index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.join(timeout=JOIN_SECONDS)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=JOIN_SECONDS)
        for channel in self.index_queues + [self.result_queue]:
            channel.cancel_join_thread()
            channel.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # during interpreter shutdown the modules may already be gone
            pass

    def __len__(self):
        return len(self.loader)
