"""Shared helpers for the nn tests: weights moved between minigrad and PyTorch as NumPy arrays
through ``state_dict`` (the keys are the same), PyTorch's LeNet, and closeness checks.

    start = state_arrays(nn.Linear(3, 2))              # {"weight": array, "bias": array}
    expected = reference(lambda torch: load_arrays(torch.nn.Linear(3, 2), start)(tx))
    copy_weights(ours, theirs)          # either library to either library
    assert_close(ours(x), expected, "float32")
"""
import sys

import numpy

import minigrad
from oracle import Sketch, assert_close_to, assert_identical, reference

# answers holding whole networks keep arrays above this size as sketches in the store (tests/oracle.py)
SKETCH_ABOVE = 4096

# float32 differences come from summation order; float64 ones must be at rounding level
TOLERANCE = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}
GRAD_TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-9, atol=1e-11)}


def as_numpy(value):
    """A NumPy copy of a minigrad or PyTorch tensor (or of an array)."""
    if isinstance(value, minigrad.Tensor):
        return value.detach().cpu().numpy().copy()
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    return numpy.asarray(value)


def state_arrays(module):
    """A module's state_dict as NumPy copies (either library), in its order."""
    return {key: as_numpy(value) for key, value in module.state_dict().items()}


def load_arrays(target, arrays):
    """Load a state_dict of NumPy arrays into ``target`` (either library); returns ``target``."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(target, torch.nn.Module):
        target.load_state_dict({key: torch.from_numpy(numpy.array(array)) for key, array in arrays.items()})
    else:
        target.load_state_dict(arrays)
    return target


def copy_weights(source, target):
    """Load ``source``'s state_dict into ``target`` through NumPy arrays (either library)."""
    return load_arrays(target, state_arrays(source))


def grads_by_name(module):
    """Every parameter's gradient (None where it has none), by name, in order."""
    return {name: param.grad for name, param in module.named_parameters()}


def assert_close(ours, theirs, dtype="float32", tolerance=None, message=""):
    """Element-wise closeness; ``theirs`` may be a tensor, an array or a stored ``Sketch``."""
    assert_close_to(as_numpy(ours), theirs if isinstance(theirs, Sketch) else as_numpy(theirs),
                    message=message, **(tolerance or TOLERANCE[dtype]))


def seeded_like_torch(make_ours, make_theirs, seed, label="torch's initial weights"):
    """``make_ours()`` after ``minigrad.manual_seed(seed)``, checked to hold exactly the weights that
    ``make_theirs(torch)`` gets after ``torch.manual_seed(seed)`` (compared through stored digests,
    so the weights themselves need not be stored)."""
    expected = reference(lambda torch: (torch.manual_seed(seed), state_arrays(make_theirs(torch)))[1], label,
                         digest=True)
    minigrad.manual_seed(seed)
    ours = make_ours()
    observed = state_arrays(ours)
    assert list(observed) == list(expected)
    for key, value in observed.items():
        assert_identical(value, expected[key], key)
    return ours


def assert_same_state(ours, expected, dtype="float32"):
    """Same keys in the same order, and the same values (running statistics included);
    ``expected`` is a module or its ``state_arrays``."""
    mine = ours.state_dict()
    expected = expected if isinstance(expected, dict) else state_arrays(expected)
    assert list(mine) == list(expected)
    for key in mine:
        assert_close(mine[key], expected[key], dtype, message=key)


def assert_same_grads(ours, expected, dtype="float32"):
    """Every parameter's gradient, matched by name; ``expected`` is a module or its ``grads_by_name``."""
    expected = expected if isinstance(expected, dict) else grads_by_name(expected)
    names = [name for name, _ in ours.named_parameters()]
    assert names == list(expected)
    for name, param in ours.named_parameters():
        if expected[name] is None:
            assert param.grad is None, name
            continue
        assert_close(param.grad, expected[name], dtype, GRAD_TOLERANCE[dtype], message=name)


def torch_lenet(torch, classes=2):
    """The tutorial's LeNet written with torch.nn: the reference for nn.models.LeNet."""
    import torch.nn.functional as tf

    class LeNet(torch.nn.Module):
        def __init__(self, classes):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 6, 5)
            self.conv2 = torch.nn.Conv2d(6, 16, 5)
            self.fc1 = torch.nn.Linear(16 * 5 * 5, 120)
            self.fc2 = torch.nn.Linear(120, 84)
            self.fc3 = torch.nn.Linear(84, classes)

        def forward(self, x):
            out = tf.relu(self.conv1(x))
            out = tf.max_pool2d(out, 2)
            out = tf.relu(self.conv2(out))
            out = tf.max_pool2d(out, 2)
            out = out.view(out.size(0), -1)
            out = tf.relu(self.fc1(out))
            out = tf.relu(self.fc2(out))
            out = self.fc3(out)
            return out

    return LeNet(classes)
