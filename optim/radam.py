"""RAdam: rectified Adam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", ICLR 2020).

    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;  m^ = m / (1 - beta1^t)
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
    if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                   w <- w - lr m^ r sqrt(1 - beta2^t) / (sqrt(v) + eps)
    else:          w <- w - lr m^          (too early for a reliable variance: plain momentum)
"""
from minigrad.backend import array_module
from optim.adam import decay_and_moments
from optim.optimizer import Optimizer, check_betas, check_common, increment, scalar_state, zeros_state

RECTIFICATION_THRESHOLD = 5.0


def radam_update(param, grad, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                 decoupled_weight_decay, maximize):
    xp = array_module(param)
    decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, decoupled_weight_decay,
                      maximize)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    corrected = exp_avg / bias_correction1
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    if rho_t > RECTIFICATION_THRESHOLD:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = (bias_correction2 ** 0.5) / (xp.sqrt(exp_avg_sq) + eps)
        param -= corrected * lr * adaptive_lr * rect
    else:
        param -= corrected * lr


class RAdam(Optimizer):
    """RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False, *,
    maximize=False)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_common(lr, eps, weight_decay)
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        radam_update(param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, increment(state["step"]),
                     group["lr"], beta1, beta2, group["eps"], group["weight_decay"], group["decoupled_weight_decay"],
                     group["maximize"])
