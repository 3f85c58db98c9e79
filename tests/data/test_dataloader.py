"""Datasets, samplers, collate and the DataLoader (single process and worker processes).

Where PyTorch defines the answer (collate results, split lengths, batch counts) it is the
oracle (live, or its stored answers: tests/oracle.py); the rest is checked against its definition
(every index once, seeded orders...).
"""
import collections
import math
import multiprocessing
import re

import numpy
import pytest

import minigrad
from data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler, SequentialSampler, Subset,
                  SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate, get_worker_info,
                  random_split)
from oracle import Raised, reference

Point = collections.namedtuple("Point", ["x", "y"])


class Indices(Dataset):
    """Sample i is (array filled with i, i): deterministic, cheap, picklable."""

    def __init__(self, n, fail_at=None):
        self.n, self.fail_at = n, fail_at

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        if index == self.fail_at:
            raise ValueError(f"sample {index} is broken")
        return numpy.full((2, 3), index, dtype=numpy.float32), index


class RandomDraws(Dataset):
    """Each sample draws from minigrad's default generator (like a random transform) and
    records which worker loaded it."""

    def __len__(self):
        return 8

    def __getitem__(self, index):
        info = get_worker_info()
        return minigrad.rand(1).item(), -1 if info is None else info.id


def indices_of(loader):
    """The sample indices of one epoch, batch by batch."""
    return [labels.tolist() for _, labels in loader]


def no_live_workers():
    return [p for p in multiprocessing.active_children() if p.name.startswith("DataLoader worker")] == []


# ---- datasets ------------------------------------------------------------------------------

def test_tensor_dataset_rows_and_length_check():
    x, y = minigrad.arange(12.).reshape(4, 3), minigrad.tensor([0, 1, 0, 1])
    dataset = TensorDataset(x, y)
    assert len(dataset) == 4
    row, label = dataset[2]
    assert row.tolist() == x[2].tolist() and label.item() == 0
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(x, minigrad.tensor([0, 1]))


def test_subset_and_concat_datasets():
    first, second = Indices(3), Indices(4)
    joined = first + second
    assert isinstance(joined, ConcatDataset) and len(joined) == 7
    assert [joined[i][1] for i in range(7)] == [0, 1, 2, 0, 1, 2, 3]
    assert joined[-1][1] == 3
    with pytest.raises(ValueError, match="absolute value of index"):
        joined[-8]
    subset = Subset(Indices(10), [7, 2, 5])
    assert len(subset) == 3 and [subset[i][1] for i in range(3)] == [7, 2, 5]


SPLITS = [((10, [3, 7]), "lengths"), ((11, [0.3, 0.3, 0.4]), "fractions-with-remainder"),
          ((5, [0.5, 0.5]), "halves-of-odd"), ((7, [1.0]), "everything")]


@pytest.mark.parametrize("size, lengths", [case for case, _ in SPLITS], ids=[name for _, name in SPLITS])
def test_random_split_is_a_partition_with_pytorch_lengths(size, lengths):
    parts = random_split(Indices(size), lengths)
    expected = reference(lambda torch: [len(p) for p in torch.utils.data.random_split(range(size), lengths)])
    assert [len(p) for p in parts] == expected
    drawn = [p.indices for p in parts]
    assert sorted(sum(drawn, [])) == list(range(size))


def test_random_split_is_seeded():
    minigrad.manual_seed(5)
    first = [p.indices for p in random_split(Indices(20), [0.5, 0.5])]
    minigrad.manual_seed(5)
    assert [p.indices for p in random_split(Indices(20), [0.5, 0.5])] == first
    given = [p.indices for p in random_split(Indices(20), [10, 10], generator=minigrad.Generator().manual_seed(5))]
    again = [p.indices for p in random_split(Indices(20), [10, 10], generator=minigrad.Generator().manual_seed(5))]
    assert given == again
    assert [p.indices for p in random_split(Indices(20), [10, 10])] != first  # the default generator moved on


