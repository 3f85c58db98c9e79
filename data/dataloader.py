"""DataLoader: batches from a Dataset, shuffled by the seeded generator, optionally loaded by
worker processes (see ``data/workers.py``)."""
import collections.abc
import numbers

import numpy

import minigrad
from data import workers
from data.sampler import BatchSampler, RandomSampler, SequentialSampler
from minigrad.random import numpy_generator
from minigrad.tensor import Tensor

get_worker_info = workers.get_worker_info


def default_collate(batch):
    """Stack a list of samples into a batch: Tensors and NumPy arrays are stacked into a Tensor,
    Python ints become int64, floats float64 and bools bool tensors; tuples, lists, dicts and
    namedtuples are collated field by field; strings stay a list."""
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor._wrap(minigrad.backend.array_module(first.array).stack([t.array for t in batch]), None, False)
    if isinstance(first, numpy.ndarray):
        if first.dtype.kind in "OUS":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found array of {first.dtype}")
        return Tensor._wrap(numpy.stack(batch), None, False)
    if isinstance(first, numpy.generic):
        return Tensor._wrap(numpy.array(batch), None, False)
    if isinstance(first, bool):
        return minigrad.tensor(batch, dtype=minigrad.bool)
    if isinstance(first, numbers.Integral):
        return minigrad.tensor(batch, dtype=minigrad.int64)
    if isinstance(first, numbers.Real):
        return minigrad.tensor(batch, dtype=minigrad.float64)
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, collections.abc.Mapping):
        return type(first)({key: default_collate([sample[key] for sample in batch]) for key in first}) \
            if not isinstance(first, collections.OrderedDict) else \
            collections.OrderedDict((key, default_collate([sample[key] for sample in batch])) for key in first)
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [default_collate(list(field)) for field in zip(*batch)]
        return tuple(collated) if isinstance(first, tuple) else collated
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(first).__name__}")


class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader`` does.

    ``shuffle=True`` draws a new order every epoch from ``generator`` (or the default generator),
    so ``minigrad.manual_seed`` makes the order reproducible. ``num_workers > 0`` loads batches
    in that many processes, each seeded from the loader's generator, batches kept in order.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 generator=None, prefetch_factor=None, persistent_workers=False):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                             "drop_last")
        self.dataset, self.num_workers, self.generator = dataset, num_workers, generator
        self.timeout, self.worker_init_fn, self.drop_last = timeout, worker_init_fn, drop_last
        self.prefetch_factor = 2 if prefetch_factor is None else prefetch_factor
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.batch_size = batch_size if batch_sampler is None or batch_size is None else batch_sampler.batch_size
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None else _convert)

    def _batches(self):
        if self.batch_sampler is not None:
            return iter(self.batch_sampler)
        return ([index] for index in self.sampler)

    def __iter__(self):
        base_seed = int(numpy_generator(self.generator).integers(0, 2 ** 62))  # drawn every epoch, as PyTorch
        if self.num_workers == 0:
            return self._single_process()
        return workers.MultiProcessIterator(self, base_seed)

    def _single_process(self):
        unbatched = self.batch_sampler is None
        for indices in self._batches():
            samples = [self.dataset[i] for i in indices]
            yield self.collate_fn(samples[0]) if unbatched else self.collate_fn(samples)

    def __len__(self):
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)


def _convert(sample):
    """Without batching: NumPy arrays become Tensors, the rest stays as it is."""
    if isinstance(sample, numpy.ndarray):
        return Tensor._wrap(sample, None, False)
    return sample
