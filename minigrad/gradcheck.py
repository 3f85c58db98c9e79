"""Check backward against central finite differences, in float64."""
import warnings

import numpy

from minigrad.autograd import no_grad
from minigrad.backend import to_numpy
from minigrad.tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when an analytic gradient disagrees with the numeric one."""


def _as_tuple(values):
    return tuple(values) if isinstance(values, (tuple, list)) else (values,)


def _flat_outputs(fn, inputs):
    with no_grad():
        outputs = _as_tuple(fn(*inputs))
    return numpy.concatenate([to_numpy(o.array).astype(numpy.float64).ravel() for o in outputs
                              if isinstance(o, Tensor) and o.dtype.kind == "f"])


def numeric_jacobian(fn, inputs, index, eps):
    """d(all outputs, flattened) / d(inputs[index]) by central differences: (n_in, n_out)."""
    array = inputs[index].array
    if not array.flags.c_contiguous:
        raise ValueError(f"gradcheck: input {index} must be contiguous (call .contiguous() first)")
    flat = array.reshape(-1)  # a view: perturbing it perturbs the input
    rows = []
    for j in range(flat.size):
        original = flat[j].item()
        flat[j] = original + eps
        plus = _flat_outputs(fn, inputs)
        flat[j] = original - eps
        minus = _flat_outputs(fn, inputs)
        flat[j] = original
        rows.append((plus - minus) / (2 * eps))
    return numpy.array(rows).reshape(flat.size, -1)


def analytic_jacobian(fn, inputs, index):
    """The same Jacobian from backward: one backward pass per output element."""
    outputs = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor) and o.dtype.kind == "f"]
    target = inputs[index]
    columns = []
    for output in outputs:
        for k in range(output.numel()):
            seed = numpy.zeros(output.numel())
            seed[k] = 1
            saved, target.grad = target.grad, None
            if output.requires_grad:
                output.backward(Tensor(seed.reshape(output.shape), dtype=output.dtype, device=output.device),
                                retain_graph=True)
            grad = target.grad
            target.grad = saved
            columns.append(numpy.zeros(target.numel()) if grad is None else
                           to_numpy(grad.array).astype(numpy.float64).ravel())
    return numpy.array(columns).T.reshape(target.numel(), -1)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Compare the gradients that backward computes for ``fn(*inputs)`` with central
    differences, for every input that requires grad. Inputs should be float64.

    Returns True; on a mismatch raises :class:`GradcheckError` naming the input, the element,
    and both values (or returns False when ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    for i in checked:
        if inputs[i].dtype != numpy.float64:
            warnings.warn(f"gradcheck: input {i} is {inputs[i].dtype}, not float64: the check may fail "
                          f"from rounding alone", stacklevel=2)
    for i in checked:
        numeric = numeric_jacobian(fn, inputs, i, eps)
        analytic = analytic_jacobian(fn, inputs, i)
        if numeric.shape != analytic.shape:
            raise GradcheckError(f"gradcheck: Jacobian shapes differ for input {i}: analytic {analytic.shape}, "
                                 f"numeric {numeric.shape}")
        bad = numpy.abs(analytic - numeric) > atol + rtol * numpy.abs(numeric)
        if bad.any():
            if not raise_exception:
                return False
            element, output_element = (int(k) for k in numpy.argwhere(bad)[0])
            position = numpy.unravel_index(element, inputs[i].shape) if inputs[i].ndim else ()
            raise GradcheckError(
                f"Jacobian mismatch for input {i} at element {tuple(int(p) for p in position)} "
                f"(output element {output_element}): analytic {analytic[element, output_element]!r}, "
                f"numeric {numeric[element, output_element]!r}")
    return True
