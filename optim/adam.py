"""Adam: adaptive moment estimation (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015).

    g   <- grad (negated when maximize)
    g   <- g + weight_decay * w           (L2 penalty; AdamW decays w itself instead)
    m   <- beta1 * m + (1 - beta1) * g    (first moment)
    v   <- beta2 * v + (1 - beta2) * g^2  (second moment)
    v^  <- max(v^, v)                     (amsgrad: Reddi, Kale & Kumar, ICLR 2018)
    w   <- w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_betas, check_common, increment, lerp_, scalar_state, zeros_state


def decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, decoupled_weight_decay,
                      maximize):
    """The part Adam, NAdam and RAdam share: weight decay (L2 in the gradient, or decoupled:
    w <- w (1 - lr wd)), then m <- beta1 m + (1 - beta1) g and v <- beta2 v + (1 - beta2) g^2.
    Returns the gradient as used (negated when maximize, with the L2 term)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            grad = grad + weight_decay * param
    lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * grad * grad
    return grad


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                amsgrad, maximize, decoupled_weight_decay):
    """One Adam step on arrays, in place; ``step`` counts this step (1 on the first)."""
    xp = array_module(param)
    decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr, beta1, beta2, weight_decay, decoupled_weight_decay,
                      maximize)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    if amsgrad:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = xp.sqrt(max_exp_avg_sq) / bias_correction2_sqrt
    else:
        denom = xp.sqrt(exp_avg_sq) / bias_correction2_sqrt
    denom += eps
    param -= (lr / bias_correction1) * exp_avg / denom


class Adam(Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False).

    - lr: learning rate; betas: decay rates of the two moment estimates; eps: added to the
      denominator for stability; weight_decay: L2 penalty (decoupled, AdamW-style, when
      ``decoupled_weight_decay``); amsgrad: keep the running maximum of the second moment;
      maximize: ascend instead of descend.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_common(lr, eps, weight_decay)
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable, fused=fused,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        adam_update(param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array,
                    state["max_exp_avg_sq"].array if group["amsgrad"] else None, increment(state["step"]),
                    group["lr"], beta1, beta2, group["eps"], group["weight_decay"], group["amsgrad"],
                    group["maximize"], group["decoupled_weight_decay"])
