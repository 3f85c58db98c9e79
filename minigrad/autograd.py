"""Reverse-mode automatic differentiation.

Every differentiable op is a subclass of :class:`Op`: ``forward(ctx, *arrays)`` computes the
result on raw arrays and ``backward(ctx, grad)`` returns one gradient array per input (or
``None`` where no gradient is needed). Calling ``Op.apply`` on tensors runs ``forward`` and,
when any input requires a gradient, records the op instance as the result's ``grad_fn``: it is
both the node of the graph and the context that carries what backward needs.

:func:`backward` walks the graph once: an iterative topological sort (no recursion limit),
then one reversed loop that hands each node the sum of its output's gradients. Gradients of
leaves accumulate into ``.grad``; nothing ever zeroes them.
"""
import threading

import numpy

from minigrad.backend import array_module

_grad_mode = threading.local()

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward(). Specify retain_graph=True if you need to backward through "
    "the graph a second time or if you need to access saved tensors after calling backward.")


def is_anomaly_enabled():
    return getattr(_grad_mode, "anomaly", False)


class detect_anomaly:
    """``with detect_anomaly():`` backward checks every gradient it computes and raises at the
    first op whose backward produces NaN or inf, naming the op and the shapes of its inputs."""

    def __enter__(self):
        self.previous = is_anomaly_enabled()
        _grad_mode.anomaly = True
        return self

    def __exit__(self, *exc_info):
        _grad_mode.anomaly = self.previous
        return False


def _check_finite(node, input_grads):
    shapes = [tuple(g.shape) if g is not None else None for g in input_grads]
    for position, grad in enumerate(input_grads):
        if grad is None or grad.dtype.kind != "f":
            continue
        values = grad.to_dense().array if hasattr(grad, "to_dense") else grad
        if not bool(array_module(values).isfinite(values).all()):
            raise RuntimeError(f"Function '{node.name()}' returned nan or inf values in its gradient for "
                               f"input {position} (input shapes: {shapes})")


def is_grad_enabled():
    return getattr(_grad_mode, "enabled", True)


class set_grad_enabled:
    """Context manager and decorator that turns gradient recording on or off."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.previous = is_grad_enabled()
        _grad_mode.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _grad_mode.enabled = self.previous
        return False

    def __call__(self, function):
        mode = self.mode

        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        _grad_mode.enabled = self.previous  # used as a decorator: leave the mode as it was
        return wrapper


class no_grad(set_grad_enabled):
    """``with no_grad():`` ops record nothing and results never require grad."""

    def __init__(self):
        self.mode = False

    def __enter__(self):
        self.previous = is_grad_enabled()
        _grad_mode.enabled = False
        return self

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


class enable_grad(no_grad):
    """Turn gradient recording back on inside a ``no_grad`` block."""

    def __init__(self):
        self.mode = True

    def __enter__(self):
        self.previous = is_grad_enabled()
        _grad_mode.enabled = True
        return self

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with enable_grad():
                return function(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = function.__name__, function.__doc__
        return wrapper


class Op:
    """A node of the graph: one op's forward and backward, on raw arrays.

    Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, grad)`` as static methods;
    ``ctx`` is the op instance. Tensor arguments reach ``forward`` as arrays; anything else
    (axes, shapes, Python numbers) is passed through unchanged. ``ctx.needs_input_grad[i]``
    tells backward which tensor inputs want a gradient.
    """

    __slots__ = ("parents", "needs_input_grad", "_saved", "_saved_versions", "_freed",
                 "_retained", "__dict__", "__weakref__")

    @classmethod
    def apply(cls, *args, **kwargs):
        from minigrad.tensor import Tensor

        ctx = cls()
        tensors = [a for a in args if isinstance(a, Tensor)]
        arrays = [a.array if isinstance(a, Tensor) else a for a in args]
        out = cls.forward(ctx, *arrays, **kwargs)
        if not isinstance(out, tuple):
            out = (out,)
        record = is_grad_enabled() and any(t.requires_grad for t in tensors)
        results = []
        for array in out:
            if isinstance(array, numpy.generic):  # NumPy reductions return scalars, not 0-d arrays
                array = numpy.asarray(array)
            results.append(Tensor._wrap(array, None, False))
        if record:
            ctx.parents = tuple(t.grad_fn if t.grad_fn is not None else (t if t.requires_grad else None)
                                for t in tensors)
            ctx.needs_input_grad = tuple(t.requires_grad for t in tensors)
            ctx._freed = False
            ctx._remember_versions(tensors, results[0])
            results[0].grad_fn = ctx
            results[0]._requires_grad = True
        return results[0] if len(results) == 1 else tuple(results)

    def save_for_backward(self, *arrays):
        self._saved = arrays

    @property
    def saved_tensors(self):
        if getattr(self, "_freed", False):
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        return getattr(self, "_saved", ())

    def _remember_versions(self, inputs, output):
        """Note the version of every tensor whose array was saved, to catch later in-place edits."""
        saved = getattr(self, "_saved", None)
        if not saved:
            self._saved_versions = ()
            return
        owners = {id(t.array): t for t in inputs}
        owners[id(output.array)] = output
        self._saved_versions = tuple((owners[id(a)]._version_counter, owners[id(a)]._version_counter[0], i)
                                     for i, a in enumerate(saved) if id(a) in owners)

    def _check_versions(self):
        for counter, version, index in self._saved_versions:
            if counter[0] != version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: {self.name()} saved input {index} at version {version}, "
                    f"but it is now at version {counter[0]}")

    def _free(self):
        if getattr(self, "_saved", None):
            self._saved = None
            self._freed = True

    def backward_arrays(self, grad):
        """Gradients of the inputs (arrays or None) given the output's gradient array."""
        return self.backward(self, grad)

    @classmethod
    def name(cls):
        return cls.__name__ + "Backward"

    @property
    def next_functions(self):
        return tuple((p, 0) for p in self.parents)

    def __repr__(self):
        return f"<{self.name()}>"


