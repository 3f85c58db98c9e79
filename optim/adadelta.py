"""Adadelta: step sizes from the ratio of two running root-mean-squares, no learning rate to tune."""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, addcmul_, check_lr, check_non_negative, increment, scalar_state, zeros_state


def adadelta_update(param, grad, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step on arrays, in place."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg *= rho
    addcmul_(square_avg, grad, grad, value=1 - rho)
    std = square_avg + eps
    xp.sqrt(std, out=std)
    delta = acc_delta + eps
    xp.sqrt(delta, out=delta)
    delta /= std
    delta *= grad  # RMS[dx]_{t-1} / RMS[g]_t * g_t
    acc_delta *= rho
    addcmul_(acc_delta, delta, delta, value=1 - rho)
    delta *= lr
    param -= delta


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012).

    Adagrad's sum of squares is replaced by a moving average, and the step is given the
    units of the weights by multiplying with the root-mean-square of the past updates::

        input: lr, rho, eps, weight_decay
        v_0 = 0 (square_avg), u_0 = 0 (acc_delta)
        for t = 1, 2, ...:
            g_t  = -grad if maximize else grad
            g_t  = g_t + weight_decay * w_{t-1}                 (if weight_decay != 0)
            v_t  = rho * v_{t-1} + (1 - rho) * g_t^2
            dx_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
            u_t  = rho * u_{t-1} + (1 - rho) * dx_t^2
            w_t  = w_{t-1} - lr * dx_t

    The paper has no learning rate; PyTorch still scales the update by ``lr`` (1 by default).

    Arguments:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr (float, default 1.0): factor applied to every update.
        rho (float, default 0.9): decay rate of both moving averages.
        eps (float, default 1e-6): added inside both roots, for numerical stability.
        weight_decay (float, default 0): L2 penalty, added to the gradient.
        maximize (bool, default False): climb the objective instead of descending it.

    State per parameter: ``step``, ``square_avg`` and ``acc_delta``. ``foreach``,
    ``capturable`` and ``differentiable`` are accepted for PyTorch compatibility; only their
    default (off) is implemented.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative("eps", eps, "epsilon")
        check_non_negative("weight_decay", weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["square_avg"] = zeros_state(param)
            state["acc_delta"] = zeros_state(param)
        increment(state["step"])
        adadelta_update(param.array, grad, state["square_avg"].array, state["acc_delta"].array, group["lr"],
                        group["rho"], group["eps"], group["weight_decay"], group["maximize"])