@pytest.mark.parametrize("lengths, message", [([3, 3], "Sum of input lengths"), ([1.2, -0.2], "Fraction at index"),
                                              ([12, -2], "Sum of input lengths|non-negative")],
                         ids=["wrong-sum", "fraction-out-of-range", "negative"])
def test_random_split_errors(lengths, message):
    with pytest.raises(ValueError, match=message):
        random_split(Indices(10), lengths)


# ---- samplers ------------------------------------------------------------------------------

def test_sequential_and_random_samplers():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert sorted(RandomSampler(range(6))) == list(range(6))
    long = list(RandomSampler(range(4), num_samples=10))
    assert len(long) == 10 and sorted(long[:8]) == sorted(list(range(4)) * 2)
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(drawn) == 50 and set(drawn) <= {0, 1, 2}
    subset = list(SubsetRandomSampler([10, 20, 30]))
    assert sorted(subset) == [10, 20, 30]


def test_weighted_sampler_with_replacement_follows_the_weights():
    weights = [1.0, 2.0, 0.0, 7.0]
    drawn = numpy.array(list(WeightedRandomSampler(weights, 20000)))
    frequencies = numpy.bincount(drawn, minlength=4) / len(drawn)
    numpy.testing.assert_allclose(frequencies, numpy.array(weights) / sum(weights), atol=0.015)


def test_weighted_sampler_without_replacement_draws_each_index_once():
    weights = minigrad.tensor([5.0, 0.0, 1.0, 1.0, 3.0])
    for _ in range(20):
        drawn = list(WeightedRandomSampler(weights, 4, replacement=False))
        assert sorted(drawn) == [0, 2, 3, 4]
    firsts = [next(iter(WeightedRandomSampler(weights, 1, replacement=False))) for _ in range(3000)]
    assert abs(firsts.count(0) / 3000 - 0.5) < 0.04  # the heaviest index comes first half of the time


SAMPLER_ERRORS = [
    (lambda: WeightedRandomSampler([1.0, -1.0], 2), RuntimeError, "invalid multinomial"),
    (lambda: WeightedRandomSampler([0.0, 0.0], 2), RuntimeError, "sum of probabilities"),
    (lambda: WeightedRandomSampler([1.0, 0.0, 1.0], 3, replacement=False), RuntimeError, "without replacement"),
    (lambda: WeightedRandomSampler([[1.0]], 1), ValueError, "1d sequence"),
    (lambda: WeightedRandomSampler([1.0], 0), ValueError, "num_samples"),
    (lambda: RandomSampler(range(3), replacement=1), TypeError, "replacement"),
    (lambda: RandomSampler([]), ValueError, "num_samples"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size"),
    (lambda: BatchSampler(range(3), 2, None), ValueError, "drop_last"),
]


@pytest.mark.parametrize("make, error, message", SAMPLER_ERRORS,
                         ids=["negative-weight", "zero-weights", "too-few-without-replacement", "2d-weights",
                              "zero-samples", "replacement-not-bool", "empty-dataset", "batch-size-0",
                              "drop-last-not-bool"])
def test_sampler_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---- collate -------------------------------------------------------------------------------

def to_plain(value):
    """Nested structure -> comparable plain Python: tensors become (dtype name, nested lists)."""
    if hasattr(value, "numpy") and hasattr(value, "shape"):
        array = value.detach().cpu().numpy() if hasattr(value, "detach") else value.numpy()
        return ("tensor", str(array.dtype), array.tolist())
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return (type(value).__name__, [to_plain(item) for item in value])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [to_plain(item) for item in value])
    return value


def as_torch(value, torch):
    """The same sample with minigrad tensors replaced by torch tensors."""
    if isinstance(value, minigrad.Tensor):
        return torch.from_numpy(value.numpy().copy())
    if isinstance(value, dict):
        return {key: as_torch(item, torch) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(as_torch(item, torch) for item in value))
    if isinstance(value, (list, tuple)):
        return type(value)(as_torch(item, torch) for item in value)
    return value


