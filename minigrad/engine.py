"""The engine: the Tensor, the nodes of the graph, how an op is recorded, and the backward walk.

Read it in this order:

1. :class:`Tensor`: an array (NumPy or CuPy) plus its autograd state: ``requires_grad``,
   ``grad``, ``grad_fn`` (the node that made it) and a version counter, shared with every view
   of the same storage, that in-place ops bump.
2. :class:`Node`: one recorded op. ``next_functions`` points at the nodes that made its inputs
   (an :class:`AccumulateGrad` for a leaf); ``saved_tensors`` holds what its backward needs.
3. :meth:`Op.apply`: run ``forward`` on arrays, wrap the result, and record a node when any input
   requires grad. An op's ``backward`` is written once against ``ctx.math``, a small namespace of
   array functions: NumPy's for the fast first-order pass, minigrad's differentiable functions
   when ``create_graph=True``, so the gradient is itself recorded and can be differentiated again.
4. :func:`run_backward`: an iterative topological sort, then one pass in reverse that hands each
   node the sum of its outputs' gradients and accumulates into leaves' ``.grad``.

Views and in-place ops (``minigrad.views``) build on these pieces.
"""
import weakref

import numpy

from minigrad import dtypes
from minigrad.backend import array_module, device as Device, device_of, get_default_device, move
from minigrad.grad_mode import enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad
from minigrad.hooks import (HookHandle, RetainGrad, check_finite, run_leaf_hooks, run_output_hooks,
                            run_post_hooks)
from minigrad.size import Size
from minigrad.view_history import link_view, sync_view

FREED_GRAPH_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward.")
NO_EDGE = (None, 0)


