"""Stochastic gradient descent, optionally with (Nesterov) momentum."""
from minigrad.backend import array_module
from minigrad.kernels.parallel import elementwise
from minigrad.sparse import SparseTensor
from optim.optimizer import Optimizer, as_state, check_lr, check_non_negative


def sgd_update(param, grad, momentum_buffer, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step on arrays: ``param`` changes in place, ``grad`` does not.

    Returns the momentum buffer: created from the first gradient when ``momentum`` is set
    (``momentum_buffer`` is None on the first step), updated in place afterwards; None without
    momentum."""
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param                  # g <- g + lambda theta
    if momentum != 0:
        if momentum_buffer is None:
            momentum_buffer = array_module(param).array(grad, copy=True)   # b_1 <- g_1: no dampening yet
        else:
            momentum_buffer *= momentum                     # b_t <- mu b_{t-1} + (1 - tau) g_t
            momentum_buffer += grad if dampening == 0 else (1 - dampening) * grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * grad                                      # theta <- theta - gamma g
    return momentum_buffer


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's ``torch.optim.SGD``).

    Algorithm (gamma = lr, lambda = weight_decay, mu = momentum, tau = dampening)::

        for t = 1, 2, ...:
            g_t <- -grad f(theta_{t-1})  if maximize  else  grad f(theta_{t-1})
            if lambda != 0:  g_t <- g_t + lambda theta_{t-1}
            if mu != 0:
                b_t <- g_t                             if t = 1 (the buffer starts as the gradient)
                b_t <- mu b_{t-1} + (1 - tau) g_t      otherwise
                g_t <- g_t + mu b_t   if nesterov  else  b_t
            theta_t <- theta_{t-1} - gamma g_t

    Momentum follows Sutskever, Martens, Dahl and Hinton, "On the importance of initialization
    and momentum in deep learning" (ICML 2013), in PyTorch's form: the learning rate scales the
    whole step, v <- mu v + g; theta <- theta - lr v. Nesterov momentum per the same paper.

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate (default 1e-3).
        momentum (float): momentum factor mu (default 0).
        dampening (float): dampening tau of the momentum (default 0).
        weight_decay (float): L2 penalty lambda, added to the gradient (default 0).
        nesterov (bool): Nesterov momentum; needs momentum > 0 and dampening 0 (default False).
        maximize (bool): ascend the objective instead of descending it (default False).
        foreach, differentiable, fused: PyTorch's implementation switches; only their
            defaults (None/False) are accepted.

    State per parameter: ``momentum_buffer`` (only with momentum). Sparse gradients (from
    ``nn.Embedding(sparse=True)``) are accepted and applied as the equivalent dense gradient,
    so the momentum buffer is dense (PyTorch keeps it sparse).
    """

    supports_sparse_grads = True

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        check_non_negative("momentum", momentum)
        check_non_negative("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def update(self, param, grad, state, group):
        if isinstance(grad, SparseTensor):
            grad = grad.to_dense().array
        buffer = state.get("momentum_buffer")
        options = dict(lr=group["lr"], momentum=group["momentum"], dampening=group["dampening"],
                       weight_decay=group["weight_decay"], nesterov=group["nesterov"], maximize=group["maximize"])
        if buffer is None and group["momentum"] != 0:  # the first step makes the buffer from the gradient
            state["momentum_buffer"] = as_state(sgd_update(param.array, grad, None, **options))
        else:
            elementwise(sgd_update, param.array, grad, None if buffer is None else buffer.array, **options)