def _sample(i):
    return {"image": numpy.full((2, 2), i, dtype=numpy.uint8),
            "pair": (i, float(i) / 3),
            "tags": [f"name{i}", bool(i % 2)],
            "point": Point(minigrad.tensor([float(i), 2.0 * i]), numpy.int32(i)),
            "scalar": numpy.float32(i) / 7}


COLLATE_CASES = [
    ([1, 2, 3], "ints->int64"),
    ([0.5, 1.25], "floats->float64"),
    ([True, False], "bools"),
    ([numpy.arange(3, dtype=numpy.float32), numpy.ones(3, dtype=numpy.float32)], "numpy-arrays"),
    ([numpy.float64(1.5), numpy.float64(2.5)], "numpy-scalars"),
    ([(numpy.zeros(2), 1), (numpy.ones(2), 0)], "image-label-tuples->list"),
    ([["a", 1], ["b", 2]], "lists-with-strings"),
    ([Point(1, 2.0), Point(3, 4.0)], "namedtuple"),
    ([_sample(1), _sample(2), _sample(3)], "nested-dicts"),
    ([minigrad.tensor([[1., 2.]]), minigrad.tensor([[3., 4.]])], "tensors"),
]


@pytest.mark.parametrize("batch", [case for case, _ in COLLATE_CASES], ids=[name for _, name in COLLATE_CASES])
def test_default_collate_matches_pytorch(batch):
    expected = reference(lambda torch: to_plain(torch.utils.data.default_collate([as_torch(sample, torch)
                                                                                  for sample in batch])))
    assert to_plain(default_collate(batch)) == expected


@pytest.mark.parametrize("batch, error, words", [([[1, 2], [3]], RuntimeError, "equal size"),
                                                 ([object(), object()], TypeError, None),
                                                 ([numpy.array(["a"]), numpy.array(["b"])], TypeError, None),
                                                 ([numpy.zeros(2), numpy.zeros(3)], RuntimeError, None)],
                         ids=["unequal-lengths", "unknown-type", "string-arrays", "unequal-array-shapes"])
def test_default_collate_errors(batch, error, words):
    with pytest.raises(error, match=words):
        default_collate(batch)


# ---- the loader, one process ---------------------------------------------------------------

BATCHING = [(10, 3, False), (10, 3, True), (9, 3, False), (9, 3, True), (2, 5, False), (2, 5, True), (7, 1, False)]


@pytest.mark.parametrize("size, batch_size, drop_last", BATCHING,
                         ids=[f"n{n}-b{b}-{'drop' if d else 'keep'}" for n, b, d in BATCHING])
def test_batch_counts_and_sizes(size, batch_size, drop_last):
    loader = DataLoader(Indices(size), batch_size=batch_size, drop_last=drop_last)
    batches = indices_of(loader)
    expected = size // batch_size if drop_last else math.ceil(size / batch_size)
    assert len(loader) == len(batches) == expected
    assert all(len(b) == batch_size for b in batches[:-1])
    assert sum(batches, []) == list(range(size))[:sum(len(b) for b in batches)]


def test_batches_are_stacked_tensors():
    images, labels = next(iter(DataLoader(Indices(5), batch_size=4)))
    assert images.shape == (4, 2, 3) and images.dtype == minigrad.float32
    assert labels.dtype == minigrad.int64 and labels.tolist() == [0, 1, 2, 3]


def test_shuffle_visits_every_index_once_and_reshuffles_each_epoch():
    loader = DataLoader(Indices(23), batch_size=4, shuffle=True)
    epochs = [sum(indices_of(loader), []) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(23))
    assert epochs[0] != epochs[1] != epochs[2]


def test_shuffle_order_is_seeded():
    def two_epochs(generator=None):
        loader = DataLoader(Indices(20), batch_size=6, shuffle=True, generator=generator)
        return indices_of(loader), indices_of(loader)

    minigrad.manual_seed(7)
    first = two_epochs()
    minigrad.manual_seed(7)
    assert two_epochs() == first
    assert two_epochs(minigrad.Generator().manual_seed(3)) == two_epochs(minigrad.Generator().manual_seed(3))


