"""Rprop: resilient backpropagation (Riedmiller & Braun, "A Direct Adaptive Method for Faster
Backpropagation Learning: The RPROP Algorithm", 1993). Only the gradient's sign is used:

    s   = sign(g * g_prev)
    eta = eta_plus where s > 0, eta_minus where s < 0, 1 where s = 0
    d   <- clamp(d * eta, step_size_min, step_size_max)
    g   <- 0 where s < 0              (after a sign change, skip this step and forget g)
    w   <- w - sign(g) * d;   g_prev <- g
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def rprop_update(param, grad, prev, step_size, etas, step_sizes, maximize):
    xp = array_module(param)
    if maximize:
        grad = -grad
    eta_minus, eta_plus = etas
    sign = xp.sign(grad * prev)
    factor = xp.where(sign > 0, param.dtype.type(eta_plus), xp.where(sign < 0, param.dtype.type(eta_minus),
                                                                     param.dtype.type(1)))
    step_size *= factor
    xp.clip(step_size, step_sizes[0], step_sizes[1], out=step_size)
    grad = xp.where(sign < 0, param.dtype.type(0), grad)
    param -= xp.sign(grad) * step_size
    prev[...] = grad


class Rprop(Optimizer):
    """Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, maximize=False)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_common(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["prev"] = zeros_state(param)
            state["step_size"] = zeros_state(param, group["lr"])
        increment(state["step"])
        rprop_update(param.array, grad, state["prev"].array, state["step_size"].array, group["etas"],
                     group["step_sizes"], group["maximize"])
