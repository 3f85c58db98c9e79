"""In-place ops (``add_``, ``zero_``, ``copy_``, ``x[i] = v``...): each is its out-of-place function
run through ``views.apply_inplace``, which writes into the tensor's memory and records autograd's
side (see ``minigrad.views``). Arithmetic outside autograd writes with NumPy's ``out=`` directly."""
from minigrad import dtypes
from minigrad.backend import array_module, move
from minigrad.engine import Tensor
from minigrad.functional import arithmetic as ar
from minigrad.functional import indexing as ix
from minigrad.functional import pointwise as pw
from minigrad.functional import shapes as sh
from minigrad.grad_mode import no_grad
from minigrad.functional._common import cast, operand
from minigrad.functional.shapes import broadcast_shapes
from minigrad.ops import combined as cb
from minigrad.ops import elementwise as ew
from minigrad.ops import index as index_ops
from minigrad.views import apply_inplace, bump, check_castable, check_inplace


def _ufunc_(tensor, ufunc_name, other, scale=None):
    """``tensor <- ufunc(tensor, other)`` with NumPy's ``out=``, when autograd records nothing."""
    other_array = operand(other, tensor.array.dtype, tensor).array if isinstance(other, Tensor) else other
    if isinstance(other, Tensor):
        check_castable(tensor, other.array.dtype)
    elif isinstance(other, float) and tensor.array.dtype.kind in "biu":
        check_castable(tensor, "float32")
    if scale is not None:
        other_array = other_array * tensor.array.dtype.type(scale)
    getattr(array_module(tensor.array), ufunc_name)(tensor.array, other_array, out=tensor.array, casting="unsafe")
    return bump(tensor)


def _arithmetic_(tensor, function, ufunc_name, other, alpha=1):
    if not check_inplace(tensor, other):
        return _ufunc_(tensor, ufunc_name, other, None if alpha == 1 else alpha)
    if alpha != 1:
        return apply_inplace(tensor, lambda t, o: function(t, o, alpha=alpha), other)
    return apply_inplace(tensor, function, other)


def add_(self, other, *, alpha=1):
    return _arithmetic_(self, ar.add, "add", other, alpha)


def sub_(self, other, *, alpha=1):
    return _arithmetic_(self, ar.sub, "subtract", other, alpha)


def mul_(self, other):
    return _arithmetic_(self, ar.mul, "multiply", other)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        return apply_inplace(self, lambda t, o: ar.div(t, o, rounding_mode=rounding_mode), other)
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type {self.dtype.legacy_name}")
    return _arithmetic_(self, ar.div, "true_divide", other)


def true_divide_(self, other):
    return div_(self, other)


def floor_divide_(self, other):
    return apply_inplace(self, lambda t, o: ar.floor_divide(t, o, _name="floor_divide_"), other)


def _bitwise_(self, function, other):
    """Integer and bool tensors only; the result type must fit the tensor (``a &= 0.5`` is refused first)."""
    check_castable(self, dtypes.result_type(self, other))
    return apply_inplace(self, function, other)


def bitwise_and_(self, other):
    return _bitwise_(self, ar.bitwise_and, other)


def bitwise_or_(self, other):
    return _bitwise_(self, ar.bitwise_or, other)


def bitwise_xor_(self, other):
    return _bitwise_(self, ar.bitwise_xor, other)


def bitwise_left_shift_(self, other):
    return _bitwise_(self, ar.bitwise_left_shift, other)


def bitwise_right_shift_(self, other):
    return _bitwise_(self, ar.bitwise_right_shift, other)


def logical_and_(self, other):
    return apply_inplace(self, ar.logical_and, other)


def logical_or_(self, other):
    return apply_inplace(self, ar.logical_or, other)


def logical_xor_(self, other):
    return apply_inplace(self, ar.logical_xor, other)


def logical_not_(self):
    return apply_inplace(self, ar.logical_not)


def remainder_(self, other):
    return apply_inplace(self, ar.remainder, other)


def pow_(self, exponent):
    return apply_inplace(self, ar.pow, exponent)


def _unary_(function):
    """The in-place form of a one-argument function (``exp`` -> ``exp_``)."""
    def method(self, *args, **kwargs):
        return apply_inplace(self, function, *args, **kwargs)
    method.__name__ = function.__name__ + "_"
    method.__doc__ = f"``{function.__name__}`` in place."
    return method


neg_, abs_, exp_, log_, log1p_, sqrt_, rsqrt_, sin_, cos_, tan_, tanh_, sigmoid_, relu_, sign_, reciprocal_, \
    floor_, ceil_, round_, trunc_, frac_, square_, expm1_ = (
        _unary_(f) for f in (ar.neg, ar.abs, ar.exp, ar.log, ar.log1p, ar.sqrt, ar.rsqrt, ar.sin, ar.cos, ar.tan,
                             ar.tanh, ar.sigmoid, ar.relu, ar.sign, ar.reciprocal, ar.floor, ar.ceil, ar.round,
                             ar.trunc, ar.frac, ar.square, ar.expm1))
negative_, absolute_ = neg_, abs_


def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's names
    return apply_inplace(self, ar.clamp, min, max)


clip_ = clamp_


def clamp_min_(self, min):  # noqa: A002
    return apply_inplace(self, ar.clamp_min, min)


def clamp_max_(self, max):  # noqa: A002
    return apply_inplace(self, ar.clamp_max, max)


