"""Adamax: Adam with the infinity norm."""
from minigrad.backend import array_module
from optim.optimizer import (Optimizer, addcdiv_, check_betas, check_lr, check_non_negative, increment, lerp_,
                             scalar_state, zeros_state)


def adamax_update(param, grad, exp_avg, exp_inf, step, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step on arrays, in place (``grad`` is left alone); ``step`` is t, 1 first."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param                   # g <- g + lambda theta
    lerp_(exp_avg, grad, 1 - beta1)                          # m <- beta1 m + (1 - beta1) g
    exp_inf *= beta2
    norm = xp.abs(grad)
    norm += eps
    xp.maximum(exp_inf, norm, out=exp_inf)                   # u <- max(beta2 u, |g| + eps)
    addcdiv_(param, exp_avg, exp_inf, -lr / (1 - beta1 ** step))   # theta <- theta - gamma m / ((1 - beta1^t) u)


class Adamax(Optimizer):
    """Adamax, a variant of Adam based on the infinity norm (PyTorch's ``torch.optim.Adamax``).

    Algorithm (gamma = lr, lambda = weight_decay, epsilon = eps)::

        m_0 <- 0 (first moment), u_0 <- 0 (infinity norm)
        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            if lambda != 0:  g_t <- g_t + lambda theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            u_t <- max(beta2 u_{t-1}, |g_t| + epsilon)
            theta_t <- theta_{t-1} - gamma m_t / ((1 - beta1^t) u_t)

    Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1. The
    epsilon sits inside the maximum, as in PyTorch, so u_t is never zero.

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 2e-3).
        betas (Tuple[float, float]): decay rates of the first moment and of the infinity norm
            (default (0.9, 0.999)).
        eps (float): added to |g| for numerical stability (default 1e-8).
        weight_decay (float): L2 penalty lambda (default 0).
        maximize (bool): ascend the objective instead of descending it (default False).
        foreach, differentiable, capturable: PyTorch's implementation switches; only their
            defaults (None/False) are accepted.

    State per parameter: ``step`` (a 0-d float32 tensor), ``exp_avg``, ``exp_inf``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_non_negative("eps", eps, "epsilon")
        check_betas(betas)
        check_non_negative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_inf"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        adamax_update(param.array, grad, state["exp_avg"].array, state["exp_inf"].array, increment(state["step"]),
                      lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                      maximize=group["maximize"])
