"""NAdam: Adam with Nesterov momentum."""
from minigrad.backend import array_module
from optim.adam import decay_and_moments
from optim.optimizer import (Optimizer, addcdiv_, check_betas, check_lr, check_non_negative, increment, scalar_state,
                             zeros_state)

MU_BASE = 0.96  # the base of Dozat's momentum warming schedule


def nadam_update(param, grad, exp_avg, exp_avg_sq, mu_product, step, *, lr, beta1, beta2, eps, weight_decay,
                 momentum_decay, decoupled_weight_decay, maximize):
    """One NAdam step on arrays, in place (``grad`` is left alone); ``step`` is t, 1 first.

    ``mu_product`` is the 0-d array of prod_{i<=t} mu_i, kept in its own dtype (float32, as
    PyTorch keeps it) and updated in place."""
    xp = array_module(param)
    bias_correction2 = 1 - beta2 ** step
    grad = decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2,
                             weight_decay=weight_decay, decoupled_weight_decay=decoupled_weight_decay,
                             maximize=maximize)
    mu = beta1 * (1.0 - 0.5 * MU_BASE ** (step * momentum_decay))              # mu_t
    mu_next = beta1 * (1.0 - 0.5 * MU_BASE ** ((step + 1) * momentum_decay))   # mu_{t+1}
    mu_product *= mu
    product = float(mu_product)
    denom = xp.divide(exp_avg_sq, bias_correction2)
    xp.sqrt(denom, out=denom)
    denom += eps                                             # sqrt(v / (1 - beta2^t)) + eps
    addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - product))
    addcdiv_(param, exp_avg, denom, -lr * mu_next / (1.0 - product * mu_next))


class NAdam(Optimizer):
    """NAdam: Adam with Nesterov momentum (PyTorch's ``torch.optim.NAdam``).

    Algorithm (gamma = lr, lambda = weight_decay, psi = momentum_decay, epsilon = eps)::

        m_0 <- 0, v_0 <- 0, prod_0 <- 1
        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            if lambda != 0:
                if decoupled_weight_decay:  theta_{t-1} <- theta_{t-1} (1 - gamma lambda)
                else:                       g_t <- g_t + lambda theta_{t-1}
            mu_t     <- beta1 (1 - 0.5 * 0.96^(t psi))
            mu_{t+1} <- beta1 (1 - 0.5 * 0.96^((t + 1) psi))
            prod_t   <- prod_{t-1} mu_t
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            d_t <- sqrt(v_t / (1 - beta2^t)) + epsilon
            theta_t <- theta_{t-1} - gamma (1 - mu_t) / (1 - prod_t) * g_t / d_t
                                   - gamma mu_{t+1} / (1 - prod_t mu_{t+1}) * m_t / d_t

    Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop); decoupled weight
    decay as in Loshchilov and Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 2e-3).
        betas (Tuple[float, float]): decay rates of the two moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default 1e-8).
        weight_decay (float): weight decay lambda (default 0).
        momentum_decay (float): psi, how fast mu_t warms up towards beta1 (default 4e-3).
        decoupled_weight_decay (bool): shrink the weights directly, as AdamW, instead of adding
            the L2 term to the gradient (NAdamW; default False).
        maximize (bool): ascend the objective instead of descending it (default False).
        foreach, capturable, differentiable: PyTorch's implementation switches; only their
            defaults (None/False) are accepted.

    State per parameter: ``step`` and ``mu_product`` (0-d float32 tensors), ``exp_avg``,
    ``exp_avg_sq``.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_non_negative("eps", eps, "epsilon")
        check_betas(betas)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("momentum_decay", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["mu_product"] = scalar_state(1.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        nadam_update(param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, state["mu_product"].array,
                     increment(state["step"]), lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                     weight_decay=group["weight_decay"], momentum_decay=group["momentum_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
