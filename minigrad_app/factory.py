"""Build an optimizer or a learning-rate scheduler from its name and ``key=value`` options."""
import ast
import inspect

import optim
from optim import lr_scheduler

SCHEDULER_ALIASES = {"step": "StepLR", "multistep": "MultiStepLR", "exponential": "ExponentialLR",
                     "cosine": "CosineAnnealingLR", "constant": "ConstantLR", "linear": "LinearLR",
                     "polynomial": "PolynomialLR", "cosine-restarts": "CosineAnnealingWarmRestarts",
                     "cyclic": "CyclicLR", "onecycle": "OneCycleLR", "plateau": "ReduceLROnPlateau"}


def parse_options(pairs):
    """``["betas=(0.9, 0.99)", "amsgrad=True"]`` -> ``{"betas": (0.9, 0.99), "amsgrad": True}``."""
    options = {}
    for pair in pairs or ():
        key, sep, text = pair.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"option {pair!r} is not of the form key=value")
        try:
            options[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            options[key] = text  # a bare word such as mode=triangular2
    return options


def _classes(module, base):
    return {name: cls for name, cls in vars(module).items()
            if inspect.isclass(cls) and issubclass(cls, base) and cls is not base and not name.startswith("_")}


def optimizer_names():
    return sorted(_classes(optim, optim.Optimizer))


def scheduler_names():
    names = set(_classes(lr_scheduler, lr_scheduler.LRScheduler)) | {"ReduceLROnPlateau"}
    return sorted(names - {"LRScheduler", "SequentialLR", "ChainedScheduler"})


def _lookup(name, names, kind):
    wanted = name.replace("-", "").replace("_", "").lower()
    for candidate in names:
        if candidate.lower() == wanted:
            return candidate
    raise ValueError(f"unknown {kind} {name!r}; choose from {', '.join(names)}")


def _accepts(cls, key):
    return key in inspect.signature(cls.__init__).parameters


def optimizer_class(name, exclude=None):
    """The optimizer class called ``name`` (any case, dashes and underscores ignored); names in
    ``exclude`` (a dict: class name -> why) are refused with that reason."""
    exclude = exclude or {}
    names = [candidate for candidate in optimizer_names() if candidate not in exclude]
    wanted = _lookup(name, optimizer_names(), "optimizer")
    if wanted in exclude:
        raise ValueError(f"{wanted} {exclude[wanted]}; choose from {', '.join(names)}")
    return getattr(optim, wanted)


def make_optimizer(name, params, lr, momentum=None, options=None, exclude=None):
    """``make_optimizer("sgd", net.parameters(), 0.0125, momentum=0.9)``; momentum is passed only
    to optimizers that take it. ``exclude`` as for :func:`optimizer_class`."""
    cls = optimizer_class(name, exclude)
    if "params" in (options or {}):
        raise ValueError("params cannot be given as an option: the parameters to optimize are the model's")
    kwargs = {"lr": lr}
    if momentum is not None and _accepts(cls, "momentum"):
        kwargs["momentum"] = momentum
    kwargs.update(options or {})
    unknown = [key for key in kwargs if not _accepts(cls, key)]
    if unknown:
        raise ValueError(f"{cls.__name__} has no option {', '.join(unknown)}")
    return cls(params, **kwargs)


def make_scheduler(name, optimizer, step_size=10, gamma=0.1, epochs=10, steps_per_epoch=1, options=None):
    """A scheduler stepped once per epoch; sensible defaults fill what its constructor needs."""
    if name in (None, "none"):
        return None
    class_name = SCHEDULER_ALIASES.get(name.lower()) or _lookup(name, scheduler_names(), "scheduler")
    cls = getattr(lr_scheduler, class_name)
    lr = optimizer.param_groups[0]["lr"]
    defaults = {"step_size": step_size, "gamma": gamma, "milestones": [step_size, 2 * step_size],
                "T_max": epochs, "T_0": max(1, epochs // 3), "total_iters": epochs, "base_lr": lr / 10,
                "max_lr": lr, "total_steps": epochs * steps_per_epoch, "lr_lambda": lambda epoch: gamma ** epoch}
    wanted = inspect.signature(cls.__init__).parameters
    kwargs = {key: value for key, value in defaults.items() if key in wanted}
    kwargs.update(options or {})
    return cls(optimizer, **kwargs)
