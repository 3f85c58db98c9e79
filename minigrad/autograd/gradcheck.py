"""Check gradients against finite differences: ``gradcheck`` (first derivatives) and
``gradgradcheck`` (second derivatives), with PyTorch's signatures and tolerances.

The numerical Jacobian perturbs one input element at a time by +-eps (central differences);
the analytical one comes from ``autograd.grad``, one output element at a time. ``fast_mode``
compares only the projections u^T J v for random vectors u and v (one backward pass and two
function evaluations per input), as PyTorch's fast mode does.
"""
import numpy

from minigrad.autograd.differentiate import grad
from minigrad.backend import move, to_numpy
from minigrad.engine import Tensor, make_tensor
from minigrad.grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """Raised when an analytical gradient disagrees with the numerical one."""


def _tuple(values):
    return tuple(values) if isinstance(values, (tuple, list)) else (values,)


def _outputs(fn, inputs):
    return [o for o in _tuple(fn(*inputs)) if isinstance(o, Tensor) and o.array.dtype.kind == "f"]


def _flat_outputs(fn, inputs):
    with no_grad():
        outputs = _outputs(fn, inputs)
    if not outputs:
        return numpy.zeros(0)
    return numpy.concatenate([to_numpy(o.array).astype(numpy.float64).ravel() for o in outputs])


def _perturbed(fn, inputs, index, eps, direction=None):
    """d(outputs)/d(inputs[index]) by central differences: (numel_in, numel_out), or the
    directional derivative along ``direction`` (numel_out,)."""
    array = inputs[index].array
    if not array.flags.c_contiguous:
        raise ValueError(f"gradcheck: input {index} must be contiguous (call .contiguous() first)")
    flat = array.reshape(-1)  # a view: perturbing it perturbs the input
    if direction is not None:
        original, step = flat.copy(), move(eps * direction, inputs[index].device)
        flat += step
        plus = _flat_outputs(fn, inputs)
        flat[...] = original - step
        minus = _flat_outputs(fn, inputs)
        flat[...] = original
        return (plus - minus) / (2 * eps)
    if flat.size == 0:  # an empty input moves no output
        return numpy.zeros((0, _flat_outputs(fn, inputs).size))
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


def _analytical(fn, inputs, index, seed_for):
    """Rows of (vector^T J) for each output seed ``seed_for`` yields, w.r.t. inputs[index]."""
    outputs = _outputs(fn, inputs)
    target = inputs[index]
    rows = []
    for seeds in seed_for(outputs):
        live = [(o, s) for o, s in zip(outputs, seeds) if o.requires_grad]
        if not live:
            rows.append(numpy.zeros(target.array.size))
            continue
        found, = grad([o for o, _ in live], target, [make_tensor(s) for _, s in live], retain_graph=True,
                      allow_unused=True)
        rows.append(numpy.zeros(target.array.size) if found is None else
                    to_numpy((found.to_dense() if getattr(found, "is_sparse", False) else found).array)
                    .astype(numpy.float64).ravel())
    return numpy.array(rows)


def _unit_seeds(outputs):
    for position, output in enumerate(outputs):
        for k in range(output.array.size):
            seeds = [numpy.zeros(o.array.shape, dtype=o.array.dtype) for o in outputs]
            seeds[position].reshape(-1)[k] = 1
            yield [_on_device(s, o) for s, o in zip(seeds, outputs)]


def _on_device(array, like):
    return move(array, like.device)


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """True when backward's gradients of ``func(*inputs)`` match central differences for every
    input that requires grad (use float64 inputs). On a mismatch raises :class:`GradcheckError`
    naming the output, the input and both Jacobians, or returns False (``raise_exception=False``)."""
    inputs = _tuple(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    generator = numpy.random.default_rng(0)
    for i in checked:
        if fast_mode:
            direction = generator.standard_normal(inputs[i].array.size)
            numerical = _perturbed(func, inputs, i, eps, direction)
            u = generator.standard_normal(numerical.size)
            analytical_rows = _analytical(func, inputs, i, lambda outputs: [_split(u, outputs)])
            numerical_value, analytical_value = float(u @ numerical), float(analytical_rows[0] @ direction)
            if abs(analytical_value - numerical_value) > atol + rtol * abs(numerical_value):
                return _fail(f"Jacobian mismatch for input {i} (fast mode, u^T J v):\nnumerical:{numerical_value!r}"
                             f"\nanalytical:{analytical_value!r}", raise_exception)
            continue
        numerical = _perturbed(func, inputs, i, eps)
        analytical = _analytical(func, inputs, i, _unit_seeds).T
        if analytical.size == 0 and numerical.size == 0:
            continue
        if numerical.shape != analytical.shape:
            return _fail(f"Jacobian shapes differ for input {i}: analytical {analytical.shape}, numerical "
                         f"{numerical.shape}", raise_exception)
        bad = numpy.abs(analytical - numerical) > atol + rtol * numpy.abs(numerical)
        if bad.any():
            element, output_element = (int(k) for k in numpy.argwhere(bad)[0])
            return _fail(f"Jacobian mismatch for output 0 with respect to input {i},\nnumerical:{numerical!r}\n"
                         f"analytical:{analytical!r}\n(first difference at input element {element}, output element "
                         f"{output_element})", raise_exception)
    return True


def _split(vector, outputs):
    seeds, start = [], 0
    for output in outputs:
        size = output.array.size
        seeds.append(_on_device(vector[start:start + size].reshape(output.array.shape).astype(output.array.dtype),
                                output))
        start += size
    return seeds


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradient itself: the function (inputs, grad_outputs) -> the vector-Jacobian
    product of ``func`` computed with ``create_graph=True``. Random ``grad_outputs`` (float64,
    requiring grad) are drawn when none are given."""
    inputs = _tuple(inputs)
    with no_grad():
        outputs = _outputs(func, inputs)
    if grad_outputs is None:
        generator = numpy.random.default_rng(1)
        grad_outputs = tuple(make_tensor(_on_device(generator.standard_normal(o.array.shape).astype(o.array.dtype),
                                                    o)).requires_grad_() for o in outputs)
    grad_outputs = _tuple(grad_outputs)
    differentiable = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivative(*values):
        given, seeds = values[:len(inputs)], values[len(inputs):]
        with enable_grad():  # the numerical pass evaluates this under no_grad, yet it needs a graph
            results = _outputs(func, given)
            pairs = [(r, s) for r, s in zip(results, seeds) if r.requires_grad]
            if not pairs:
                return ()
            found = grad([r for r, _ in pairs], [given[i] for i in differentiable], [s for _, s in pairs],
                         create_graph=True, allow_unused=True)
        return tuple(f for f in found if f is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, fast_mode=fast_mode)