class Tensor:
    """An n-dimensional array that records the ops applied to it and can differentiate them.

    Make tensors with ``minigrad.tensor(data)``. ``Tensor(...)`` itself is PyTorch's legacy
    constructor: ``Tensor([1, 2])`` copies the data as the default float dtype, ``Tensor(2, 3)``
    makes a tensor of that shape (zeros here, uninitialised in PyTorch), ``Tensor(other)`` shares
    ``other``'s storage. ``.array`` is the raw NumPy/CuPy array behind a tensor, a view into its
    base's memory when the tensor is a view. Most methods (``add``, ``sum``, ``view``...) are bound
    to the class from one table in ``minigrad.methods``.
    """

    __slots__ = ("array", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_version_counter", "_view",
                 "_accumulator", "_extra", "__weakref__")
    __array_priority__ = 1000  # NumPy defers ndarray <op> Tensor to the Tensor's reflected op
    is_sparse = False

    def __init__(self, *args, device=None):
        if len(args) == 1 and isinstance(args[0], Tensor):
            _initialize(self, args[0].array)
            self._version_counter = args[0]._version_counter
        elif args and all(isinstance(n, (int, numpy.integer)) and not isinstance(n, bool) for n in args):
            _initialize(self, as_array(numpy.zeros(args, dtype=dtypes.get_default_dtype().dtype), device=device))
        else:
            data = args[0] if args else []
            _initialize(self, as_array(data, dtypes.get_default_dtype(), device, copy=True))

    @classmethod
    def _wrap(cls, array, grad_fn=None, requires_grad=False):
        """A tensor around ``array`` without copying or checking (for ops)."""
        tensor = _initialize(object.__new__(cls), array)
        tensor._grad_fn, tensor._requires_grad = grad_fn, requires_grad
        return tensor

    # ---- autograd state ------------------------------------------------------------------

    @property
    def grad_fn(self):
        if self._view is not None:
            sync_view(self)
        return self._grad_fn

    @property
    def requires_grad(self):
        if self._view is not None:
            sync_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None:
            if flag:
                return
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if flag and self.array.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            check_grad_fits(self, value)
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        return self._version_counter[0]

    @property
    def _base(self):
        return None if self._view is None else self._view.base

    def _is_view(self):
        return self._view is not None

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (it accumulates, as a leaf's)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is not None and not self.retains_grad:
            self._grad_fn.add_output_hook(self._output_nr, RetainGrad(self))

    @property
    def retains_grad(self):
        node = self.grad_fn
        hooks = node._hooks.get(self._output_nr, ()) if node is not None and node._hooks else ()
        return any(isinstance(h, RetainGrad) and h.tensor() is self for h in hooks)

    def register_hook(self, hook):
        """Call ``hook(grad)`` whenever the gradient with respect to this tensor is computed; a
        returned tensor replaces the gradient. Returns a handle with ``remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn
        if node is not None:
            return node.add_output_hook(self._output_nr, hook)
        hooks = self._extras().setdefault("hooks", [])
        hooks.append(hook)
        return HookHandle(hooks, hook)

    def _extras(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    def _accumulate_node(self):
        """This leaf's AccumulateGrad node, made once and shared while any graph holds it."""
        node = self._accumulator() if self._accumulator is not None else None
        if node is None:
            node = AccumulateGrad(self)
            self._accumulator = weakref.ref(node)
        return node

    # ---- storage -----------------------------------------------------------------------------

    @property
    def data(self):
        """The same storage without history and with its own version counter: changes made
        through it are invisible to autograd (prefer ``detach()`` or ``no_grad``)."""
        return _initialize(object.__new__(Tensor), self.array.view())

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self.array = value.array

    def detach(self):
        """The same storage and version counter, without history."""
        tensor = _initialize(object.__new__(Tensor), self.array.view())
        tensor._version_counter = self._version_counter
        return tensor

    def detach_(self):
        if self._view is not None and self._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn, self._requires_grad = None, False
        return self

    def __hash__(self):
        return id(self)

    # ---- description ---------------------------------------------------------------------

    @property
    def shape(self):
        return Size(self.array.shape)

    @property
    def dtype(self):
        return dtypes.as_dtype(self.array.dtype)

    @property
    def device(self):
        return device_of(self.array)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def ndim(self):
        return self.array.ndim

def _initialize(tensor, array):
    tensor.array = array
    tensor._requires_grad = False
    tensor._grad = tensor._grad_fn = tensor._view = tensor._accumulator = tensor._extra = None
    tensor._output_nr = 0
    tensor._version_counter = [0]
    return tensor


def make_tensor(array, grad_fn=None, output_nr=0, requires_grad=False):
    """A tensor around ``array`` (no copy), optionally the output ``output_nr`` of ``grad_fn``."""
    tensor = object.__new__(Tensor)
    tensor.array, tensor._grad_fn, tensor._output_nr, tensor._requires_grad = array, grad_fn, output_nr, requires_grad
    tensor._grad = tensor._view = tensor._accumulator = tensor._extra = None
    tensor._version_counter = [0]
    return tensor


def as_array(data, dtype=None, device=None, copy=False):
    """User data (nested lists, numbers, NumPy/CuPy arrays, Tensors) as an array of ``dtype`` on
    ``device``: by default where the data already is, or the default device for host data.
    Floating Python data becomes the default dtype, as in PyTorch."""
    if isinstance(data, Tensor):
        source = data.array
    elif hasattr(data, "__cuda_array_interface__") or (hasattr(data, "get") and hasattr(data, "device")
                                                       and not isinstance(data, numpy.ndarray)):
        source = data  # a CuPy array stays where it is unless asked to move
    else:
        source = numpy.asarray(_plain(data) if isinstance(data, (list, tuple)) else data)
        if dtype is None and source.dtype.kind == "f" and not isinstance(data, (numpy.ndarray, numpy.generic)):
            dtype = dtypes.get_default_dtype()  # Python floats become float32, as in PyTorch
        if source.dtype.kind not in "biuf":
            raise TypeError(f"can't convert {type(data).__name__} of {source.dtype} to a tensor: only numbers, "
                            f"bools and (nested) sequences of them are supported")
    array = source if dtype is None else source.astype(numpy.dtype(dtype), copy=False)
    on_host = isinstance(array, numpy.ndarray)
    target = Device(device) if device is not None else (get_default_device() if on_host else device_of(array))
    moved = move(array, target)
    if copy and (moved is source or (on_host and isinstance(moved, numpy.ndarray)
                                     and numpy.may_share_memory(moved, source))):
        moved = moved.copy()
    return moved


def _plain(data):
    """Nested lists with the tensors inside them replaced by their values (any device)."""
    if isinstance(data, Tensor):
        return data.tolist()
    if isinstance(data, (list, tuple)):
        return [_plain(item) for item in data]
    return data


def check_grad_fits(tensor, grad):
    """PyTorch's checks on ``tensor.grad = grad``: a tensor of the same shape, dtype and device."""
    if not isinstance(grad, Tensor) and not getattr(grad, "is_sparse", False):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of {type(grad).__name__}")
    if grad.dtype != tensor.array.dtype:
        raise RuntimeError(f"attempting to assign a gradient with dtype '{grad.dtype}' to a tensor with dtype "
                           f"'{tensor.dtype}'. Please ensure that the gradient and the tensor have the same dtype")
    if grad.device != tensor.device:
        raise RuntimeError(f"attempting to assign a gradient located on device '{grad.device}' to a tensor "
                           f"located on device '{tensor.device}'. Please ensure that the gradient and the tensor "
                           f"are on the same device")
    if tuple(grad.shape) != tuple(tensor.array.shape):
        raise RuntimeError(f"attempting to assign a gradient of size '{list(grad.shape)}' to a tensor of size "
                           f"'{list(tensor.array.shape)}'. Please ensure that the gradient and the tensor are the "
                           f"same size")


# ---- the graph -------------------------------------------------------------------------------

class Node:
    """A recorded op: ``next_functions`` lead to the nodes that made its inputs, ``saved_tensors``
    to what its backward needs. Its type's name is PyTorch's (``MulBackward0``)."""

    _edges = ()
    _input_meta = ()  # (shape, NumPy dtype) of each input: gradients are summed and cast to match
    _saved = None
    _freed = False
    _hooks = None  # {output number: [hook, ...]}: tensor hooks and retain_grad of non-leaf outputs
    _num_outputs = 1
    math = None  # the namespace backward computes with, set by the walk

    name_prefix = ""  # PyTorch's name() of nodes with no Python class: "minigrad::autograd::CopySlices"

    @property
    def label(self):
        """The node's name as printed: its class's, or a regenerated view's ``AsStridedBackward0``."""
        return self.__dict__.get("_label") or type(self).__name__

    def name(self):
        return self.name_prefix + self.label

    @property
    def next_functions(self):
        return self._edges

    @property
    def needs_input_grad(self):
        return tuple(node is not None for node, _ in self._edges)

    _post_hooks = None  # PyTorch's Node.register_hook: hook(grad_inputs, grad_outputs)

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward; a returned tuple
        replaces the gradients it passes on. Returns a handle with ``remove()``."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return HookHandle(self._post_hooks, hook)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node's backward; a returned tuple replaces them."""
        return self.add_output_hook(None, hook)

    def add_output_hook(self, output_nr, hook):
        if self._hooks is None:
            self._hooks = {}
        hooks = self._hooks.setdefault(output_nr, [])
        hooks.insert(len(hooks) - sum(isinstance(h, RetainGrad) for h in hooks), hook)  # retain_grad runs last
        return HookHandle(hooks, hook)

    def _link_inputs(self, tensors):
        """Edges to the nodes that made ``tensors`` (an AccumulateGrad for a leaf), and their shapes."""
        edges = []
        for tensor in tensors:
            if tensor._grad_fn is not None:
                edges.append((tensor._grad_fn, tensor._output_nr))
            elif tensor._requires_grad:
                edges.append((tensor._accumulate_node(), 0))
            else:
                edges.append(NO_EDGE)
        self._edges = tuple(edges)
        self._input_meta = tuple((t.array.shape, t.array.dtype) for t in tensors)

    def _link_outputs(self, outputs):
        """Make this node the ``grad_fn`` of its floating outputs (those not marked non-differentiable)."""
        if len(outputs) > 1:
            self._num_outputs = len(outputs)
        skip = getattr(self, "_non_differentiable", ())
        for number, output in enumerate(outputs):
            if output.array.dtype.kind == "f" and id(output.array) not in skip and id(output) not in skip:
                output._grad_fn, output._output_nr, output._requires_grad = self, number, True

    def _release(self):
        if self._saved:
            self._saved = None
            self._freed = True

    def __repr__(self):
        return f"<{self.label} object at {hex(id(self))}>"


class SavedTensor:
    """One tensor kept for backward: its array, its identity in the graph when it was saved,
    and the version it had, so that an in-place change before backward is caught."""

    __slots__ = ("array", "tensor", "grad_fn", "output_nr", "counter", "version", "is_output", "leaf")

    def __init__(self, array, tensor=None, output_nr=0, counter=None, is_output=False):
        self.array, self.tensor, self.output_nr, self.counter, self.is_output = (array, tensor, output_nr, counter,
                                                                               is_output)
        self.version = counter[0] if counter is not None else 0
        self.grad_fn = tensor._grad_fn if tensor is not None else None
        self.leaf = tensor is not None and tensor._grad_fn is None and tensor._requires_grad

    def snapshot(self):
        """Copy the array now and forget the tensor: for a value an in-place op is about to overwrite."""
        copy = SavedTensor(self.array.copy())
        copy.grad_fn, copy.output_nr, copy.leaf = self.grad_fn, self.output_nr, False
        copy.tensor = self.tensor if self.leaf else None
        return copy

    def unpack(self, node, as_tensor):
        if self.counter is not None and self.counter[0] != self.version:
            raise RuntimeError(self._modified_message(node))
        if not as_tensor:
            return self.array
        if self.is_output:
            return make_tensor(self.array, node, self.output_nr, True)
        if self.leaf:
            return self.tensor
        if self.grad_fn is not None:
            return make_tensor(self.array, self.grad_fn, self.output_nr, True)
        return make_tensor(self.array)

    def _modified_message(self, node):
        owner = node if self.is_output else (self.tensor.grad_fn if self.tensor is not None else self.grad_fn)
        shape = list(self.array.shape)
        origin = "" if owner is None else f", which is output {self.output_nr} of {_short_name(owner)},"
        return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"[minigrad.{dtypes.as_dtype(self.array.dtype).legacy_name}Tensor {shape}]{origin} is at version "
                f"{self.counter[0]}; expected version {self.version} instead. Hint: enable anomaly detection to "
                f"find the operation that failed to compute its gradient, with "
                f"minigrad.autograd.set_detect_anomaly(True, check_nan=False).")


