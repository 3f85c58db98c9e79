"""Margin and embedding losses of ``nn.functional``: ranking, hinge, soft margin, multi-label and
multi-class margins, cosine embedding and triplet losses, and the distances they use.

Each is PyTorch's formula composed of differentiable functions; a hinge is ``clamp(min=0)`` (or
``relu``), whose gradient at the kink is the one PyTorch's kernels use.
"""
import minigrad
from minigrad import Tensor
from minigrad.backend import array_module
from nn.functional_activation import logsigmoid
from nn.functional_loss import REDUCTIONS, _reduce, legacy_reduction


def _checked(size_average, reduce, reduction):
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin): target 1 asks input1 to rank higher, -1 lower."""
    reduction = _checked(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    """x where target is 1, max(0, margin - x) where target is -1 (``input`` usually a distance)."""
    reduction = _checked(size_average, reduce, reduction)
    below_margin = minigrad.where(target != 1, (margin - input).clamp(min=0), 0.0)
    return _reduce(below_margin + minigrad.where(target != -1, input, 0.0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    """log(1 + exp(-target * input)), the logistic loss of two-class targets in {-1, 1}."""
    reduction = _checked(size_average, reduce, reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                                reduction="mean"):
    """The mean over classes of the binary logistic loss of each class (multi-hot targets)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    losses = -(target * logsigmoid(input) +
               (1 - target) * logsigmoid(-input))
    if weight is not None:
        losses = losses * weight
    class_dim = input.ndim - 1
    losses = losses.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    return _reduce(losses, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])), divided by
    the number of classes. ``target`` lists class indices, ended by the first -1."""
    reduction = _checked(size_average, reduce, reduction)
    if input.ndim not in (1, 2) or (input.ndim == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    if target.dtype != "int64":
        raise RuntimeError(f"expected scalar type Long but found {target.dtype.legacy_name}")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
    rows = input if input.ndim == 2 else input.unsqueeze(0)
    counts, chosen = _target_classes(target.array.reshape(rows.shape), rows.shape[1])
    margins = (1 - rows.unsqueeze(2) + rows.unsqueeze(1)).clamp(min=0)  # [n, j, i] = 1 - x[j] + x[i]
    pairs = counts[:, :, None] * (1 - chosen)[:, None, :]
    losses = (margins * Tensor._wrap(pairs.astype(input.array.dtype))).sum((1, 2)) / rows.shape[1]
    return _reduce(losses if input.ndim == 2 else losses.squeeze(0), reduction)


def _target_classes(target, classes):
    """How often each class is listed before the first -1 of each row, and whether it is listed."""
    xp = array_module(target)
    listed = xp.cumsum(target == -1, axis=1) == 0
    values = target[listed]
    if values.size and (int(values.min()) < 0 or int(values.max()) >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    hits = (target[:, :, None] == xp.arange(classes)) & listed[:, :, None]
    counts = hits.sum(axis=1)
    return counts, (counts > 0).astype("int64")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,  # noqa: A002
                      reduction="mean"):
    """The multi-class hinge: the mean over classes j != y of max(0, margin - x[y] + x[j])^p,
    scaled by weight[y]."""
    reduction = _checked(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    if input.ndim not in (1, 2) or input.numel() == 0:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    rows = input if input.ndim == 2 else input.unsqueeze(0)
    count, classes = rows.shape
    allowed = ((count,), ()) if input.ndim == 1 else ((count,),)
    if tuple(target.shape) not in allowed:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{count}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    labels = target.array.reshape(count)
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= classes):
        raise RuntimeError("target out of range")
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight.shape)}")
    xp = array_module(labels)
    picked = rows.gather(1, Tensor._wrap(labels.reshape(-1, 1)))
    others = Tensor._wrap((xp.arange(classes)[None, :] != labels[:, None]).astype(input.array.dtype))
    hinge = (margin - picked + rows).clamp(min=0) * others
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        hinge = hinge * weight[Tensor._wrap(labels)].reshape(-1, 1)
    losses = hinge.sum(1) / classes
    return _reduce(losses if input.ndim == 2 else losses.squeeze(0), reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1."""
    reduction = _checked(size_average, reduce, reduction)
    if target.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.ndim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if target.ndim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    dim = target.ndim
    products = (input1 * input2).sum(dim)
    norms = (((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)).sqrt()
    cosine = products / norms
    losses = minigrad.where(target == 1, 1 - cosine, 0.0) + minigrad.where(target == -1, (cosine - margin).clamp(min=0),
                                                                          0.0)
    return _reduce(losses, reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    return (x1 - x2 + eps).norm(p, max(x1.ndim, x2.ndim) - 1, keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1 . x2 / max(||x1|| ||x2||, eps) along ``dim``."""
    dot = (x1 * x2).sum(dim)
    return dot / (x1.norm(2, dim) * x2.norm(2, dim)).clamp(min=eps)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm distance;
    ``swap`` uses d(positive, negative) instead when it is smaller."""
    reduction = _checked(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return triplet_margin_with_distance_loss(anchor, positive, negative, margin=margin, swap=swap,
                                             reduction=reduction,
                                             distance_function=lambda a, b: pairwise_distance(a, b, p, eps))


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """The triplet loss with any distance (pairwise_distance by default)."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    distance = pairwise_distance if distance_function is None else distance_function
    to_positive, to_negative = distance(anchor, positive), distance(anchor, negative)
    if swap:
        to_negative = minigrad.minimum(to_negative, distance(positive, negative))
    return _reduce((margin + to_positive - to_negative).clamp(min=0), reduction)
