"""DataLoader: batches from a Dataset in the sampler's order, optionally loaded by worker
processes (``data/workers.py``), and the default collate function."""
import collections.abc
import copy
import numbers

import numpy

import minigrad
from data import workers
from data.sampler import BatchSampler, RandomSampler, SequentialSampler
from minigrad.engine import Tensor

get_worker_info = workers.get_worker_info

COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _rebuild(sample, values):
    """A container like ``sample`` (a mapping or a list) holding ``values``; a plain dict or
    list when its type cannot be rebuilt, as PyTorch does."""
    try:
        if isinstance(sample, collections.abc.MutableMapping):
            clone = copy.copy(sample)
            clone.update(values)
            return clone
        if isinstance(sample, collections.abc.Mapping):
            return type(sample)(values)
        if isinstance(sample, collections.abc.MutableSequence):
            clone = copy.copy(sample)
            clone[:] = values
            return clone
        return type(sample)(values)
    except TypeError:
        return dict(values) if isinstance(sample, collections.abc.Mapping) else list(values)


def default_collate(batch):
    """Stack a list of samples into a batch, as PyTorch's ``default_collate``: Tensors and NumPy
    arrays are stacked into one Tensor, Python ints become int64, floats float64 and bools bool
    tensors; mappings, namedtuples and sequences are collated field by field (tuples come back
    as lists, as in PyTorch); strings and bytes are left as they are."""
    first = batch[0]
    if isinstance(first, Tensor):
        return minigrad.stack(batch)
    if isinstance(first, numpy.ndarray):
        if first.dtype.kind in "OUSV":
            raise TypeError(COLLATE_ERROR.format(first.dtype))
        shapes = sorted({array.shape for array in batch})
        if len(shapes) > 1:
            raise RuntimeError(f"default_collate: stack expects each array to be equal size, but got shapes {shapes}")
        return minigrad.from_numpy(numpy.stack(batch))
    if isinstance(first, (numpy.bool_, numpy.number)):
        return minigrad.from_numpy(numpy.array(batch))
    if isinstance(first, float):
        return minigrad.tensor(batch, dtype=minigrad.float64)
    if isinstance(first, bool):
        return minigrad.tensor(batch, dtype=minigrad.bool)
    if isinstance(first, numbers.Integral):
        return minigrad.tensor(batch, dtype=minigrad.int64)
    if isinstance(first, (str, bytes)):
        return batch  # as given: a list at the top, a tuple inside a sequence or namedtuple (as PyTorch)
    if isinstance(first, collections.abc.Mapping):
        return _rebuild(first, {key: default_collate([sample[key] for sample in batch]) for key in first})
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
        return type(first)(*(default_collate(field) for field in zip(*batch)))
    if isinstance(first, collections.abc.Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [default_collate(field) for field in zip(*batch)]
        return collated if isinstance(first, tuple) else _rebuild(first, collated)
    raise TypeError(COLLATE_ERROR.format(type(first)))


def default_convert(data):
    """Without batching: NumPy arrays (also inside mappings and sequences) become Tensors."""
    if isinstance(data, numpy.ndarray) and data.dtype.kind not in "OUSV":
        return minigrad.from_numpy(data)
    if isinstance(data, (numpy.bool_, numpy.number)):
        return minigrad.from_numpy(numpy.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data


def _check_options(batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout, prefetch_factor,
                   persistent_workers):
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing. let num_workers > 0 "
                         "to enable multiprocessing, otherwise set prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                         "drop_last")
    if batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")


class DataLoader:
    """Iterate over ``dataset`` in batches, with ``torch.utils.data.DataLoader``'s arguments.

    ``shuffle=True`` draws a new order every epoch from ``generator`` (or minigrad's default
    generator), so ``minigrad.manual_seed`` makes the order reproducible. ``len(loader)`` is
    the number of batches. ``batch_size=None`` turns batching off (samples are only converted).

    ``num_workers > 0`` loads batches in that many worker processes: a base seed is drawn from
    the generator once per epoch and worker ``i`` seeds minigrad with ``base_seed + i``; the
    batches come back in the sampler's order. Workers live for one epoch
    (``persistent_workers`` is accepted for compatibility only), and ``pin_memory`` is a no-op:
    there is no page-locked memory to pin in NumPy.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 generator=None, prefetch_factor=None, persistent_workers=False):
        _check_options(batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last, timeout,
                       prefetch_factor, persistent_workers)
        if batch_sampler is not None:
            batch_size, drop_last = None, False
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.timeout, self.worker_init_fn = num_workers, timeout, worker_init_fn
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers else None
        self.pin_memory, self.persistent_workers = pin_memory, persistent_workers
        if collate_fn is None:
            collate_fn = default_collate if self.auto_batching else default_convert
        self.collate_fn = collate_fn

    @property
    def auto_batching(self):
        return self.batch_sampler is not None

    def index_lists(self):
        """This epoch's lists of indices, one per batch (one per sample without batching)."""
        if self.auto_batching:
            return iter(self.batch_sampler)
        return ([index] for index in self.sampler)

    def fetch(self, indices):
        """Load and collate one batch (runs in a worker process when ``num_workers > 0``)."""
        if self.auto_batching:
            return self.collate_fn([self.dataset[i] for i in indices])
        return self.collate_fn(self.dataset[indices[0]])

    def __iter__(self):
        # One draw per epoch from the loader's generator, whether or not workers use it, as
        # PyTorch: an int64 random_(), taken before the sampler's first draw (samplers are lazy).
        seed_tensor = minigrad.empty((), dtype=minigrad.int64, device="cpu")
        base_seed = int(seed_tensor.random_(generator=self.generator).item())
        if self.num_workers == 0:
            return SingleProcessIterator(self)
        return workers.MultiProcessIterator(self, base_seed)

    def __len__(self):
        return len(self.batch_sampler) if self.auto_batching else len(self.sampler)


class SingleProcessIterator:
    """One epoch of batches loaded in this process."""

    def __init__(self, loader):
        self.loader, self.index_lists = loader, loader.index_lists()

    def __iter__(self):
        return self

    def __next__(self):
        return self.loader.fetch(next(self.index_lists))

    def __len__(self):
        return len(self.loader)
