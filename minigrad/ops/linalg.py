"""Matrix products."""
from minigrad.backend import array_module
from minigrad.engine import Op


class MatMul(Op, name="UnsafeViewBackward0"):
    """``a @ b`` with NumPy/PyTorch rules: 1-D operands are promoted to matrices and the added
    axis removed again; leading (batch) axes broadcast. The gradients are ``grad @ b^T`` and
    ``a^T @ grad`` (summed over broadcast batch axes by the engine)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        m = ctx.math
        needs_a, needs_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return grad * b if needs_a else None, grad * a if needs_b else None
        a2 = m.reshape(a, (1,) + tuple(a.shape)) if a.ndim == 1 else a
        b2 = m.reshape(b, tuple(b.shape) + (1,)) if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = m.unsqueeze(g, -2)
        if b.ndim == 1:
            g = m.unsqueeze(g, -1)
        grad_a = grad_b = None
        if needs_a:
            grad_a = m.sum_to(g @ m.swap(b2), tuple(a2.shape))
            grad_a = m.reshape(grad_a, tuple(a.shape)) if a.ndim == 1 else grad_a
        if needs_b:
            grad_b = m.sum_to(m.swap(a2) @ g, tuple(b2.shape))
            grad_b = m.reshape(grad_b, tuple(b.shape)) if b.ndim == 1 else grad_b
        return grad_a, grad_b


class Mm(MatMul):
    pass


class Bmm(MatMul):
    pass


class Mv(MatMul):
    pass


class Dot(MatMul):
    pass


def matmul_op(a_ndim, b_ndim):
    """The node PyTorch records for ``a @ b`` with operands of these ranks."""
    if a_ndim == 1 and b_ndim == 1:
        return Dot
    if a_ndim == 2 and b_ndim == 1:
        return Mv
    if a_ndim == 2 and b_ndim == 2:
        return Mm
    if a_ndim == 3 and b_ndim == 3:
        return Bmm
    return MatMul


class Linear(Op, name="AddmmBackward0"):
    """y = x W^T + b over the last axis of x (any leading axes)."""

    @staticmethod
    def forward(ctx, x, weight, *bias):
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias:
            out += bias[0]
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        m = ctx.math
        needs = ctx.needs_input_grad
        grad_x = grad @ weight if needs[0] else None
        grad_rows = m.reshape(grad, (-1, grad.shape[-1]))
        grad_weight = m.swap(grad_rows) @ m.reshape(x, (-1, x.shape[-1])) if needs[1] else None
        if len(needs) == 2:
            return grad_x, grad_weight
        return grad_x, grad_weight, m.sum(grad_rows, (0,), False) if needs[2] else None


class LinearNoBias(Linear, name="MmBackward0"):
    pass


class Einsum(Op):
    """``einsum(equation, *operands)``. The gradient of operand k is another einsum: the output's
    gradient with the other operands, summed onto k's subscripts (then broadcast over the
    subscripts only k has). Subscripts repeated within one operand (diagonals) are not supported."""

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        ctx.inputs, ctx.output = inputs, output
        ctx.save_for_backward(*operands)
        return array_module(operands[0]).einsum(",".join(inputs) + "->" + output, *operands)

    @staticmethod
    def backward(ctx, grad):
        operands, m = ctx.saved_tensors, ctx.math
        grads = []
        for k, (subscripts, needed) in enumerate(zip(ctx.inputs, ctx.needs_input_grad)):
            if not needed:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(ctx.inputs) if j != k]
            present = set(ctx.output).union(*others) if others else set(ctx.output)
            kept = "".join(c for c in subscripts if c in present)
            terms = [ctx.output] + others
            partial = m.op(Einsum, grad, *[o for j, o in enumerate(operands) if j != k], inputs=terms, output=kept)
            shape = tuple(operands[k].shape)
            if kept != subscripts:  # subscripts only this operand has: the gradient is constant along them
                partial = m.reshape(partial, tuple(n if c in present else 1 for c, n in zip(subscripts, shape)))
                partial = m.expand(partial, shape)
            grads.append(partial)
        return tuple(grads)
