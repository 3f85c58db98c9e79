"""``nn.functional``: the stateless forms of the layers (``F.relu``, ``F.conv2d``, ``F.cross_entropy``...).

Every function checks its arguments in the user's terms and computes with the ops of
``minigrad.ops`` or with differentiable functions. This module holds linear, embedding, padding
and one-hot; the families live next to it and are all re-exported here: ``functional_activation``,
``functional_conv``, ``functional_pool``, ``functional_norm``, ``functional_dropout``,
``functional_upsample``, ``functional_loss``, ``functional_margin_loss``, ``functional_ctc``.
"""
import minigrad
from minigrad import Tensor
from minigrad.backend import array_module
from minigrad.functional.activation import log_softmax, softmax  # noqa: F401 - PyTorch's F names
from minigrad.functional.arithmetic import sigmoid, tanh  # noqa: F401
from minigrad.functional.linalg import matmul  # noqa: F401
from minigrad.ops import linalg, nn_ops
from minigrad.sampling import bernoulli_
from minigrad.views import apply_inplace
from nn.functional_activation import (celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish,  # noqa: F401
                                      hardtanh, leaky_relu, logsigmoid, mish, prelu, relu, relu6, rrelu, selu,
                                      silu, softmin, softplus, softshrink, softsign, tanhshrink, threshold)
from nn.functional_ctc import ctc_loss  # noqa: F401
from nn.functional_dropout import (alpha_dropout, dropout, dropout1d, dropout2d, dropout3d,  # noqa: F401
                                   feature_alpha_dropout)
from nn.functional_upsample import (interpolate, pixel_shuffle, pixel_unshuffle, upsample,  # noqa: F401
                                    upsample_bilinear, upsample_nearest)
from nn.functional_margin_loss import (cosine_embedding_loss, cosine_similarity, hinge_embedding_loss,  # noqa: F401
                                       margin_ranking_loss, multi_margin_loss, multilabel_margin_loss,
                                       multilabel_soft_margin_loss, pairwise_distance, soft_margin_loss,
                                       triplet_margin_loss, triplet_margin_with_distance_loss)
from nn.functional_norm import batch_norm, group_norm, instance_norm, layer_norm, local_response_norm  # noqa: F401
from nn.functional_conv import conv1d, conv2d, conv_transpose2d  # noqa: F401
from nn.functional_loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: F401
                                gaussian_nll_loss, huber_loss, kl_div, l1_loss, mse_loss, nll_loss, poisson_nll_loss,
                                smooth_l1_loss)
from nn.functional_pool import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,  # noqa: F401
                                max_pool1d, max_pool2d, max_unpool1d, max_unpool2d)


def linear(input, weight, bias=None):  # noqa: A002
    """y = x W^T + b."""
    if input.shape[-1:] != weight.shape[1:]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.numel() // max(input.shape[-1], 1)}x"
                           f"{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {input.dtype.legacy_name} and "
                           f"{weight.dtype.legacy_name}")
    if bias is None:
        return linalg.LinearNoBias.apply(input, weight)
    return linalg.Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    out = minigrad.einsum("bi,oij,bj->bo", input1, weight, input2)
    return out if bias is None else out + bias


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,  # noqa: A002
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer ``input``; ``sparse=True`` gives a row-sparse gradient.
    With ``max_norm`` the rows looked up are first rescaled in place to at most that norm."""
    if input.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.dtype} instead (while checking arguments for embedding)")
    rows = weight.shape[0]
    if input.numel() and (int(input.array.min()) < 0 or int(input.array.max()) >= rows):
        raise IndexError("index out of range in self")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= rows
    if max_norm is not None:
        _renorm_rows(weight, input.array, max_norm, norm_type)
    return nn_ops.Embedding.apply(weight, input.array, padding_idx, sparse, scale_grad_by_freq)


@minigrad.no_grad()
def _renorm_rows(weight, indices, max_norm, norm_type):
    """Scale each looked-up row whose norm exceeds ``max_norm`` down to it, in place (as PyTorch)."""
    xp = array_module(weight.array)
    unique = xp.unique(indices.reshape(-1))
    picked = weight.array[unique]
    if norm_type == float("inf"):
        norms = xp.abs(picked).max(axis=1)
    else:
        norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight.array.dtype)
    weight[Tensor._wrap(unique)] = Tensor._wrap(picked * scale[:, None])


PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """``pad`` lists (before, after) widths starting from the LAST dimension, as PyTorch.
    Negative widths crop (constant mode only)."""
    if len(pad) % 2:
        raise ValueError(f"Padding length must be divisible by 2, got {len(pad)}")
    if mode not in PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    if mode != "constant" and input.ndim not in (len(pad) // 2 + 1, len(pad) // 2 + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
                                  f"Supported combinations for non-constant padding:\n"
                                  f"  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                                  f"  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                                  f"  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    widths = [(0, 0)] * input.ndim
    for k in range(len(pad) // 2):
        widths[input.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    if any(width < 0 for pair in widths for width in pair):
        if mode != "constant":
            raise RuntimeError(f"negative padding is only supported in constant mode, got {tuple(pad)}")
        input = input[tuple(slice(max(-before, 0), size - max(-after, 0))  # noqa: A001
                            for (before, after), size in zip(widths, input.shape))]
        widths = [(max(before, 0), max(after, 0)) for before, after in widths]
    if mode == "constant":
        return nn_ops.ConstantPad.apply(input, tuple(widths), 0 if value is None else value)
    return _pad_by_copying(input, widths, mode)


def _pad_by_copying(x, widths, mode):
    """Reflect, replicate or wrap around: each padded position copies an input position, so the
    padding is an index_select per axis (whose gradient adds back into the copied positions)."""
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    xp = array_module(x.array)
    for axis, (before, after) in reversed(list(enumerate(widths))):  # PyTorch checks the last axis first
        if not before and not after:
            continue
        if mode == "reflect" and max(before, after) >= x.shape[axis]:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({before}, {after}) at dimension {axis} of input {list(x.shape)}")
        source = xp.pad(xp.arange(x.shape[axis]), (before, after), mode=numpy_mode)
        x = x.index_select(axis, Tensor._wrap(source))
    return x


def one_hot(tensor, num_classes=-1):
    """int64 (..., num_classes) with a 1 at each index."""
    if tensor.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(tensor.array.max()) + 1 if tensor.numel() else 0
    if tensor.numel() and (int(tensor.array.min()) < 0 or int(tensor.array.max()) >= num_classes):
        raise RuntimeError("Class values must be smaller than num_classes and non-negative.")
    xp = array_module(tensor.array)
    return Tensor._wrap((tensor.array[..., None] == xp.arange(num_classes)).astype("int64"))


def normalize(input, p=2.0, dim=1, eps=1e-12):  # noqa: A002
    """x / max(||x||_p, eps) along ``dim``."""
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
