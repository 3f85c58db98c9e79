"""The Optimizer base class: parameter groups, lazy per-parameter state, state_dict.

What a user sees (PyTorch's attributes and methods):

- ``defaults``: the hyper-parameters given to the constructor;
- ``param_groups``: a list of dicts, each with ``params`` (a list of Tensors) and its own
  hyper-parameters, missing ones filled from ``defaults``; this is how one optimizes only part
  of a network, or gives each part its own learning rate;
- ``state``: a dict from parameter to its buffers (``momentum_buffer``, ``step``, ``exp_avg``...),
  created on the first step that parameter takes;
- ``_step_count``: how many times ``step()`` ran (learning-rate schedulers read it);
- ``zero_grad(set_to_none=True)``, ``step(closure=None)``, ``add_param_group(group)``,
  ``state_dict()``, ``load_state_dict(state_dict)``.

API for subclasses (each optimizer file is one class plus one update function on arrays):

1. ``__init__`` validates its hyper-parameters (``check_lr``, ``check_betas``,
   ``check_non_negative``; PyTorch's ValueError messages) and calls
   ``super().__init__(params, defaults)``; a default of ``required`` must be given by every group.
   Keys ``foreach``, ``fused``, ``capturable`` and ``differentiable`` may sit in ``defaults`` (so
   ``repr`` matches PyTorch's) but only False/None are accepted: anything else raises
   NotImplementedError, per group too.
2. ``update(param, grad, state, group)`` is called by ``step()`` inside ``minigrad.no_grad()``
   for each parameter, group by group in order, whose ``.grad`` is not None. ``param`` is the
   Tensor (change ``param.array`` in place), ``grad`` the raw gradient array (NumPy or CuPy;
   never modify it; ``maximize`` is not applied yet), ``state`` this parameter's dict (empty on
   its first update: create the buffers then, as Tensors, with ``zeros_state``/``scalar_state``),
   ``group`` its hyper-parameters. A parameter whose state stays empty gets no ``state`` entry
   (SGD without momentum, as PyTorch). A sparse gradient raises RuntimeError ("<Name> does not
   support sparse gradients" + the class's ``sparse_grad_hint``) unless the class sets
   ``supports_sparse_grads = True``, in which case ``grad`` is the ``SparseTensor`` itself.
   After ``update`` the parameter's version counter is bumped, as PyTorch's in-place ops do.
3. A subclass that overrides ``step()`` (LBFGS) must evaluate the closure itself, run its
   updates under ``no_grad`` and add 1 to ``self._step_count``.

Helpers for update functions: ``lerp_``, ``addcmul_``, ``addcdiv_`` (PyTorch's in-place ops on
raw arrays, with its order of floating-point operations, one temporary each), ``increment``
(count a 0-d 'step' tensor, returns the new count), ``zeros_state(param, fill=0.0)`` and
``scalar_state(value)`` (state buffers), ``as_state(array)`` (wrap an array as a state Tensor).

state_dict() follows PyTorch's layout, ``{"state": {0: {...}, ...}, "param_groups": [{...,
"params": [0, 1]}, ...]}`` with ids counted across groups in order, but its tensors are copies
(PyTorch hands out references), so a saved dict does not change as training goes on.
load_state_dict() moves buffers to each parameter's device and casts floating ones to its
dtype, except 0-d counters (``step``, NAdam's ``mu_product``...): those stay CPU tensors of their
saved dtype, so a resumed run continues bit-identically (PyTorch leaves only ``step`` alone and
casts the other 0-d counters, which makes its own float64 NAdam resume drift by float32 rounding).
"""
import copy
import math
import numbers
import warnings
from collections import defaultdict
from itertools import chain

import minigrad
from minigrad.autograd import zero_grads
from minigrad.backend import array_module
from minigrad.sparse import SparseTensor
from minigrad.engine import Tensor
from minigrad.kernels.parallel import gathered_elementwise

UNSUPPORTED_FLAGS = ("foreach", "fused", "capturable", "differentiable")


