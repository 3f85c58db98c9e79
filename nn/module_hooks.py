"""Module hooks: the ``register_*_hook`` methods, and the backward hooks as PyTorch runs them.

``register_full_backward_hook``: ``hook(module, grad_input, grad_output)`` sees the gradients with
respect to the module's positional inputs and outputs. As in PyTorch, the tensors going in and
coming out of ``forward`` pass through an identity op (``BackwardHookFunctionBackward``): when the
output's identity is reached in backward it records ``grad_output`` (after the backward pre-hooks,
which may replace it); when the input's identity is reached the hooks run on ``grad_input`` and
may replace it.

The deprecated ``register_backward_hook`` hooks the node that made the output instead: its
``grad_input`` is the gradients of that node's inputs, which for a module whose forward is a
single op are the gradients of the op's inputs (parameters included).
"""
import warnings

from minigrad.backend import array_module
from minigrad.engine import Op, Tensor
from minigrad.grad_mode import is_grad_enabled


class BackwardHookFunction(Op, name="BackwardHookFunctionBackward"):
    """Identity on any number of tensors; ``backward`` hands the gradients to ``hook``, which may
    replace them. Outputs are copies, so that in-place ops inside forward cannot reach the inputs
    behind autograd's back; those of inputs not requiring grad are not differentiable."""

    @staticmethod
    def forward(ctx, *arrays, hook, differentiable):
        ctx.hook, ctx.templates = hook, arrays
        outputs = tuple(array.copy() for array in arrays)
        ctx.mark_non_differentiable(*(out for out, keep in zip(outputs, differentiable) if not keep))
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        m = ctx.math
        # PyTorch hands a Function's backward zeros for an unused output: what the op returns (and
        # grad_input shows) has zeros there, while grad_output keeps None
        materialized = tuple(m.from_tensor(Tensor._wrap(array_module(t).zeros_like(t))) if g is None else g
                             for g, t in zip(grads, ctx.templates))
        return tuple(ctx.hook(grads, materialized, m))


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    def __init__(self, hooks):
        self.hooks = hooks

    def remove(self):
        self.hooks.pop(self, None)


