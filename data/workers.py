"""Worker processes for ``DataLoader(num_workers > 0)``.

The main process sends ``(batch number, indices)`` to the workers round-robin, a few batches
ahead, and yields the results in batch order. Each worker seeds minigrad's default generator
with ``base_seed + worker_id`` (random transforms are reproducible), and reports exceptions
with their traceback; the main process re-raises them and shuts every worker down, as it
does when the loop is left early or the iterator is garbage collected.
"""
import multiprocessing
import queue
import traceback
from dataclasses import dataclass

import minigrad

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info = [None]  # set once per worker process; None in the main process


def get_worker_info():
    """In a worker process: its id, the number of workers, its seed and its dataset copy; else None."""
    return _worker_info[0]


def _worker_loop(dataset, collate_fn, index_queue, result_queue, info, worker_init_fn):
    _worker_info[0] = WorkerInfo(info[0], info[1], info[2], dataset)
    minigrad.manual_seed(info[2])
    try:
        if worker_init_fn is not None:
            worker_init_fn(info[0])
    except Exception:
        result_queue.put((-1, None, traceback.format_exc()))
        return
    while True:
        task = index_queue.get()
        if task is None:
            break
        number, indices, unbatched = task
        try:
            samples = [dataset[i] for i in indices]
            result_queue.put((number, collate_fn(samples[0] if unbatched else samples), None))
        except Exception:
            result_queue.put((number, None, traceback.format_exc()))


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class MultiProcessIterator:
    def __init__(self, loader, base_seed):
        self.loader = loader
        context = _context()
        self.result_queue = context.Queue()
        self.index_queues, self.workers = [], []
        for worker_id in range(loader.num_workers):
            index_queue = context.Queue()
            process = context.Process(target=_worker_loop, daemon=True, args=(
                loader.dataset, loader.collate_fn, index_queue, self.result_queue,
                (worker_id, loader.num_workers, base_seed + worker_id), loader.worker_init_fn))
            process.start()
            self.index_queues.append(index_queue)
            self.workers.append(process)
        self.batches = loader._batches()
        self.unbatched = loader.batch_sampler is None
        self.sent = self.next_to_yield = 0
        self.ready = {}
        self.closed = False
        for _ in range(loader.prefetch_factor * loader.num_workers):
            self._send_one()

    def _send_one(self):
        indices = next(self.batches, None)
        if indices is None:
            return
        self.index_queues[self.sent % len(self.workers)].put((self.sent, list(indices), self.unbatched))
        self.sent += 1

    def __iter__(self):
        return self

    def __next__(self):
        if self.closed:
            raise StopIteration
        if self.next_to_yield >= self.sent:
            self.close()
            raise StopIteration
        while self.next_to_yield not in self.ready:
            number, batch, error = self._receive()
            if error is not None:
                self.close()
                worker = "worker_init_fn" if number < 0 else f"worker process {number % len(self.workers)}"
                raise RuntimeError(f"Caught an exception in DataLoader {worker}.\nOriginal {error}")
            self.ready[number] = batch
        batch = self.ready.pop(self.next_to_yield)
        self.next_to_yield += 1
        self._send_one()
        return batch

    def _receive(self):
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                waited += POLL_SECONDS
                dead = [w.pid for w in self.workers if not w.is_alive()]
                if dead:
                    self.close()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited unexpectedly")
                if self.loader.timeout and waited >= self.loader.timeout:
                    self.close()
                    raise RuntimeError(f"DataLoader timed out after {self.loader.timeout} seconds")

    def close(self):
        """Stop and join every worker (also on early exit and errors)."""
        if self.closed:
            return
        self.closed = True
        for index_queue in self.index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.join(timeout=2)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=1)
        for q in self.index_queues + [self.result_queue]:
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        self.close()

    def __len__(self):
        return len(self.loader)