class _RequiredParameter:
    """Marks a hyper-parameter that has no default: every param group must give it."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of every optimizer: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of Tensors, or of dicts (param groups) each with a ``params``
    entry and any hyper-parameters that differ from ``defaults``. See the module docstring for
    what subclasses implement.
    """

    supports_sparse_grads = False
    sparse_grad_hint = ""  # appended to the "does not support sparse gradients" error
    state_shaped_like_params = True  # every buffer is 0-d or shaped like its parameter (not LBFGS's)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._step_count = 0
        if isinstance(params, (Tensor, dict, set)) or not hasattr(params, "__iter__"):
            hint = " (sets are unordered: use a list)" if isinstance(params, set) else ""
            raise TypeError(f"params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}{hint}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group: a dict with ``params`` and the hyper-parameters that differ from ``defaults``.

        Useful when fine-tuning: layers frozen so far can join the optimization mid-run.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise KeyError("param_group must have a 'params' entry (the Tensors to optimize)")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        params = [params] if isinstance(params, Tensor) else list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__name__}")
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        if "lr" in param_group and param_group["lr"] is not required:
            check_lr(param_group["lr"])
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        _reject_unsupported_flags(type(self).__name__, group)
        ids = [id(param) for param in params]
        if len(set(ids)) != len(ids):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error", UserWarning, stacklevel=2)
        taken = {id(param) for other in self.param_groups for param in other["params"]}
        if taken.intersection(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forget every gradient (``set_to_none=True``) or fill it with zeros in place.

        Gradients accumulate across ``backward()`` calls until this is called."""
        zero_grads(self._all_params(), set_to_none)

    def step(self, closure=None):
        """One update of every parameter whose ``.grad`` is set; returns ``closure()``'s loss.

        ``closure`` (optional) re-evaluates the model and returns the loss; it runs with
        gradients enabled, before the update."""
        loss = None
        if closure is not None:
            with minigrad.enable_grad():
                loss = closure()
        with minigrad.no_grad(), gathered_elementwise():  # the updates run together at the end
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    state = self.state.get(param, {})
                    self.update(param, self._gradient(param), state, group)
                    if state:  # as PyTorch, no entry for a parameter that keeps no buffers
                        self.state[param] = state
                    param._version_counter[0] += 1  # an in-place change, as autograd must know
        self._step_count += 1
        return loss

    def update(self, param, grad, state, group):
        """Update one parameter in place (see the module docstring); subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define update(param, grad, state, group)")

    def _gradient(self, param):
        grad = param.grad
        if isinstance(grad, SparseTensor):
            if self.supports_sparse_grads:
                return grad
            raise RuntimeError(f"{type(self).__name__} does not support sparse gradients{self.sparse_grad_hint}")
        return grad.array

    def _all_params(self):
        return chain.from_iterable(group["params"] for group in self.param_groups)

    # ---- saving and restoring ------------------------------------------------------------

    def state_dict(self):
        """``{"state": {id: buffers}, "param_groups": [{..., "params": [ids]}]}``.

        Ids number the parameters across groups in order, as PyTorch does. Everything is a copy:
        later steps (or edits to the dict) change nothing on the other side."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {key: _copy_state(value) for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(param), len(index)) for param in group["params"]]
            groups.append(packed)
        state = {}
        for key, buffers in self.state.items():
            if isinstance(key, Tensor):
                if not buffers:  # left by a user's lookup into the defaultdict
                    continue
                key = index[id(key)]
            state[key] = _copy_state(buffers)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore buffers and hyper-parameters saved by :meth:`state_dict`.

        Parameters are matched by position (group by group); each group keeps its current
        ``params`` and takes every other entry from the saved dict. Nothing is shared with
        ``state_dict``: buffers are copied, cast to their parameter's device and (when
        floating, except 0-d counters such as 'step') dtype."""
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        by_id = dict(zip(chain.from_iterable(saved["params"] for saved in saved_groups), self._all_params()))
        state = defaultdict(dict)
        for key, buffers in state_dict["state"].items():
            if key in by_id:
                param = by_id[key]
                if self.state_shaped_like_params:
                    _check_shapes(key, buffers, param)
                state[param] = {name: _cast_like(value, param) for name, value in buffers.items()}
            else:  # not one of ours: kept as it is, as PyTorch does
                state[key] = copy.deepcopy(buffers)
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            for name, default in self.defaults.items():  # an older save may lack newer options
                if default is not required:
                    saved.setdefault(name, default)
            if "lr" in saved:
                check_lr(saved["lr"])
            _reject_unsupported_flags(type(self).__name__, saved)
        self.state, self.param_groups = state, saved_groups

    def __repr__(self):
        text = f"{type(self).__name__} ("
        for number, group in enumerate(self.param_groups):  # PyTorch's layout: a blank line between groups
            text += f"\nParameter Group {number}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"


def _reject_unsupported_flags(name, group):
    for flag in UNSUPPORTED_FLAGS:
        if group.get(flag):
            raise NotImplementedError(f"{name}: {flag}={group[flag]!r} is not supported; minigrad implements "
                                      f"PyTorch's single-tensor update only (leave {flag} False or None)")


def _copy_state(value):
    """A deep copy of a state entry, Tensors cloned (they share nothing with the optimizer)."""
    if isinstance(value, Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {key: _copy_state(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_state(item) for item in value)
    return copy.deepcopy(value)


def _check_shapes(key, buffers, param):
    """A buffer of another shape than its parameter would only fail at the next step, deep in
    the update: refuse it here, naming it."""
    if not isinstance(buffers, dict):
        raise TypeError(f"loaded state dict has state {type(buffers).__name__} for parameter {key}; expected a dict")
    for name, value in buffers.items():
        if isinstance(value, Tensor) and value.ndim and tuple(value.shape) != tuple(param.shape):
            raise ValueError(f"loaded state dict has '{name}' of shape {tuple(value.shape)} for parameter {key} "
                             f"of shape {tuple(param.shape)}")


def _cast_like(value, param):
    """A copy of a saved state entry: buffers move to ``param``'s device and, when floating,
    take its dtype; 0-d counters ('step', 'mu_product') keep their CPU place and dtype."""
    if isinstance(value, Tensor):
        value = value.detach()
        if value.ndim:
            value = value.to(param.device)
            if value.is_floating_point() and param.is_floating_point():
                value = value.to(param.dtype)
        return value.clone()
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_like(item, param) for item in value)
    if isinstance(value, dict):
        return {key: _cast_like(item, param) for key, item in value.items()}
    return copy.deepcopy(value)


# ---- validation shared by the optimizers (PyTorch's messages) -----------------------------

def check_lr(lr):
    """lr must be a finite number >= 0: a string would fail at the first step, deep in the update,
    and an infinite or NaN rate turns every weight into NaN (PyTorch lets those through)."""
    if isinstance(lr, Tensor) and lr.numel() == 1:
        lr = lr.item()
    if not isinstance(lr, numbers.Real):
        raise TypeError(f"Invalid learning rate: {lr!r} (lr must be a number, got {type(lr).__name__})")
    if not (math.isfinite(lr) and 0.0 <= lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def check_non_negative(name, value, label=None):
    """ValueError("Invalid <label or name> value: <value>") unless value >= 0; TypeError for
    what is not a number."""
    if not isinstance(value, (numbers.Real, Tensor)):
        raise TypeError(f"Invalid {label or name} value: {value!r} ({name} must be a number, got "
                        f"{type(value).__name__})")
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name} value: {value}")


def check_betas(betas):
    if not isinstance(betas, (tuple, list)) or not all(isinstance(beta, (numbers.Real, Tensor)) for beta in betas):
        raise TypeError(f"betas must be a pair of numbers (beta1, beta2), got {betas!r}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    for position, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {position}: {beta}")


def check_common(lr, eps=None, weight_decay=None):
    """The checks most optimizers start with: lr, then eps, then weight_decay, each >= 0."""
    check_lr(lr)
    if eps is not None:
        check_non_negative("eps", eps, "epsilon")
    if weight_decay is not None:
        check_non_negative("weight_decay", weight_decay)


# ---- state buffers -------------------------------------------------------------------------

def as_state(array):
    """Wrap a buffer array as a Tensor, the form ``state`` and ``state_dict`` hold."""
    return Tensor._wrap(array, None, False)


def zeros_state(param, fill=0.0):
    """A buffer shaped like ``param`` (same dtype and device), filled with ``fill``."""
    return minigrad.full_like(param.detach(), fill)


def scalar_state(value, param=None):
    """A 0-d CPU tensor in PyTorch's scalar dtype (float32 unless the default dtype is float64):
    the form of 'step' and NAdam's 'mu_product'. It stays on the CPU whatever ``param``'s device,
    as PyTorch keeps 'step', so reading it never waits for the GPU."""
    dtype = minigrad.float64 if minigrad.get_default_dtype() == minigrad.float64 else minigrad.float32
    return minigrad.tensor(value, dtype=dtype, device="cpu")


def increment(step):
    """Add one to a 0-d 'step' tensor in place; return the new count as a Python float."""
    step.array += 1
    return float(step.array)


# ---- PyTorch's in-place ops on raw arrays, with its order of floating-point operations -----

def lerp_(start, end, weight):
    """start <- start + weight * (end - start), in place, returned.

    As PyTorch: ``weight`` rounded to the arrays' dtype first; from ``end`` when weight >= 0.5
    (exact at weight = 1), else from ``start``."""
    xp = array_module(start)
    weight = start.dtype.type(weight)
    difference = xp.subtract(end, start)
    if abs(weight) < 0.5:
        difference *= weight
        start += difference
    else:
        difference *= 1 - weight
        xp.subtract(end, difference, out=start)
    return start


def addcmul_(target, first, second, value=1.0):
    """target <- target + value * first * second, in place, returned (one temporary)."""
    product = array_module(target).multiply(first, value)
    product *= second
    target += product
    return target


def addcdiv_(target, numerator, denominator, value=1.0):
    """target <- target + value * numerator / denominator, in place, returned (one temporary)."""
    quotient = array_module(target).multiply(numerator, value)
    quotient /= denominator
    target += quotient
    return target
