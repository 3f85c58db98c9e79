"""Adagrad (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
Stochastic Optimization", JMLR 2011): each weight's step shrinks with its gradient history.

    g   <- grad (negated when maximize) + weight_decay * w
    lr_t = lr / (1 + (t - 1) * lr_decay)
    s   <- s + g^2
    w   <- w - lr_t * g / (sqrt(s) + eps)
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def adagrad_update(param, grad, state_sum, step, lr, lr_decay, eps, weight_decay, maximize):
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)
    state_sum += grad * grad
    std = xp.sqrt(state_sum)
    std += eps
    param -= clr * grad / std


class Adagrad(Optimizer):
    """Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *, maximize=False)."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_common(lr, eps, weight_decay)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        for group in self.param_groups:  # PyTorch creates Adagrad's state eagerly
            for param in group["params"]:
                self._init_state(param, self.state[param], group)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0, param)
        state["sum"] = zeros_state(param, group["initial_accumulator_value"])

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        if hasattr(self, "state"):
            group = self.param_groups[-1]
            for param in group["params"]:
                if not self.state[param]:
                    self._init_state(param, self.state[param], group)

    def update(self, param, grad, state, group):
        if not state:
            self._init_state(param, state, group)
        adagrad_update(param.array, grad, state["sum"].array, increment(state["step"]), group["lr"],
                       group["lr_decay"], group["eps"], group["weight_decay"], group["maximize"])
