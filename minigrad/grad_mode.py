"""Whether ops record the graph (``no_grad``, ``enable_grad``...) and anomaly detection.

The modes are per thread, as in PyTorch, so a DataLoader thread never changes the
training thread's mode. Each context manager also works as a decorator.
"""
import functools
import threading

_mode = threading.local()


def is_grad_enabled():
    return getattr(_mode, "enabled", True)


def _set_enabled(flag):
    _mode.enabled = flag


class _GradMode:
    """A context manager and decorator that sets the grad mode to ``self.mode`` while it is active."""

    mode = True

    def __enter__(self):
        self.previous = is_grad_enabled()
        _set_enabled(self.mode)
        return self

    def __exit__(self, *exc_info):
        _set_enabled(self.previous)
        return False

    def __call__(self, function):
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """``with no_grad():`` ops record nothing and their results never require grad."""

    mode = False


class enable_grad(_GradMode):
    """Turn gradient recording back on inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradMode):
    """PyTorch's faster ``no_grad``; here the same thing (``inference_mode(False)`` records)."""

    def __init__(self, mode=True):
        self.mode = not mode


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` turns recording off at once (a plain call), or for a ``with``
    block or a decorated function, and restores the previous mode afterwards."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = is_grad_enabled()
        _set_enabled(self.mode)

    def __enter__(self):
        return self

    def __call__(self, function):
        _set_enabled(self.previous)  # used as a decorator: the call above must not stick
        return super().__call__(function)


def is_anomaly_enabled():
    return getattr(_mode, "anomaly", False)


class detect_anomaly:
    """``with detect_anomaly():`` backward checks every gradient it computes and raises at the
    first op whose backward produces NaN or inf, naming the op and the shapes of its inputs."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self.previous = is_anomaly_enabled()
        _mode.anomaly = self.check_nan
        return self

    def __exit__(self, *exc_info):
        _mode.anomaly = self.previous
        return False


def set_detect_anomaly(mode):
    _mode.anomaly = bool(mode)
