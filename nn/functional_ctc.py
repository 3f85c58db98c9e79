"""``F.ctc_loss``: PyTorch's argument checks and reductions around the op in ``minigrad.ops.ctc``."""
import numpy

import minigrad
from minigrad import Tensor
from minigrad.ops.ctc import CtcLoss
from nn.functional_loss import REDUCTIONS

CHECKING = "(while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(lengths, name, batch):
    values = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    values = [int(v) for v in (values if isinstance(values, list) else [values])]
    if len(values) != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    return values


def _split_targets(targets, target_lengths):
    """Each sample's target labels, from a padded (N, S) tensor or the concatenation of all targets."""
    values = numpy.asarray(targets.cpu().numpy() if isinstance(targets, Tensor) else targets).astype(numpy.int64)
    if values.ndim == 2:
        longest = max(target_lengths, default=0)
        if values.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                               f"{values.shape[1]} for argument #2 'targets' {CHECKING}")
        return [row[:length] for row, length in zip(values, target_lengths)]
    total = sum(target_lengths)
    if values.shape[0] != total:
        raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size {values.shape[0]} "
                           f"for argument #2 'targets' {CHECKING}")
    starts = numpy.cumsum([0] + list(target_lengths))
    return [values[start:start + length] for start, length in zip(starts, target_lengths)]


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",  # noqa: A002
             zero_infinity=False):
    """The CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against targets given
    padded (N, S) or concatenated, with each sample's input and target length. 'mean' divides each
    sample's loss by its target length, then averages; ``zero_infinity`` zeroes impossible ones."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if isinstance(targets, Tensor) and targets.ndim == 1 else targets
        input_lengths = [input_lengths] if not isinstance(input_lengths, (list, tuple, Tensor)) or \
            (isinstance(input_lengths, Tensor) and input_lengths.ndim == 0) else input_lengths
        target_lengths = [target_lengths] if not isinstance(target_lengths, (list, tuple, Tensor)) or \
            (isinstance(target_lengths, Tensor) and target_lengths.ndim == 0) else target_lengths
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    inputs = _lengths(input_lengths, "input_lengths", batch)
    lengths = _lengths(target_lengths, "target_lengths", batch)
    for length in inputs:
        if length > steps:
            raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got value {length} "
                               f"{CHECKING}")
    losses = CtcLoss.apply(log_probs, _split_targets(targets, lengths), inputs, lengths, blank, zero_infinity)
    if zero_infinity:
        losses = minigrad.where(losses == float("inf"), 0.0, losses)
    if unbatched and reduction == "none":
        return losses.squeeze(0)
    if reduction == "mean":
        divisors = minigrad.tensor(lengths, dtype=losses.dtype, device=losses.device).clamp(min=1)
        return (losses / divisors).mean()
    return losses.sum() if reduction == "sum" else losses
