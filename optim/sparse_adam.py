"""SparseAdam: the lazy variant of Adam for row-sparse gradients."""
import math

from minigrad.backend import array_module
from minigrad.sparse import SparseTensor
from optim.optimizer import Optimizer, check_betas, check_lr, zeros_state


def sparse_adam_update(param, rows, values, exp_avg, exp_avg_sq, step, *, lr, beta1, beta2, eps):
    """One SparseAdam step on arrays: only ``param[rows]`` and its moments change, in place.

    ``rows`` are unique row indices (a coalesced gradient) and ``values`` their gradient rows
    (already negated when maximizing); ``step`` is t, 1 first."""
    xp = array_module(param)
    old_exp_avg = exp_avg[rows]
    exp_avg_change = xp.subtract(values, old_exp_avg)
    exp_avg_change *= 1 - beta1                              # m_i <- m_i + (1 - beta1)(g_i - m_i)
    exp_avg[rows] += exp_avg_change
    old_exp_avg_sq = exp_avg_sq[rows]
    exp_avg_sq_change = xp.multiply(values, values)
    exp_avg_sq_change -= old_exp_avg_sq
    exp_avg_sq_change *= 1 - beta2                           # v_i <- v_i + (1 - beta2)(g_i^2 - v_i)
    exp_avg_sq[rows] += exp_avg_sq_change
    numerator = exp_avg_change + old_exp_avg                 # the new m_i
    denominator = exp_avg_sq_change + old_exp_avg_sq         # the new v_i ...
    xp.sqrt(denominator, out=denominator)
    denominator += eps                                       # ... as sqrt(v_i) + eps
    step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    numerator /= denominator
    numerator *= -step_size
    param[rows] += numerator                                 # theta_i <- theta_i - step_size m_i / (sqrt(v_i) + eps)


class SparseAdam(Optimizer):
    """Adam for sparse gradients, updating only the rows that have one (``torch.optim.SparseAdam``).

    Meant for ``nn.Embedding(sparse=True)``: its gradient holds only the rows looked up in the
    batch. The moments and weights of the other rows are left alone (they do not decay), which
    makes this the "lazy" Adam of TensorFlow rather than Adam proper.

    Algorithm (gamma = lr, epsilon = eps), for every row i present in the coalesced gradient
    (repeated rows summed)::

        t <- t + 1                       (once per step with a gradient, even an empty one)
        g_i <- -g_i  if maximize
        m_i <- m_i + (1 - beta1)(g_i - m_i)
        v_i <- v_i + (1 - beta2)(g_i^2 - v_i)
        theta_i <- theta_i - gamma sqrt(1 - beta2^t) / (1 - beta1^t) * m_i / (sqrt(v_i) + epsilon)

    Adam: Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015).

    Args:
        params: iterable of Tensors, or of dicts defining parameter groups.
        lr (float): learning rate, > 0 (default 1e-3).
        betas (Tuple[float, float]): decay rates of the two moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability, > 0 (default 1e-8).
        maximize (bool): ascend the objective instead of descending it (default False).

    State per parameter: ``step`` (a Python int, as PyTorch), ``exp_avg``, ``exp_avg_sq``.
    A dense gradient raises RuntimeError: use Adam for those.
    """

    supports_sparse_grads = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        check_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def update(self, param, grad, state, group):
        if not isinstance(grad, SparseTensor):
            raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        if not state:
            state["step"] = 0
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        state["step"] += 1
        grad = grad.coalesce()  # the update is not linear in g: each row must appear once
        if grad.indices_array.shape[0] == 0:
            return
        values = -grad.values_array if group["maximize"] else grad.values_array
        beta1, beta2 = group["betas"]
        sparse_adam_update(param.array, grad.indices_array, values, state["exp_avg"].array,
                           state["exp_avg_sq"].array, state["step"], lr=group["lr"], beta1=beta1, beta2=beta2,
                           eps=group["eps"])
