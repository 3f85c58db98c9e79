"""Schedulers whose rate goes up again: cosine annealing with warm restarts, cyclical rates,
and the 1cycle policy (the last two also cycle the momentum, or Adam's beta1, the other way).

Import them from ``optim.lr_scheduler``.
"""
import math

from optim.lr_scheduler.base import LRScheduler, function_states, per_group

BUILTIN_SCALE_MODES = {"triangular": "cycle", "triangular2": "cycle", "exp_range": "iterations"}


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing that restarts from the initial rate every ``T_i`` epochs, the period
    growing by ``T_mult`` after each restart (Loshchilov & Hutter, "SGDR: Stochastic Gradient
    Descent with Warm Restarts", ICLR 2017)::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``T_cur`` counts epochs since the last restart; ``T_0``, ``T_0 * T_mult``, ... are the
    periods. ``step()`` moves on one epoch; ``step(epoch)`` jumps to any epoch, fractional ones
    included, so it can be stepped per batch with ``step(epoch + batch / batches)``.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - T_0 (int, required): epochs until the first restart.
    - T_mult (int, default 1): factor by which the period grows after each restart.
    - eta_min (float, default 0.0): the lowest rate.
    - last_epoch (default -1): the last epoch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):  # noqa: N803 - PyTorch's names
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        self._warn_unless_within_step()
        cosine = 1 + math.cos(math.pi * self.T_cur / self.T_i)
        return [self.eta_min + (base_lr - self.eta_min) * cosine / 2 for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Move on one epoch, or to ``epoch`` (a float is fine). As in PyTorch this override
        neither counts steps nor warns about the order of the optimizer's and scheduler's steps."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self.T_cur, self.T_i = self._position(epoch)
        self.last_epoch = math.floor(epoch)
        self._set_lrs(self._within_step(self.get_lr))

    def _position(self, epoch):
        """(T_cur, T_i) at ``epoch``: periods T_0 * T_mult**k fit before it, what is left is T_cur."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_i
        restarts = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        done = self.T_0 * (self.T_mult ** restarts - 1) / (self.T_mult - 1)
        return epoch - done, self.T_0 * self.T_mult ** restarts


def _uses_beta1(optimizer):
    """Whether the momentum to cycle is Adam's beta1 (else the optimizer's ``momentum``)."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
    return "betas" in optimizer.defaults


def _set_momentum(group, use_beta1, value):
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


