"""Tensor methods and operators, bound from one table: each name is the function that does the work.

``x.exp()`` is ``minigrad.functional.arithmetic.exp(x)``, ``x + y`` is ``add(x, y)``; reading this
table answers "where is the code of this method?".
"""
import copy

from minigrad import sampling
from minigrad.autograd.differentiate import backward
from minigrad.engine import Tensor, _initialize
from minigrad.functional import activation, arithmetic as ar, conversion as cv, indexing as ix, inplace as ip
from minigrad.functional import building as bd, linalg as la, pointwise as pw, reductions as rd, shapes as sh
from minigrad.functional import sorting as so, special
from minigrad.printing import tensor_repr


def _reflected(function):
    def method(self, other):
        return function(other, self)
    method.__name__ = function.__name__
    return method


def _inplace_operator(function):
    """``a += b`` keeps ``a``'s identity: the in-place method, returning self."""
    def method(self, other):
        function(self, other)
        return self
    return method


def _logical_or_bitwise(logical, bitwise):
    def method(self, other):
        return (logical if self.array.dtype.kind == "b" else bitwise)(self, other)
    return method


def _invert(self):
    return ar.logical_not(self) if self.array.dtype.kind == "b" else ar.bitwise_not(self)


def _deepcopy(self, memo):
    """Only leaves can be deep-copied (as in PyTorch): the copy has new storage and no history."""
    if not self.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                           "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                           "because of a torch.nn.utils.weight_norm usage, see "
                           "https://github.com/pytorch/pytorch/pull/103001")
    result = _initialize(object.__new__(type(self)), self.array.copy())
    result._requires_grad = self._requires_grad
    if self._grad is not None:
        result._grad = copy.deepcopy(self._grad, memo)
    for key, value in getattr(self, "__dict__", {}).items():
        setattr(result, key, copy.deepcopy(value, memo))
    memo[id(self)] = result
    return result


def _split(self, split_size, dim=0):
    """``Tensor.split`` names its argument ``split_size`` (``torch.split``: ``split_size_or_sections``)."""
    return sh.split(self, split_size, dim)


def _backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``minigrad.autograd.backward``)."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


OPERATORS = {
    "__add__": ar.add, "__radd__": _reflected(ar.add), "__sub__": ar.sub, "__rsub__": _reflected(ar.sub),
    "__mul__": ar.mul, "__rmul__": _reflected(ar.mul), "__truediv__": ar.div, "__rtruediv__": _reflected(ar.div),
    "__floordiv__": ar.floor_divide, "__rfloordiv__": _reflected(ar.floor_divide),
    "__mod__": ar.remainder, "__rmod__": _reflected(ar.remainder), "__pow__": ar.pow, "__rpow__": _reflected(ar.pow),
    "__matmul__": la.matmul, "__rmatmul__": _reflected(la.matmul), "__neg__": ar.neg, "__pos__": lambda self: self,
    "__abs__": ar.abs, "__invert__": _invert,
    "__and__": _logical_or_bitwise(ar.logical_and, ar.bitwise_and),
    "__or__": _logical_or_bitwise(ar.logical_or, ar.bitwise_or),
    "__xor__": _logical_or_bitwise(ar.logical_xor, ar.bitwise_xor),
    "__lshift__": ar.bitwise_left_shift, "__rshift__": ar.bitwise_right_shift,
    "__eq__": ar.eq, "__ne__": ar.ne, "__lt__": ar.lt, "__le__": ar.le, "__gt__": ar.gt, "__ge__": ar.ge,
    "__getitem__": ix.getitem, "__setitem__": ip.setitem,
    "__iadd__": _inplace_operator(ip.add_), "__isub__": _inplace_operator(ip.sub_),
    "__imul__": _inplace_operator(ip.mul_), "__itruediv__": _inplace_operator(ip.div_),
    "__ifloordiv__": _inplace_operator(ip.floor_divide_), "__imod__": _inplace_operator(ip.remainder_),
    "__ipow__": _inplace_operator(ip.pow_), "__iand__": _inplace_operator(ip.bitwise_and_),
    "__ior__": _inplace_operator(ip.bitwise_or_), "__ixor__": _inplace_operator(ip.bitwise_xor_),
    "__ilshift__": _inplace_operator(ip.bitwise_left_shift_), "__irshift__": _inplace_operator(ip.bitwise_right_shift_),
    "__repr__": tensor_repr, "__str__": tensor_repr, "__deepcopy__": _deepcopy,
    "__array__": cv.array_, "__float__": cv.float_, "__int__": cv.int_, "__index__": cv.index_,
    "__bool__": cv.bool_, "__format__": cv.format_, "__len__": cv.length, "__iter__": cv.iterate,
}
OPERATORS["__rand__"], OPERATORS["__ror__"], OPERATORS["__rxor__"] = (OPERATORS["__and__"], OPERATORS["__or__"],
                                                                     OPERATORS["__xor__"])

