"""Reverse-mode automatic differentiation: ``backward``, ``grad``, custom ``Function``s, gradient
checks and ``autograd.functional`` (Jacobians, Hessians, vector products).

``create_graph=True`` runs every backward on tensors with the graph recording (``ctx.math`` is
``TENSOR``), so the gradients can be differentiated again, to any order.
"""
from minigrad.autograd import functional
from minigrad.autograd.function import Function, FunctionCtx, once_differentiable
from minigrad.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.autograd.differentiate import backward, grad
from minigrad.engine import Tensor
from minigrad.grad_mode import (detect_anomaly, enable_grad, inference_mode, is_anomaly_enabled, is_grad_enabled,
                                no_grad, set_detect_anomaly, set_grad_enabled)

__all__ = ["zero_grads", "Function", "FunctionCtx", "GradcheckError", "Variable", "backward", "detect_anomaly", "enable_grad",
           "functional", "grad", "gradcheck", "gradgradcheck", "inference_mode", "is_anomaly_enabled",
           "is_grad_enabled", "no_grad", "once_differentiable", "set_detect_anomaly", "set_grad_enabled"]


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - PyTorch's (deprecated) name
    """The pre-0.4 wrapper, kept for old lessons: a Variable is just a Tensor now."""
    tensor = data if isinstance(data, Tensor) else Tensor(data)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def zero_grads(tensors, set_to_none=True):
    """Forget the gradients of ``tensors`` (``set_to_none``) or zero them in place: what
    ``Module.zero_grad`` and ``Optimizer.zero_grad`` do, since nothing else ever resets them."""
    for tensor in tensors:
        if tensor.grad is None:
            continue
        if set_to_none:
            tensor.grad = None
        else:
            if tensor.grad.grad_fn is not None:
                tensor.grad = tensor.grad.detach()
            else:
                tensor.grad.requires_grad_(False)
            tensor.grad.zero_()
