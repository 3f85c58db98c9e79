"""Gradient clipping: scale all gradients so that their joint norm is at most ``max_norm``
(``clip_grad_norm_``), or clamp each element (``clip_grad_value_``). Both change ``.grad`` in
place, without recording anything, and work on the gradients as PyTorch does (float32
gradients are scaled in float32)."""
import types
import warnings

import minigrad
from minigrad.engine import Tensor


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(tensor, norm_type):
    magnitudes = tensor.abs()
    if norm_type == float("inf"):
        return magnitudes.max() if tensor.numel() else tensor.new_zeros(())
    if norm_type == float("-inf"):
        return magnitudes.min()
    if norm_type == 0:
        return (tensor != 0).sum().to(tensor.dtype)
    if norm_type == 2:
        return (magnitudes * magnitudes).sum().sqrt()
    return (magnitudes ** norm_type).sum() ** (1.0 / norm_type)


@minigrad.no_grad()
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of the norms of ``tensors`` (their joint norm, as if concatenated)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return minigrad.tensor(0.0)
    device = tensors[0].device
    norms = minigrad.stack([_vector_norm(t, norm_type).to(device) for t in tensors])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not bool(minigrad.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           f"it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    return total


@minigrad.no_grad()
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6))."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    factor = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
    for grad in grads:
        grad.mul_(factor.to(grad.device))


@minigrad.no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of ``parameters`` so that their joint ``norm_type`` norm is at most
    ``max_norm``; returns the norm they had (a tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated name of :func:`clip_grad_norm_`."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@minigrad.no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value]."""
    clip_value = float(clip_value)
    for param in _as_list(parameters):
        if param.grad is not None:
            param.grad.clamp_(min=-clip_value, max=clip_value)
