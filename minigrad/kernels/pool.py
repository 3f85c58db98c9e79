"""Window machinery shared by the pooling ops.

A window's elements are visited one kernel offset at a time: offset (i, j) of every window is
one strided slice of the padded input (``windows.window_slices``), so a pooling pass is kh*kw
whole-array operations. When the stride equals the kernel these slices are exactly the
``(N, C, H/k, k, W/k, k)`` reshape's views, and NumPy handles them faster than a reduction over
two inner axes would. Adaptive pooling (PyTorch's uneven windows) gathers its offsets with index
arrays instead of slices.
"""
from minigrad.backend import array_module, scatter_add
from minigrad.kernels.parallel import over_batch
from minigrad.kernels.windows import window_slices


def pooled_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's output length; with ceil_mode the last window must start inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def lowest_value(dtype, xp):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


class Windows:
    """Where each kernel offset's elements sit, for all windows at once.

    ``indexers[k]`` indexes the padded input at offset k (a pair of slices for sliding windows,
    of index arrays for adaptive ones); ``overlap`` says whether one input element can fall in
    two windows at the same or different offsets (then scattering must add, not assign).
    """

    def __init__(self, x_shape, padding, extra, indexers, overlap, advanced=False, tiles=False, phases=None):
        self.x_shape, self.padding, self.extra = x_shape, padding, extra
        self.indexers, self.overlap, self.advanced = indexers, overlap, advanced
        self.tiles = tiles  # the windows cover every input element exactly once
        self.padded_shape = x_shape[:2] + tuple(x_shape[2 + a] + padding[a] + extra[a] for a in range(2))
        self.phases = phases  # a StridePhases when max pooling reads its offsets from stride phases

    @classmethod
    def sliding(cls, x_shape, kernel, stride, padding, dilation, out_hw):
        extra = []  # ceil_mode: pad right/below far enough that every window fits
        for axis, (p, out, k, s, d) in enumerate(zip(padding, out_hw, kernel, stride, dilation)):
            extra.append(max((out - 1) * s + d * (k - 1) + 1 - x_shape[2 + axis] - p, 0))
        indexers = [(slice(None), slice(None), rows, cols)
                    for _, _, rows, cols in window_slices(kernel, stride, dilation, out_hw)]
        overlap = any(d * (k - 1) + 1 > s for k, s, d in zip(kernel, stride, dilation))
        tiles = (tuple(kernel) == tuple(stride) and tuple(dilation) == (1, 1) and not any(padding) and not any(extra)
                 and all(out * s == size for out, s, size in zip(out_hw, stride, x_shape[2:])))
        # overlapping strided windows (3x3 stride 2) visit each element several times: worth a
        # copy into stride phases first; tiles and stride 1 are read in place
        phases = StridePhases(x_shape, kernel, stride, padding, dilation, out_hw) \
            if overlap and any(s > 1 for s in stride) else None
        return cls(x_shape, padding, tuple(extra), indexers, overlap, tiles=tiles, phases=phases)

    @classmethod
    def adaptive(cls, x_shape, out_hw, xp):
        rows, cols = adaptive_offsets(xp, x_shape[2], out_hw[0]), adaptive_offsets(xp, x_shape[3], out_hw[1])
        indexers = [(slice(None), slice(None), r.reshape(-1, 1), c) for r in rows for c in cols]
        return cls(x_shape, (0, 0), (0, 0), indexers, overlap=True, advanced=True)

    def pad(self, x, fill):
        (top, left), (bottom, right) = self.padding, self.extra
        if not (top or left or bottom or right):
            return x
        return array_module(x).pad(x, ((0, 0), (0, 0), (top, top + bottom), (left, left + right)),
                                   constant_values=fill)

    def crop(self, padded):
        if padded.shape == self.x_shape:
            return padded
        (top, left), (h, w) = self.padding, self.x_shape[2:]
        return padded[:, :, top:top + h, left:left + w]

    def candidates(self, padded):
        return [padded[index] for index in self.indexers]

    def max_candidates(self, x, fill):
        """The input's elements at each kernel offset, the padding filled with ``fill``."""
        if self.phases is not None:
            return self.phases.candidates(x, fill)
        return self.candidates(self.pad(x, fill))

    def scatter(self, grad, winner):
        """An input-shaped array holding ``grad`` at each window's winning offset, zeros elsewhere."""
        xp = array_module(grad)
        phases = self.phases
        if phases is not None:  # scattered into the phases, then copied back into the input's layout
            out = xp.empty(self.x_shape, dtype=grad.dtype)
        else:
            out = (xp.empty if self.tiles else xp.zeros)(self.padded_shape, dtype=grad.dtype)  # tiles: all written

        def part(start, stop):
            part_grad, part_winner = grad[start:stop], winner[start:stop]
            target = out[start:stop] if phases is None else phases.zeros(part_grad)
            mine, share = xp.empty(part_grad.shape, dtype=bool), xp.empty_like(part_grad)  # reused per offset
            for offset, index in enumerate(self.indexers if phases is None else phases.indexers):
                xp.equal(part_winner, offset, out=mine)
                if self.advanced:
                    scatter_add(target, index, xp.multiply(part_grad, mine, out=share))
                elif self.overlap:
                    target[index] += xp.multiply(part_grad, mine, out=share)
                else:  # each input element belongs to one window at most: write in place
                    xp.multiply(part_grad, mine, out=target[index])
            if phases is not None:
                phases.unphase(target, out[start:stop])

        over_batch(part, grad.shape[0], grad.size * len(self.indexers), xp)
        return out if phases is not None else self.crop(out)

    def gather(self, values, winner):
        """Per window, the element of the input-shaped ``values`` at its winning offset."""
        padded = self.pad(values, 0)
        out = None
        for offset, index in enumerate(self.indexers):
            picked = padded[index] * (winner == offset)
            out = picked if out is None else out + picked
        return out


