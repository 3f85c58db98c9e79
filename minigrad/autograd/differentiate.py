"""``backward`` and ``grad``: the two ways to start the backward walk (``engine.run_backward``)."""
from minigrad.backend import array_module
from minigrad.engine import Tensor, as_array, make_tensor, run_backward
from minigrad.ops.mathspace import ARRAY, TENSOR


def _as_tuple(values):
    if values is None:
        return None
    return (values,) if isinstance(values, Tensor) or not isinstance(values, (tuple, list)) else tuple(values)


def make_seeds(outputs, grad_outputs, create_graph):
    """The gradient each output starts with: ``grad_outputs`` (checked against the outputs' shapes)
    or ones for one-element outputs. Arrays for a plain backward, tensors under ``create_graph``."""
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one gradient per output: got {len(grad_outputs)} gradients and "
                           f"{len(outputs)} outputs")
    seeds = []
    for number, (output, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if output.requires_grad and output.array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = make_tensor(_ones_like(output.array))
        elif not isinstance(grad, Tensor):
            grad = make_tensor(as_array(grad, output.dtype, output.device))
        if tuple(grad.shape) != tuple(output.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{number}] has a shape of {grad.shape} and "
                               f"output[{number}] has a shape of {output.shape}.")
        if grad.array.dtype != output.array.dtype:
            grad = grad.to(output.dtype)
        seeds.append(grad if create_graph else grad.array)
    return seeds


def _ones_like(array):
    return array_module(array).ones(array.shape, dtype=array.dtype)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate the gradient of ``tensors`` with respect to every leaf (or only ``inputs``) into
    their ``.grad``. Nothing is ever zeroed here: gradients add up until someone zeroes them.
    Saved buffers are freed afterwards unless ``retain_graph`` (default: ``create_graph``)."""
    tensors = _as_tuple(tensors)
    inputs = _as_tuple(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    seeds = make_seeds(tensors, grad_tensors if grad_tensors is not None else grad_variables, create_graph)
    run_backward(tensors, seeds, math=TENSOR if create_graph else ARRAY,
                 retain_graph=create_graph if retain_graph is None else retain_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is left alone).

    With ``create_graph=True`` they are recorded, so they can be differentiated again. An input
    the outputs do not depend on raises unless ``allow_unused`` (its gradient is then None, or
    zeros with ``materialize_grads``)."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if is_grads_batched:
        raise NotImplementedError("grad(is_grads_batched=True) is not supported: loop over the gradients instead")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    for tensor in inputs:
        if not tensor.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    seeds = make_seeds(outputs, grad_outputs, create_graph)
    found = run_backward(outputs, seeds, math=TENSOR if create_graph else ARRAY,
                         retain_graph=create_graph if retain_graph is None else retain_graph, inputs=inputs,
                         accumulate=False)
    result = []
    for index, (tensor, gradient) in enumerate(zip(inputs, found)):
        if gradient is None:
            if materialize_grads:
                gradient = make_tensor(array_module(tensor.array).zeros_like(tensor.array))
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {index} appears to not have been used in the "
                                   f"graph. Set allow_unused=True if this is the desired behavior.")
        elif not isinstance(gradient, Tensor) and not getattr(gradient, "is_sparse", False):
            gradient = make_tensor(gradient)
        result.append(gradient)
    return tuple(result)
