"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, "Acceleration of Stochastic
Approximation by Averaging", 1992), with PyTorch's step-size and averaging schedules:

    g   <- grad (negated when maximize) + weight_decay * w
    w   <- w (1 - lambd eta) - eta g
    ax  <- ax + mu (w - ax)          (ax <- w while mu = 1)
    eta <- lr / (1 + lambd lr t)^alpha
    mu  <- 1 / max(1, t - t0)        (averaging starts after t0 steps)

``state[p]["ax"]`` holds the averaged parameters.
"""
import numpy

from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def asgd_update(param, grad, ax, eta, mu, step, lr, lambd, alpha, t0, weight_decay, maximize):
    """One step; ``eta`` and ``mu`` are float32 0-d arrays updated in place (PyTorch keeps them in float32)."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    eta_value = float(eta)
    param *= 1 - lambd * eta_value
    param -= eta_value * grad
    if float(mu) != 1:
        ax += (param - ax) * mu.astype(param.dtype)
    else:
        xp.copyto(ax, param)
    eta[...] = numpy.float32(lr / ((1 + lambd * lr * step) ** alpha))
    mu[...] = numpy.float32(1 / max(1, step - t0))


class ASGD(Optimizer):
    """ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, *, maximize=False)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_common(lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["eta"] = scalar_state(group["lr"], param)
            state["mu"] = scalar_state(1.0, param)
            state["ax"] = zeros_state(param)
        asgd_update(param.array, grad, state["ax"].array, state["eta"].array, state["mu"].array,
                    increment(state["step"]), group["lr"], group["lambd"], group["alpha"], group["t0"],
                    group["weight_decay"], group["maximize"])
