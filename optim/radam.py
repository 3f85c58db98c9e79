"""RAdam: rectified Adam."""
from minigrad.backend import array_module
from optim.adam import decay_and_moments
from optim.optimizer import Optimizer, check_betas, check_lr, check_non_negative, increment, scalar_state, zeros_state

RECTIFICATION_THRESHOLD = 5.0  # below it the variance of the adaptive rate is not yet trusted


def radam_update(param, grad, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps, weight_decay,
                 decoupled_weight_decay, maximize):
    """One RAdam step on arrays, in place (``grad`` is left alone); ``step`` is t, 1 first."""
    xp = array_module(param)
    decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay,
                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
    update = xp.divide(exp_avg, bias_correction1)            # m^ = m / (1 - beta1^t)
    update *= lr
    if rho_t > RECTIFICATION_THRESHOLD:
        rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        adaptive_lr = xp.sqrt(exp_avg_sq)
        adaptive_lr += eps
        xp.reciprocal(adaptive_lr, out=adaptive_lr)
        adaptive_lr *= bias_correction2 ** 0.5               # l = sqrt(1 - beta2^t) / (sqrt(v) + eps)
        update *= adaptive_lr
        update *= rect
    param -= update                                          # theta <- theta - gamma m^ (l r, if rectified)


class RAdam(Optimizer):
    """RAdam: Adam whose adaptive learning rate is rectified (PyTorch's ``torch.optim.RAdam``).

    Algorithm (gamma = lr, lambda = weight_decay, epsilon = eps)::

        m_0 <- 0, v_0 <- 0, rho_inf <- 2 / (1 - beta2) - 1
        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            if lambda != 0:
                if decoupled_weight_decay:  theta_{t-1} <- theta_{t-1} (1 - gamma lambda)
                else:                       g_t <- g_t + lambda theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            m^_t <- m_t / (1 - beta1^t)
            rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
            if rho_t > 5:
                l_t <- sqrt(1 - beta2^t) / (sqrt(v_t) + epsilon)
                r_t <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                theta_t <- theta_{t-1} - gamma m^_t l_t r_t
            else:
                theta_t <- theta_{t-1} - gamma m^_t       (too early to trust v_t: momentum only)

    Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020);
    decoupled weight decay as in Loshchilov and Hutter (ICLR 2019).

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 1e-3).
        betas (Tuple[float, float]): decay rates of the two moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default 1e-8).
        weight_decay (float): weight decay lambda (default 0).
        decoupled_weight_decay (bool): shrink the weights directly, as AdamW, instead of adding
            the L2 term to the gradient (default False).
        maximize (bool): ascend the objective instead of descending it (default False).
        foreach, capturable, differentiable: PyTorch's implementation switches; only their
            defaults (None/False) are accepted.

    State per parameter: ``step`` (a 0-d float32 tensor), ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_non_negative("eps", eps, "epsilon")
        check_betas(betas)
        check_non_negative("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        radam_update(param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, increment(state["step"]),
                     lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
                     decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