def _accumulate_into_leaf(leaf, grad):
    from minigrad.sparse import SparseTensor
    from minigrad.tensor import Tensor

    if grad.shape != leaf.shape:
        raise RuntimeError(f"gradient of shape {grad.shape} does not match leaf of shape {leaf.shape}")
    if isinstance(grad, SparseTensor) or isinstance(leaf.grad, SparseTensor):
        leaf.grad = grad if leaf.grad is None else _add_sparse(leaf.grad, grad)
        return
    if grad.dtype != leaf.dtype:
        grad = grad.astype(leaf.dtype)
    if leaf.grad is None:
        # a fresh copy: backward functions may hand the same array to several inputs
        leaf.grad = Tensor._wrap(grad.copy(), None, False)
    else:
        leaf.grad.array += grad
        leaf.grad._version_counter[0] += 1


def _add_sparse(accumulated, grad):
    """Sparse + sparse stays sparse (rows concatenated); with a dense side the sum is dense."""
    from minigrad.sparse import SparseTensor
    from minigrad.tensor import Tensor

    if isinstance(accumulated, SparseTensor) and isinstance(grad, SparseTensor):
        return accumulated + grad
    dense = accumulated.to_dense() if isinstance(accumulated, SparseTensor) else accumulated
    extra = grad.to_dense().array if isinstance(grad, SparseTensor) else grad
    return Tensor._wrap(dense.array + extra, None, False)


def zero_grads(tensors, set_to_none=True):
    """Forget the gradients of ``tensors`` (``set_to_none``) or zero them in place: what
    ``Module.zero_grad`` and ``Optimizer.zero_grad`` do, since nothing else ever resets them."""
    for tensor in tensors:
        if tensor.grad is None:
            continue
        if set_to_none:
            tensor.grad = None
        else:
            tensor.grad.zero_()


def _topological_order(root):
    """Nodes reachable from ``root``, each after every node that feeds gradient into it."""
    order, visited = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if isinstance(parent, Op) and id(parent) not in visited:
                visited.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def backward(tensor, gradient=None, retain_graph=False):
    """Accumulate d(tensor)/d(leaf) into every leaf's ``.grad`` (see ``Tensor.backward``)."""
    from minigrad.tensor import Tensor

    if not tensor.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if tensor.numel() != 1:
            raise RuntimeError(f"grad can be implicitly created only for scalar outputs; the tensor "
                               f"has shape {tuple(tensor.shape)}: pass backward(gradient=...) of that shape")
        seed = array_module(tensor.array).ones(tensor.shape, dtype=tensor.dtype)
    else:
        seed = gradient.array if isinstance(gradient, Tensor) else array_module(tensor.array).asarray(gradient)
        if seed.shape != tensor.shape:
            raise RuntimeError(f"backward: gradient has shape {tuple(seed.shape)} but the tensor has "
                               f"shape {tuple(tensor.shape)}")
        seed = seed.astype(tensor.dtype, copy=False)
    if tensor.grad_fn is None:  # a leaf: backward(x) on x itself
        _accumulate_into_leaf(tensor, seed)
        return
    with no_grad():
        _run_backward(tensor.grad_fn, seed, retain_graph)


def _run_backward(root, seed, retain_graph):
    grads = {id(root): seed}
    for node in _topological_order(root):
        grad = grads.pop(id(node), None)
        if grad is None:
            continue
        retained = getattr(node, "_retained", None)
        if retained is not None and retained() is not None:
            _accumulate_into_leaf(retained(), grad)
        node._check_versions()
        input_grads = node.backward_arrays(grad)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if is_anomaly_enabled():
            _check_finite(node, input_grads)
        if not retain_graph:
            node._free()
        for parent, input_grad in zip(node.parents, input_grads):
            if parent is None or input_grad is None:
                continue
            if isinstance(parent, Op):
                key = id(parent)
                grads[key] = input_grad if key not in grads else grads[key] + input_grad
            else:
                _accumulate_into_leaf(parent, input_grad)


class Function(Op):
    """PyTorch-style custom op: subclass it with ``forward(ctx, *inputs)`` and
    ``backward(ctx, *grad_outputs)`` static methods working on Tensors, then call
    ``MyOp.apply(x, ...)``. Save what backward needs with ``ctx.save_for_backward(...)``.

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

    @classmethod
    def apply(cls, *args, **kwargs):
        from minigrad.tensor import Tensor

        ctx = cls()
        tensors = [a for a in args if isinstance(a, Tensor)]
        with no_grad():
            out = cls.forward(ctx, *[a.detach() if isinstance(a, Tensor) else a for a in args], **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}")
        out = Tensor._wrap(out.array, None, False)
        if is_grad_enabled() and any(t.requires_grad for t in tensors):
            ctx.parents = tuple(t.grad_fn if t.grad_fn is not None else (t if t.requires_grad else None)
                                for t in tensors)
            ctx.needs_input_grad = tuple(t.requires_grad for t in tensors)
            ctx._freed = False
            if not hasattr(ctx, "_saved_versions"):
                ctx._saved_versions = ()
            out.grad_fn, out.requires_grad = ctx, True
        return out

    def backward_arrays(self, grad):
        from minigrad.tensor import Tensor

        grads = type(self).backward(self, Tensor._wrap(grad, None, False))
        if not isinstance(grads, tuple):
            grads = (grads,)
        return tuple(g.array if isinstance(g, Tensor) else g for g in grads)

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple((t._version_counter, t._version_counter[0], i)
                                     for i, t in enumerate(tensors) if t is not None)