def _short_name(node):
    name = node.name()
    stem = name.rstrip("0123456789")
    return stem[:-len("Backward")] if stem.endswith("Backward") else name


class Op(Node):
    """An op on arrays: ``forward(ctx, *args)`` computes the result from arrays (Tensor arguments
    arrive as their arrays; axes, shapes and numbers pass unchanged) and ``backward(ctx, *grads)``
    returns one gradient per tensor input (or None), computed with ``ctx.math``. Gradients may
    keep a broadcast shape or another dtype: the walk sums and casts them to each input's.

    Only tensors saved with ``ctx.save_for_backward`` that are inputs or outputs of the op are
    differentiated again under ``create_graph``; anything else saved is a constant (masks,
    indices). Set ``is_view = True`` for ops whose output shares the input's memory.
    """

    is_view = False
    differentiable_twice = True

    def __init_subclass__(cls, name=None, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__name__ = cls.__qualname__ = name or cls.__name__ + "Backward0"

    def save_for_backward(self, *arrays):
        self._saved_arrays = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        saved = self._saved
        if saved is None:
            return getattr(self, "_saved_arrays", ())
        as_tensor = self.math is not None and self.math.records
        return tuple(None if entry is None else entry.unpack(self, as_tensor) for entry in saved)

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = object.__new__(cls)
        tensors, arrays = [], []
        for arg in args:
            if isinstance(arg, Tensor):
                tensors.append(arg)
                arrays.append(arg.array)
            else:
                arrays.append(arg)
        out = cls.forward(ctx, *arrays, **kwargs)
        record = False
        if is_grad_enabled():
            for tensor in tensors:
                if tensor._view is not None:
                    sync_view(tensor)
                if tensor._requires_grad:
                    record = True
        raw = out if isinstance(out, tuple) else (out,)
        outputs = tuple(_output_tensor(array, tensors) for array in raw)
        if cls.is_view:
            link_view(outputs[0], tensors[0], cls, args[1:], kwargs)
        if record:
            ctx._record(tensors, outputs, raw)
        return outputs if len(outputs) > 1 else outputs[0]

    def _record(self, tensors, outputs, raw):
        """``raw`` are the arrays forward returned (a NumPy scalar became its output's 0-d array)."""
        self._link_inputs(tensors)
        saved = getattr(self, "_saved_arrays", None)
        if saved:
            self._saved = tuple(_capture(array, tensors, outputs, raw) for array in saved)
        self._link_outputs(outputs)

    def mark_non_differentiable(self, *arrays):
        self._non_differentiable = {id(a) for a in arrays}

    def apply_backward(self, grads, math):
        """Gradients for the inputs, each summed and cast to its input's shape and dtype."""
        self.math = math
        if self._freed:
            raise RuntimeError(FREED_GRAPH_MESSAGE)
        result = type(self).backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        return fit_gradients(self, result, math)


def _output_tensor(array, inputs):
    if isinstance(array, numpy.generic):  # NumPy reductions return scalars, not 0-d arrays
        array = numpy.asarray(array)
    for tensor in inputs:  # an op that returns its input unchanged still makes a new tensor
        if array is tensor.array:
            array = array.view()
            break
    return make_tensor(array)


def _capture(array, inputs, outputs, raw):
    if array is None:
        return None
    for tensor in inputs:
        if tensor.array is array:
            return SavedTensor(array, tensor, tensor._output_nr, tensor._version_counter)
    for number, (output, returned) in enumerate(zip(outputs, raw)):
        if output.array is array or returned is array:
            return SavedTensor(output.array, None, number, output._version_counter, is_output=True)
    return SavedTensor(array)


def fit_gradients(node, grads, math):
    """Check the gradients a backward returned and sum/cast each one to its input's shape/dtype."""
    edges, meta = node._edges, node._input_meta
    if len(grads) != len(edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                           f"{len(edges)}, got {len(grads)})")
    fitted = []
    for index, (grad, (shape, dtype), (target, _)) in enumerate(zip(grads, meta, edges)):
        if grad is None or target is None:
            fitted.append(None)
            continue
        if grad.shape != shape:
            if not _broadcastable(shape, tuple(grad.shape)):
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {index} - got "
                                   f"{list(grad.shape)} but expected shape compatible with {list(shape)}")
            grad = math.sum_to(grad, shape)
        if grad.dtype != dtype:
            grad = math.cast(grad, dtype)
        fitted.append(grad)
    return fitted


