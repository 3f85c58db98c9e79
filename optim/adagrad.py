"""Adagrad: every weight gets its own step size, which shrinks as its squared gradients add up."""
from minigrad.backend import array_module
from minigrad.kernels.parallel import elementwise
from minigrad.sparse import SparseTensor
from optim.optimizer import Optimizer, addcdiv_, check_common, increment, scalar_state, zeros_state


def adagrad_update(param, grad, state_sum, step, lr, lr_decay, eps, weight_decay, maximize):
    """One Adagrad step on arrays, in place; ``step`` counts this step (1 on the first)."""
    xp = array_module(param)
    if maximize:
        grad = -grad
    if weight_decay != 0:
        grad = grad + weight_decay * param
    decayed_lr = lr / (1 + (step - 1) * lr_decay)
    state_sum += grad * grad
    std = xp.sqrt(state_sum)
    std += eps
    addcdiv_(param, grad, std, value=-decayed_lr)


def sparse_adagrad_update(param, indices, values, state_sum, step, lr, lr_decay, eps, maximize):
    """Adagrad on the rows of a coalesced row-sparse gradient only (the rows it leaves out keep
    their weights and sums): PyTorch's sparse path, for ``nn.Embedding(sparse=True)``."""
    xp = array_module(param)
    if maximize:
        values = -values
    decayed_lr = lr / (1 + (step - 1) * lr_decay)
    state_sum[indices] += values * values
    std = xp.sqrt(state_sum[indices])
    std += eps
    param[indices] += (values / std) * -decayed_lr


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization", JMLR 12, 2011).

    Frequent features get small steps and rare ones large steps, because each weight's step is
    divided by the root of the sum of all its past squared gradients::

        input: lr, lr_decay, weight_decay, initial_accumulator_value, eps
        sum_0 = initial_accumulator_value                 (for every weight, at construction)
        for t = 1, 2, ...:
            g_t   = -grad if maximize else grad
            g_t   = g_t + weight_decay * w_{t-1}          (if weight_decay != 0)
            lr_t  = lr / (1 + (t - 1) * lr_decay)
            sum_t = sum_{t-1} + g_t^2
            w_t   = w_{t-1} - lr_t * g_t / (sqrt(sum_t) + eps)

    Arguments:
        params: an iterable of parameters, or of dicts defining parameter groups.
        lr (float, default 1e-2): learning rate.
        lr_decay (float, default 0): the learning rate at step t is lr / (1 + (t - 1) * lr_decay).
        weight_decay (float, default 0): L2 penalty, added to the gradient.
        initial_accumulator_value (float, default 0): starting value of every sum of squares.
        eps (float, default 1e-10): added to the denominator for numerical stability.
        maximize (bool, default False): climb the objective instead of descending it.

    State per parameter (created at construction, as PyTorch does): ``step`` (a float32 count)
    and ``sum``. Row-sparse gradients (``nn.Embedding(sparse=True)``) update only their rows;
    they do not combine with weight_decay. ``foreach``, ``differentiable`` and ``fused`` are
    accepted for PyTorch compatibility; only their default (off) is implemented.
    """

    supports_sparse_grads = True

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
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param, self.state[param])

    def _init_state(self, param, state):
        # PyTorch fills every sum from the constructor's value, whatever a group says
        state["step"] = scalar_state(0.0, param)
        state["sum"] = zeros_state(param, self.defaults["initial_accumulator_value"])

    def update(self, param, grad, state, group):
        if not state:  # a parameter added by add_param_group after construction
            self._init_state(param, state)
        step = increment(state["step"])
        if isinstance(grad, SparseTensor):
            if group["weight_decay"] != 0:
                raise RuntimeError("weight_decay option is not compatible with sparse gradients")
            grad = grad.coalesce()
            sparse_adagrad_update(param.array, grad.indices_array, grad.values_array, state["sum"].array, step,
                                  group["lr"], group["lr_decay"], group["eps"], group["maximize"])
            return
        elementwise(adagrad_update, param.array, grad, state["sum"].array, step=step, lr=group["lr"],
                    lr_decay=group["lr_decay"], eps=group["eps"], weight_decay=group["weight_decay"],
                    maximize=group["maximize"])
