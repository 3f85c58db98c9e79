"""Hooks and checks that run during the backward walk: tensor hooks (``register_hook``),
``retain_grad`` and anomaly detection."""
import weakref

from minigrad.backend import array_module


class HookHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


class RetainGrad:
    """The output hook behind ``retain_grad()``: accumulate the gradient into the tensor's ``.grad``."""

    def __init__(self, tensor):
        self.tensor = weakref.ref(tensor)

    def __call__(self, grad):
        tensor = self.tensor()
        if tensor is not None:
            tensor._grad = grad.detach().clone() if tensor._grad is None else tensor._grad + grad
        return None


def _hooked(hook, grad, math):
    """``hook(grad)`` with ``grad`` as a tensor; its result (None: keep) back in ``math``'s form."""
    result = hook(math.as_tensor(grad))
    return grad if result is None else math.from_tensor(result)


def run_output_hooks(node, grads, math):
    """The hooks of a node's outputs (non-leaf tensors), on the gradients that reached them; the
    node's pre-hooks (output number None) see all of them at once."""
    grads = list(grads)
    for number, hooks in node._hooks.items():
        if number is None:
            for hook in list(hooks):
                grads = _replaced(hook(_tensors(grads, math)), grads, math, hook)
            continue
        if grads[number] is None:
            continue
        for hook in list(hooks):
            grads[number] = _hooked(hook, grads[number], math)
    return grads


def run_post_hooks(node, grad_inputs, grad_outputs, math):
    """``Node.register_hook``'s hooks: ``hook(grad_inputs, grad_outputs)`` after the backward."""
    grad_inputs = list(grad_inputs)
    for hook in list(node._post_hooks):
        grad_inputs = _replaced(hook(_tensors(grad_inputs, math), _tensors(grad_outputs, math)), grad_inputs, math,
                                hook)
    return grad_inputs


def _tensors(grads, math):
    return tuple(None if g is None else math.as_tensor(g) for g in grads)


def _replaced(result, grads, math, hook):
    """A node hook's result: None keeps ``grads``, a tuple of the same length replaces them."""
    if result is None:
        return grads
    if len(result) != len(grads):
        raise RuntimeError(f"hook '{getattr(hook, '__name__', 'hook')}' has returned an incorrect number of values "
                           f"(got {len(result)}, but expected {len(grads)})")
    return [None if g is None else math.from_tensor(g) for g in result]


def run_leaf_hooks(leaf, grad, math):
    """A leaf's hooks, on its gradient before it is accumulated (or returned by ``grad``)."""
    for hook in list((leaf._extra or {}).get("hooks", ())):
        grad = _hooked(hook, grad, math)
    return grad


def check_finite(node, grads):
    """Anomaly detection: raise at the first node whose backward produced NaN or inf."""
    for position, grad in enumerate(grads):
        if grad is None or grad.dtype.kind != "f":
            continue
        values = getattr(grad, "array", grad)
        values = values.to_dense().array if hasattr(values, "to_dense") else values
        if not bool(array_module(values).isfinite(values).all()):
            shapes = [None if g is None else tuple(g.shape) for g in grads]
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {position}th output "
                               f"(input shapes: {shapes})")