def _broadcastable(shape, grad_shape):
    if len(shape) > len(grad_shape):
        return False
    return all(n == 1 or n == g for n, g in zip(reversed(shape), reversed(grad_shape)))


class AccumulateGrad(Node):
    """The sink of a leaf's gradient: adds it into ``variable.grad`` (never zeroed here)."""

    name_prefix = "minigrad::autograd::"

    def __init__(self, variable):
        self.variable = variable
        self._input_meta = ((variable.array.shape, variable.array.dtype),)

    def accumulate(self, grad, create_graph):
        leaf = self.variable
        if tuple(grad.shape) != tuple(leaf.array.shape):
            raise RuntimeError(f"gradient of shape {tuple(grad.shape)} does not match leaf of shape "
                               f"{tuple(leaf.array.shape)}")
        if create_graph or isinstance(grad, Tensor):
            leaf._grad = grad if leaf._grad is None else leaf._grad + grad
        elif getattr(grad, "is_sparse", False) or getattr(leaf._grad, "is_sparse", False):
            leaf._grad = grad if leaf._grad is None else _add_sparse(leaf._grad, grad)
        elif leaf._grad is None:
            leaf._grad = make_tensor(grad.copy())  # a fresh copy: a backward may hand one array to several inputs
        else:
            leaf._grad.array += grad
            leaf._grad._version_counter[0] += 1


