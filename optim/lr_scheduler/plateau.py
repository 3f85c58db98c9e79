"""ReduceLROnPlateau: the scheduler that follows a metric instead of the epoch count.

Import it from ``optim.lr_scheduler``.
"""
import math
import warnings

from optim.lr_scheduler.base import EPOCH_DEPRECATION_WARNING, LRScheduler, check_optimizer, group_values


class ReduceLROnPlateau(LRScheduler):
    """Cut the rate by ``factor`` when a metric (say the validation loss) has stopped improving
    for more than ``patience`` epochs. Call ``scheduler.step(metric)`` once per epoch::

        improved = metric < best * (1 - threshold)   (mode 'min', threshold_mode 'rel')
                   metric < best - threshold         (mode 'min', threshold_mode 'abs')
                   metric > best * (1 + threshold)   (mode 'max', threshold_mode 'rel')
                   metric > best + threshold         (mode 'max', threshold_mode 'abs')
        after more than `patience` epochs without improvement:
            lr = max(lr * factor, min_lr)   (skipped when it would change lr by eps or less),
            then `cooldown` epochs during which bad epochs are not counted.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - mode (default 'min'): 'min' when lower is better (a loss), 'max' when higher is (accuracy).
    - factor (float < 1, default 0.1): new_lr = lr * factor.
    - patience (int, default 10): epochs without improvement tolerated; the rate drops at the
      next one. With 0 the rate drops at every epoch that does not improve.
    - threshold (float, default 1e-4): how much better a metric must be to count as better.
    - threshold_mode (default 'rel'): 'rel' (relative to best) or 'abs' (absolute).
    - cooldown (int, default 0): epochs to wait after a cut before counting bad epochs again.
    - min_lr (float or list, default 0): the lowest rate, for all groups or per group.
    - eps (float, default 1e-8): cuts smaller than this are skipped.

    Unlike the other schedulers, constructing it changes no rate, and ``last_epoch`` starts at 0.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0, eps=1e-8):
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        self.factor = factor
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = group_values(optimizer, "lr")
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    def _reset(self):
        """Forget the best metric, the bad epochs and the cooldown."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, metric, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def step(self, metrics, epoch=None):
        """Record this epoch's metric (a number or a one-element tensor) and cut the rate if it
        has stalled. ``epoch`` is deprecated, as in PyTorch."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = group_values(self.optimizer, "lr")

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since construction
            if self.default_min_lr is None:
                raise RuntimeError(f"The number of param groups in the `optimizer` ({len(groups)}) differs from "
                                   f"when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), usually due "
                                   f"to a new param group being added to the optimizer. Please modify the "
                                   f"`min_lrs` field to match the length of the `optimizer` param groups.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
