"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``mv``, ``dot``, ``outer``, ``addmm``, ``einsum``."""
import re

from minigrad import dtypes
from minigrad.engine import Tensor
from minigrad.functional._common import operand
from minigrad.ops import linalg


def matmul(input, other):  # noqa: A002 - PyTorch's name
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        like = input if isinstance(input, Tensor) else other
        input, other = (v if isinstance(v, Tensor) else operand(v, like.array.dtype, like) for v in (input, other))
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    dtype = dtypes.result_type(input, other)
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {input.dtype.legacy_name} != "
                           f"{other.dtype.legacy_name}")
    a, b = operand(input, dtype, input), operand(other, dtype, input)
    inner_a, inner_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_rows(a)}x{inner_a} and {inner_b}x"
                           f"{b.shape[-1] if b.ndim > 1 else 1})")
    try:
        return linalg.matmul_op(a.ndim, b.ndim).apply(a, b)
    except ValueError as error:
        raise RuntimeError(f"matmul: shapes {list(a.shape)} and {list(b.shape)} cannot be broadcast ({error})") from None


def _rows(x):
    count = 1
    for n in x.shape[:-1]:
        count *= n
    return count


def mm(input, mat2):  # noqa: A002
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"self must be a matrix" if input.ndim != 2 else "mat2 must be a matrix")
    return matmul(input, mat2)


def bmm(input, mat2):  # noqa: A002
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
                           f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2)


def mv(input, vec):  # noqa: A002
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def dot(input, tensor):  # noqa: A002
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src [{tensor.shape[0]}] "
                           f"to have the same number of elements, but got {input.shape[0]} and {tensor.shape[0]} "
                           f"elements respectively")
    return matmul(input, tensor)


def inner(input, other):  # noqa: A002
    """The sum over the last axis of both: shape input.shape[:-1] + other.shape[:-1] (a product for 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    rows = input.reshape(-1, input.shape[-1]) @ other.reshape(-1, other.shape[-1]).mT
    return rows.reshape(tuple(input.shape[:-1]) + tuple(other.shape[:-1]))


def outer(input, vec2):  # noqa: A002
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


def addmm(input, mat1, mat2, *, beta=1, alpha=1):  # noqa: A002
    product = mm(mat1, mat2)
    return _scaled(input, beta) + _scaled(product, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):  # noqa: A002
    return _scaled(input, beta) + _scaled(mv(mat, vec), alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):  # noqa: A002
    return _scaled(input, beta) + _scaled(bmm(batch1, batch2), alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):  # noqa: A002
    return _scaled(input, beta) + _scaled(bmm(batch1, batch2).sum(0), alpha)


def _scaled(x, factor):
    return x if factor == 1 else x * factor


def trace(input):  # noqa: A002
    return input.diagonal().sum()


def einsum(equation, *operands):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (implicit outputs and '...' supported)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    inputs_text, arrow, output = equation.partition("->")
    inputs = inputs_text.split(",")
    if len(inputs) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation" if
                           len(operands) > len(inputs) else "einsum(): fewer operands were provided than specified "
                           "in the equation")
    inputs, output = _expand_ellipsis(inputs, output if arrow else None, operands)
    for subscripts in inputs:
        if len(set(subscripts)) != len(subscripts):
            raise NotImplementedError(f"einsum: repeated subscripts within one operand ({subscripts!r}) are not "
                                      f"supported")
    dtype = dtypes.result_type(*operands)
    tensors = [operand(t, dtype, operands[0]) for t in operands]
    return linalg.Einsum.apply(*tensors, inputs=tuple(inputs), output=output)


def _expand_ellipsis(inputs, output, operands):
    """Replace '...' by spare letters and fill in an implicit output (sorted letters seen once)."""
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if all(c not in s for s in inputs)]
    broadcast = max((operands[i].ndim - len(s.replace("...", "")) for i, s in enumerate(inputs) if "..." in s),
                    default=0)
    letters = "".join(spare[:broadcast])
    inputs = [s.replace("...", letters[broadcast - (operands[i].ndim - len(s.replace("...", ""))):])
              for i, s in enumerate(inputs)]
    if output is None:
        counts = {c: sum(s.count(c) for s in inputs) for c in set("".join(inputs))}
        output = letters + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in letters))
    else:
        output = output.replace("...", letters)
    if not re.fullmatch(r"[A-Za-z]*", output):
        raise RuntimeError(f"einsum(): invalid subscript in the output {output!r}")
    return inputs, output
