"""Adamax: Adam with the infinity norm (Kingma & Ba, ICLR 2015, section 7.1).

    g <- grad (negated when maximize) + weight_decay * w
    m <- beta1 * m + (1 - beta1) * g
    u <- max(beta2 * u, |g| + eps)
    w <- w - lr / (1 - beta1^t) * m / u
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_betas, check_common, increment, lerp_, scalar_state, zeros_state


def adamax_update(param, grad, exp_avg, exp_inf, step, lr, beta1, beta2, eps, weight_decay, maximize):
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    lerp_(exp_avg, grad, 1 - beta1)
    exp_inf *= beta2
    xp.maximum(exp_inf, xp.abs(grad) + eps, out=exp_inf)
    param -= (lr / (1 - beta1 ** step)) * exp_avg / exp_inf


class Adamax(Optimizer):
    """Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, *, maximize=False)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_common(lr, eps, weight_decay)
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_inf"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        adamax_update(param.array, grad, state["exp_avg"].array, state["exp_inf"].array, increment(state["step"]),
                      group["lr"], beta1, beta2, group["eps"], group["weight_decay"], group["maximize"])
