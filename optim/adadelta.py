"""Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012): steps sized by the
ratio of running RMS of past updates to running RMS of gradients, so no learning rate is needed
(PyTorch still scales the step by lr, default 1).

    g  <- grad (negated when maximize) + weight_decay * w
    v  <- rho v + (1 - rho) g^2
    dx <- sqrt(u + eps) / sqrt(v + eps) * g
    u  <- rho u + (1 - rho) dx^2
    w  <- w - lr dx
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def adadelta_update(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg *= rho
    square_avg += (1 - rho) * grad * grad
    std = xp.sqrt(square_avg + eps)
    delta = xp.sqrt(acc_delta + eps)
    delta /= std
    delta *= grad
    acc_delta *= rho
    acc_delta += (1 - rho) * delta * delta
    param -= lr * delta


class Adadelta(Optimizer):
    """Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_common(lr, eps, weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["square_avg"] = zeros_state(param)
            state["acc_delta"] = zeros_state(param)
        increment(state["step"])
        adadelta_update(param.array, grad, state["square_avg"].array, state["acc_delta"].array, group["lr"],
                        group["rho"], group["eps"], group["weight_decay"], group["maximize"])
