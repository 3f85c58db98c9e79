"""minigrad: reverse-mode autograd on NumPy (CPU) and CuPy (CUDA), with PyTorch's API.

Write ``import minigrad as torch`` where a PyTorch lesson says ``import torch``::

    x = minigrad.tensor([2.0], requires_grad=True)
    y = (2 * x) ** 2
    y.backward()
    x.grad  # tensor([16.])

Where things are: ``engine`` (Tensor, graph nodes, the backward walk), ``views`` (in-place ops and
views), ``ops`` (each op's forward and backward), ``kernels`` (the fast array code behind
convolution and pooling), ``functional`` (the public functions, bound as Tensor methods in
``methods``), ``autograd`` (backward, grad, Function, gradcheck, autograd.functional).
"""
import builtins as _builtins

from minigrad import aliases, autograd, backends, cuda, random, utils
from minigrad import methods  # noqa: F401 - binds the Tensor methods
from minigrad.autograd import GradcheckError, detect_anomaly, set_detect_anomaly
from minigrad.backend import device, get_default_device, set_default_device
from minigrad.dtypes import (bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
                             int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from minigrad.engine import Size, Tensor
from minigrad.factories import (arange, as_tensor, asarray, empty, empty_like, eye, from_numpy, full, full_like,
                                linspace, logspace, ones, ones_like, tensor, tril_indices, triu_indices, zeros,
                                zeros_like)
from minigrad.functional.activation import log_softmax, softmax
from minigrad.functional.arithmetic import (abs, absolute, acos, add, allclose, arccos, arcsin, arctan, asin, atan,
                                            bitwise_and, bitwise_not, bitwise_or, bitwise_xor, ceil, clamp,
                                            clamp_max, clamp_min, clip, clone, cos, cosh, div, divide, eq, equal,
                                            exp, exp2, expm1, fix, float_power, floor, floor_divide, fmod, frac, ge,
                                            greater, greater_equal, gt, isclose, isfinite, isinf, isnan, le, less,
                                            less_equal, log, log1p, log2, log10, logical_and, logical_not,
                                            logical_or, logical_xor, lt, maximum, minimum, mul, multiply,
                                            nan_to_num, ne, neg, negative, not_equal, pow, reciprocal, relu,
                                            remainder, round, rsqrt, rsub, sgn, sigmoid, sign, sin, sinh, sqrt,
                                            square, sub, subtract, tan, tanh, true_divide, trunc, where)
from minigrad.functional.building import column_stack, cross, diag, diff, dstack, meshgrid, ravel
from minigrad.functional.conversion import is_floating_point, numel
from minigrad.functional.indexing import (argwhere, gather, index_add, index_fill, index_put, index_select,
                                          masked_fill, masked_scatter, masked_select, nonzero, scatter, scatter_add,
                                          take, take_along_dim)
from minigrad.functional.linalg import (addbmm, addmm, addmv, baddbmm, bmm, dot, einsum, ger, inner, matmul, mm, mv,
                                        outer, trace)
from minigrad.functional.pointwise import addcdiv, addcmul, arctan2, atan2, hypot, lerp, logaddexp, logit, xlogy
from minigrad.functional.reductions import (all, amax, amin, aminmax, any, argmax, argmin, bincount, count_nonzero,
                                            cumprod, cumsum, dist, logsumexp, max, mean, median, min, nanmean, nansum,
                                            norm, prod, std, std_mean, sum, var, var_mean)
from minigrad.functional.shapes import (atleast_1d, atleast_2d, broadcast_tensors, broadcast_to, cat, chunk, concat,
                                        concatenate, diagonal, flatten, flip, fliplr, flipud, hstack, movedim,
                                        moveaxis, narrow, permute, repeat_interleave, reshape, roll, select, split,
                                        squeeze, stack, swapaxes, swapdims, t, tensor_split, tile, transpose, tril,
                                        triu, unbind, unflatten, unsqueeze, vstack)
from minigrad.functional.special import erf
from minigrad.functional.sorting import argsort, kthvalue, msort, sort, topk, unique
from minigrad.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.printing import set_printoptions
from minigrad.random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                             set_rng_state)
from minigrad.sampling import (bernoulli, multinomial, normal, rand, rand_like, randint, randint_like, randn, randn_like,
                               randperm)
from minigrad.serialization import CheckpointError, load, save
from minigrad.sparse import SparseTensor

gradcheck = autograd.gradcheck
gradgradcheck = autograd.gradgradcheck
__version__ = "0.1.0"

aliases.install()


def __getattr__(name):
    """``minigrad.nn`` and ``minigrad.optim`` on first use (see ``minigrad.aliases``)."""
    return aliases.resolve(__name__, name)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def _legacy_constructor(dtype_):
    def constructor(*args):
        """``minigrad.FloatTensor([1, 2])`` makes a tensor of that dtype from data; with integer
        arguments, ``FloatTensor(2, 3)``, a zero-filled one of that shape (PyTorch's are uninitialised)."""
        if args and _builtins.all(isinstance(a, _builtins.int) for a in args):
            return zeros(*args, dtype=dtype_)
        return tensor(args[0] if args else [], dtype=dtype_)
    constructor.__name__ = f"{dtype_.legacy_name}Tensor"
    return constructor


FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, ByteTensor, BoolTensor = (
    _legacy_constructor(d) for d in (float32, float64, float16, int64, int32, int16, uint8, bool))