def lerp_(self, end, weight):
    return apply_inplace(self, pw.lerp, end, weight)


def addcmul_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, lambda t, a, b: pw.addcmul(t, a, b, value=value), tensor1, tensor2)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    return apply_inplace(self, lambda t, a, b: pw.addcdiv(t, a, b, value=value), tensor1, tensor2)


def masked_fill_(self, mask, value):
    return apply_inplace(self, ix.masked_fill, mask, value)


def index_add_(self, dim, index, source, *, alpha=1):
    return apply_inplace(self, lambda t, s: ix.index_add(t, dim, index, s, alpha=alpha), source)


def index_fill_(self, dim, index, value):
    return apply_inplace(self, lambda t, v: ix.index_fill(t, dim, index, v), value)


def index_put_(self, indices, values, accumulate=False):
    return apply_inplace(self, lambda t, v: ix.index_put(t, indices, v, accumulate), values)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    source = src if src is not None else value
    return apply_inplace(self, lambda t, s: ix.scatter(t, dim, index, s, reduce=reduce), source)


def scatter_add_(self, dim, index, src):
    return apply_inplace(self, lambda t, s: ix.scatter_add(t, dim, index, s), src)


def fill_(self, value, *, _node=None):
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           f"dimensions.")
    if not check_inplace(self, value):
        self.array[...] = value.array if isinstance(value, Tensor) else value
        return bump(self)
    node = _node or (cb.FillTensor if isinstance(value, Tensor) else cb.Fill)
    return apply_inplace(self, lambda t, v: node.apply(t, operand(v, t.array.dtype, t)), value)


def zero_(self):
    return fill_(self, 0, _node=cb.Zero)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast and moved to this tensor's device) into this tensor."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'other' must be Tensor, not {type(src).__name__}")
    if src.device != self.device:
        src = src.to(self.device)
    if broadcast_shapes(tuple(self.shape), tuple(src.shape)) != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{list(broadcast_shapes(tuple(self.shape), tuple(src.shape)))}")
    if not check_inplace(self, src):
        self.array[...] = src.array
        return bump(self)
    return apply_inplace(self, ew.Copy.apply, src)


def setitem(self, index, value):
    """``tensor[index] = value``: a copy into the view for basic indices, ``index_put_`` otherwise."""
    parts = ix.normalize_index(index, self)
    value = value if isinstance(value, Tensor) else operand(value, self.array.dtype, self)
    if value.device != self.device:
        value = Tensor._wrap(move(value.array, self.device))
    if all(ix.is_basic(p) for p in parts):
        copy_(ix.basic_view(self, parts), value)
        return
    key = parts if len(parts) > 1 else parts[0]
    if not check_inplace(self, value):
        check_castable(self, value.array.dtype)
        self.array[key] = value.array
        bump(self)
        return
    apply_inplace(self, lambda t, v: index_ops.IndexPut.apply(t, cast(v, t.array.dtype), key), value)


def fill_diagonal_(self, fill_value, wrap=False):
    size = min(self.shape)
    index = tuple(array_module(self.array).arange(size) for _ in range(self.ndim))
    return index_put_(self, index, operand(fill_value, self.array.dtype, self))


def masked_scatter_(self, mask, source):
    return apply_inplace(self, lambda t, s: ix.masked_scatter(t, mask, s), source)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    return apply_inplace(self, lambda t: ar.nan_to_num(t, nan, posinf, neginf))


def fmod_(self, other):
    return apply_inplace(self, ar.fmod, other)


exp2_, log2_, log10_, sinh_, cosh_, asin_, acos_, atan_ = (
    _unary_(f) for f in (ar.exp2, ar.log2, ar.log10, ar.sinh, ar.cosh, ar.asin, ar.acos, ar.atan))
arcsin_, arccos_, arctan_ = asin_, acos_, atan_


def atan2_(self, other):
    return apply_inplace(self, pw.atan2, other)


def hypot_(self, other):
    return apply_inplace(self, pw.hypot, other)


def logit_(self, eps=None):
    return apply_inplace(self, lambda t: pw.logit(t, eps))


def xlogy_(self, other):
    return apply_inplace(self, pw.xlogy, other)


def _restride_(self, label, function, *args):
    """``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``...: the tensor itself takes the view's
    shape and strides (the data do not move) and, when recorded, the view's history, under
    ``label``, PyTorch's name for the in-place form's node."""
    record = check_inplace(self)
    if record:
        view = function(self, *args)
    else:
        with no_grad():
            view = function(self, *args)
    self.array = view.array
    if record:
        self._grad_fn, self._output_nr, self._requires_grad = view._grad_fn, view._output_nr, True
        self._grad_fn._label = label
    return bump(self)


def unsqueeze_(self, dim):
    return _restride_(self, "UnsqueezeBackward1", sh.unsqueeze, dim)


def squeeze_(self, dim=None):
    label = "SqueezeBackward3" if dim is None else "SqueezeBackward5" if isinstance(dim, (tuple, list)) else \
        "SqueezeBackward4"
    return _restride_(self, label, sh.squeeze, dim)


def t_(self):
    return _restride_(self, "TBackward1", sh.t)


def transpose_(self, dim0, dim1):
    return _restride_(self, "TransposeBackward1", sh.transpose, dim0, dim1)


swapaxes_ = swapdims_ = transpose_
