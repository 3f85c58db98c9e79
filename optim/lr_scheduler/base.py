"""The base class of every learning-rate scheduler, and the helpers the schedulers share.

Import the schedulers from ``optim.lr_scheduler``; this module holds only what they build on.
"""
import numbers
import types
import warnings

from optim.optimizer import Optimizer

# PyTorch's text, word for word, so that a learner can search for it.
ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate")
EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available.")
GET_LR_WARNING = "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."


class LRScheduler:
    """Base class of the schedulers: it sets ``group["lr"]`` of every parameter group once per ``step()``.

    A scheduler is a plain object that reads and writes ``optimizer.param_groups``; it never
    touches ``optimizer.step``. Constructing it records each group's starting rate as
    ``group["initial_lr"]`` (kept in ``base_lrs``) and performs an initial step that applies
    the epoch-0 rate. Each later ``step()`` adds one to ``last_epoch`` and asks ``get_lr()``
    for the new rates. Subclasses write ``get_lr()`` in PyTorch's recursive ("chainable") form,
    which scales the current ``group["lr"]``, so that several schedulers can act on one
    optimizer; where a closed form exists they also give ``_get_closed_form_lr()``.

    The training loop calls ``optimizer.step()`` and then ``scheduler.step()``; the reverse
    order skips the first rate of the schedule, and the first ``scheduler.step()`` warns when
    ``optimizer._step_count`` shows that the optimizer has not stepped yet.

    Arguments:

    - optimizer: the :class:`optim.Optimizer` whose learning rates are scheduled.
    - last_epoch (default -1): index of the last epoch done. -1 starts the schedule afresh
      (and sets ``initial_lr`` in every group); any other value resumes it, and then every
      group must already hold ``initial_lr`` (KeyError otherwise).

    Attributes: ``optimizer``, ``last_epoch``, ``base_lrs`` (the groups' ``initial_lr``).
    """

    _is_initial = False  # True during the construction step
    _get_lr_called_within_step = False

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{index}] when resuming "
                                   f"scheduler with last_epoch >= 0: load the optimizer's state_dict first, or "
                                   f"start a fresh run with last_epoch=-1")
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """The step taken at construction: it applies the rate of epoch ``last_epoch + 1``."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The rates for epoch ``last_epoch``, one per group (called by ``step()``; to read the
        current rates use :meth:`get_last_lr`)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def get_last_lr(self):
        """The rates the last ``step()`` set, one per group."""
        return self._last_lr

    def step(self, epoch=None):
        """Move on one epoch and set the new rates. ``epoch`` (deprecated, as in PyTorch) jumps
        to that epoch instead, using the closed form where the scheduler has one."""
        if self._step_count == 1 and getattr(self.optimizer, "_step_count", None) == 0:
            warnings.warn(ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            compute = self.get_lr
        else:
            self.last_epoch = epoch
            compute = getattr(self, "_get_closed_form_lr", self.get_lr)
        self._set_lrs(self._within_step(compute))

    def _within_step(self, compute):
        """Run ``compute`` with the flag that tells ``get_lr`` a step is calling it."""
        self._get_lr_called_within_step = True
        try:
            return compute()
        finally:
            self._get_lr_called_within_step = False

    def _warn_unless_within_step(self):
        # get_lr() of a chainable scheduler is only right inside step(); users want get_last_lr()
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_WARNING, UserWarning, stacklevel=3)

    def _set_lrs(self, values):
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError(f"{type(self).__name__} computed {len(values)} learning rates for "
                             f"{len(groups)} parameter groups")
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")

    def state_dict(self):
        """Every attribute but the optimizer, as a dict (save the optimizer's state_dict too)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the attributes saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)


# The name PyTorch used before 2.0; code that subclasses it keeps working.
_LRScheduler = LRScheduler


# ---- helpers shared by the schedulers -------------------------------------------------------

def check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def group_values(optimizer, key):
    """``group[key]`` of every parameter group, in order."""
    return [group[key] for group in optimizer.param_groups]


def per_group(name, optimizer, value):
    """``value`` repeated for every group, or the list/tuple itself when it has one entry per group."""
    check_optimizer(optimizer)
    count = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. "
                             f"{name} has {len(value)} values, param_groups has {count}.")
        return list(value)
    return [value] * count


def check_positive(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a positive number, but got {value!r}")


def check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, but got {value!r}")


def check_increasing(milestones):
    milestones = list(milestones)
    if any(not isinstance(m, numbers.Integral) for m in milestones) or milestones != sorted(milestones):
        raise ValueError(f"Milestones should be a list of increasing integers. Got {milestones}")
    return milestones


def function_states(functions):
    """What a state_dict keeps of user functions: nothing for a plain function or lambda (they
    cannot be pickled), a copy of the attributes of a callable object."""
    return [None if isinstance(fn, types.FunctionType) else dict(getattr(fn, "__dict__", {}))
            for fn in functions]


def restore_function_states(functions, states):
    for fn, attributes in zip(functions, states):
        if attributes is not None:
            fn.__dict__.update(attributes)
