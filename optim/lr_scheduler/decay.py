"""The decays: StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
CosineAnnealingLR, LambdaLR and MultiplicativeLR."""
import math
from bisect import bisect_right
from collections import Counter

from optim.lr_scheduler.base import LRScheduler
from optim.lr_scheduler.base import (check_increasing, check_optimizer, check_positive, check_positive_int,
                                     function_states, group_values, per_group, restore_function_states)

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
           "OneCycleLR", "ReduceLROnPlateau", "SequentialLR", "ChainedScheduler"]


class _FunctionScheduler(LRScheduler):
    """Shared by LambdaLR and MultiplicativeLR: one user function per group, left out of state_dict."""

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        groups = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)) and len(lr_lambda) != groups:
            raise ValueError(f"Expected {groups} lr_lambdas, but got {len(lr_lambda)}")
        self.lr_lambdas = per_group("lr_lambda", optimizer, lr_lambda)
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """Every attribute but the optimizer; of each lr_lambda only a callable object's attributes."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = function_states(self.lr_lambdas)
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        self.__dict__.update(state)
        restore_function_states(self.lr_lambdas, saved)


class LambdaLR(_FunctionScheduler):
    """Set each group's rate to its initial rate times a function of the epoch::

        lr = base_lr * lr_lambda(epoch)

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - lr_lambda (required): a function of the integer epoch giving the factor, or a list of
      such functions, one per group.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.

    ``state_dict()`` cannot save plain functions or lambdas: it keeps None for them (and the
    attributes of callable objects), so the functions come from the constructor on reload.
    """

    def get_lr(self):
        self._warn_unless_within_step()
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_FunctionScheduler):
    """Multiply each group's current rate by a function of the epoch at every step::

        lr_epoch = lr_(epoch-1) * lr_lambda(epoch)      for epoch >= 1; lr_0 = base_lr

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - lr_lambda (required): a function of the integer epoch giving the factor, or a list of
      such functions, one per group.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.

    The lambdas are left out of ``state_dict()`` as in :class:`LambdaLR`.
    """

    def get_lr(self):
        self._warn_unless_within_step()
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        return [group["lr"] * fn(self.last_epoch) for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """Decay each group's rate by ``gamma`` every ``step_size`` epochs (the tutorial's scheduler)::

        lr = base_lr * gamma ** (epoch // step_size)

    With the tutorial's ``StepLR(optimizer, step_size=10, gamma=0.1)`` and lr 0.0125, epochs 0-9
    train at 0.0125, epochs 10-19 at 0.00125, and so on.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - step_size (int, required): epochs between two decays.
    - gamma (float, default 0.1): the decay factor.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_positive_int("step_size", step_size)
        check_positive("gamma", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Decay each group's rate by ``gamma`` at every milestone epoch::

        lr = base_lr * gamma ** (number of milestones <= epoch)

    A milestone listed twice decays twice.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - milestones (required): increasing epoch indices.
    - gamma (float, default 0.1): the decay factor.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        check_positive("gamma", gamma)
        self.milestones = Counter(check_increasing(milestones))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self.last_epoch not in self.milestones:
            return group_values(self.optimizer, "lr")
        decay = self.gamma ** self.milestones[self.last_epoch]
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        passed = bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base_lr * self.gamma ** passed for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """Run at a fraction of each group's rate for the first ``total_iters`` epochs::

        lr = base_lr * factor   if epoch < total_iters,   else base_lr

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - factor (float in [0, 1], default 1/3): the fraction of the rate used at first.
    - total_iters (int, default 5): epochs run at the reduced rate.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return group_values(self.optimizer, "lr")
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Move each group's rate linearly from ``start_factor`` to ``end_factor`` times its
    initial rate over ``total_iters`` epochs (a warm-up when start_factor < end_factor)::

        lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters)

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - start_factor (float in (0, 1], default 1/3): the fraction of the rate at epoch 0.
    - end_factor (float in [0, 1], default 1.0): the fraction reached at ``total_iters``.
    - total_iters (int, default 5): epochs the change takes.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return group_values(self.optimizer, "lr")
        change = self.end_factor - self.start_factor
        # ratio of the closed form at this epoch to the one at the previous epoch
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Decay each group's rate by ``gamma`` every epoch::

        lr = base_lr * gamma ** epoch

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - gamma (float, required): the decay factor per epoch.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_positive("gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self._is_initial:  # resuming must not decay one epoch ahead
            return group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay each group's rate polynomially to zero over ``total_iters`` epochs::

        lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - total_iters (int, default 5): epochs to reach zero.
    - power (float, default 1.0): the polynomial's power (1 is a straight line).
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        if self._is_initial or self.last_epoch > self.total_iters:
            return group_values(self.optimizer, "lr")
        decay = ((1.0 - self.last_epoch / self.total_iters) /
                 (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        remaining = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * remaining ** self.power for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's rate along half a cosine from its initial rate to ``eta_min`` in
    ``T_max`` epochs, then back up (the schedule of SGDR without restarts: Loshchilov &
    Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017)::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

    ``get_lr()`` applies PyTorch's recursive form of it, which follows the formula while no
    other scheduler changes the rate::

        lr_t = eta_min + (lr_(t-1) - eta_min) * (1 + cos(pi t / T_max)) / (1 + cos(pi (t-1) / T_max))

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - T_max (int, required): epochs of the half period, from the initial rate down to eta_min.
    - eta_min (float, default 0.0): the lowest rate.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803 - PyTorch's names
        check_positive("T_max", T_max)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        epoch, period, low = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return group_values(self.optimizer, "lr")
        if (epoch - 1 - period) % (2 * period) == 0:  # at the bottom the ratio below would be 0/0
            return [group["lr"] + (base_lr - low) * (1 - math.cos(math.pi / period)) / 2
                    for base_lr, group in zip(self.base_lrs, self.optimizer.param_groups)]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
        return [ratio * (group["lr"] - low) + low for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]
