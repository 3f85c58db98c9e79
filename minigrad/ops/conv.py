"""2-D convolution and its two gradients, each an op of its own so they can be differentiated again.

For y = conv(x, w), with G = dL/dy::

    dL/dx = conv_input_grad(G, w)    (the transposed convolution of G with w)
    dL/dw = conv_weight_grad(x, G)   (the correlation of x with G)

Both gradients are linear in each argument, and their own gradients are convolutions again
(the adjoint of conv(., w) is conv_input_grad(., w)), so the three ops close the family under
differentiation. The arithmetic (im2col and one matrix product) is in ``minigrad.kernels.conv``.
"""
from minigrad.engine import Op
from minigrad.kernels import conv as kernel
from minigrad.kernels.conv import Geometry  # noqa: F401 - the ops' argument type
from minigrad.kernels.windows import sliding_length


def geometry_of(x_shape, weight_shape, stride, padding, dilation, groups):
    """The :class:`Geometry` of a convolution; ``padding`` is (top, bottom, left, right)."""
    kernel_hw = tuple(weight_shape[2:])
    padded = (x_shape[2] + padding[0] + padding[1], x_shape[3] + padding[2] + padding[3])
    out_hw = tuple(sliding_length(padded[a], kernel_hw[a], stride[a], dilation[a]) for a in range(2))
    return Geometry(tuple(padding), tuple(stride), tuple(dilation), groups, kernel_hw, out_hw)


class Conv2d(Op, name="ConvolutionBackward0"):
    """out[n, o] = bias[o] + sum over c, i, j of w[o, c, i, j] * padded_x[n, c, y*s + i*d, x*s + j*d]."""

    @staticmethod
    def forward(ctx, x, weight, *bias, geometry):
        ctx.save_for_backward(x, weight)
        ctx.geometry = geometry
        return kernel.forward(x, weight, bias[0] if bias else None, geometry)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        m, geometry = ctx.math, ctx.geometry
        needs = ctx.needs_input_grad
        grad_x, grad_w = m.conv_grads(x, weight, grad, geometry, needs[0], needs[1])
        if len(needs) == 2:
            return grad_x, grad_w
        return grad_x, grad_w, m.sum(grad, (0, 2, 3), False) if needs[2] else None


class ConvInputGrad(Op, name="ConvolutionBackwardBackward0"):
    """dL/dx of a convolution from G = dL/dy and w; also the forward of a transposed convolution."""

    @staticmethod
    def forward(ctx, grad, weight, *, geometry, x_shape):
        ctx.save_for_backward(grad, weight)
        ctx.geometry = geometry
        return kernel.input_grad(grad, weight, geometry, x_shape)

    @staticmethod
    def backward(ctx, gg):
        grad, weight = ctx.saved_tensors
        m, geometry = ctx.math, ctx.geometry
        needs_grad, needs_weight = ctx.needs_input_grad
        return (m.op(Conv2d, gg, weight, geometry=geometry) if needs_grad else None,
                m.op(ConvWeightGrad, gg, grad, geometry=geometry, weight_shape=tuple(weight.shape))
                if needs_weight else None)


class ConvTranspose2d(ConvInputGrad, name="ConvolutionBackward0"):
    """``conv_transpose2d``: the same product, recorded under PyTorch's name for it."""


class ConvWeightGrad(Op, name="ConvolutionBackwardBackward0"):
    """dL/dw of a convolution from x and G = dL/dy."""

    @staticmethod
    def forward(ctx, x, grad, *, geometry, weight_shape):
        ctx.save_for_backward(x, grad)
        ctx.geometry = geometry
        return kernel.weight_grad(x, grad, geometry, weight_shape)

    @staticmethod
    def backward(ctx, gw):
        x, grad = ctx.saved_tensors
        m, geometry = ctx.math, ctx.geometry
        needs_x, needs_grad = ctx.needs_input_grad
        return (m.op(ConvInputGrad, grad, gw, geometry=geometry, x_shape=tuple(x.shape)) if needs_x else None,
                m.op(Conv2d, x, gw, geometry=geometry) if needs_grad else None)
