"""The Optimizer base class: parameter groups, lazy per-parameter state, state_dict.

An optimizer holds ``param_groups`` (a list of dicts, each with its ``params`` and its own
hyper-parameters, filled from ``defaults``), ``state`` (a dict from parameter to its buffers,
created on the first step that parameter takes) and ``_step_count``. ``step()`` visits every
parameter that has a gradient and hands it to the subclass's ``update``; parameters whose
``.grad`` is None (frozen, or unused this step) are skipped and keep their state.

Subclasses implement ``update(param, grad, state, group)``: ``param`` is the parameter tensor,
``grad`` its gradient array (the maximize sign is not yet applied), ``state`` its dict, and
``group`` the hyper-parameters; they change ``param.array`` in place.
"""
import copy
from collections import defaultdict

import minigrad
from minigrad.sparse import SparseTensor
from minigrad.tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()
UNSUPPORTED_FLAGS = ("foreach", "fused", "capturable", "differentiable")


class Optimizer:
    """Base class of every optimizer; ``defaults`` are the hyper-parameters of new groups."""

    def __init__(self, params, defaults):
        for flag in UNSUPPORTED_FLAGS:
            if defaults.get(flag):
                raise NotImplementedError(f"{type(self).__name__}: {flag}=True is not supported; minigrad "
                                          f"implements the single-tensor update only")
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._step_count = 0
        if isinstance(params, (Tensor, set, dict)) or not hasattr(params, "__iter__"):
            raise TypeError(f"params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group (a dict with ``params`` and any hyper-parameters that differ from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for other in self.param_groups for p in other["params"]}
        if len({id(p) for p in params}) != len(params) or seen & {id(p) for p in params}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forget every gradient (``set_to_none``) or zero it in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.zero_()

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with minigrad.enable_grad():
                loss = closure()
        with minigrad.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self.update(param, self._gradient(param), self.state[param], group)
        self._step_count += 1
        return loss

    def _gradient(self, param):
        grad = param.grad
        if isinstance(grad, SparseTensor):
            raise RuntimeError(f"{type(self).__name__} does not support sparse gradients, please consider "
                               f"SparseAdam instead")
        return grad.array

    def update(self, param, grad, state, group):
        raise NotImplementedError(f"{type(self).__name__} must define update(param, grad, state, group)")

    # ---- state_dict ------------------------------------------------------------------------

    def state_dict(self):
        """``{"state": {id: buffers}, "param_groups": [{..., "params": [ids]}]}``, ids counted
        across groups in order, as PyTorch. Buffers are copies: later steps do not change them."""
        index, groups = {}, []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for param in group["params"]:
                if param in self.state and self.state[param]:
                    state[index[id(param)]] = {key: _copy(value) for key, value in self.state[param].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore state and hyper-parameters saved by :meth:`state_dict` into this optimizer's
        parameters (matched by position), casting buffers to each parameter's dtype and device."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 "optimizer's group")
        by_id = {saved_id: param for group, saved in zip(self.param_groups, saved_groups)
                 for saved_id, param in zip(saved["params"], group["params"])}
        self.state = defaultdict(dict)
        for saved_id, buffers in state_dict["state"].items():
            param = by_id.get(int(saved_id))
            if param is None:
                continue
            self.state[param] = {key: _cast_like(value, param, key) for key, value in buffers.items()}
        self.param_groups = [dict(copy.deepcopy({k: v for k, v in saved.items() if k != "params"}),
                                  params=group["params"])
                             for group, saved in zip(self.param_groups, saved_groups)]

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines) + "\n)"


def _copy(value):
    if isinstance(value, Tensor):
        return value.detach().clone()
    return copy.deepcopy(value)


def _cast_like(value, param, key):
    """A copy of a saved buffer in the parameter's dtype and device ('step' keeps its dtype)."""
    if isinstance(value, Tensor):
        value = value.detach().to(param.device)
        if value.dtype.kind == "f" and key != "step" and value.ndim:
            value = value.to(param.dtype)
        return value.clone()
    if isinstance(value, list):
        return [_cast_like(item, param, key) for item in value]
    return copy.deepcopy(value)


def as_state(array):
    """Wrap a buffer array as a Tensor, the form ``state`` and ``state_dict`` hold."""
    return Tensor._wrap(array, None, False)


def lerp_(start, end, weight):
    """start <- start + weight * (end - start), in place, computed as PyTorch's lerp does
    (from the far end when weight >= 0.5, which is exact at weight = 1)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)
    return start


def check_betas(betas):
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def check_common(lr, eps=None, weight_decay=None):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps is not None and not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if weight_decay is not None and not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def scalar_state(value, param):
    """A float32 0-d tensor on the parameter's device, as PyTorch keeps 'step' and friends."""
    return minigrad.tensor(value, dtype=minigrad.float32, device=param.device)


def zeros_state(param, fill=0.0):
    """A buffer shaped like ``param``, filled with ``fill``."""
    return minigrad.full_like(param.detach(), fill)


def increment(step):
    """Add one to a 'step' tensor in place and return the new count as a Python number."""
    step.array += 1
    return float(step.array)


def check_non_negative(name, value, label=None):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label or name} value: {value}")
