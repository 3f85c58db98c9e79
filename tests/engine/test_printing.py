"""repr and str of tensors, sizes, dtypes and graph nodes read exactly as PyTorch's (names unified;
PyTorch's printouts live, or stored: tests/oracle.py)."""
import math

import numpy
import pytest

import minigrad
from oracle import reference, unify_names

# (id, make(lib) -> the object to print)
VALUES = [
    ("scalar_float", lambda lib: lib.tensor(3.5)),
    ("scalar_int", lambda lib: lib.tensor(-7)),
    ("scalar_bool", lambda lib: lib.tensor(False)),
    ("scalar_nan", lambda lib: lib.tensor(math.nan)),
    ("scalar_double", lambda lib: lib.tensor(0.1, dtype=lib.float64)),
    ("empty_1d", lambda lib: lib.tensor([])),
    ("empty_2d", lambda lib: lib.zeros(3, 0)),
    ("empty_int", lambda lib: lib.zeros(0, 2, dtype=lib.int64)),
    ("empty_double", lambda lib: lib.zeros(0, dtype=lib.float64)),
    ("integers_in_float", lambda lib: lib.tensor([1.0, -2.0, 30.0])),
    ("fractions", lambda lib: lib.tensor([0.1, 0.25, -3.125])),
    ("tiny", lambda lib: lib.tensor([1e-5, 2e-6])),
    ("huge", lambda lib: lib.tensor([1e9, 2.5e10])),
    ("wide_range", lambda lib: lib.tensor([0.001, 12345.678])),
    ("huge_integers", lambda lib: lib.tensor([1e8, 3.0])),
    ("negative_zero", lambda lib: lib.tensor([-0.0, 1.5])),
    ("nan_inf", lambda lib: lib.tensor([math.nan, math.inf, -math.inf, 1.0])),
    ("only_nan", lambda lib: lib.tensor([math.nan, math.nan])),
    ("inf_with_integers", lambda lib: lib.tensor([math.inf, 2.0, -3.0])),
    ("zeros", lambda lib: lib.zeros(2, 3)),
    ("matrix", lambda lib: lib.arange(12.0).reshape(3, 4) / 7),
    ("cube", lambda lib: lib.arange(24).reshape(2, 3, 4)),
    ("four_d", lambda lib: lib.arange(16.0).reshape(2, 2, 2, 2) - 8),
    ("long_row_wraps", lambda lib: lib.arange(40.0) / 3),
    ("int_row_wraps", lambda lib: lib.arange(100) * 1000),
    ("summarized_vector", lambda lib: lib.arange(1001.0)),
    ("summarized_matrix", lambda lib: lib.arange(2000).reshape(40, 50)),
    ("summarized_cube", lambda lib: lib.arange(3000.0).reshape(10, 15, 20) / 11),
    ("summarized_thin", lambda lib: lib.arange(1200).reshape(1200, 1)),
    ("bool", lambda lib: lib.tensor([[True, False], [False, True]])),
    ("int8", lambda lib: lib.tensor([1, -2], dtype=lib.int8)),
    ("int16", lambda lib: lib.tensor([300, -2], dtype=lib.int16)),
    ("int32", lambda lib: lib.tensor([7, 8], dtype=lib.int32)),
    ("uint8", lambda lib: lib.tensor([0, 255], dtype=lib.uint8)),
    ("float16", lambda lib: lib.tensor([0.1, 65504.0], dtype=lib.float16)),
    ("float64", lambda lib: lib.tensor([1 / 3, 2.0], dtype=lib.float64)),
    ("float64_integers", lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64)),
    ("requires_grad", lambda lib: lib.tensor([1.0, 2.0], requires_grad=True)),
    ("requires_grad_double", lambda lib: lib.ones(2, dtype=lib.float64, requires_grad=True)),
    ("grad_fn_mul", lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * 2),
    ("grad_fn_sum", lambda lib: lib.ones(2, 3, requires_grad=True).sum()),
    ("grad_fn_view", lambda lib: lib.ones(2, 3, requires_grad=True).view(3, 2)),
    ("grad_fn_wrapped", lambda lib: lib.arange(30.0, requires_grad=True).reshape(3, 10) * 1.5),
    ("grad_fn_long_suffix", lambda lib: lib.ones(2, 11, dtype=lib.float64, requires_grad=True) * 3),
    ("detached", lambda lib: (lib.ones(2, requires_grad=True) * 2).detach()),
    ("parameter", lambda lib: lib.nn.Parameter(lib.tensor([[0.5, -1.0]]))),
    ("parameter_frozen", lambda lib: lib.nn.Parameter(lib.zeros(2), requires_grad=False)),
    ("scalar_requires_grad", lambda lib: lib.tensor(2.0, requires_grad=True)),
    ("scalar_grad_fn", lambda lib: lib.tensor(2.0, requires_grad=True) ** 2),
    ("negative_scientific", lambda lib: lib.tensor([-1e-7, 3e5, 2.5])),
    ("empty_bool", lambda lib: lib.zeros(0, dtype=lib.bool)),
    ("float16_scientific", lambda lib: lib.tensor([1e-4, 1000.0], dtype=lib.float16)),
    ("int64_extremes", lambda lib: lib.tensor([-9223372036854775807, 0, 12])),
    ("float64_grad_fn", lambda lib: lib.tensor([1e-9, 1.0], dtype=lib.float64, requires_grad=True).exp()),
    ("transposed_view", lambda lib: (lib.arange(6.0).reshape(2, 3) / 4).t()),
    ("expanded", lambda lib: lib.tensor([[1.5], [2.0]]).expand(2, 4)),
    ("size", lambda lib: lib.Size([6, 1, 5, 5])),
    ("size_empty", lambda lib: lib.Size([])),
    ("shape", lambda lib: lib.zeros(2, 3).shape),
    ("size_method", lambda lib: lib.zeros(4, 1).size()),
    ("dtype_float32", lambda lib: lib.float32),
    ("dtype_of_tensor", lambda lib: lib.tensor([1, 2]).dtype),
    ("dtype_bool", lambda lib: lib.bool),
    ("dtype_list", lambda lib: [lib.float64, lib.int8, lib.uint8, lib.half]),
    ("list_of_tensors", lambda lib: [lib.tensor(1.5), lib.tensor([2])]),
    ("tuple_from_max", lambda lib: tuple(lib.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1))),
    ("node_names", lambda lib: [type(n).__name__ for n, _ in
                                (lib.ones(2, requires_grad=True).exp() * lib.ones(2)).grad_fn.next_functions]),
]