def _add_sparse(accumulated, grad):
    """Sparse + sparse stays sparse (rows concatenated); with a dense side the sum is dense."""
    if getattr(accumulated, "is_sparse", False) and getattr(grad, "is_sparse", False):
        return accumulated + grad
    dense = accumulated.to_dense() if accumulated.is_sparse else accumulated
    extra = grad.to_dense().array if getattr(grad, "is_sparse", False) else grad
    return make_tensor(dense.array + extra)


# ---- the backward walk ---------------------------------------------------------------------------

def root_edge(tensor, position):
    """(node, output number) where the gradient of ``tensor`` enters the graph."""
    node = tensor.grad_fn
    if node is not None:
        return node, tensor._output_nr
    if not tensor._requires_grad:
        raise RuntimeError(f"element {position} of tensors does not require grad and does not have a grad_fn")
    return tensor._accumulate_node(), 0


def topological_order(roots):
    """Nodes reachable from ``roots``, each before every node it feeds gradient into (iterative)."""
    order, visited = [], set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._edges))]
        while stack:
            node, edges = stack[-1]
            for child, _ in edges:
                if child is not None and child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child._edges)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def _nodes_leading_to(order, targets):
    needed = set(targets)
    for node in reversed(order):
        if node not in needed and any(child in needed for child, _ in node._edges):
            needed.add(node)
    return needed


