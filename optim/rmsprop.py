"""RMSprop (Hinton, Neural Networks for Machine Learning, lecture 6e, 2012): divide the step by a
running root-mean-square of the gradient. PyTorch's form, eps outside the square root:

    g  <- grad (negated when maximize) + weight_decay * w
    v  <- alpha v + (1 - alpha) g^2
    a  <- sqrt(v - gbar^2) + eps   with gbar <- alpha gbar + (1 - alpha) g   (centered, Graves 2013)
    a  <- sqrt(v) + eps                                                     (otherwise)
    b  <- momentum b + g / a;  w <- w - lr b     (momentum > 0)
    w  <- w - lr g / a                           (otherwise)
"""
from minigrad.backend import array_module
from optim.optimizer import Optimizer, check_common, check_non_negative, increment, lerp_, scalar_state, zeros_state


def rmsprop_update(param, grad, square_avg, grad_avg, momentum_buffer, lr, alpha, eps, weight_decay, momentum,
                   centered, maximize):
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    square_avg *= alpha
    square_avg += (1 - alpha) * grad * grad
    if centered:
        lerp_(grad_avg, grad, 1 - alpha)
        avg = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps
    if momentum > 0:
        momentum_buffer *= momentum
        momentum_buffer += grad / avg
        param -= lr * momentum_buffer
    else:
        param -= lr * grad / avg


class RMSprop(Optimizer):
    """RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *, maximize=False)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_common(lr, eps, weight_decay)
        check_non_negative("momentum", momentum)
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
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
        grad_avg, buffer = state.get("grad_avg"), state.get("momentum_buffer")
        rmsprop_update(param.array, grad, state["square_avg"].array, grad_avg.array if grad_avg is not None else None,
                       buffer.array if buffer is not None else None, group["lr"], group["alpha"], group["eps"],
                       group["weight_decay"], group["momentum"], group["centered"], group["maximize"])
