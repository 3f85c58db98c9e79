"""Custom differentiable functions, as PyTorch's ``torch.autograd.Function``.

Subclass :class:`Function` with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
working on Tensors, then call ``MyOp.apply(x, ...)``. Because backward uses Tensor ops, it is
recorded under ``create_graph=True`` and the function can be differentiated twice; mark a
backward that cannot (it uses raw arrays, say) with :func:`once_differentiable`.

Example::

    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 3 * x ** 2 * grad
"""
import functools

from minigrad.backend import array_module
from minigrad.engine import FREED_GRAPH_MESSAGE, Node, Op, SavedTensor, Tensor, fit_gradients, make_tensor
from minigrad.grad_mode import enable_grad, is_grad_enabled, no_grad


class FunctionCtx:
    """What ``forward`` may call on ``ctx`` (the node itself is the context here)."""

    def save_for_backward(self, *tensors):
        self._saved_objects = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class Function(FunctionCtx, Node):
    """Base class of custom autograd functions; see the module docstring."""

    _materialize = True

    @property
    def label(self):
        return type(self).__name__ + "Backward"

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        if self._saved is None:
            return tuple(getattr(self, "_saved_objects", ()))
        return tuple(None if entry is None else entry.unpack(self, True) for entry in self._saved)

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = object.__new__(cls)
        inputs = [a for a in args if isinstance(a, Tensor)]
        record = is_grad_enabled() and any(t.requires_grad for t in inputs)
        ctx._link_inputs(inputs)
        ctx._positions = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor))
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(out, tuple)
        outputs = tuple(_own_output(o, inputs, getattr(ctx, "_dirty", ())) for o in ((out,) if single else out))
        tensors = [o for o in outputs if isinstance(o, Tensor)]
        if record:
            saved = getattr(ctx, "_saved_objects", ())
            ctx._saved = tuple(_capture(t, tensors) for t in saved) if saved else None
            ctx._output_meta = tuple((t.array.shape, t.array.dtype, array_module(t.array)) for t in tensors)
            ctx._link_outputs(tensors)
        else:
            ctx._edges = tuple((None, 0) for _ in inputs)
        return outputs[0] if single else outputs

    def apply_backward(self, grads, math):
        if self._freed:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        self.math = math
        grads = [make_tensor(g) if g is not None and not isinstance(g, Tensor) else g for g in grads]
        if self._materialize:
            grads = [_zeros(meta) if g is None else g for g, meta in zip(grads, self._output_meta)]
        with enable_grad() if math.records else no_grad():
            result = type(self).backward(self, *grads)
        result = result if isinstance(result, tuple) else (result,)
        expected = max(self._positions, default=-1) + 1
        if len(result) < expected:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected "
                               f"{expected}, got {len(result)})")
        picked = [result[i] for i in self._positions]
        if not math.records:
            picked = [g.array if isinstance(g, Tensor) else g for g in picked]
        return fit_gradients(self, picked, math)


def _own_output(value, inputs, dirty):
    """Outputs that are inputs become new tensors (unless marked dirty): the graph needs its own node."""
    if isinstance(value, Tensor) and id(value) not in dirty and any(value is t for t in inputs):
        return make_tensor(value.array.view())
    return value


def _capture(tensor, outputs):
    if tensor is None:
        return None
    for number, output in enumerate(outputs):
        if output is tensor:
            return SavedTensor(tensor.array, None, number, tensor._version_counter, is_output=True)
    return SavedTensor(tensor.array, tensor, tensor._output_nr, tensor._version_counter)


def _zeros(meta):
    shape, dtype, xp = meta
    return make_tensor(xp.zeros(shape, dtype=dtype))


class DelayedError(Op):
    """Passes its first input through; differentiating it raises (see :func:`once_differentiable`)."""

    @staticmethod
    def forward(ctx, x, *grads):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(backward):
    """Mark a custom Function's backward as computable once only: it runs without recording, and
    differentiating its result again raises instead of silently giving a wrong second derivative."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            result = backward(ctx, *[g.detach() if isinstance(g, Tensor) else g for g in grads])
        recorded = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not is_grad_enabled() or not recorded:
            return result
        outputs = result if isinstance(result, tuple) else (result,)
        wrapped = tuple(DelayedError.apply(o, *recorded) if isinstance(o, Tensor) else o for o in outputs)
        return wrapped if isinstance(result, tuple) else wrapped[0]
    return wrapper
