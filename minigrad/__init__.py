"""minigrad: reverse-mode autograd on NumPy (CPU) and CuPy (CUDA), with PyTorch's API.

Write ``import minigrad`` where a PyTorch tutorial says ``import torch``::

    x = minigrad.tensor([2.0], requires_grad=True)
    y = (2 * x) ** 2
    y.backward()
    x.grad  # tensor([16.])
"""
from minigrad import autograd, cuda, random
from minigrad.autograd import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.backend import device
from minigrad.dtypes import (bool, double, float, float16, float32, float64, get_default_dtype, half, int,
                             int8, int16, int32, int64, long, set_default_dtype, short, uint8)
from minigrad.factories import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                                linspace, ones, ones_like, tensor, zeros, zeros_like)
from minigrad.functions import (abs, add, all, allclose, amax, amin, any, argmax, argmin, bmm, cat, chunk,
                                clamp, clip, clone, concat, cos, div, dot, eq, equal, exp, expand, flatten,
                                ge, gt, isfinite, isinf, isnan, le, log, logical_and, logical_not,
                                logical_or, logical_xor, log1p, logsumexp, lt, matmul, max, maximum, mean, min,
                                minimum, mm, mul, ne, neg, norm, permute, pow, relu, reshape, rsqrt,
                                sigmoid, sign, sin, split, sqrt, square, squeeze, stack, std, sub, sum,
                                tanh, transpose, true_divide, unsqueeze, var, where)
from minigrad.gradcheck import GradcheckError, gradcheck
from minigrad.serialization import CheckpointError, load, save
from minigrad.sparse import SparseTensor
from minigrad.random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed,
                             set_rng_state)
from minigrad.sampling import (TENSOR_METHODS as _RANDOM_METHODS, bernoulli, multinomial, normal, rand, rand_like,
                               randint, randint_like, randn, randn_like, randperm)
from minigrad.tensor import Tensor, get_default_device, set_default_device

for _name, _method in _RANDOM_METHODS.items():  # x.normal_(), x.bernoulli(), x.multinomial(3)...
    setattr(Tensor, _name, _method)
del _name, _method

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