def printed(value):
    return unify_names(repr(value)), unify_names(str(value))


@pytest.mark.parametrize("make", [case[1] for case in VALUES], ids=[case[0] for case in VALUES])
def test_repr_and_str_match_pytorch(make):
    assert printed(make(minigrad)) == reference(lambda torch: printed(make(torch)))


# (id, print options) applied to the same tensors
OPTIONS = [
    ("precision_2", dict(precision=2)),
    ("precision_6", dict(precision=6)),
    ("threshold_5", dict(threshold=5)),
    ("edgeitems_1", dict(threshold=5, edgeitems=1)),
    ("linewidth_40", dict(linewidth=40)),
    ("sci_mode", dict(sci_mode=True)),
    ("no_sci_mode", dict(sci_mode=False)),
    ("profile_short", dict(profile="short")),
    ("profile_full", dict(profile="full")),
]
SAMPLES = [
    lambda lib: lib.arange(20.0).reshape(4, 5) / 3,
    lambda lib: lib.tensor([1e-6, 1.0, 1e6]),
    lambda lib: lib.arange(12),
    lambda lib: lib.tensor([0.5, 2.0], requires_grad=True) * 2,
]


@pytest.mark.parametrize("options", [case[1] for case in OPTIONS], ids=[case[0] for case in OPTIONS])
def test_print_options_match_pytorch(options):
    def printouts(lib):
        try:
            lib.set_printoptions(**options)
            return [printed(sample(lib)) for sample in SAMPLES]
        finally:
            lib.set_printoptions(profile="default", sci_mode=None)

    assert printouts(minigrad) == reference(printouts)


def test_random_values_print_alike():
    """Many magnitudes at once: the format is chosen from all of them, as PyTorch chooses it."""
    values = numpy.random.default_rng(5).standard_normal((6, 7)) * numpy.logspace(-3, 3, 7)
    assert printed(minigrad.tensor(values.astype(numpy.float32))) == \
        reference(lambda torch: printed(torch.tensor(values.astype(numpy.float32))))
