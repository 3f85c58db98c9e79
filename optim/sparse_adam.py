"""SparseAdam: Adam for row-sparse gradients (from ``nn.Embedding(sparse=True)``): only the rows
present in the gradient have their moments and weights updated, the "lazy" Adam variant.

For each row i in the (coalesced) gradient:
    m_i <- m_i + (1 - beta1)(g_i - m_i);  v_i <- v_i + (1 - beta2)(g_i^2 - v_i)
    w_i <- w_i - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m_i / (sqrt(v_i) + eps)
"""
from minigrad.backend import array_module
from minigrad.sparse import SparseTensor
from optim.optimizer import Optimizer, check_betas, check_common, zeros_state


def sparse_adam_update(param, indices, values, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps):
    xp = array_module(param)
    old_avg, old_avg_sq = exp_avg[indices], exp_avg_sq[indices]
    avg_update = (values - old_avg) * (1 - beta1)
    exp_avg[indices] += avg_update
    avg_sq_update = (values * values - old_avg_sq) * (1 - beta2)
    exp_avg_sq[indices] += avg_sq_update
    numer = avg_update + old_avg
    denom = xp.sqrt(avg_sq_update + old_avg_sq) + eps
    step_size = lr * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
    param[indices] += -step_size * (numer / denom)


class SparseAdam(Optimizer):
    """SparseAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False): needs sparse gradients."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        check_common(lr, eps)
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _gradient(self, param):
        if not isinstance(param.grad, SparseTensor):
            raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
        return param.grad

    def update(self, param, grad, state, group):
        grad = grad.coalesce()
        if grad.indices_array.size == 0:
            return
        if not state:
            state["step"] = 0
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        state["step"] += 1
        values = -grad.values_array if group["maximize"] else grad.values_array
        beta1, beta2 = group["betas"]
        sparse_adam_update(param.array, grad.indices_array, values, state["exp_avg"].array, state["exp_avg_sq"].array,
                           state["step"], group["lr"], beta1, beta2, group["eps"])