METHODS = {
    # autograd and conversion
    "backward": _backward, "clone": ar.clone, "contiguous": sh.contiguous, "numpy": cv.numpy_, "item": cv.item,
    "tolist": cv.tolist, "is_contiguous": cv.is_contiguous, "data_ptr": cv.data_ptr,
    "storage_offset": cv.storage_offset, "stride": cv.stride,
    "to": cv.to, "cpu": cv.cpu, "cuda": cv.cuda, "float": cv.float, "double": cv.double, "half": cv.half,
    "long": cv.long, "int": cv.int, "short": cv.short, "char": cv.char, "byte": cv.byte, "bool": cv.bool,
    "type": cv.type, "type_as": cv.type_as, "size": cv.size, "dim": cv.dim, "ndimension": cv.dim, "numel": cv.numel,
    "nelement": cv.numel, "element_size": cv.element_size, "is_floating_point": cv.is_floating_point,
    "is_complex": cv.is_complex, "new_zeros": cv.new_zeros, "new_ones": cv.new_ones, "new_empty": cv.new_empty,
    "new_full": cv.new_full, "new_tensor": cv.new_tensor,
    # arithmetic
    "add": ar.add, "sub": ar.sub, "subtract": ar.sub, "mul": ar.mul, "multiply": ar.mul, "div": ar.div,
    "divide": ar.div, "true_divide": ar.true_divide, "floor_divide": ar.floor_divide, "remainder": ar.remainder,
    "fmod": ar.fmod, "pow": ar.pow, "float_power": ar.float_power, "neg": ar.neg, "negative": ar.neg,
    "exp": ar.exp, "exp2": ar.exp2, "expm1": ar.expm1, "log": ar.log, "log2": ar.log2, "log10": ar.log10,
    "log1p": ar.log1p, "sqrt": ar.sqrt, "rsqrt": ar.rsqrt, "reciprocal": ar.reciprocal, "square": ar.square,
    "sin": ar.sin, "cos": ar.cos, "tan": ar.tan, "tanh": ar.tanh, "sinh": ar.sinh, "cosh": ar.cosh,
    "asin": ar.asin, "acos": ar.acos, "atan": ar.atan, "arcsin": ar.asin, "arccos": ar.acos, "arctan": ar.atan,
    "sigmoid": ar.sigmoid, "relu": ar.relu, "abs": ar.abs, "absolute": ar.abs, "sign": ar.sign, "sgn": ar.sign,
    "floor": ar.floor, "ceil": ar.ceil, "round": ar.round, "trunc": ar.trunc, "fix": ar.trunc, "frac": ar.frac,
    "clamp": ar.clamp, "clip": ar.clamp, "clamp_min": ar.clamp_min, "clamp_max": ar.clamp_max,
    "maximum": ar.maximum, "minimum": ar.minimum, "where": lambda self, condition, other: ar.where(condition, self,
                                                                                                   other),
    "lerp": pw.lerp, "addcmul": pw.addcmul, "addcdiv": pw.addcdiv, "nan_to_num": ar.nan_to_num,
    "eq": ar.eq, "ne": ar.ne, "lt": ar.lt, "le": ar.le, "gt": ar.gt, "ge": ar.ge, "greater": ar.gt,
    "greater_equal": ar.ge, "less": ar.lt, "less_equal": ar.le, "not_equal": ar.ne,
    "logical_and": ar.logical_and, "logical_or": ar.logical_or, "logical_xor": ar.logical_xor,
    "logical_not": ar.logical_not, "bitwise_and": ar.bitwise_and, "bitwise_or": ar.bitwise_or,
    "bitwise_xor": ar.bitwise_xor, "bitwise_not": ar.bitwise_not, "isnan": ar.isnan, "isinf": ar.isinf,
    "isfinite": ar.isfinite, "isclose": ar.isclose, "allclose": ar.allclose, "equal": ar.equal,
    "softmax": activation.softmax, "log_softmax": activation.log_softmax,
    "atan2": pw.atan2, "arctan2": pw.atan2, "hypot": pw.hypot, "logaddexp": pw.logaddexp, "logit": pw.logit,
    "xlogy": pw.xlogy, "erf": special.erf,
    # reductions
    "sum": rd.sum, "mean": rd.mean, "var": rd.var, "std": rd.std, "max": rd.max, "min": rd.min, "amax": rd.amax,
    "amin": rd.amin, "aminmax": rd.aminmax, "argmax": rd.argmax, "argmin": rd.argmin, "logsumexp": rd.logsumexp,
    "all": rd.all, "any": rd.any, "norm": rd.norm, "cumsum": rd.cumsum, "cumprod": rd.cumprod, "prod": rd.prod,
    "count_nonzero": rd.count_nonzero, "median": rd.median, "nansum": rd.nansum, "nanmean": rd.nanmean,
    "dist": rd.dist, "bincount": rd.bincount,
    # shapes and views
    "view": sh.view, "view_as": sh.view_as, "reshape": sh.reshape, "reshape_as": sh.reshape_as,
    "flatten": sh.flatten, "unflatten": sh.unflatten, "squeeze": sh.squeeze, "unsqueeze": sh.unsqueeze,
    "permute": sh.permute, "transpose": sh.transpose, "swapaxes": sh.swapaxes, "swapdims": sh.transpose,
    "t": sh.t, "movedim": sh.movedim, "moveaxis": sh.movedim, "expand": sh.expand, "expand_as": sh.expand_as,
    "broadcast_to": sh.broadcast_to, "narrow": sh.narrow, "select": sh.select, "diagonal": sh.diagonal,
    "split": _split, "chunk": sh.chunk, "tensor_split": sh.tensor_split, "unbind": sh.unbind, "flip": sh.flip,
    "fliplr": sh.fliplr, "flipud": sh.flipud, "roll": sh.roll, "repeat": sh.repeat, "tile": sh.tile,
    "tril": sh.tril, "triu": sh.triu, "repeat_interleave": sh.repeat_interleave, "diag": bd.diag,
    "ravel": bd.ravel, "diff": bd.diff, "cross": bd.cross,
    # indexing and ordering
    "index_select": ix.index_select, "masked_select": ix.masked_select, "masked_fill": ix.masked_fill,
    "gather": ix.gather, "scatter": ix.scatter, "scatter_add": ix.scatter_add, "index_add": ix.index_add,
    "index_fill": ix.index_fill, "index_put": ix.index_put, "take": ix.take, "take_along_dim": ix.take_along_dim,
    "masked_scatter": ix.masked_scatter, "nonzero": ix.nonzero, "argwhere": ix.argwhere, "sort": so.sort,
    "argsort": so.argsort, "msort": so.msort,
    "topk": so.topk, "kthvalue": so.kthvalue, "unique": so.unique,
    # products
    "matmul": la.matmul, "mm": la.mm, "bmm": la.bmm, "mv": la.mv, "dot": la.dot, "inner": la.inner,
    "outer": la.outer, "ger": la.outer, "addmm": la.addmm, "addmv": la.addmv, "baddbmm": la.baddbmm,
    "addbmm": la.addbmm, "trace": la.trace,
}