def test_samplers_and_batch_sampler_drive_the_loader():
    loader = DataLoader(Indices(10), batch_size=2, sampler=[9, 8, 7, 1])
    assert indices_of(loader) == [[9, 8], [7, 1]]
    loader = DataLoader(Indices(10), batch_sampler=[[3, 1], [2]])
    assert indices_of(loader) == [[3, 1], [2]] and loader.batch_size is None
    unbatched = list(DataLoader(Indices(3), batch_size=None))
    assert [label for _, label in unbatched] == [0, 1, 2]
    assert isinstance(unbatched[0][0], minigrad.Tensor) and unbatched[0][0].shape == (2, 3)


LOADER_ERRORS = [
    (dict(shuffle=True, sampler=[0, 1]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "mutually exclusive with drop_last"),
    (dict(num_workers=-1), "num_workers"),
    (dict(timeout=-1), "timeout"),
    (dict(prefetch_factor=2), "prefetch_factor"),
    (dict(persistent_workers=True), "persistent_workers"),
]


@pytest.mark.parametrize("options, message", LOADER_ERRORS,
                         ids=["sampler-and-shuffle", "batch-sampler-and-batch-size", "batch-sampler-and-shuffle",
                              "batch-sampler-and-drop-last", "no-batching-and-drop-last", "negative-workers",
                              "negative-timeout", "prefetch-without-workers", "persistent-without-workers"])
def test_loader_option_errors_match_pytorch(options, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Indices(4), **options)
    theirs = reference(lambda torch: Raised.of(lambda: torch.utils.data.DataLoader(range(4), **options)))
    assert theirs is not None and theirs.kind == "ValueError" and re.search(message, theirs.message)


# ---- worker processes ----------------------------------------------------------------------

def test_workers_load_the_same_batches_in_the_same_order():
    minigrad.manual_seed(11)
    single = [(images.tolist(), labels.tolist()) for images, labels in
              DataLoader(Indices(11), batch_size=3, shuffle=True)]
    minigrad.manual_seed(11)
    loader = DataLoader(Indices(11), batch_size=3, shuffle=True, num_workers=2)
    assert len(loader) == 4
    assert [(images.tolist(), labels.tolist()) for images, labels in loader] == single
    assert no_live_workers()


def test_workers_are_seeded_per_worker_and_reproducible():
    def epoch():
        return [(values.tolist(), workers.tolist()) for values, workers in
                DataLoader(RandomDraws(), batch_size=2, num_workers=2)]

    minigrad.manual_seed(3)
    first = epoch()
    minigrad.manual_seed(3)
    assert epoch() == first
    assert [workers for _, workers in first] == [[0, 0], [1, 1], [0, 0], [1, 1]]  # round-robin dispatch
    values = sum((v for v, _ in first), [])
    assert len(set(values)) == len(values)  # the two workers do not repeat each other's draws
    assert get_worker_info() is None


def test_worker_error_names_the_worker_and_carries_the_traceback():
    loader = DataLoader(Indices(8, fail_at=5), batch_size=2, num_workers=2)
    with pytest.raises(ValueError, match=r"(?s)DataLoader worker process 0.*Traceback.*sample 5 is broken"):
        list(loader)
    assert no_live_workers()


def test_worker_init_fn_error_is_reported():
    def broken_init(worker_id):
        raise KeyError(f"cannot start {worker_id}")

    with pytest.raises(KeyError, match="worker_init_fn of DataLoader worker process"):
        list(DataLoader(Indices(4), batch_size=2, num_workers=2, worker_init_fn=broken_init))
    assert no_live_workers()


def test_leaving_the_loop_early_stops_the_workers():
    loader = DataLoader(Indices(100), batch_size=2, num_workers=2)
    for _ in loader:
        break
    assert no_live_workers()
    batches = iter(loader)
    next(batches)
    del batches
    assert no_live_workers()
