"""Loss functions of ``nn.functional``: cross entropy and friends, with PyTorch's options."""
import math
import warnings

import minigrad
from minigrad.ops import loss_ops, nn_ops

REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction):
    """The reduction that PyTorch's deprecated ``size_average`` and ``reduce`` arguments ask for
    (with PyTorch's warning), or ``reduction`` when both are None."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    chosen = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{chosen}' instead.",
                  stacklevel=3)
    return chosen


def _reduce(losses, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def _classes_last(input):  # noqa: A002
    """(N, C, d1, ...) -> (N*d1*..., C) so every row is one prediction."""
    if input.ndim == 1:
        return input.reshape(1, -1)
    if input.ndim == 2:
        return input
    return input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])


def _check_targets(input, target, name):  # noqa: A002
    if tuple(target.shape) == tuple(input.shape) and input.ndim > 1:
        raise RuntimeError(f"{name}: a target of the input's shape holds class probabilities and must be "
                           f"floating point, got {target.dtype}")
    if target.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected target of integer class indices (Long), got {target.dtype}; "
                           f"float targets must have the input's shape (class probabilities)")
    expected = (input.shape[0],) + tuple(input.shape[2:]) if input.ndim > 1 else ()
    if tuple(target.shape) != expected:
        raise ValueError(f"{name}: expected target of shape {expected} for input of shape {tuple(input.shape)}, "
                         f"got {tuple(target.shape)}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
             reduction="mean"):
    """-input[i, target[i]] * weight[target[i]], averaged over the weights of the counted rows."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_targets(input, target, "nll_loss")
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight.shape)}")
    flat_target = target.array.reshape(-1)
    counted = flat_target[flat_target != ignore_index]
    if counted.size and (int(counted.min()) < 0 or int(counted.max()) >= classes):
        bad = int(counted.max()) if int(counted.max()) >= classes else int(counted.min())
        raise IndexError(f"Target {bad} is out of bounds: the input has {classes} classes (0 to {classes - 1})")
    losses = loss_ops.NLLLoss.apply(_classes_last(input), flat_target, None if weight is None else weight.array,
                                  ignore_index, reduction)
    if reduction == "none":
        return losses.reshape(target.shape)
    return losses


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
                  reduction="mean", label_smoothing=0.0):
    """log_softmax over the class axis 1, then NLL (class-index targets) or -sum(p * log q)
    (probability targets, same shape as the input); ``label_smoothing`` mixes in the uniform target."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = 1 if input.ndim > 1 else 0
    log_probs = nn_ops.LogSoftmax.apply(input, class_dim)
    classes = input.shape[class_dim]
    if target.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape):
        return _soft_cross_entropy(log_probs, target, weight, reduction, label_smoothing, class_dim)
    loss = nll_loss(log_probs, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    shape = [1] * input.ndim
    shape[class_dim] = -1
    weighted = log_probs if weight is None else log_probs * weight.reshape(shape)
    counted = minigrad.tensor(target.array != ignore_index, dtype=input.dtype, device=input.device)
    smooth = -weighted.sum(class_dim) * counted
    if reduction == "mean":
        if weight is None:
            smooth = smooth.sum() / counted.sum()
        else:
            picked = weight.array[minigrad.backend.array_module(target.array).where(counted.array > 0, target.array, 0)]
            smooth = smooth.sum() / float((picked * counted.array).sum())
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + (label_smoothing / classes) * smooth


def _soft_cross_entropy(log_probs, target, weight, reduction, label_smoothing, class_dim):
    classes = log_probs.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = log_probs * target
    if weight is not None:
        shape = [1] * log_probs.ndim
        shape[class_dim] = -1
        terms = terms * weight.reshape(shape)
    return _reduce(-terms.sum(class_dim), reduction)  # 'mean' averages over samples, not weights


def _check_same_shape(input, target, name):  # noqa: A002
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{name}: using a target size {tuple(target.shape)} that is different to the input size "
                         f"{tuple(input.shape)} is not supported; please ensure they have the same size")


def _warn_if_broadcast(input, target):  # noqa: A002
    """Regression losses broadcast mismatched shapes, like PyTorch, but say so: it is usually a bug."""
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"Using a target size ({tuple(target.shape)}) that is different to the input size "
                      f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      f"Please ensure they have the same size.", stacklevel=3)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """(input - target)^2, reduced; with ``weight`` each element is scaled and 'mean' divides by
    the sum of the weights."""
    _warn_if_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(minigrad.broadcast_tensors(input, target), lambda d: d * d, weight, reduction)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    dtype = minigrad.dtypes.result_type(input, target)
    minigrad.broadcast_tensors(input, target)  # PyTorch's message for shapes that do not broadcast
    return loss_ops.MseLoss.apply(input.to(dtype), target.to(dtype), reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):  # noqa: A002
    """target * (log target - input) with ``input`` holding log-probabilities; 'batchmean' divides
    the sum by the batch size (the mathematically right mean, PyTorch's recommendation)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = minigrad.xlogy(target, target) - target * input
    if reduction == "batchmean":
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """|input - target|, reduced; ``weight`` as in :func:`mse_loss`."""
    _warn_if_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(minigrad.broadcast_tensors(input, target), lambda d: d.abs(), weight, reduction)
    return _reduce((input - target).abs(), reduction)


def _weighted(pair, error, weight, reduction):
    """PyTorch's weighted regression losses: error(input - target) * weight, and 'mean' is the
    weighted mean."""
    input, target = pair  # noqa: A001
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    losses = error(input - target) * weight
    if reduction == "mean":
        return losses.sum() / weight.sum()
    if reduction not in ("none", "sum"):
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return losses.sum() if reduction == "sum" else losses


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):  # noqa: A002
    """0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (Huber-like)."""
    _warn_if_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    difference = (input - target).abs()
    if beta == 0:
        return _reduce(difference, reduction)
    losses = minigrad.where(difference < beta, 0.5 * difference * difference / beta, difference - 0.5 * beta)
    return _reduce(losses, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)), each log clamped at -100 as PyTorch does."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_same_shape(input, target, "binary_cross_entropy")
    values = input.array
    if values.size and not bool(((values >= 0) & (values <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    losses = loss_ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                                     reduction="mean", pos_weight=None):
    """BCE on sigmoid(x), computed stably as (1 - t) x - (1 + (pos_weight - 1) t) log(sigmoid(x))."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_same_shape(input, target, "binary_cross_entropy_with_logits")
    log_sigmoid = loss_ops.LogSigmoid.apply(input)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    losses = (1 - target) * input - log_sigmoid
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):  # noqa: A002
    """0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere; ``weight`` scales each element."""
    _warn_if_broadcast(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    if weight is not None and reduction not in REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    input, target = minigrad.broadcast_tensors(input, target)  # noqa: A001
    difference = (input - target).abs()
    losses = minigrad.where(difference < delta, 0.5 * difference * difference, delta * (difference - 0.5 * delta))
    return _reduce(losses if weight is None else losses * weight, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08,  # noqa: A002
                     reduce=None, reduction="mean"):
    """exp(input) - target * input for log-rates (``log_input``), else input - target * log(input + eps);
    ``full`` adds Stirling's approximation of log(target!) where target > 1."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    losses = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = minigrad.where(target > 1, target, 2.0)  # Stirling's term is only used (and finite) above 1
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        losses = losses + minigrad.where(target > 1, stirling, 0.0)
    return _reduce(losses, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction="mean"):  # noqa: A002
    """0.5 (log var + (input - target)^2 / var), the variance clamped at ``eps`` (without changing
    its gradient, as PyTorch); ``var`` may have one fewer dimension or one dimension of size 1."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * minigrad.ones_like(input)
    elif bool((var.array < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with minigrad.no_grad():
        var.clamp_(min=eps)
    losses = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)
