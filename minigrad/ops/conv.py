"""2-D convolution by im2col: copy the input's windows into columns, then one matrix product.

The batch is cut into blocks whose columns (~4 MB) stay in the CPU cache between the copy and
the product. A block of n images is copied batch-last, (C, Hp, Wp, n), and im2col turns it into
columns (C, kh, kw, Ho, Wo, n): a (C*kh*kw, Ho*Wo*n) matrix per group, built with one strided
copy per kernel offset. The weight, (O, C*kh*kw) per group, multiplies it in one product
giving (O, Ho, Wo, n), which is copied into the NCHW output together with the bias. Batch-last
makes every copy a run of Wo*n numbers instead of Wo (10 in LeNet's second layer).

Backward rebuilds each block's columns rather than keeping them from forward (keeping tens of
megabytes costs more, in fresh pages and trips through RAM, than copying again): the weight
gradient is columns @ grad^T, the input gradient weight^T @ grad added back by col2im, and the
latter is skipped when the input needs no gradient, as for a network's first layer.
"""
import math
import threading
from typing import NamedTuple

from minigrad.autograd import Op
from minigrad.backend import array_module
from minigrad.ops.im2col import col2im, im2col, sliding_length

# Columns per block of the batch: ~4 MB stays in cache between the copy and the product
# (measured best among 1-16 MB for LeNet at batch 16-256 and a 64-channel layer).
CPU_BLOCK_BYTES = 2 ** 22
# Scratch buffers up to this size are kept per thread and reused from call to call.
SCRATCH_LIMIT_BYTES = 2 ** 24
_scratch = threading.local()


def scratch(name, size, dtype, xp):
    """A flat uninitialised array of ``size`` elements. On the CPU it reuses this thread's buffer
    ``name`` from call to call: memory the process has not touched yet costs a page fault per
    4 KB on first use, several microseconds on a virtual machine, which for LeNet's blocks came
    to more than the copies themselves. CuPy keeps its own memory pool."""
    if xp.__name__ != "numpy" or size * dtype.itemsize > SCRATCH_LIMIT_BYTES:
        return xp.empty(size, dtype=dtype)
    buffers = _scratch.__dict__.setdefault("buffers", {})
    buffer = buffers.get((name, dtype))
    if buffer is None or buffer.size < size:
        buffer = buffers[(name, dtype)] = xp.empty(size, dtype=dtype)
    return buffer[:size]


class Geometry(NamedTuple):
    """Everything about one convolution's windows; ``padding`` is (top, bottom, left, right)."""
    padding: tuple
    stride: tuple
    dilation: tuple
    groups: int
    kernel: tuple
    out_hw: tuple


def block_ranges(x, geometry):
    """``(start, stop)`` of each block of the batch whose columns fill about CPU_BLOCK_BYTES
    (one block on a GPU, where there is no cache to fit)."""
    (kh, kw), (ho, wo) = geometry.kernel, geometry.out_hw
    bytes_per_item = x.shape[1] * kh * kw * ho * wo * x.itemsize
    step = x.shape[0] if array_module(x).__name__ != "numpy" else CPU_BLOCK_BYTES // max(bytes_per_item, 1)
    step = max(step, 1)
    return [(start, min(start + step, x.shape[0])) for start in range(0, x.shape[0], step)]


