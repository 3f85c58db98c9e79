"""Row-sparse gradients, as ``nn.Embedding(sparse=True)`` produces and ``optim.SparseAdam`` reads.

A :class:`SparseTensor` stores a few rows of a large 2-D (or n-D) tensor: ``indices`` (which
rows, possibly repeated) and ``values`` (one row each). It mirrors the parts of PyTorch's
sparse COO tensors that a sparse gradient needs: ``is_sparse``, ``coalesce()``,
``to_dense()``, ``_indices()``, ``_values()``; adding two of them concatenates their rows.
"""
from minigrad.backend import array_module, device_of, scatter_add
from minigrad.engine import make_tensor


class SparseTensor:
    """Rows ``values[k]`` placed at ``indices[k]`` of a tensor of ``shape``; repeats add up."""

    is_sparse = True
    requires_grad = False
    grad_fn = None

    def __init__(self, indices, values, shape, coalesced=False):
        if values.shape[1:] != tuple(shape[1:]) or indices.shape != values.shape[:1]:
            raise ValueError(f"SparseTensor: {indices.shape[0]} indices and values of shape {values.shape} "
                             f"do not fit a tensor of shape {tuple(shape)}")
        self.indices_array, self.values_array = indices, values
        self.shape, self._coalesced = tuple(shape), coalesced

    @property
    def dtype(self):
        return self.values_array.dtype

    @property
    def device(self):
        return device_of(self.values_array)

    @property
    def ndim(self):
        return len(self.shape)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self):
        return len(self.shape)

    def is_coalesced(self):
        return self._coalesced

    def _indices(self):
        return make_tensor(self.indices_array[None, :])

    def _values(self):
        return make_tensor(self.values_array)

    indices, values = _indices, _values

    def coalesce(self):
        """Sorted, unique indices, with the rows of repeated indices summed."""
        if self._coalesced:
            return self
        xp = array_module(self.values_array)
        unique, position = xp.unique(self.indices_array, return_inverse=True)
        summed = xp.zeros((unique.shape[0],) + self.shape[1:], dtype=self.dtype)
        scatter_add(summed, position.reshape(-1), self.values_array)
        return SparseTensor(unique, summed, self.shape, coalesced=True)

    def to_dense(self):
        xp = array_module(self.values_array)
        dense = xp.zeros(self.shape, dtype=self.dtype)
        scatter_add(dense, self.indices_array, self.values_array)
        return make_tensor(dense)

    def __add__(self, other):
        if isinstance(other, SparseTensor):
            xp = array_module(self.values_array)
            return SparseTensor(xp.concatenate([self.indices_array, other.indices_array]),
                                xp.concatenate([self.values_array, other.values_array]), self.shape)
        return self.to_dense() + other

    def zero_(self):
        xp = array_module(self.values_array)
        self.indices_array = self.indices_array[:0]
        self.values_array = xp.zeros((0,) + self.shape[1:], dtype=self.dtype)
        return self

    def mul_(self, factor):
        self.values_array = self.values_array * factor
        return self

    def __repr__(self):
        return (f"SparseTensor(indices={self.indices_array.tolist()}, values shape={tuple(self.values_array.shape)}, "
                f"size={self.shape}, nnz={self.indices_array.shape[0]})")