class HookRegistration:
    """The ``register_*_hook`` methods of Module (its ``__call__`` runs the hooks)."""

    def register_forward_hook(self, hook):
        """``hook(module, inputs, output)`` runs after ``forward``; a non-None result replaces the output."""
        return self._add_hook(self._forward_hooks, hook, False)

    def register_forward_pre_hook(self, hook):
        """``hook(module, inputs)`` runs before ``forward``; a non-None result replaces the inputs."""
        return self._add_hook(self._forward_pre_hooks, hook, False)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect to the
        module's inputs are computed; a returned tuple replaces ``grad_input``."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", True)
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` runs when the gradients with respect to the module's outputs
        are computed, before the full backward hooks; a returned tuple replaces ``grad_output``."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated: ``hook(module, grad_input, grad_output)`` on the node that made the output, so
        ``grad_input`` holds the gradients of that node's inputs (prefer register_full_backward_hook)."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        object.__setattr__(self, "_is_full_backward_hook", False)
        return self._add_hook(self._backward_hooks, hook, False)

    @staticmethod
    def _add_hook(hooks, hook, prepend):
        handle = RemovableHandle(hooks)
        hooks[handle] = hook
        if prepend:
            hooks.move_to_end(handle, last=False)
        return handle


def _tensor_positions(values):
    return [i for i, value in enumerate(values) if isinstance(value, Tensor)]


def _pack(positions, values, size):
    packed = [None] * size
    for position, value in zip(positions, values):
        packed[position] = value
    return tuple(packed)


class BackwardHookCall:
    """The hooks of one call of a module: set up around its forward, run during backward."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.input_positions = self.output_positions = None
        self.input_count = self.output_count = 0

    def _wrap(self, values, hook):
        """``values`` with their tensors passed through the identity op (None when nothing requires grad)."""
        positions = _tensor_positions(values)
        tensors = [values[i] for i in positions]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return values, None
        outputs = BackwardHookFunction.apply(*tensors, hook=hook, differentiable=[t.requires_grad for t in tensors])
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        replaced = list(values)
        for position, output in zip(positions, outputs):
            replaced[position] = output
        return tuple(replaced), positions

    def setup_inputs(self, args):
        wrapped, self.input_positions = self._wrap(args, self._on_grad_input)
        self.input_count = len(args)
        return wrapped

    def setup_outputs(self, result):
        single = not isinstance(result, tuple)
        values = (result,) if single else result
        wrapped, self.output_positions = self._wrap(values, self._on_grad_output)
        self.output_count = len(values)
        return wrapped[0] if single else wrapped

    def _on_grad_output(self, grads, materialized, math):
        self.grad_outputs = _pack(self.output_positions, [None if g is None else math.as_tensor(g) for g in grads],
                                  self.output_count)
        for hook in self.pre_hooks:
            replaced = hook(self.module, self.grad_outputs)
            if replaced is None:
                continue
            if len(replaced) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got {len(replaced)}, "
                                   f"but expected {len(self.grad_outputs)}")
            self.grad_outputs = replaced
        current = self.grad_outputs
        if self.input_positions is None:
            self._run_without_inputs()
        return [None if current[i] is None else math.from_tensor(current[i]) for i in self.output_positions]

    def _run_without_inputs(self):
        warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs since "
                      "no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module."
                      "html#torch.nn.Module.register_full_backward_hook for more details.", stacklevel=5)
        grad_inputs = (None,) * self.input_count
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is not None and not (isinstance(result, tuple) and all(r is None for r in result)):
                raise RuntimeError("Backward hook for Modules where no input requires gradient should always return "
                                   "None or None for all gradients.")
        self.grad_outputs = None

    def _on_grad_input(self, grads, materialized, math):
        if self.grad_outputs is None:
            return materialized
        packed = _pack(self.input_positions, [math.as_tensor(g) for g in materialized], self.input_count)
        for hook in self.hooks:
            result = hook(self.module, packed, self.grad_outputs)
            if result is None:
                continue
            if len(result) != len(packed):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(result)}, but "
                                   f"expected {len(packed)}")
            packed = result
        self.grad_outputs = None
        return [None if packed[i] is None else math.from_tensor(packed[i]) for i in self.input_positions]


def hook_output_node(module, hooks, inputs, result):
    """The deprecated backward hooks: on the node that made the (first) output, called with that
    node's input and output gradients; PyTorch's warnings where that misses some gradients."""
    value = result
    while not isinstance(value, Tensor):
        value = next(v for v in value.values() if isinstance(v, Tensor)) if isinstance(value, dict) else value[0]
    node = value.grad_fn
    if node is None:
        return
    for hook in hooks:
        node.register_hook(lambda grad_input, grad_output, hook=hook: hook(module, grad_input, grad_output))
    problem = _missing_gradients(inputs, result, node)
    if problem:
        warnings.warn(problem, FutureWarning, stacklevel=3)


def _missing_gradients(inputs, result, node):
    """Why a hook on ``node`` would not see every gradient of the module (PyTorch's words), or None."""
    outputs = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(outputs, tuple) and all(isinstance(r, Tensor) for r in outputs)):
        return ("Using non-full backward hooks on a Module that does not return a single Tensor or a tuple of "
                "Tensors is deprecated and will be removed in future versions. This hook will be missing some of the "
                "grad_output. Please use register_full_backward_hook to get the documented behavior.")
    if not all(isinstance(i, Tensor) for i in inputs):
        return ("Using non-full backward hooks on a Module that does not take as input a single Tensor or a tuple of "
                "Tensors is deprecated and will be removed in future versions. This hook will be missing some of the "
                "grad_input. Please use register_full_backward_hook to get the documented behavior.")
    nodes = {r.grad_fn for r in outputs if r.grad_fn is not None}
    if not nodes or (len(nodes) == 1 and node not in nodes):
        return ("Using a non-full backward hook when outputs are nested in python data structure is deprecated and "
                "will be removed in future versions. This hook will be missing some grad_output.")
    if len(nodes) > 1:
        return ("Using a non-full backward hook when outputs are generated by different autograd Nodes is deprecated "
                "and will be removed in future versions. This hook will be missing some grad_output. Please use "
                "register_full_backward_hook to get the documented behavior.")
    if {i.grad_fn for i in inputs if i.grad_fn is not None} != {child for child, _ in node.next_functions}:
        return ("Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated and "
                "will be removed in future versions. This hook will be missing some grad_input. Please use "
                "register_full_backward_hook to get the documented behavior.")
    return None