class BlockBuffers:
    """The batch's blocks and the arrays each block needs, sized for the largest block and
    reused by every block (and, through :func:`scratch`, by later calls). A view is valid
    until the same one is asked for again."""

    def __init__(self, x, geometry):
        self.x, self.geometry, self.xp = x, geometry, array_module(x)
        self.blocks = block_ranges(x, geometry)
        self.step = self.blocks[0][1] - self.blocks[0][0] if self.blocks else 0
        self.padded_input = None

    def view(self, name, shape, n):
        """A contiguous (*shape, n) view of the scratch buffer ``name``."""
        flat = scratch(name, math.prod(shape) * self.step, self.x.dtype, self.xp)
        return flat[:math.prod(shape) * n].reshape(tuple(shape) + (n,))

    def batch_last(self, array, name, start, stop):
        """``array[start:stop]``, (n, C, H, W), copied as (C, H, W, n)."""
        block = self.view(name, array.shape[1:], stop - start)
        block[...] = array[start:stop].transpose(1, 2, 3, 0)
        return block

    def padded_block(self, start, stop):
        """Input images start..stop as (C, Hp, Wp, n) with their zero padding, which is written once per call."""
        (top, bottom, left, right), (_, channels, height, width) = self.geometry.padding, self.x.shape
        if self.padded_input is None:
            shape = (channels, height + top + bottom, width + left + right)
            self.padded_input = self.view("padded_input", shape, self.step)
            if any(self.geometry.padding):
                self.padded_input.fill(0)
        block = self.padded_input[..., :stop - start]
        block[:, top:top + height, left:left + width] = self.x[start:stop].transpose(1, 2, 3, 0)
        return block

    def columns(self, start, stop):
        """im2col of images start..stop as a (groups, C/groups*kh*kw, Ho*Wo*n) matrix per group."""
        g = self.geometry
        columns = self.view("columns", (self.x.shape[1],) + g.kernel + g.out_hw, stop - start)
        im2col(self.padded_block(start, stop), columns, g.stride, g.dilation)
        return columns.reshape(g.groups, self.x.shape[1] // g.groups * g.kernel[0] * g.kernel[1], -1)

    def input_gradient(self, grad_columns, start, stop):
        """col2im of a block's column gradient (groups, C/groups*kh*kw, Ho*Wo*n), cropped to the
        unpadded input, as (n, C, H, W)."""
        g = self.geometry
        (top, bottom, left, right), (channels, height, width) = g.padding, self.x.shape[1:]
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


class Conv2d(Op):
    """out[n, o] = bias[o] + sum over c, i, j of weight[o, c, i, j] * padded[n, c, y*s + i*d, x*s + j*d]."""

    @staticmethod
    def forward(ctx, x, weight, *bias, stride, padding, dilation, groups):
        xp = array_module(x)
        out_channels, _, kh, kw = weight.shape
        padded_hw = x.shape[2] + padding[0] + padding[1], x.shape[3] + padding[2] + padding[3]
        out_hw = tuple(sliding_length(padded_hw[a], (kh, kw)[a], stride[a], dilation[a]) for a in range(2))
        geometry = Geometry(padding, stride, dilation, groups, (kh, kw), out_hw)
        w = weight.reshape(groups, out_channels // groups, -1)
        out = xp.empty((x.shape[0], out_channels) + out_hw, dtype=x.dtype)
        buffers = BlockBuffers(x, geometry)
        for start, stop in buffers.blocks:
            product = buffers.view("product", (out_channels,) + out_hw, stop - start)  # (O, Ho, Wo, n)
            grouped_matmul(w, buffers.columns(start, stop), product.reshape(groups, w.shape[1], -1))
            if bias:
                xp.add(product.transpose(3, 0, 1, 2), bias[0].reshape(-1, 1, 1), out=out[start:stop])
            else:
                out[start:stop] = product.transpose(3, 0, 1, 2)
        ctx.save_for_backward(x, weight)
        ctx.geometry = geometry
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        xp, groups = array_module(grad), ctx.geometry.groups
        need_x, need_w = ctx.needs_input_grad[:2]
        need_bias = len(ctx.needs_input_grad) == 3 and ctx.needs_input_grad[2]
        w = weight.reshape(groups, weight.shape[0] // groups, -1)
        grad_w_t = xp.zeros((groups, w.shape[2], w.shape[1]), dtype=w.dtype) if need_w else None
        grad_bias = xp.zeros(weight.shape[0], dtype=grad.dtype) if need_bias else None
        grad_x = xp.empty(x.shape, dtype=grad.dtype) if need_x else None
        buffers = BlockBuffers(x, ctx.geometry)
        for start, stop in buffers.blocks:
            # the output gradient batch-last like the columns: (groups, O/groups, Ho*Wo*n)
            g = buffers.batch_last(grad, "grad", start, stop).reshape(groups, w.shape[1], -1)
            if need_w:  # columns @ g^T: BLAS is faster this way round than g @ columns^T for few channels
                grad_w_t += grouped_matmul(buffers.columns(start, stop), g.swapaxes(1, 2), xp.empty_like(grad_w_t))
            if need_bias:
                grad_bias += g.sum(axis=2).reshape(-1)
            if need_x:
                grad_columns = buffers.view("grad_columns", (groups, w.shape[2], g.shape[2] // (stop - start)),
                                            stop - start).reshape(groups, w.shape[2], -1)
                grouped_matmul(w.swapaxes(1, 2), g, grad_columns)
                grad_x[start:stop] = buffers.input_gradient(grad_columns, start, stop)
        grads = (grad_x, grad_w_t.swapaxes(1, 2).reshape(weight.shape) if need_w else None)
        return grads + (grad_bias,) if len(ctx.needs_input_grad) == 3 else grads


def _pair(value, name):
    """An int or a sequence of two ints as a pair; PyTorch's error otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = tuple(value) * 2
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise RuntimeError(f"conv2d: expected {name} to be a single integer value or a list of 2 values to "
                           f"match the convolution dimensions, but got {name}={value!r}")
    return tuple(value)


def conv_padding(padding, kernel, stride, dilation):
    """(top, bottom, left, right) for an int, a pair, "valid" or "same" (the odd extra goes bottom/right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding != "same":
            raise RuntimeError(f"conv2d: Invalid padding string: {padding!r}, should be one of ('valid', 'same')")
        if stride != (1, 1):
            raise RuntimeError(f"conv2d: padding='same' is not supported for strided convolutions (stride={stride})")
        (kh, kw), (dh, dw) = kernel, dilation
        total_h, total_w = dh * (kh - 1), dw * (kw - 1)
        return total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"conv2d: negative padding is not supported, got padding={padding}")
    return ph, ph, pw, pw


def _check_shapes(input, weight, bias, groups):  # noqa: A002 - PyTorch's name
    from minigrad.tensor import Tensor
    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        if not isinstance(value, Tensor) and not (name == "bias" and value is None):
            raise TypeError(f"conv2d(): argument '{name}' must be Tensor, not {type(value).__name__}")
    devices = {str(t.device) for t in (input, weight, bias) if t is not None}
    if len(devices) > 1:
        raise RuntimeError(f"conv2d: expected input, weight and bias on the same device, got {sorted(devices)}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"conv2d: Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of "
                           f"size: {list(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels/groups, kh, kw), got weight "
                           f"of size {list(weight.shape)}")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(f"conv2d: non-positive groups is not supported, got groups={groups}")
    out_channels, group_channels = weight.shape[:2]
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if input.shape[-3] != group_channels * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(input.shape)} to have {group_channels * groups} channels, but got "
                           f"{input.shape[-3]} channels instead")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")
    dtypes = [t.dtype for t in (input, weight, bias) if t is not None]
    if any(d != dtypes[0] for d in dtypes):
        raise RuntimeError(f"conv2d: input, weight and bias must have the same dtype, got "
                           f"{', '.join(str(d) for d in dtypes)}")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002 - PyTorch's name
    """2-D convolution of an (N, C, H, W) or unbatched (C, H, W) input with a weight
    (O, C/groups, kh, kw); ``padding`` is an int, a pair, ``"valid"`` or ``"same"``."""
    _check_shapes(input, weight, bias, groups)
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"conv2d: dilation should be greater than zero, but got dilation={dilation}")
    kernel = tuple(weight.shape[2:])
    pads = conv_padding(padding, kernel, stride, dilation)
    padded = (input.shape[2] + pads[0] + pads[1], input.shape[3] + pads[2] + pads[3])
    extent = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    if padded[0] < extent[0] or padded[1] < extent[1]:
        raise RuntimeError(f"conv2d: Calculated padded input size per channel: ({padded[0]} x {padded[1]}). "
                           f"Kernel size: ({extent[0]} x {extent[1]}). Kernel size can't be greater than actual "
                           f"input size (input {list(input.shape)}, weight {list(weight.shape)})")
    tensors = (input, weight) if bias is None else (input, weight, bias)
    return Conv2d.apply(*tensors, stride=stride, padding=pads, dilation=dilation, groups=groups)
