"""NAdam: Adam with Nesterov momentum (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR
2016 workshop), with PyTorch's momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi)):

    g    <- grad (negated when maximize) + weight_decay * w   (or w <- w (1 - lr wd) if decoupled)
    mu_t <- beta1 (1 - 0.5 * 0.96^(t * momentum_decay));  prod <- prod * mu_t
    m    <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
    d    <- sqrt(v / (1 - beta2^t)) + eps
    w    <- w - lr (1 - mu_t) / (1 - prod) * g / d - lr mu_{t+1} / (1 - prod mu_{t+1}) * m / d
"""
import numpy

from minigrad.backend import array_module
from optim.adam import decay_and_moments
from optim.optimizer import Optimizer, check_betas, check_common, increment, scalar_state, zeros_state


def nadam_update(param, grad, exp_avg, exp_avg_sq, mu_product, step, lr, beta1, beta2, eps, weight_decay,
                 momentum_decay, decoupled_weight_decay, maximize):
    """One NAdam step; ``mu_product`` is the float32 0-d array of the running product of mu."""
    xp = array_module(param)
    grad = decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay,
                             decoupled_weight_decay, maximize)
    bias_correction2 = 1 - beta2 ** step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    mu_product *= numpy.float32(mu)  # kept in float32, like PyTorch's state tensor
    product = float(mu_product)
    denom = xp.sqrt(exp_avg_sq / bias_correction2) + eps
    param += (-lr * (1.0 - mu) / (1.0 - product)) * grad / denom
    param += ((-lr * mu_next) / (1.0 - product * mu_next)) * exp_avg / denom


class NAdam(Optimizer):
    """NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, maximize=False)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_common(lr, eps, weight_decay)
        check_betas(betas)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["mu_product"] = scalar_state(1.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        nadam_update(param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, state["mu_product"].array,
                     increment(state["step"]), group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                     group["momentum_decay"], group["decoupled_weight_decay"], group["maximize"])
