"""Derivatives of whole functions, with ``torch.autograd.functional``'s signatures and return
conventions: ``vjp``, ``jvp``, ``vhp``, ``hvp``, ``jacobian``, ``hessian``.

``inputs`` is a Tensor or a tuple of Tensors; results keep that shape (a Tensor for a Tensor, a
tuple for a tuple). ``create_graph=True`` keeps the results differentiable; ``strict=True``
raises when an output does not depend on an input instead of returning zeros.

The Hessian-vector product of f at x along v is d/dx <grad f(x), v>: two reverse passes, the
first recorded (``create_graph=True``) so that the second can differentiate it.
"""
from minigrad.autograd.differentiate import grad
from minigrad.backend import array_module
from minigrad.engine import Tensor, make_tensor
from minigrad.functional.shapes import stack


def _as_tuple(values, name, function_name):
    if isinstance(values, Tensor):
        return False, (values,)
    if not isinstance(values, (tuple, list)) or not all(isinstance(v, Tensor) for v in values):
        raise TypeError(f"The {name} given to {function_name} must be either a Tensor or a tuple of Tensors but the "
                        f"value at index 0 has type {type(values).__name__}.")
    return True, tuple(values)


def _prepare(inputs, create_graph):
    """Fresh leaves that require grad (or, with ``create_graph``, views that keep the inputs' graph)."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _finish(values, create_graph, as_tuple):
    values = tuple(v if v is None or create_graph else v.detach() for v in values)
    return values if as_tuple else values[0]


def _fill(gradients, references, strict, what):
    result = []
    for number, (gradient, reference) in enumerate(zip(gradients, references)):
        if gradient is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {number}. This "
                                   f"is not allowed in strict mode{what}.")
            gradient = make_tensor(array_module(reference.array).zeros_like(reference.array))
        result.append(gradient)
    return tuple(result)


def _live_grad(outputs, inputs, grad_outputs=None, create_graph=False):
    """``grad`` over the outputs that require grad, as PyTorch's functional API does: an output
    that depends on nothing contributes nothing (None for every input when no output is left)."""
    outputs = tuple(outputs)
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else tuple(grad_outputs)
    live = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not live:
        return (None,) * len(inputs)
    return grad([o for o, _ in live], inputs, [g for _, g in live], create_graph=create_graph, allow_unused=True)


def _check_depends(gradients, strict):
    """In strict mode a second derivative needs first derivatives that depend on the inputs."""
    for number, gradient in enumerate(gradients):
        if strict and not gradient.requires_grad:
            raise RuntimeError(f"While computing the hessian, found that the jacobian of the user-provided function "
                               f"with respect to input {number} is independent of the input. This is not allowed in "
                               f"strict mode. You should ensure that your function is twice differentiable and that "
                               f"the jacobian depends on the inputs (this would be violated by a linear function for "
                               f"example).")
    return gradients


def _check_v(v, references, name):
    is_tuple, v = _as_tuple(v, "v", name)
    if len(v) != len(references):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(references)} but got {len(v)}.")
    for given, reference in zip(v, references):
        if tuple(given.shape) != tuple(reference.shape):
            raise RuntimeError(f"Mismatch in shape: v has a shape of {given.shape} and the expected shape is "
                               f"{reference.shape}.")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "vjp")
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single Tensor "
                               "with a single element.")
        v = (None,)
    else:
        v = _check_v(v, outputs, "vjp")
    gradients = _live_grad(outputs, inputs, v, create_graph=create_graph)
    result = _fill(gradients, inputs, strict, "")
    return _finish(outputs, create_graph, outputs_tuple), _finish(result, create_graph, is_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by differentiating a vjp with respect to
    its (dummy) vector (the "double backward trick")."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        v = (make_tensor(array_module(inputs[0].array).ones_like(inputs[0].array)),)
    else:
        v = _check_v(v, inputs, "jvp")
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jvp")
    dummies = tuple(make_tensor(array_module(o.array).zeros_like(o.array)).requires_grad_(True) for o in outputs)
    gradients = _fill(_live_grad(outputs, inputs, dummies, create_graph=True), inputs, strict, "")
    result = _live_grad(gradients, dummies, v, create_graph=create_graph)
    result = _fill(result, outputs, strict, "")
    return _finish(outputs, create_graph, outputs_tuple), _finish(result, create_graph, outputs_tuple)


def _scalar_output(func, inputs, name):
    output = func(*inputs)
    _, outputs = _as_tuple(output, "outputs of the user-provided function", name)
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    return outputs[0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
    inputs = _prepare(inputs, create_graph)
    v = _default_v(v, inputs, "vhp")
    output = _scalar_output(func, inputs, "vhp")
    first = _check_depends(_fill(_live_grad((output,), inputs, create_graph=True), inputs, strict, ""), strict)
    result = _fill(_live_grad(first, inputs, v, create_graph=create_graph), inputs, strict, "")
    return _finish((output,), create_graph, False), _finish(result, create_graph, is_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function (equal to vhp since H is symmetric; computed, as
    PyTorch does, by differentiating v^T H with respect to a dummy vector)."""
    is_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
    inputs = _prepare(inputs, create_graph)
    v = _default_v(v, inputs, "hvp")
    output = _scalar_output(func, inputs, "hvp")
    first = _check_depends(_fill(_live_grad((output,), inputs, create_graph=True), inputs, strict, ""), strict)
    dummies = tuple(make_tensor(array_module(x.array).zeros_like(x.array)).requires_grad_(True) for x in inputs)
    double = _fill(_live_grad(first, inputs, dummies, create_graph=True), inputs, strict, "")
    result = _fill(_live_grad(double, dummies, v, create_graph=create_graph), inputs, strict, "")
    return _finish((output,), create_graph, False), _finish(result, create_graph, is_tuple)


