"""Samplers decide the order of indices each epoch; BatchSampler groups them into batches.
Random ones draw from their ``generator`` or from minigrad's default generator, in PyTorch's
order, so a seed gives PyTorch's shuffles."""
import numpy

import minigrad


def _check_positive_int(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


def _check_bool(value, name, error=ValueError):
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value}")


class Sampler:
    """Base class: an iterable of dataset indices (subclasses define ``__iter__`` and usually
    ``__len__``)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A fresh permutation every epoch (or ``num_samples`` draws with ``replacement``); without
    replacement, ``num_samples`` above the dataset size chains several permutations."""

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        _check_bool(replacement, "replacement", TypeError)  # PyTorch's types: TypeError here, ValueError below
        self.data_source, self.replacement, self.generator = data_source, replacement, generator
        self._num_samples = num_samples
        _check_positive_int(self.num_samples, "num_samples")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        """Lazily, as PyTorch: without a generator, the first index draws an int64 seed from the
        default generator for a fresh one; then permutations of the whole dataset (or
        ``randint`` in chunks of 32 with replacement), the last one cut short."""
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(minigrad.empty((), dtype=minigrad.int64, device="cpu").random_().item())
            generator = minigrad.Generator().manual_seed(seed)
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from minigrad.randint(high=n, size=(32,), generator=generator, device="cpu").tolist()
            yield from minigrad.randint(high=n, size=(self.num_samples % 32,), generator=generator,
                                        device="cpu").tolist()
            return
        for _ in range(self.num_samples // n):
            yield from minigrad.randperm(n, generator=generator, device="cpu").tolist()
        yield from minigrad.randperm(n, generator=generator, device="cpu").tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a fresh random order every epoch."""

    def __init__(self, indices, generator=None):
        self.indices, self.generator = list(indices), generator

    def __iter__(self):
        for i in minigrad.randperm(len(self.indices), generator=self.generator, device="cpu").tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probability proportional to ``weights`` (with
    replacement by default; without it, each index at most once)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_positive_int(num_samples, "num_samples")
        _check_bool(replacement, "replacement")
        weights = numpy.asarray(weights.tolist() if hasattr(weights, "tolist") else weights, dtype=numpy.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {weights.shape}")
        if (weights < 0).any() or not numpy.isfinite(weights).all():
            raise RuntimeError("invalid multinomial distribution (encountering probability entry < 0 or inf/nan)")
        if weights.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > int((weights > 0).sum()):
            raise RuntimeError(f"cannot draw {num_samples} samples without replacement from "
                               f"{int((weights > 0).sum())} indices of non-zero weight")
        self.weights, self.num_samples = weights, num_samples
        self.replacement, self.generator = replacement, generator

    def __iter__(self):
        weights = minigrad.tensor(self.weights, dtype=minigrad.float64, device="cpu")
        yield from minigrad.multinomial(weights, self.num_samples, self.replacement,
                                        generator=self.generator).tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last one is shorter unless
    ``drop_last``."""

    def __init__(self, sampler, batch_size, drop_last):
        _check_positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)
