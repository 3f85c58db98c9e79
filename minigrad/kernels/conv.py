"""2-D convolution by im2col: copy the input's windows into columns, then one matrix product.

Three kernels, one per product of a convolution y = conv(x, w):
``forward`` (y), ``input_grad`` (dL/dx = the transposed convolution of dL/dy with w) and
``weight_grad`` (dL/dw, the correlation of x with dL/dy).

The batch is cut into blocks whose columns (~4 MB) stay in the CPU cache between the copy and
the product. A block of n images is copied batch-last, (C, Hp, Wp, n), and im2col turns it into
columns (C, kh, kw, Ho, Wo, n): a (C*kh*kw, Ho*Wo*n) matrix per group, built with one strided
copy per kernel offset. Batch-last makes every copy a run of Wo*n numbers instead of Wo (10 in
LeNet's second layer). Backward rebuilds each block's columns rather than keeping them from
forward: keeping tens of megabytes costs more, in fresh pages and trips through RAM.
"""
import math
import threading
from typing import NamedTuple

from minigrad.backend import array_module
from minigrad.kernels.windows import col2im, im2col

# Columns per block of the batch: ~4 MB stays in cache between the copy and the product
# (measured best among 1-16 MB for LeNet at batch 16-256 and a 64-channel layer).
CPU_BLOCK_BYTES = 2 ** 22
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

    def view(self, name, shape, n):
        """A contiguous (*shape, n) view of the workspace buffer ``name``."""
        flat = workspace().get(name, math.prod(shape) * self.step, self.dtype, self.xp)
        return flat[:math.prod(shape) * n].reshape(tuple(shape) + (n,))

    def batch_last(self, array, name, start, stop):
        """``array[start:stop]``, (n, C, H, W), copied as (C, H, W, n)."""
        block = self.view(name, array.shape[1:], stop - start)
        block[...] = array[start:stop].transpose(1, 2, 3, 0)
        return block

    def columns(self, x, start, stop):
        """im2col of images start..stop as a (groups, C/groups*kh*kw, Ho*Wo*n) matrix per group."""
        g = self.geometry
        (top, bottom, left, right), (_, channels, height, width) = g.padding, self.x_shape
        if self.padded_input is None:  # zero padding written once per call
            shape = (channels, height + top + bottom, width + left + right)
            self.padded_input = self.view("padded_input", shape, self.step)
            if any(g.padding):
                self.padded_input.fill(0)
        block = self.padded_input[..., :stop - start]
        block[:, top:top + height, left:left + width] = x[start:stop].transpose(1, 2, 3, 0)
        columns = self.view("columns", (channels,) + g.kernel + g.out_hw, stop - start)
        im2col(block, columns, g.stride, g.dilation)
        return columns.reshape(g.groups, channels // g.groups * g.kernel[0] * g.kernel[1], -1)

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
    w = weight.reshape(groups, out_channels // groups, -1)
    out = xp.empty((x.shape[0], out_channels) + geometry.out_hw, dtype=x.dtype)
    buffers = BlockBuffers(x.shape, x.dtype, geometry, xp)
    for start, stop in buffers.blocks:
        product = buffers.view("product", (out_channels,) + geometry.out_hw, stop - start)  # (O, Ho, Wo, n)
        grouped_matmul(w, buffers.columns(x, start, stop), product.reshape(groups, w.shape[1], -1))
        if bias is not None:
            xp.add(product.transpose(3, 0, 1, 2), bias.reshape(-1, 1, 1), out=out[start:stop])
        else:
            out[start:stop] = product.transpose(3, 0, 1, 2)
    return out


def input_grad(grad, weight, geometry, x_shape):
    """dL/dx = weight^T @ grad per block, added back into image layout by col2im."""
    xp, groups = array_module(grad), geometry.groups
    w = weight.reshape(groups, weight.shape[0] // groups, -1)
    grad_x = xp.empty(x_shape, dtype=grad.dtype)
    buffers = BlockBuffers(x_shape, grad.dtype, geometry, xp)
    for start, stop in buffers.blocks:
        g = buffers.batch_last(grad, "grad", start, stop).reshape(groups, w.shape[1], -1)
        grad_columns = buffers.view("grad_columns", (groups, w.shape[2], g.shape[2] // (stop - start)),
                                    stop - start).reshape(groups, w.shape[2], -1)
        grouped_matmul(w.swapaxes(1, 2), g, grad_columns)
        grad_x[start:stop] = buffers.input_gradient(grad_columns, start, stop)
    return grad_x


def weight_grad(x, grad, geometry, weight_shape):
    """dL/dw = columns @ grad^T summed over blocks (BLAS is faster this way round than
    grad @ columns^T for few channels)."""
    xp, groups = array_module(grad), geometry.groups
    rows = weight_shape[1] * weight_shape[2] * weight_shape[3]
    grad_w_t = xp.zeros((groups, rows, weight_shape[0] // groups), dtype=grad.dtype)
    buffers = BlockBuffers(x.shape, grad.dtype, geometry, xp)
    for start, stop in buffers.blocks:
        g = buffers.batch_last(grad, "grad", start, stop).reshape(groups, weight_shape[0] // groups, -1)
        grad_w_t += grouped_matmul(buffers.columns(x, start, stop), g.swapaxes(1, 2), xp.empty_like(grad_w_t))
    return grad_w_t.swapaxes(1, 2).reshape(weight_shape)


def both_grads(x, weight, grad, geometry):
    """dL/dx and dL/dw in one pass over the blocks: each block's gradient is copied batch-last
    once and serves both products (what ``input_grad`` and ``weight_grad`` do separately)."""
    xp, groups = array_module(grad), geometry.groups
    w = weight.reshape(groups, weight.shape[0] // groups, -1)
    grad_x = xp.empty(x.shape, dtype=grad.dtype)
    grad_w_t = xp.zeros((groups, w.shape[2], w.shape[1]), dtype=grad.dtype)
    buffers = BlockBuffers(x.shape, grad.dtype, geometry, xp)
    for start, stop in buffers.blocks:
        g = buffers.batch_last(grad, "grad", start, stop).reshape(groups, w.shape[1], -1)
        grad_w_t += grouped_matmul(buffers.columns(x, start, stop), g.swapaxes(1, 2), xp.empty_like(grad_w_t))
        grad_columns = buffers.view("grad_columns", (groups, w.shape[2], g.shape[2] // (stop - start)),
                                    stop - start).reshape(groups, w.shape[2], -1)
        grouped_matmul(w.swapaxes(1, 2), g, grad_columns)
        grad_x[start:stop] = buffers.input_gradient(grad_columns, start, stop)
    return grad_x, grad_w_t.swapaxes(1, 2).reshape(weight.shape)