def _default_v(v, inputs, name):
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        return (make_tensor(array_module(inputs[0].array).ones_like(inputs[0].array)),)
    return _check_v(v, inputs, name)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    output_i.shape + input_j.shape (nested in tuples as the outputs and inputs are)."""
    if strategy != "reverse-mode":
        raise NotImplementedError("jacobian(strategy='forward-mode') is not supported; use 'reverse-mode'")
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function", "jacobian")
    blocks = []
    for output in outputs:
        rows = [[] for _ in inputs]
        flat = output.reshape(-1)
        for k in range(flat.numel()):
            gradients = grad(flat[k], inputs, retain_graph=True, create_graph=create_graph, allow_unused=True) \
                if output.requires_grad else (None,) * len(inputs)
            gradients = _fill(gradients, inputs, strict, " (jacobian)")
            for position, gradient in enumerate(gradients):
                rows[position].append(gradient)
        blocks.append(tuple(_stack(row, output, x) for row, x in zip(rows, inputs)))
    blocks = [tuple(b if create_graph else b.detach() for b in block) for block in blocks]
    if outputs_tuple and inputs_tuple:
        return tuple(blocks)
    if outputs_tuple:
        return tuple(block[0] for block in blocks)
    return blocks[0] if inputs_tuple else blocks[0][0]


def _stack(rows, output, x):
    if not rows:
        return make_tensor(array_module(x.array).zeros(tuple(output.shape) + tuple(x.shape), dtype=x.array.dtype))
    return stack(rows).reshape(tuple(output.shape) + tuple(x.shape))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func``: for inputs i and j a tensor of shape input_i.shape + input_j.shape
    (a tuple of tuples for a tuple of inputs)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*values):
        output = _scalar_output(func, values, "hessian")
        found = _live_grad((output,), values, create_graph=True)
        return _check_depends(_fill(found, values, strict, " (hessian)"), strict)

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    if inputs_tuple:
        return result
    return result[0][0] if isinstance(result[0], tuple) else result[0]
