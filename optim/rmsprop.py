"""RMSprop: divide each step by a running root-mean-square of the recent gradients."""
from minigrad.backend import array_module
from minigrad.kernels.parallel import elementwise
from optim.optimizer import (Optimizer, addcdiv_, addcmul_, check_common, check_non_negative, increment, lerp_,
                             scalar_state, zeros_state)


def rmsprop_update(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps, weight_decay, momentum,
                   centered, maximize):
    """One RMSprop step on arrays, in place; ``grad_avg`` (centered) and ``momentum_buffer``
    (momentum > 0) are None when their option is off."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg *= alpha
    addcmul_(square_avg, grad, grad, value=1 - alpha)
    if centered:
        lerp_(grad_avg, grad, 1 - alpha)
        avg = xp.multiply(grad_avg, grad_avg)
        xp.subtract(square_avg, avg, out=avg)
        xp.sqrt(avg, out=avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps  # outside the square root, as PyTorch (TensorFlow puts it inside)
    if momentum > 0:
        momentum_buffer *= momentum
        addcdiv_(momentum_buffer, grad, avg)
        param -= lr * momentum_buffer
    else:
        addcdiv_(param, grad, avg, value=-lr)


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning", lecture 6e,
    2012; the centered variant is from Graves, "Generating Sequences With Recurrent Neural
    Networks", 2013).

    Keeps an exponential moving average of the squared gradient and divides the gradient by
    its root, so every weight moves at a similar pace whatever the scale of its gradient::

        input: lr, alpha, eps, weight_decay, momentum, centered
        v_0 = 0, gbar_0 = 0, b_0 = 0
        for t = 1, 2, ...:
            g_t    = -grad if maximize else grad
            g_t    = g_t + weight_decay * w_{t-1}               (if weight_decay != 0)
            v_t    = alpha * v_{t-1} + (1 - alpha) * g_t^2
            if centered:                                        (subtract the mean's square)
                gbar_t = alpha * gbar_{t-1} + (1 - alpha) * g_t
                a_t    = sqrt(v_t - gbar_t^2) + eps
            else:
                a_t    = sqrt(v_t) + eps                        (eps outside the root)
            if momentum > 0:
                b_t = momentum * b_{t-1} + g_t / a_t
                w_t = w_{t-1} - lr * b_t
            else:
                w_t = w_{t-1} - lr * g_t / a_t

    Arguments:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr (float, default 1e-2): learning rate.
        alpha (float, default 0.99): smoothing constant of the moving averages.
        eps (float, default 1e-8): added to the root, for numerical stability.
        weight_decay (float, default 0): L2 penalty, added to the gradient.
        momentum (float, default 0): momentum factor.
        centered (bool, default False): normalise by an estimate of the gradient's variance.
        maximize (bool, default False): climb the objective instead of descending it.

    State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0) and
    ``grad_avg`` (centered). ``capturable``, ``foreach`` and ``differentiable`` are accepted
    for PyTorch compatibility; only their default (off) is implemented.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_common(lr, eps)
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        check_non_negative("alpha", alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def update(self, param, grad, state, group):
        if not state:
            state["step"] = scalar_state(0.0, param)
            state["square_avg"] = zeros_state(param)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_state(param)
            if group["centered"]:
                state["grad_avg"] = zeros_state(param)
        increment(state["step"])
        grad_avg = state["grad_avg"].array if group["centered"] else None
        momentum_buffer = state["momentum_buffer"].array if group["momentum"] > 0 else None
        elementwise(rmsprop_update, param.array, grad, state["square_avg"].array, grad_avg, momentum_buffer,
                    lr=group["lr"], alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
                    momentum=group["momentum"], centered=group["centered"], maximize=group["maximize"])