class StridePhases:
    """Strided windows read from the input's stride phases: phase (a, b) holds the padded
    input's rows a, a + sh, ... and columns b, b + sw, ... as one contiguous array. Offset (i, j)
    of window (y, x) is padded element (y*sh + i*dh, x*sw + j*dw), which is phase
    ((i*dh) % sh, (j*dw) % sw) at (y + (i*dh) // sh, x + (j*dw) // sw): so every offset is a
    slice of one phase with unit steps, and NumPy's passes over it run about twice as fast as
    over every s-th element of the padded input (bench/NOTES.md)."""

    def __init__(self, x_shape, kernel, stride, padding, dilation, out_hw):
        self.x_shape, self.stride, self.padding = x_shape, tuple(stride), tuple(padding)
        offsets = [((i * dilation[0]) % stride[0], (j * dilation[1]) % stride[1],
                    (i * dilation[0]) // stride[0], (j * dilation[1]) // stride[1])
                   for i in range(kernel[0]) for j in range(kernel[1])]
        # per kernel offset, its windows' elements in the (sh, sw, N, C, H', W') phases array
        self.indexers = [(a, b, slice(None), slice(None), slice(row, row + out_hw[0]), slice(col, col + out_hw[1]))
                         for a, b, row, col in offsets]
        # each phase is long enough for the farthest offset's slice and for the whole input
        self.phase_hw = tuple(max(max(o[2 + a] for o in offsets) + out_hw[a],
                                  -(-(x_shape[2 + a] + padding[a]) // stride[a])) for a in range(2))

    def placements(self):
        """For each phase (a, b): the input's elements it holds, as (a, b, input slices, phase slices)."""
        (sh, sw), (top, left), (height, width) = self.stride, self.padding, self.x_shape[2:]
        for a in range(sh):
            for b in range(sw):
                first_row, first_col = (a - top) % sh, (b - left) % sw  # first input row/column in this phase
                rows, cols = len(range(first_row, height, sh)), len(range(first_col, width, sw))
                at_row, at_col = (top + first_row) // sh, (left + first_col) // sw
                yield (a, b, (slice(first_row, None, sh), slice(first_col, None, sw)),
                       (slice(at_row, at_row + rows), slice(at_col, at_col + cols)))

    def zeros(self, like):
        """A phases array of zeros for a batch of ``like`` (any array of that batch and channels)."""
        return array_module(like).zeros(self.stride + like.shape[:2] + self.phase_hw, dtype=like.dtype)

    def candidates(self, x, fill):
        """The input's elements at each kernel offset (the padding holds ``fill``), as views of its phases."""
        phases = array_module(x).full(self.stride + x.shape[:2] + self.phase_hw, fill, dtype=x.dtype)
        for a, b, (rows, cols), (at_rows, at_cols) in self.placements():
            phases[a, b, :, :, at_rows, at_cols] = x[:, :, rows, cols]
        return [phases[index] for index in self.indexers]

    def unphase(self, phases, out):
        """The inverse of the placement in ``candidates``: the input-shaped ``out`` from ``phases``."""
        for a, b, (rows, cols), (at_rows, at_cols) in self.placements():
            out[:, :, rows, cols] = phases[a, b, :, :, at_rows, at_cols]


def max_pool(x, windows):
    """Max pooling of ``x`` over ``windows``: the maxima and each window's winning offset (see
    :func:`first_maximum`), the batch cut into parts that run on the kernel threads."""
    xp = array_module(x)
    fill = lowest_value(x.dtype, xp)
    parts = over_batch(lambda start, stop: first_maximum(windows.max_candidates(x[start:stop], fill)),
                       x.shape[0], x.size * len(windows.indexers), xp)
    if len(parts) == 1:
        return parts[0]
    return xp.concatenate([out for out, _ in parts]), xp.concatenate([winner for _, winner in parts])


def first_maximum(candidates):
    """Elementwise max of the arrays in ``candidates`` and, per element, the position in the list
    of the first candidate that reaches it: the window offset that takes the gradient. A NaN is
    the maximum of any window it is in (as in PyTorch), and takes the gradient."""
    xp = array_module(candidates[0])
    out = candidates[0].copy()
    for candidate in candidates[1:]:
        xp.maximum(out, candidate, out=out)
    winner = xp.zeros(out.shape, dtype=xp.uint8 if len(candidates) < 256 else xp.int32)
    nan_max = xp.isnan(out) if out.dtype.kind == "f" else None
    if nan_max is not None and not bool(nan_max.any()):
        nan_max = None  # the usual case: no NaN, no extra passes
    # winner = how many offsets come before the first that reaches the maximum: each offset not yet
    # matched adds one (arithmetic on masks, into buffers made once: masked writes are slower)
    found, hit, missing = (xp.empty(out.shape, dtype=bool) for _ in range(3))
    for offset, candidate in enumerate(candidates[:-1]):
        xp.equal(candidate, out, out=hit)
        if nan_max is not None:
            hit |= nan_max & xp.isnan(candidate)
        if offset:
            found |= hit
        else:
            found[...] = hit
        xp.logical_not(found, out=missing)
        winner += missing
    return out, winner


def window_counts(xp, size, out, kernel, stride, padding, include_pad):
    """How many elements each window along one axis divides by (PyTorch's rule): windows are
    clipped to the padded input, and with ``include_pad=False`` to the input itself."""
    start = xp.arange(out) * stride - padding
    end = xp.minimum(start + kernel, size + padding)
    if not include_pad:
        start, end = xp.maximum(start, 0), xp.minimum(end, size)
    return end - start


def adaptive_windows(xp, size, out):
    """PyTorch's adaptive windows along one axis: window i spans floor(i*size/out) .. ceil((i+1)*size/out)."""
    index = xp.arange(out)
    return (index * size) // out, -((-(index + 1) * size) // out)


def adaptive_offsets(xp, size, out):
    """(L, out) indices: row t is the t-th element of every window, L the longest window; a shorter
    window repeats its last element, which never wins a max over a window it already belongs to."""
    start, end = adaptive_windows(xp, size, out)
    longest = int((end - start).max()) if out else 0
    return xp.minimum(start + xp.arange(longest).reshape(-1, 1), end - 1)


def averaging_matrix(xp, size, out, dtype):
    """(out, size): row i averages the input positions of adaptive window i."""
    start, end = adaptive_windows(xp, size, out)
    position = xp.arange(size)
    inside = (position >= start.reshape(-1, 1)) & (position < end.reshape(-1, 1))
    return (inside / (end - start).reshape(-1, 1)).astype(dtype)
