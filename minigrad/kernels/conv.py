"""2-D convolution by im2col: copy the input's windows into columns, then one matrix product.

Three kernels, one per product of a convolution y = conv(x, w):
``forward`` (y), ``input_grad`` (dL/dx = the transposed convolution of dL/dy with w) and
``weight_grad`` (dL/dw, the correlation of x with dL/dy); ``both_grads`` makes the two gradients
in one pass.

The batch is cut into blocks whose columns (~2 MB) stay in the CPU cache between the copy and
the product. A block of n images is copied batch-last, (C, Hp, Wp, n), and im2col turns it into
columns (C, kh, kw, Ho, Wo, n): a (C*kh*kw, Ho*Wo*n) matrix per group, built with one strided
copy per kernel offset. Batch-last makes every copy a run of Wo*n numbers instead of Wo (10 in
LeNet's second layer). Backward rebuilds each block's columns rather than keeping them from
forward: keeping tens of megabytes costs more, in fresh pages and trips through RAM.

When the height has stride 1 (and there is one group), forward and dL/dw go by kernel rows
instead: the columns of one kernel row, (C*kw, Hp, Wo*n), are shared by all kh rows, since
kernel row i of output row y reads padded row y + i*dh. That copies kh times fewer numbers, and
forward's kh products become one product with kh*O rows, which BLAS runs far better than O = 6.
The sums are the same as im2col's; only their order differs.
"""
import math
import threading
from typing import NamedTuple

from minigrad.backend import array_module
from minigrad.kernels.windows import col2im, im2col

# Columns per block of the batch: ~2 MB stays in cache between the copy and the product
# (measured best among 1-16 MB for LeNet's step at batch 16-256 since the row columns).
CPU_BLOCK_BYTES = 2 ** 21
# At most this much scratch memory is kept per thread between calls.
WORKSPACE_LIMIT_BYTES = 2 ** 26


class Workspace:
    """Scratch arrays that the convolution kernels reuse from call to call, owned by one thread.

    Memory the process has not touched yet costs a page fault per 4 KB on first use, several
    microseconds on a virtual machine, which for LeNet's blocks came to more than the copies
    themselves; so the blocks' buffers are kept. The rules: ``get(name, ...)`` returns a view of
    the buffer ``name`` that stays valid until ``name`` is asked for again (callers use each name
    for one purpose at a time); at most ``limit`` bytes are kept (a larger request gets fresh
    memory that is not kept); ``release()`` frees everything. On a GPU, CuPy's own pool does this.
    """

    def __init__(self, limit=WORKSPACE_LIMIT_BYTES):
        self.limit, self.buffers = limit, {}

    @property
    def nbytes(self):
        return sum(buffer.nbytes for buffer in self.buffers.values())

    def get(self, name, size, dtype, xp):
        """A flat uninitialised array of ``size`` elements of ``dtype``."""
        if xp.__name__ != "numpy":
            return xp.empty(size, dtype=dtype)
        key = (name, dtype)
        buffer = self.buffers.get(key)
        if buffer is not None and buffer.size >= size:
            return buffer[:size]
        kept = self.nbytes - (buffer.nbytes if buffer is not None else 0)
        buffer = xp.empty(size, dtype=dtype)
        if kept + buffer.nbytes <= self.limit:
            self.buffers[key] = buffer
        return buffer

    def release(self):
        self.buffers.clear()


_thread_workspace = threading.local()


def workspace():
    """This thread's :class:`Workspace` (each thread owns its own, so threads never share buffers)."""
    if not hasattr(_thread_workspace, "value"):
        _thread_workspace.value = Workspace()
    return _thread_workspace.value


def release_workspace():
    """Free the calling thread's scratch memory (it is rebuilt on the next convolution)."""
    workspace().release()


class Geometry(NamedTuple):
    """Everything about one convolution's windows; ``padding`` is (top, bottom, left, right)."""
    padding: tuple
    stride: tuple
    dilation: tuple
    groups: int
    kernel: tuple
    out_hw: tuple


