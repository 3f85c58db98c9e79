"""AdamW: Adam with decoupled weight decay."""
from optim.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``).

    The decay shrinks the weights themselves instead of entering the gradient, so it does not
    pass through (and get rescaled by) the adaptive moments; the rest is Adam's update, computed
    by ``optim.adam.adam_update`` with ``decoupled_weight_decay=True``.

    Algorithm (gamma = lr, lambda = weight_decay, epsilon = eps)::

        m_0 <- 0, v_0 <- 0, v_0^max <- 0
        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            theta_{t-1} <- theta_{t-1} - gamma lambda theta_{t-1}
            m_t <- beta1 m_{t-1} + (1 - beta1) g_t
            v_t <- beta2 v_{t-1} + (1 - beta2) g_t^2
            if amsgrad:  v_t^max <- max(v_{t-1}^max, v_t);  v <- v_t^max  else  v <- v_t
            theta_t <- theta_{t-1} - gamma / (1 - beta1^t) * m_t / (sqrt(v) / sqrt(1 - beta2^t) + epsilon)

    Loshchilov and Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 1e-3).
        betas (Tuple[float, float]): decay rates of the two moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default 1e-8).
        weight_decay (float): decoupled weight decay lambda (default 1e-2).
        amsgrad (bool): use the running maximum of the second moment (default False).
        maximize (bool): ascend the objective instead of descending it (default False).
        foreach, capturable, differentiable, fused: PyTorch's implementation switches; only
            their defaults (None/False) are accepted.

    State per parameter: as Adam's (``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        """As Adam's; the decay stays decoupled whatever the saved groups say (as PyTorch)."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
