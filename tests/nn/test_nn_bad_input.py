"""Bad arguments to the nn layers are refused where they enter, with PyTorch's error type and
words (issue 17, item 5)."""
import re
import warnings

import pytest

import nn
from oracle import Raised, reference


# ---- Conv2d geometry: refused by the constructor, in PyTorch's words -------------------------

CONV_CASES = [
    (dict(kernel_size=0), "kernel-0"),
    (dict(kernel_size=(2, 0)), "kernel-2x0"),
    (dict(kernel_size=3, stride=0), "stride-0"),
    (dict(kernel_size=3, stride=(1, -1)), "stride-negative"),
    (dict(kernel_size=3, padding=-1), "padding-negative"),
    (dict(kernel_size=3, dilation=0), "dilation-0"),
    (dict(kernel_size=3, dilation=(1, 0)), "dilation-1x0"),
]


@pytest.mark.parametrize("kwargs", [case[0] for case in CONV_CASES], ids=[case[1] for case in CONV_CASES])
def test_conv2d_refuses_a_bad_geometry_with_pytorchs_error(kwargs):
    def theirs(torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns that a zero-size weight cannot be initialised
            return Raised.of(lambda: torch.nn.Conv2d(1, 1, **kwargs)(torch.zeros(1, 1, 6, 6)))

    expected = reference(theirs)
    assert expected.kind == "RuntimeError"
    with pytest.raises(RuntimeError, match=re.escape(expected.message)):
        nn.Conv2d(1, 1, **kwargs)


def test_conv2d_refuses_a_negative_kernel_naming_the_kernel():
    with pytest.raises(RuntimeError, match="kernel size should be greater than zero, but got kernel_height: -1"):
        nn.Conv2d(3, 6, kernel_size=-1)