def _start_momentum_cycle(optimizer, use_beta1, max_momentums, base_momentums):
    for high, low, group in zip(max_momentums, base_momentums, optimizer.param_groups):
        _set_momentum(group, use_beta1, high)
        group["max_momentum"], group["base_momentum"] = high, low


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, "Cyclical Learning Rates for Training Neural Networks",
    WACV 2017): the rate climbs from ``base_lr`` to ``max_lr`` in ``step_size_up`` steps, falls
    back in ``step_size_down`` steps, and starts again. Step it after every batch::

        cycle = floor(1 + t / (up + down));   x = 1 + t / (up + down) - cycle       (0 <= x < 1)
        height = x / r if x <= r else (x - 1) / (r - 1)      with r = up / (up + down)
        lr = base_lr + (max_lr - base_lr) * height * scale_fn(cycle or t)
        momentum = max_momentum - (max_momentum - base_momentum) * height * scale_fn(cycle or t)

    ``mode`` picks scale_fn: 'triangular' (1), 'triangular2' (halved every cycle:
    1 / 2**(cycle - 1)), 'exp_range' (gamma**t, t counting iterations). With
    ``cycle_momentum`` the momentum (Adam's beta1 for optimizers with ``betas``) moves the
    opposite way, from max_momentum down to base_momentum at the peak.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - base_lr (float or list, required): the lower rate of each group (set at construction).
    - max_lr (float or list, required): the upper rate of each group.
    - step_size_up (int, default 2000): steps of the rising half of a cycle.
    - step_size_down (int, default None: same as step_size_up): steps of the falling half.
    - mode (default 'triangular'): 'triangular', 'triangular2' or 'exp_range'; ignored when
      scale_fn is given.
    - gamma (float, default 1.0): the base of 'exp_range'.
    - scale_fn (function, default None): a custom amplitude factor in [0, 1].
    - scale_mode (default 'cycle'): evaluate scale_fn at the cycle number ('cycle') or at
      the step count ('iterations'); used only with scale_fn.
    - cycle_momentum (bool, default True): cycle the momentum too; the optimizer must have
      ``momentum`` or ``betas`` (ValueError otherwise).
    - base_momentum (float or list, default 0.8), max_momentum (float or list, default 0.9).
    - last_epoch (default -1): the last batch done; -1 starts afresh, another value resumes a run.

    ``state_dict()`` keeps scale_fn only if it is a callable object (its attributes).
    """

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        base_lrs = per_group("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = per_group("max_lr", optimizer, max_lr)
        self.total_size, self.step_ratio = self._cycle_shape(step_size_up, step_size_down)
        if mode not in BUILTIN_SCALE_MODES and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_fn is not None and scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', but got {scale_mode!r}")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else BUILTIN_SCALE_MODES[mode]
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _uses_beta1(optimizer)
            self.base_momentums = per_group("base_momentum", optimizer, base_momentum)
            self.max_momentums = per_group("max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                _start_momentum_cycle(optimizer, self.use_beta1, self.max_momentums, self.base_momentums)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    @staticmethod
    def _cycle_shape(step_size_up, step_size_down):
        """(steps per cycle, fraction of them rising)."""
        if not step_size_up > 0:
            raise ValueError(f"step_size_up must be positive, but got {step_size_up}")
        if step_size_down is not None and step_size_down < 0:
            raise ValueError(f"step_size_down must be non-negative, but got {step_size_down}")
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        return up + down, up / (up + down)

    def scale_fn(self, x):
        """The amplitude factor at cycle (or step) ``x``."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        """The rates at step ``last_epoch``; sets the momentum as a side effect."""
        self._warn_unless_within_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        height = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * height * scale for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(group, self.use_beta1, high - (high - low) * height * scale)
        return lrs

    def state_dict(self):
        state = super().state_dict()
        custom = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None if custom is None else function_states([custom])[0]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("_scale_fn_custom", None)
        super().load_state_dict(state)
        if saved is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, "Super-Convergence: Very Fast Training of Neural
    Networks Using Large Learning Rates", 2018): the rate warms up from
    ``initial_lr = max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    ``total_steps``, then anneals to ``min_lr = initial_lr / final_div_factor``; the momentum
    (Adam's beta1 for optimizers with ``betas``) goes the opposite way. Step it after every
    batch; stepping past ``total_steps`` raises ValueError. Within a phase from a to b::

        cos:    value = b + (a - b) * (1 + cos(pi * pct)) / 2
        linear: value = a + (b - a) * pct,      pct = fraction of the phase done

    Phases (two by default, as fastai): initial_lr -> max_lr -> min_lr; with ``three_phase``
    (as the paper): initial_lr -> max_lr -> initial_lr (symmetric), then -> min_lr.

    Arguments:

    - optimizer: the optimizer whose groups' ``lr`` this sets.
    - max_lr (float or list, required): the peak rate of each group.
    - total_steps (int, default None): steps in the cycle; or give epochs and steps_per_epoch.
    - epochs (int, default None), steps_per_epoch (int, default None): total_steps is their
      product when total_steps is None.
    - pct_start (float, default 0.3): the fraction of the steps spent warming up.
    - anneal_strategy (default 'cos'): 'cos' or 'linear'.
    - cycle_momentum (bool, default True): cycle the momentum too; the optimizer must have
      ``momentum`` or ``betas`` (ValueError otherwise).
    - base_momentum (float or list, default 0.85): the momentum at the peak rate.
    - max_momentum (float or list, default 0.95): the momentum at the start and the end.
    - div_factor (float, default 25.0), final_div_factor (float, default 1e4): see above.
    - three_phase (bool, default False): the paper's three phases instead of two.
    - last_epoch (default -1): the last batch done; -1 starts afresh, another value resumes a run.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        self.total_steps = self._count_steps(total_steps, epochs, steps_per_epoch)
        self._schedule_phases = self._phases(pct_start, three_phase)
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy
        max_lrs = per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = _uses_beta1(optimizer)
            max_momentums = per_group("max_momentum", optimizer, max_momentum)
            base_momentums = per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                _start_momentum_cycle(optimizer, self.use_beta1, max_momentums, base_momentums)
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _count_steps(total_steps, epochs, steps_per_epoch):
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            return total_steps
        if epochs is None or steps_per_epoch is None:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(epochs, int) or epochs <= 0:
            raise ValueError(f"Expected positive integer epochs, but got {epochs}")
        if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
            raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
        return epochs * steps_per_epoch

    def _phases(self, pct_start, three_phase):
        """Each phase: its last step, and the group keys its lr and momentum go from and to."""
        def phase(end_step, start_lr, end_lr, start_momentum, end_momentum):
            return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
                    "start_momentum": start_momentum, "end_momentum": end_momentum}
        warm_up = phase(float(pct_start * self.total_steps) - 1, "initial_lr", "max_lr", "max_momentum",
                        "base_momentum")
        if not three_phase:
            return [warm_up, phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        return [warm_up,
                phase(float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum",
                      "max_momentum"),
                phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        """The rates at step ``last_epoch``; sets the momentum as a side effect."""
        self._warn_unless_within_step()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, phase in enumerate(self._schedule_phases):
                if step <= phase["end_step"] or index == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (phase["end_step"] - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(group, self.use_beta1, momentum)
                    break
                start_step = phase["end_step"]
        return lrs