INPLACE = {name: getattr(ip, name) for name in (
    "add_", "sub_", "mul_", "div_", "true_divide_", "floor_divide_", "remainder_", "pow_", "neg_", "negative_",
    "abs_", "absolute_", "exp_", "expm1_", "log_", "log1p_", "sqrt_", "rsqrt_", "sin_", "cos_", "tan_", "tanh_",
    "sigmoid_", "relu_", "sign_", "reciprocal_", "floor_", "ceil_", "round_", "trunc_", "frac_", "square_",
    "clamp_", "clip_", "clamp_min_", "clamp_max_", "lerp_", "addcmul_", "addcdiv_", "masked_fill_", "index_add_",
    "index_fill_", "index_put_", "scatter_", "scatter_add_", "fill_", "zero_", "copy_", "fill_diagonal_",
    "bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_", "bitwise_right_shift_", "logical_and_",
    "logical_or_", "logical_xor_", "logical_not_", "masked_scatter_", "nan_to_num_", "fmod_", "exp2_", "log2_",
    "log10_", "sinh_", "cosh_", "asin_", "acos_", "atan_", "arcsin_", "arccos_", "arctan_", "atan2_", "hypot_",
    "logit_", "xlogy_", "unsqueeze_", "squeeze_", "t_", "transpose_", "swapaxes_", "swapdims_")}
INPLACE["arctan2_"] = ip.atan2_
INPLACE["subtract_"], INPLACE["multiply_"], INPLACE["divide_"] = ip.sub_, ip.mul_, ip.div_


def _bind():
    for table in (OPERATORS, METHODS, INPLACE, sampling.TENSOR_METHODS):
        for name, function in table.items():
            setattr(Tensor, name, function)
    Tensor.T = property(lambda self: sh.permute(self, tuple(reversed(range(self.ndim)))))
    Tensor.mT = property(lambda self: sh.transpose(self, -2, -1))
    Tensor.H = Tensor.T
    Tensor.mH = Tensor.mT


_bind()