def run_backward(roots, root_grads, *, math, retain_graph=False, inputs=None, accumulate=True):
    """Propagate ``root_grads`` back from the tensors ``roots``.

    With ``accumulate`` every reached leaf (or only ``inputs``) gets the gradient added to its
    ``.grad``; otherwise the gradients reaching ``inputs`` are returned, in order (None where
    none arrived). ``math`` is the namespace backward computes with; when it records, the grad
    mode is on so the gradients themselves build a graph (``create_graph``).
    """
    starts = [root_edge(tensor, i) for i, tensor in enumerate(roots)]
    targets = {} if inputs is None else {root_edge(t, i): i for i, t in enumerate(inputs)}
    order = topological_order([node for node, _ in starts])
    needed = None if inputs is None else _nodes_leading_to(order, {node for node, _ in targets})
    captured = [None] * (0 if inputs is None else len(inputs))
    buffers = {}
    for (node, number), grad in zip(starts, root_grads):
        _add_to_buffer(buffers, node, number, grad)
    anomaly = is_anomaly_enabled()
    with (enable_grad() if math.records else no_grad()):
        for node in order:
            grads = buffers.pop(node, None)
            if grads is None:
                continue
            if node._hooks:
                grads = run_output_hooks(node, grads, math)
            leaf = type(node) is AccumulateGrad
            if leaf:
                grads = [run_leaf_hooks(node.variable, grads[0], math)]
            if targets:
                for number, grad in enumerate(grads):
                    position = targets.get((node, number))
                    if position is not None:
                        captured[position] = grad
            if needed is not None and node not in needed:
                continue
            if leaf:
                if accumulate and (inputs is None or (node, 0) in targets):
                    node.accumulate(grads[0], math.records)
                continue
            input_grads = node.apply_backward(grads, math)
            if node._post_hooks:
                input_grads = run_post_hooks(node, input_grads, grads, math)
            if anomaly:
                check_finite(node, input_grads)
            if not retain_graph:
                node._release()
            for (child, number), grad in zip(node._edges, input_grads):
                if child is not None and grad is not None:
                    _add_to_buffer(buffers, child, number, grad)
    if accumulate and inputs is not None:
        _accumulate_into_non_leaves(inputs, captured, math)
    return captured


def _add_to_buffer(buffers, node, number, grad):
    buffer = buffers.get(node)
    if buffer is None:
        buffer = buffers[node] = [None] * node._num_outputs
    buffer[number] = grad if buffer[number] is None else buffer[number] + grad


def _accumulate_into_non_leaves(inputs, grads, math):
    """``backward(inputs=...)`` also fills the ``.grad`` of non-leaf inputs."""
    for tensor, grad in zip(inputs, grads):
        if grad is not None and tensor.grad_fn is not None:
            grad = grad if math.records else make_tensor(grad)
            tensor._grad = grad if tensor._grad is None else tensor._grad + grad
