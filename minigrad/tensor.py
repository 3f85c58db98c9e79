"""The Tensor: an array (NumPy or CuPy) plus what autograd needs to know about it."""
import numpy

from minigrad import autograd, dtypes
from minigrad.backend import CPU, array_module, device as Device, device_of, module_for, move

LEAF_INPLACE_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."

_DEFAULT_DEVICE = [CPU]  # a one-slot box, changed only by set_default_device


def set_default_device(device):
    """Device of tensors created without ``device=`` ("cpu" or "cuda")."""
    device = Device(device)
    module_for(device)  # fail now, with the install hint, if CUDA is not usable
    _DEFAULT_DEVICE[0] = device


def get_default_device():
    return _DEFAULT_DEVICE[0]


def _to_array(data, dtype, device):
    """Convert user data (nested lists, numbers, ndarrays, Tensors) to an array of ``dtype``."""
    if isinstance(data, Tensor):
        array = data.array
    else:
        array = numpy.asarray(data.get() if hasattr(data, "get") and not isinstance(data, numpy.ndarray)
                              else data)
        if dtype is None and array.dtype.kind == "f" and not isinstance(data, (numpy.ndarray, numpy.generic)):
            dtype = dtypes.get_default_dtype()  # Python floats become float32, as in PyTorch
        if array.dtype.kind in "OUS":
            raise TypeError(f"can't convert {type(data).__name__} of {array.dtype} to a tensor: only numbers, "
                            f"bools and (nested) sequences of them are supported")
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    return move(array, Device(device) if device is not None else get_default_device())


