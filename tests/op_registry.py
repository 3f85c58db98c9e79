"""The registry of differentiable ops (issue 12): every op reachable from the public API, each
with sample inputs, written once for minigrad and PyTorch. tests/engine/test_higher_order.py runs
gradcheck, gradgradcheck and a comparison with PyTorch's first and second derivatives on each.

Add an op by appending an ``OpCase`` (tests/op_case.py) to the list of its family in
tests/op_registry_tensor.py or tests/op_registry_nn.py.
"""
from op_registry_nn import NN_CASES
from op_registry_tensor import TENSOR_CASES

CASES = TENSOR_CASES + NN_CASES


def _check_unique_names():
    seen = set()
    for entry in CASES:
        if entry.name in seen:
            raise ValueError(f"two registry entries are named {entry.name!r}")
        seen.add(entry.name)


_check_unique_names()
