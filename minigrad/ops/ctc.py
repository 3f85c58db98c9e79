"""The connectionist temporal classification loss: the negative log-likelihood of a target
sequence summed over every alignment of it to the input steps (blanks and repeats allowed).

It is computed as PyTorch's CPU kernel computes it, on each sample's extended target
l' = (blank, l1, blank, l2, ..., blank): forward variables alpha by dynamic programming over
time, and, for the gradient, backward variables beta. Like PyTorch's, the gradient is
exp(log_probs) - exp(log(sum over s with l'(s) = c of alpha beta) + nll - log_probs): the
gradient with respect to logits that were log-softmaxed into ``log_probs``, the same
once it flows back through log_softmax. PyTorch cannot differentiate it again; neither can this.
"""
import numpy

from minigrad.backend import array_module
from minigrad.engine import Op
from minigrad.ops.combined import NotImplementedDerivative


def _log_sum(*terms):
    """log(sum(exp(terms))) element-wise, shifted by the largest term (0 where all are -inf)."""
    peak = terms[0]
    for term in terms[1:]:
        peak = numpy.maximum(peak, term)
    peak = numpy.where(peak == -numpy.inf, 0, peak)
    with numpy.errstate(divide="ignore"):
        return numpy.log(sum(numpy.exp(term - peak) for term in terms)) + peak


def _extended(target, blank):
    extended = numpy.full(2 * len(target) + 1, blank, dtype=numpy.int64)
    extended[1::2] = target
    return extended


def _shifted(values, by):
    """``values`` moved ``by`` places to the right along the last axis, -inf coming in."""
    out = numpy.full_like(values, -numpy.inf)
    if by < values.shape[-1]:
        out[..., by:] = values[..., :values.shape[-1] - by]
    return out


def _forward_variables(log_probs, labels):
    """alpha[t, s]: the log-probability of the alignments of the first s + 1 extended labels to steps 0..t."""
    steps, width = log_probs.shape[0], len(labels)
    alpha = numpy.full((steps, width), -numpy.inf, dtype=log_probs.dtype)
    alpha[0, 0] = log_probs[0, labels[0]]
    if width > 1:
        alpha[0, 1] = log_probs[0, labels[1]]
    skip = numpy.zeros(width, dtype=bool)
    skip[2:] = labels[2:] != labels[:-2]
    for t in range(1, steps):
        jump = numpy.where(skip, _shifted(alpha[t - 1], 2), -numpy.inf)
        alpha[t] = _log_sum(alpha[t - 1], _shifted(alpha[t - 1], 1), jump) + log_probs[t, labels]
    return alpha


def _backward_variables(log_probs, labels):
    """beta[t, s]: the log-probability of the alignments of extended labels s.. to steps t..T-1."""
    reversed_beta = _forward_variables(log_probs[::-1], labels[::-1])
    return reversed_beta[::-1, ::-1]


def sample_loss(log_probs, target, blank):
    """(nll, alpha) of one sample: ``log_probs`` (T, C) over its own steps."""
    labels = _extended(target, blank)
    alpha = _forward_variables(log_probs, labels)
    ends = [alpha[-1, -1]] + ([alpha[-1, -2]] if len(labels) > 1 else [])
    return -_log_sum(*ends), labels


def sample_gradient(log_probs, labels, nll):
    """d nll / d log_probs of one sample as PyTorch computes it (see the module docstring)."""
    alpha = _forward_variables(log_probs, labels)
    beta = _backward_variables(log_probs, labels)
    both = alpha + beta
    occupancy = numpy.full(log_probs.shape, -numpy.inf, dtype=log_probs.dtype)
    for s, label in enumerate(labels):
        occupancy[:, label] = _log_sum(occupancy[:, label], both[:, s])
    with numpy.errstate(over="ignore", invalid="ignore"):
        return numpy.exp(log_probs) - numpy.exp(occupancy + nll - log_probs)


class CtcLoss(Op, name="CtcLossBackward0"):
    """Per-sample negative log-likelihoods of (T, N, C) ``log_probs``; targets and lengths are constants."""

    @staticmethod
    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
        host = numpy.asarray(log_probs.get() if hasattr(log_probs, "get") else log_probs)
        losses, ctx.samples = [], []
        for n, (steps, target) in enumerate(zip(input_lengths, targets)):
            nll, labels = sample_loss(host[:steps, n], target, blank)
            losses.append(nll)
            ctx.samples.append((steps, labels, nll))
        ctx.zero_infinity = zero_infinity
        ctx.save_for_backward(log_probs)
        return array_module(log_probs).asarray(numpy.array(losses, dtype=log_probs.dtype))

    @staticmethod
    def backward(ctx, grad):
        log_probs, = ctx.saved_tensors
        m = ctx.math
        values = m.from_tensor(log_probs) if not m.records else log_probs.array
        host = numpy.asarray(values.get() if hasattr(values, "get") else values)
        unit = numpy.zeros_like(host)
        for n, (steps, labels, nll) in enumerate(ctx.samples):
            if ctx.zero_infinity and nll == numpy.inf:
                continue
            unit[:steps, n] = sample_gradient(host[:steps, n], labels, nll)
        unit = array_module(values).asarray(unit)
        if not m.records:
            return unit * grad.reshape(1, -1, 1)
        scaled = unit * grad.array.reshape(1, -1, 1)
        return m.op(NotImplementedDerivative, grad, log_probs, scaled, "_ctc_loss_backward")