class BlockBuffers:
    """The batch's blocks and the arrays each block needs, sized for the largest block and
    reused by every block (and, through the thread's :class:`Workspace`, by later calls)."""

    def __init__(self, x_shape, dtype, geometry, xp):
        self.x_shape, self.dtype, self.geometry, self.xp = x_shape, dtype, geometry, xp
        (kh, kw), (ho, wo) = geometry.kernel, geometry.out_hw
        bytes_per_item = x_shape[1] * kh * kw * ho * wo * dtype.itemsize
        step = x_shape[0] if xp.__name__ != "numpy" else CPU_BLOCK_BYTES // max(bytes_per_item, 1)
        step = max(step, 1)
        self.blocks = [(start, min(start + step, x_shape[0])) for start in range(0, x_shape[0], step)]
        self.step = self.blocks[0][1] - self.blocks[0][0] if self.blocks else 0
        self.padded_input = None
        # by kernel rows (see row_columns) when the height has stride 1 and there is one group
        self.by_rows = geometry.stride[0] == 1 and geometry.groups == 1 and kh > 1

    def view(self, name, shape, n):
        """A contiguous (*shape, n) view of the workspace buffer ``name``."""
        flat = workspace().get(name, math.prod(shape) * self.step, self.dtype, self.xp)
        return flat[:math.prod(shape) * n].reshape(tuple(shape) + (n,))

    def batch_last(self, array, name, start, stop):
        """``array[start:stop]``, (n, C, H, W), copied as (C, H, W, n)."""
        block = self.view(name, array.shape[1:], stop - start)
        block[...] = array[start:stop].transpose(1, 2, 3, 0)
        return block

    def padded_block(self, x, start, stop):
        """Images start..stop, zero-padded and batch-last: (C, Hp, Wp, n)."""
        g = self.geometry
        (top, bottom, left, right), (_, channels, height, width) = g.padding, self.x_shape
        if self.padded_input is None:  # zero padding written once per call
            shape = (channels, height + top + bottom, width + left + right)
            self.padded_input = self.view("padded_input", shape, self.step)
            if any(g.padding):
                self.padded_input.fill(0)
        block = self.padded_input[..., :stop - start]
        block[:, top:top + height, left:left + width] = x[start:stop].transpose(1, 2, 3, 0)
        return block

    def columns(self, x, start, stop):
        """im2col of images start..stop as a (groups, C/groups*kh*kw, Ho*Wo*n) matrix per group."""
        g, channels = self.geometry, self.x_shape[1]
        columns = self.view("columns", (channels,) + g.kernel + g.out_hw, stop - start)
        im2col(self.padded_block(x, start, stop), columns, g.stride, g.dilation)
        return columns.reshape(g.groups, channels // g.groups * g.kernel[0] * g.kernel[1], -1)

    def row_columns(self, x, start, stop):
        """The columns of one kernel row, for every padded input row: (C*kw, Hp, Wo*n), entry
        [(c, j), r, (x, n)] = padded[c, r, x*sw + j*dw, n]. Kernel row i of output row y reads
        padded row y + i*dh (stride 1 along the height), so these columns serve all kh kernel
        rows: kh times fewer numbers to copy than im2col's."""
        g, channels = self.geometry, self.x_shape[1]
        block = self.padded_block(x, start, stop)
        kernel_w, out_w = g.kernel[1], g.out_hw[1]
        rows = self.view("row_columns", (channels, kernel_w, block.shape[1], out_w), stop - start)
        im2col(block, rows.reshape(channels, 1, kernel_w, block.shape[1], out_w, -1), (1, g.stride[1]),
               (1, g.dilation[1]))
        return rows.reshape(channels * kernel_w, block.shape[1], -1)

    def input_gradient(self, grad_columns, start, stop):
        """col2im of a block's column gradient (groups, C/groups*kh*kw, Ho*Wo*n), cropped to the
        unpadded input, as (n, C, H, W)."""
        g = self.geometry
        (top, bottom, left, right), (channels, height, width) = g.padding, self.x_shape[1:]
        padded = self.view("padded_grad", (channels, height + top + bottom, width + left + right), stop - start)
        padded.fill(0)
        col2im(grad_columns.reshape(padded.shape[:1] + g.kernel + g.out_hw + padded.shape[-1:]), padded,
               g.stride, g.dilation)
        return padded[:, top:top + height, left:left + width].transpose(3, 0, 1, 2)


def grouped_matmul(a, b, out):
    """``out[g] = a[g] @ b[g]`` for each group as 2-D products: NumPy's stacked matmul can miss
    BLAS when an operand is transposed, which makes it many times slower."""
    for a_g, b_g, out_g in zip(a, b, out):
        array_module(a).matmul(a_g, b_g, out=out_g)
    return out


def forward(x, weight, bias, geometry):
    """out[n, o] = bias[o] + sum over c, i, j of weight[o, c, i, j] * padded[n, c, y*s + i*d, x*s + j*d]."""
    xp, groups = array_module(x), geometry.groups
    out_channels = weight.shape[0]
    out = xp.empty((x.shape[0], out_channels) + geometry.out_hw, dtype=x.dtype)
    buffers = BlockBuffers(x.shape, x.dtype, geometry, xp)
    if buffers.by_rows:  # every kernel row's weights stacked: [(i, o), (c, j)]
        w = weight.transpose(2, 0, 1, 3).reshape(weight.shape[2] * out_channels, -1)
    else:
        w = weight.reshape(groups, out_channels // groups, -1)
    for start, stop in buffers.blocks:
        product = buffers.view("product", (out_channels,) + geometry.out_hw, stop - start)  # (O, Ho, Wo, n)
        if buffers.by_rows:
            forward_by_rows(buffers, x, w, start, stop, product)
        else:
            grouped_matmul(w, buffers.columns(x, start, stop), product.reshape(groups, w.shape[1], -1))
        if bias is not None:
            xp.add(product.transpose(3, 0, 1, 2), bias.reshape(-1, 1, 1), out=out[start:stop])
        else:
            out[start:stop] = product.transpose(3, 0, 1, 2)
    return out


def forward_by_rows(buffers, x, w_rows, start, stop, product):
    """One block's (O, Ho, Wo, n) output from row columns: the products of every kernel row i,
    W_i @ rows, as one product with ``w_rows`` (kh*O, C*kw); then output row y sums kernel row
    i's product at padded row y + i*dh."""
    xp, g = array_module(x), buffers.geometry
    (kernel_h, _), (out_h, out_w), dilation_h = g.kernel, g.out_hw, g.dilation[0]
    out_channels = w_rows.shape[0] // kernel_h
    rows = buffers.row_columns(x, start, stop)  # (C*kw, Hp, Wo*n)
    per_row = buffers.view("row_product", (kernel_h, out_channels, rows.shape[1], out_w), stop - start)
    xp.matmul(w_rows, rows.reshape(rows.shape[0], -1), out=per_row.reshape(w_rows.shape[0], -1))
    per_row = per_row.reshape(kernel_h, out_channels, rows.shape[1], -1)
    out = product.reshape(out_channels, out_h, -1)
    xp.add(per_row[0, :, :out_h], per_row[1, :, dilation_h:dilation_h + out_h], out=out)
    for i in range(2, kernel_h):
        out += per_row[i, :, i * dilation_h:i * dilation_h + out_h]


def input_grad(grad, weight, geometry, x_shape):
    """dL/dx = weight^T @ grad per block, added back into image layout by col2im."""
    return both_grads(None, weight, grad, geometry, x_shape=x_shape)[0]


def weight_grad(x, grad, geometry, weight_shape):
    """dL/dw = columns @ grad^T summed over blocks (BLAS is faster this way round than
    grad @ columns^T for few channels)."""
    return both_grads(x, None, grad, geometry, weight_shape=weight_shape)[1]


def both_grads(x, weight, grad, geometry, x_shape=None, weight_shape=None):
    """dL/dx (unless ``weight`` is None; then ``x_shape`` is not needed) and dL/dw (unless ``x``
    is None; then give ``weight_shape``) in one pass over the blocks: each block's gradient is
    copied batch-last once and serves both products."""
    xp, groups = array_module(grad), geometry.groups
    x_shape = x.shape if x is not None else x_shape
    weight_shape = weight.shape if weight is not None else weight_shape
    out_per_group, rows = weight_shape[0] // groups, math.prod(weight_shape[1:])
    grad_x = xp.empty(x_shape, dtype=grad.dtype) if weight is not None else None
    grad_w_t = xp.zeros((groups, rows, out_per_group), dtype=grad.dtype) if x is not None else None
    w_t = weight.reshape(groups, out_per_group, rows).swapaxes(1, 2) if weight is not None else None
    buffers = BlockBuffers(x_shape, grad.dtype, geometry, xp)
    for start, stop in buffers.blocks:
        g = buffers.batch_last(grad, "grad", start, stop).reshape(groups, out_per_group, -1)
        if x is not None and buffers.by_rows:
            weight_grad_by_rows(buffers, x, g[0], start, stop, grad_w_t)
        elif x is not None:
            grad_w_t += grouped_matmul(buffers.columns(x, start, stop), g.swapaxes(1, 2), xp.empty_like(grad_w_t))
        if weight is not None:
            grad_columns = buffers.view("grad_columns", (groups, rows, g.shape[2] // (stop - start)),
                                        stop - start).reshape(groups, rows, -1)
            grouped_matmul(w_t, g, grad_columns)
            grad_x[start:stop] = buffers.input_gradient(grad_columns, start, stop)
    if x is not None and buffers.by_rows:  # [(i, c, j), o] -> [o, c, i, j]
        kernel_h, kernel_w = weight_shape[2:]
        grad_w_t = grad_w_t.reshape(kernel_h, weight_shape[1], kernel_w, -1).transpose(1, 0, 2, 3).reshape(1, rows, -1)
    return grad_x, None if x is None else grad_w_t.swapaxes(1, 2).reshape(weight_shape)


def weight_grad_by_rows(buffers, x, grad, start, stop, grad_w_t):
    """Add one block's dL/dw from row columns: kernel row i's part is rows[:, y + i*dh] @ grad^T
    over the output rows y, written into ``grad_w_t`` as [(i, c, j), o]."""
    g = buffers.geometry
    (kernel_h, _), out_h, dilation_h = g.kernel, g.out_hw[0], g.dilation[0]
    rows = buffers.row_columns(x, start, stop)  # (C*kw, Hp, Wo*n)
    grad_t = grad.reshape(grad.shape[0], -1).T  # (Ho*Wo*n, O)
    per_row = grad_w_t.reshape(kernel_h, rows.shape[0], -1)
    for i in range(kernel_h):
        per_row[i] += rows[:, i * dilation_h:i * dilation_h + out_h].reshape(rows.shape[0], -1) @ grad_t