class Tensor:
    """An n-dimensional array that can record the ops applied to it and differentiate them.

    ``Tensor(data, dtype=None, device=None, requires_grad=False)`` copies ``data``; floating
    data defaults to float32. ``.array`` is the raw NumPy/CuPy array behind it.
    """

    __slots__ = ("array", "_requires_grad", "grad", "grad_fn", "_version_counter", "__weakref__")
    __array_priority__ = 1000  # NumPy defers ndarray <op> Tensor to the Tensor's reflected op

    def __init__(self, data=(), dtype=None, device=None, requires_grad=False):
        array = _to_array(data, dtype, device)
        self.array = array.copy() if array is getattr(data, "array", data) else array
        self._requires_grad = False
        self.grad = None
        self.grad_fn = None
        self._version_counter = [0]
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, array, grad_fn, requires_grad, version_counter=None):
        """Make a Tensor around ``array`` without copying or checking (for ops)."""
        tensor = object.__new__(cls)
        tensor.array = array
        tensor._requires_grad = requires_grad
        tensor.grad = None
        tensor.grad_fn = grad_fn
        tensor._version_counter = [0] if version_counter is None else version_counter
        return tensor

    # ---- autograd state ------------------------------------------------------------------

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None and not flag:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to "
                               "use a computed variable in a subgraph that doesn't require differentiation "
                               "use var_no_grad = var.detach().")
        if flag and self.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients (got {self.dtype})")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        return self._version_counter[0]

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            import weakref
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self):
        retained = getattr(self.grad_fn, "_retained", None)
        return retained is not None and retained() is self

    def backward(self, gradient=None, retain_graph=False):
        """Accumulate the gradient of this tensor with respect to every leaf into ``leaf.grad``.

        ``gradient`` is required unless the tensor has one element. Saved buffers are freed
        afterwards unless ``retain_graph=True``. Gradients accumulate: call ``zero_grad``.
        """
        autograd.backward(self, gradient, retain_graph)

    @property
    def data(self):
        """This tensor's storage as a tensor without history: edits through it bypass autograd."""
        return Tensor._wrap(self.array, None, False)

    @data.setter
    def data(self, value):
        self.array = value.array if isinstance(value, Tensor) else _to_array(value, self.dtype, self.device)

    def detach(self):
        """The same storage (and version counter) without history."""
        return Tensor._wrap(self.array, None, False, self._version_counter)

    def detach_(self):
        self.grad_fn, self._requires_grad = None, False
        return self

    # ---- description ---------------------------------------------------------------------

    @property
    def shape(self):
        return self.array.shape

    @property
    def dtype(self):
        return self.array.dtype

    @property
    def device(self):
        return device_of(self.array)

    is_sparse = False

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def ndim(self):
        return self.array.ndim

    def dim(self):
        return self.array.ndim

    def size(self, dim=None):
        if dim is None:
            return self.array.shape
        if not -max(self.ndim, 1) <= dim < max(self.ndim, 1):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-self.ndim}, "
                             f"{self.ndim - 1}], but got {dim})")
        return self.array.shape[dim]

    def numel(self):
        return int(self.array.size)

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    def is_floating_point(self):
        return self.dtype.kind == "f"

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from minigrad.printing import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    # ---- conversion ----------------------------------------------------------------------

    def numpy(self, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if self.device.type != "cpu":
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                                f"to copy the tensor to host memory first.")
            return self.array.get()
        return self.array

    def __array__(self, dtype=None, copy=None):
        array = self.detach().numpy()
        return array if dtype is None else array.astype(dtype)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self.array.reshape(()).item()

    def tolist(self):
        return self.array.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.kind not in "iu" or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous "
                               f"(shape {tuple(self.shape)})")
        return bool(self.item())

    def to(self, *args, dtype=None, device=None, copy=False):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)`` or ``to(other_tensor)``."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype, device = arg.dtype, arg.device
            elif isinstance(arg, (str, Device)):
                device = arg
            else:
                dtype = arg
        result = self
        if device is not None and Device(device) != self.device:
            result = ToDevice.apply(result, Device(device))
        if dtype is not None:
            result = functions.cast(result, dtype)
        return functions.clone(result) if copy and result is self else result

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self):
        return self.to(dtypes.float32)

    def double(self):
        return self.to(dtypes.float64)

    def half(self):
        return self.to(dtypes.float16)

    def long(self):
        return self.to(dtypes.int64)

    def int(self):
        return self.to(dtypes.int32)

    def bool(self):
        return self.to(dtypes.bool)

    def type(self, dtype=None):
        if dtype is None:
            return _TYPE_NAMES.get(self.dtype, str(self.dtype))
        if isinstance(dtype, str):
            dtype = {name: key for key, name in _TYPE_NAMES.items()}.get(dtype, dtype)
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    # ---- arithmetic (the work happens in minigrad.functions and minigrad.ops) -------------

    def __add__(self, other):
        return functions.add(self, other)

    def __radd__(self, other):
        return functions.add(other, self)

    def __sub__(self, other):
        return functions.sub(self, other)

    def __rsub__(self, other):
        return functions.sub(other, self)

    def __mul__(self, other):
        return functions.mul(self, other)

    def __rmul__(self, other):
        return functions.mul(other, self)

    def __truediv__(self, other):
        return functions.div(self, other)

    def __rtruediv__(self, other):
        return functions.div(other, self)

    def __pow__(self, exponent):
        return functions.pow(self, exponent)

    def __rpow__(self, base):
        return functions.pow(functions.operand(base, dtypes.result_type(base, self), self), self)

    def __matmul__(self, other):
        return functions.matmul(self, other)

    def __rmatmul__(self, other):
        return functions.matmul(Tensor(other, device=self.device), self)

    def __neg__(self):
        return functions.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return functions.abs(self)

    def __eq__(self, other):
        return functions.eq(self, other)

    def __ne__(self, other):
        return functions.ne(self, other)

    def __lt__(self, other):
        return functions.lt(self, other)

    def __le__(self, other):
        return functions.le(self, other)

    def __gt__(self, other):
        return functions.gt(self, other)

    def __ge__(self, other):
        return functions.ge(self, other)

    def __and__(self, other):
        return functions.logical_and(self, other) if self.dtype.kind == "b" else \
            Tensor._wrap(self.array & functions.operand(other, self.dtype, self).array, None, False)

    def __or__(self, other):
        return functions.logical_or(self, other) if self.dtype.kind == "b" else \
            Tensor._wrap(self.array | functions.operand(other, self.dtype, self).array, None, False)

    def __xor__(self, other):
        return functions.logical_xor(self, other)

    def __invert__(self):
        return functions.logical_not(self) if self.dtype.kind == "b" else Tensor._wrap(~self.array, None, False)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def add(self, other, alpha=1):
        return functions.add(self, other, alpha)

    def sub(self, other, alpha=1):
        return functions.sub(self, other, alpha)

    def mul(self, other):
        return functions.mul(self, other)

    def div(self, other, rounding_mode=None):
        return functions.div(self, other, rounding_mode)

    def pow(self, exponent):
        return functions.pow(self, exponent)

    def matmul(self, other):
        return functions.matmul(self, other)

    mm = matmul

    def neg(self):
        return functions.neg(self)

    def exp(self):
        return functions.exp(self)

    def log(self):
        return functions.log(self)

    def log1p(self):
        return functions.log1p(self)

    def sqrt(self):
        return functions.sqrt(self)

    def rsqrt(self):
        return functions.rsqrt(self)

    def abs(self):
        return functions.abs(self)

    def sign(self):
        return functions.sign(self)

    def square(self):
        return functions.square(self)

    def sin(self):
        return functions.sin(self)

    def cos(self):
        return functions.cos(self)

    def tanh(self):
        return functions.tanh(self)

    def sigmoid(self):
        return functions.sigmoid(self)

    def relu(self):
        return functions.relu(self)

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        return functions.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return functions.maximum(self, other)

    def minimum(self, other):
        return functions.minimum(self, other)

    def where(self, condition, other):
        return functions.where(condition, self, other)

    def masked_fill(self, mask, value):
        return functions.where(mask, functions.operand(value, self.dtype, self), self)

    def clone(self):
        return functions.clone(self)

    def eq(self, other):
        return functions.eq(self, other)

    def ne(self, other):
        return functions.ne(self, other)

    def lt(self, other):
        return functions.lt(self, other)

    def le(self, other):
        return functions.le(self, other)

    def gt(self, other):
        return functions.gt(self, other)

    def ge(self, other):
        return functions.ge(self, other)

    def logical_not(self):
        return functions.logical_not(self)

    def isnan(self):
        return functions.isnan(self)

    def isfinite(self):
        return functions.isfinite(self)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return functions.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return functions.equal(self, other)

    # ---- reductions -------------------------------------------------------------------------

    def sum(self, dim=None, keepdim=False, dtype=None):
        return functions.sum(self, dim, keepdim, dtype)

    def mean(self, dim=None, keepdim=False, dtype=None):
        return functions.mean(self, dim, keepdim, dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return functions.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return functions.std(self, dim, unbiased, keepdim, correction=correction)

    def max(self, dim=None, keepdim=False):
        return functions.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return functions.min(self, dim, keepdim)

    def amax(self, dim=(), keepdim=False):
        return functions.amax(self, dim, keepdim)

    def amin(self, dim=(), keepdim=False):
        return functions.amin(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return functions.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return functions.argmin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return functions.logsumexp(self, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return functions.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return functions.any(self, dim, keepdim)

    def norm(self, p=2, dim=None, keepdim=False):
        return functions.norm(self, p, dim, keepdim)

    # ---- shapes -----------------------------------------------------------------------------

    def reshape(self, *shape):
        return functions.reshape(self, *shape)

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
            return self.to(shape[0])  # view(dtype)
        return functions.view(self, *shape)

    def view_as(self, other):
        return functions.view(self, other.shape)

    reshape_as = view_as

    def flatten(self, start_dim=0, end_dim=-1):
        return functions.flatten(self, start_dim, end_dim)

    def squeeze(self, dim=None):
        return functions.squeeze(self, dim)

    def unsqueeze(self, dim):
        return functions.unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        return functions.transpose(self, dim0, dim1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return functions.transpose(self, 0, -1)

    @property
    def T(self):  # noqa: N802 - PyTorch's name
        return functions.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self):  # noqa: N802 - PyTorch's name
        return functions.transpose(self, -2, -1)

    def permute(self, *dims):
        return functions.permute(self, *dims)

    def expand(self, *sizes):
        return functions.expand(self, *sizes)

    def expand_as(self, other):
        return functions.expand(self, other.shape)

    def contiguous(self):
        return functions.contiguous(self)

    def is_contiguous(self):
        return bool(self.array.flags.c_contiguous)

    def split(self, split_size, dim=0):
        return functions.split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return functions.chunk(self, chunks, dim)

    def __getitem__(self, index):
        return functions.getitem(self, index)

    def __setitem__(self, index, value):
        inplace.setitem(self, index, value)

    # ---- in-place ops (see minigrad.inplace) ---------------------------------------------------

    def add_(self, other, alpha=1):
        return inplace.add_(self, other, alpha)

    def sub_(self, other, alpha=1):
        return inplace.add_(self, other, -alpha)

    def mul_(self, other):
        return inplace.mul_(self, other)

    def div_(self, other):
        return inplace.div_(self, other)

    def pow_(self, exponent):
        return inplace.apply_(self, functions.pow, exponent)

    def sqrt_(self):
        return inplace.apply_(self, functions.sqrt)

    def exp_(self):
        return inplace.apply_(self, functions.exp)

    def neg_(self):
        return inplace.apply_(self, functions.neg)

    def relu_(self):
        return inplace.apply_(self, functions.relu)

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        return inplace.apply_(self, functions.clamp, min, max)

    clip_ = clamp_

    def addcmul_(self, tensor1, tensor2, value=1):
        return inplace.add_(self, tensor1 * tensor2, value)

    def addcdiv_(self, tensor1, tensor2, value=1):
        return inplace.add_(self, tensor1 / tensor2, value)

    def lerp_(self, end, weight):
        return inplace.add_(self, (end - self) * weight)

    def zero_(self):
        return inplace.fill_(self, 0)

    def fill_(self, value):
        return inplace.fill_(self, value)

    def copy_(self, source):
        return inplace.copy_(self, source)

    def masked_fill_(self, mask, value):
        return inplace.apply_(self, Tensor.masked_fill, mask, value)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return inplace.normal_(self, mean, std, generator)

    def uniform_(self, a=0.0, b=1.0, generator=None):
        return inplace.uniform_(self, a, b, generator)

    def new_zeros(self, *size, dtype=None):
        return factories.zeros(*size, dtype=dtype or self.dtype, device=self.device)

    def new_ones(self, *size, dtype=None):
        return factories.ones(*size, dtype=dtype or self.dtype, device=self.device)

    def new_full(self, size, fill_value, dtype=None):
        return factories.full(size, fill_value, dtype=dtype or self.dtype, device=self.device)

    def new_tensor(self, data, dtype=None):
        return Tensor(data, dtype=dtype or self.dtype, device=self.device)


_TYPE_NAMES = {dtypes.float32: "minigrad.FloatTensor", dtypes.float64: "minigrad.DoubleTensor",
               dtypes.float16: "minigrad.HalfTensor", dtypes.int64: "minigrad.LongTensor",
               dtypes.int32: "minigrad.IntTensor", dtypes.uint8: "minigrad.ByteTensor",
               dtypes.bool: "minigrad.BoolTensor"}


class ToDevice(autograd.Op):
    @staticmethod
    def forward(ctx, x, device):
        ctx.device = device_of(x)
        return move(x, device)

    @staticmethod
    def backward(ctx, grad):
        return move(grad, ctx.device)


# These modules build on Tensor; importing them last breaks the cycle.
from minigrad import factories, functions, inplace  # noqa: E402
