"""Adam: adaptive moment estimation."""
from minigrad.backend import array_module
from minigrad.kernels.parallel import elementwise
from optim.optimizer import (Optimizer, addcdiv_, addcmul_, check_betas, check_lr, check_non_negative, increment,
                             lerp_, scalar_state, zeros_state)


def decay_and_moments(param, grad, exp_avg, exp_avg_sq, *, lr, beta1, beta2, weight_decay, decoupled_weight_decay,
                      maximize):
    """What Adam, NAdam and RAdam share: weight decay, then both moment estimates, in place.
    Returns the gradient as used (negated when maximize, plus the L2 term)."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay                   # theta <- theta (1 - gamma lambda)
        else:
            grad = grad + weight_decay * param               # g <- g + lambda theta
    lerp_(exp_avg, grad, 1 - beta1)                          # m <- beta1 m + (1 - beta1) g
    exp_avg_sq *= beta2
    addcmul_(exp_avg_sq, grad, grad, 1 - beta2)              # v <- beta2 v + (1 - beta2) g^2
    return grad


def adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, *, lr, beta1, beta2, eps, weight_decay,
                amsgrad, maximize, decoupled_weight_decay):
    """One Adam step on arrays, in place (``grad`` is left alone); ``step`` is t, 1 on the first
    step. ``max_exp_avg_sq`` is used only with ``amsgrad``. AdamW is this with
    ``decoupled_weight_decay=True``."""
    xp = array_module(param)
    decay_and_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay,
                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    if amsgrad:
        xp.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)   # v_max <- max(v_max, v)
    denom = xp.sqrt(max_exp_avg_sq if amsgrad else exp_avg_sq)
    denom /= bias_correction2_sqrt
    denom += eps                                             # sqrt(v / (1 - beta2^t)) + eps
    addcdiv_(param, exp_avg, denom, -lr / bias_correction1)  # theta <- theta - gamma m / (1 - beta1^t) / denom


def check_float_betas(betas):
    """Adam and AdamW, as PyTorch, take betas as two floats (``(0, 0.99)`` is refused)."""
    if not all(isinstance(beta, float) for beta in betas):
        raise ValueError(f"betas must be either both floats or both Tensors (minigrad takes floats), got {betas!r}")


class Adam(Optimizer):
    """Adam, with optional AMSGrad and decoupled weight decay (PyTorch's ``torch.optim.Adam``).

    Algorithm (gamma = lr, lambda = weight_decay, epsilon = eps)::

        m_0 <- 0 (first moment), v_0 <- 0 (second moment), v_0^max <- 0
        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            if lambda != 0:
                if decoupled_weight_decay:  theta_{t-1} <- theta_{t-1} (1 - gamma lambda)
                else:                       g_t <- g_t + lambda theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            if amsgrad:  v_t^max <- max(v_{t-1}^max, v_t);  v <- v_t^max  else  v <- v_t
            theta_t <- theta_{t-1} - gamma / (1 - beta1^t) * m_t / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)

    Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); AMSGrad: Reddi,
    Kale and Kumar, "On the Convergence of Adam and Beyond" (ICLR 2018).

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 1e-3).
        betas (Tuple[float, float]): decay rates of the two moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default 1e-8).
        weight_decay (float): L2 penalty lambda (default 0).
        amsgrad (bool): use the running maximum of the second moment (default False).
        maximize (bool): ascend the objective instead of descending it (default False).
        decoupled_weight_decay (bool): shrink the weights directly, as AdamW (default False).
        foreach, capturable, differentiable, fused: PyTorch's implementation switches; only
            their defaults (None/False) are accepted.

    State per parameter: ``step`` (a 0-d float32 tensor), ``exp_avg``, ``exp_avg_sq`` and,
    with amsgrad, ``max_exp_avg_sq``.
    """

    sparse_grad_hint = ", please consider SparseAdam instead"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr)
        check_non_negative("eps", eps, "epsilon")
        check_betas(betas)
        check_non_negative("weight_decay", weight_decay)
        check_float_betas(betas)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(param)
        beta1, beta2 = group["betas"]
        max_exp_avg_sq = state["max_exp_avg_sq"].array if group["amsgrad"] else None
        elementwise(adam_update, param.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array, max_exp_avg_sq,
                    step=increment(state["step"]), lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"],
                    weight_decay=group["weight_decay"], amsgrad=group["amsgrad"], maximize=group["maximize"],
                    decoupled_weight_decay=group["decoupled_weight_decay"])
