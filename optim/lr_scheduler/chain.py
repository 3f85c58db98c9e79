"""Schedulers made of schedulers: SequentialLR (one after the other) and ChainedScheduler (all at once).

Import them from ``optim.lr_scheduler``.
"""
from bisect import bisect_right

from optim.lr_scheduler.base import LRScheduler, check_increasing, group_values
from optim.lr_scheduler.plateau import ReduceLROnPlateau


class _SchedulerList(LRScheduler):
    """Shared by SequentialLR and ChainedScheduler: the checks on the members, and a state_dict
    that nests the members' state_dicts under ``_schedulers``."""

    def _check_members(self, optimizer, schedulers):
        name = type(self).__name__
        for index, scheduler in enumerate(schedulers):
            if not hasattr(scheduler, "optimizer"):
                raise TypeError(f"{name} at index {index} should have `optimizer` as its attribute.")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{name} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                                 f"kwargs to be specified when calling `step`, but got one at index {index} in the "
                                 f"given schedulers sequence.")
            if optimizer != scheduler.optimizer:
                raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, but got scheduler "
                                 f"{type(scheduler).__name__} at index {index} has {scheduler.optimizer}, which is "
                                 f"different from {type(optimizer).__name__}.")

    def state_dict(self):
        """Every attribute but the optimizer, with each member's state_dict in ``_schedulers``."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, member_state in zip(self._schedulers, saved):
            scheduler.load_state_dict(member_state)


class SequentialLR(_SchedulerList):
    """Run the schedulers one after the other, handing over at each milestone epoch (a warm-up
    followed by a decay, for instance)::

        scheduler in charge at epoch e = schedulers[number of milestones <= e]

    At a milestone the new scheduler starts from its own epoch 0 (its closed form at 0, i.e.
    the initial rates, where it has one); between milestones it steps as usual.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets; every scheduler must drive it.
    - schedulers (list, required): the schedulers, in order (not ReduceLROnPlateau).
    - milestones (list, required): increasing epochs at which the next scheduler takes over;
      one fewer than the schedulers.
    - last_epoch (default -1): the last epoch done.

    Constructing it resets every group's rate to ``initial_lr``, undoes the initial step of
    every scheduler, and redoes the first one's.
    """

    def __init__(self, optimizer, schedulers, milestones, last_epoch=-1):
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler, but got no scheduler.")
        self._check_members(optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be one more than the "
                             f"number of milestone points, but got number of schedulers {len(schedulers)} and the "
                             f"number of milestones to be equal to {len(milestones)}")
        self._schedulers = list(schedulers)
        self._milestones = check_increasing(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def recursive_undo(self, scheduler=None):
        """Take back the epoch that constructing each (possibly nested) scheduler counted."""
        scheduler = self if scheduler is None else scheduler
        if hasattr(scheduler, "_schedulers"):
            for member in scheduler._schedulers:
                self.recursive_undo(member)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self):
        """Move on one epoch: step the scheduler in charge, or start the next at its milestone."""
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_SchedulerList):
    """Step every scheduler at each step, so their effects compose: with ConstantLR(factor=0.5,
    total_iters=10) and ExponentialLR(gamma=0.9) the rate is base_lr * 0.9**epoch, halved for the
    first ten epochs. The schedulers must be chainable (not ReduceLROnPlateau).

    Arguments:

    - schedulers (sequence, required): the schedulers, stepped in this order.
    - optimizer (default None: the first scheduler's): the optimizer they all drive.

    It has no ``last_epoch`` of its own; ``get_last_lr()`` gives the rates after the last step.
    """

    def __init__(self, schedulers, optimizer=None):
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler to be chained, but got no "
                             f"scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        self._check_members(optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")

    def step(self):
        """Step every scheduler once."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")
