"""ASGD: stochastic gradient descent that also keeps a running average of the weights it visits."""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, increment, scalar_state, zeros_state


def asgd_update(param, grad, ax, eta, mu, step, lr, lambd, alpha, t0, weight_decay, maximize):
    """One ASGD step on arrays, in place. ``eta`` and ``mu`` are 0-d arrays in PyTorch's scalar
    dtype (float32 by default): this step reads their values (wherever they live: a CPU array
    cannot be an operand of a GPU one), then moves them on to the schedule of ``step`` (the
    count of this step, 1 on the first)."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    eta_value = float(eta)
    param *= 1 - lambd * eta_value
    param -= eta_value * grad
    mu_value = float(mu)
    if mu_value != 1:
        ax += (param - ax) * param.dtype.type(mu_value)
    else:
        xp.copyto(ax, param)
    eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
    mu[...] = 1 / max(1, step - t0)


class ASGD(Optimizer):
    r"""ASGD, averaged stochastic gradient descent (Polyak & Juditsky, "Acceleration of Stochastic
    Approximation by Averaging", SIAM J. Control and Optimization 30(4), 1992), with the
    decreasing step size of Bottou, "Stochastic Gradient Descent Tricks", 2012, as PyTorch.

    The weights follow plain SGD with a slowly shrinking step; from step ``t0`` on, the
    optimizer also averages the weights it has visited, and that average (``state[p]["ax"]``)
    is the better estimate of the optimum. The weights themselves are not replaced by it::

        input: lr, lambd, alpha, t0, weight_decay
        eta_0 = lr, mu_0 = 1, ax_0 = 0
        for t = 1, 2, ...:
            g_t   = -grad if maximize else grad
            g_t   = g_t + weight_decay * w_{t-1}                (if weight_decay != 0)
            w_t   = (1 - lambd * eta_{t-1}) * w_{t-1} - eta_{t-1} * g_t
            ax_t  = ax_{t-1} + mu_{t-1} * (w_t - ax_{t-1})      (ax_t = w_t while mu = 1)
            eta_t = lr / (1 + lambd * lr * t)^alpha
            mu_t  = 1 / max(1, t - t0)

    Arguments:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr (float, default 1e-2): learning rate.
        lambd (float, default 1e-4): decay term: shrinks the weights and the step size.
        alpha (float, default 0.75): power of the step-size decay.
        t0 (float, default 1e6): the step at which averaging starts.
        weight_decay (float, default 0): L2 penalty, added to the gradient.
        maximize (bool, default False): climb the objective instead of descending it.

    State per parameter: ``step``, ``eta`` and ``mu`` (0-d, float32 by default, on the parameter's
    device) and ``ax`` (the averaged weights). ``foreach``, ``differentiable`` and ``capturable`` are accepted for
    PyTorch compatibility; only their default (off) is implemented.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_common(lr, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def update(self, param, grad, state, group):
        if not state:
            # on the parameter's device, as PyTorch keeps ASGD's 'step', 'eta' and 'mu'
            state["step"] = scalar_state(0.0).to(param.device)
            state["eta"] = scalar_state(group["lr"]).to(param.device)
            state["mu"] = scalar_state(1.0).to(param.device)
            state["ax"] = zeros_state(param)
        asgd_update(param.array, grad, state["ax"].array, state["eta"].array, state["mu"].array,
                    increment(state["step"]), group["lr"], group["lambd"], group["alpha"], group["t0"],
                    group["weight_decay"], group["maximize"])
