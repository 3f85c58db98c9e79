"""Stochastic gradient descent, with momentum and Nesterov momentum.

Sutskever, Martens, Dahl & Hinton, "On the importance of initialization and momentum in deep
learning" (ICML 2013), in PyTorch's form:

    g  <- grad (negated when maximize) + weight_decay * w
    b  <- g                                  on the first step (no dampening)
    b  <- momentum * b + (1 - dampening) * g afterwards
    g  <- g + momentum * b    if nesterov, else   g <- b
    w  <- w - lr * g
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, as_state, check_common, check_non_negative


def sgd_update(param, grad, buffer, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step on arrays; returns the (new or updated) momentum buffer, or None."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if momentum != 0:
        if buffer is None:
            buffer = xp.array(grad, copy=True)
        else:
            buffer *= momentum
            buffer += (1 - dampening) * grad if dampening else grad
        grad = grad + momentum * buffer if nesterov else buffer
    param -= lr * grad
    return buffer


class SGD(Optimizer):
    """SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False).

    - lr: learning rate (default 1e-3)
    - momentum: momentum factor (default 0)
    - dampening: dampening of the momentum (default 0)
    - weight_decay: L2 penalty added to the gradient (default 0)
    - nesterov: Nesterov momentum (default False; needs momentum > 0 and dampening 0)
    - maximize: follow the gradient upwards (default False)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_common(lr)
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))

    def update(self, param, grad, state, group):
        buffer = state.get("momentum_buffer")
        new = sgd_update(param.array, grad, None if buffer is None else buffer.array, group["lr"], group["momentum"],
                         group["dampening"], group["weight_decay"], group["nesterov"], group["maximize"])
        if new is not None and buffer is None:
            state["momentum_buffer"] = as_state(new)
