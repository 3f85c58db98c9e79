"""Rprop: each weight moves by its own step size, by the sign of its gradient only."""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def rprop_update(param, grad, prev, step_size, etas, step_sizes, maximize):
    """One Rprop step on arrays, in place; ``prev`` is the gradient the last step kept."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    eta_minus, eta_plus = (param.dtype.type(eta) for eta in etas)  # the factors in the weights' precision
    step_size_min, step_size_max = step_sizes
    agreement = xp.sign(grad * prev)
    factor = xp.where(agreement > 0, eta_plus, xp.where(agreement < 0, eta_minus, 1))
    step_size *= factor
    xp.clip(step_size, step_size_min, step_size_max, out=step_size)
    grad = xp.where(agreement < 0, 0, grad)  # sign flipped: no move now, and no comparison next time
    param -= xp.sign(grad) * step_size
    prev[...] = grad


class Rprop(Optimizer):
    r"""Rprop, resilient backpropagation (Riedmiller & Braun, "A Direct Adaptive Method for
    Faster Backpropagation Learning: The RPROP Algorithm", IEEE ICNN 1993), in PyTorch's
    variant (Rprop without weight backtracking).

    Only the sign of the gradient is used. A weight whose gradient keeps its sign speeds up;
    one whose gradient flips has just jumped over a minimum, so it slows down and sits this
    step out::

        input: lr, etas = (eta_minus, eta_plus), step_sizes = (step_min, step_max)
        g_prev = 0, d_0 = lr (for every weight)
        for t = 1, 2, ...:
            g_t = -grad if maximize else grad
            if g_t * g_prev > 0:   d_t = min(d_{t-1} * eta_plus, step_max)
            elif g_t * g_prev < 0: d_t = max(d_{t-1} * eta_minus, step_min);  g_t = 0
            else:                  d_t = d_{t-1}   (clamped to [step_min, step_max] too)
            w_t    = w_{t-1} - sign(g_t) * d_t
            g_prev = g_t

    Arguments:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr (float, default 1e-2): the initial step size of every weight.
        etas (tuple, default (0.5, 1.2)): (eta_minus, eta_plus), the factors that shrink and
            grow a step size; 0 < eta_minus < 1 < eta_plus.
        step_sizes (tuple, default (1e-6, 50)): the smallest and the largest step size allowed.
        maximize (bool, default False): climb the objective instead of descending it.

    State per parameter: ``step``, ``prev`` (the gradient kept by the last step) and
    ``step_size``. ``capturable``, ``foreach`` and ``differentiable`` are accepted for PyTorch
    compatibility; only their default (off) is implemented.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_common(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable, capturable=capturable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["prev"] = zeros_state(param)
            state["step_size"] = zeros_state(param, group["lr"])
        increment(state["step"])
        rprop_update(param.array, grad, state["prev"].array, state["step_size"].array, group["etas"],
                     group["step_sizes"], group["maximize"])
