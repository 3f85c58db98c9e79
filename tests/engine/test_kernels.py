"""The kernels: scratch memory owned by a per-thread Workspace, bounded and releasable; the
convolution kernels (by kernel rows and by im2col) against the definition."""
import threading

import numpy
import pytest

from minigrad.kernels import conv


def test_workspace_reuses_a_buffer_and_keeps_within_its_limit():
    space = conv.Workspace(limit=1000)
    first = space.get("columns", 100, numpy.dtype("float32"), numpy)
    again = space.get("columns", 50, numpy.dtype("float32"), numpy)
    assert numpy.shares_memory(first, again) and space.nbytes == 400
    big = space.get("other", 1000, numpy.dtype("float32"), numpy)  # 4000 bytes: over the limit, not kept
    assert big.size == 1000 and space.nbytes == 400
    space.release()
    assert space.nbytes == 0


def test_each_thread_owns_its_workspace():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(conv.workspace()))
    thread.start()
    thread.join()
    assert seen[0] is not conv.workspace()


def test_release_workspace_frees_the_threads_buffers():
    conv.workspace().get("columns", 10, numpy.dtype("float64"), numpy)
    conv.release_workspace()
    assert conv.workspace().nbytes == 0


@pytest.mark.parametrize("stride,dilation,padding,groups", [
    ((1, 1), (1, 1), (0, 0, 0, 0), 1),   # by kernel rows
    ((1, 2), (2, 1), (1, 2, 2, 0), 1),   # by kernel rows, strided columns
    ((2, 1), (1, 2), (1, 1, 0, 1), 1),   # im2col: stride along the height
    ((1, 1), (1, 1), (1, 1, 1, 1), 2),   # im2col: groups
], ids=["rows", "rows-strided", "im2col-stride", "im2col-groups"])
def test_convolution_kernels_equal_the_definition(stride, dilation, padding, groups):
    """forward, dL/dx and dL/dw against the sums written out with sliding windows (float64)."""
    rng = numpy.random.default_rng(0)
    x, weight = rng.standard_normal((3, 4, 7, 8)), rng.standard_normal((6, 4 // groups, 3, 2))
    padded = numpy.pad(x, ((0, 0), (0, 0), padding[:2], padding[2:]))
    span = [dilation[a] * (weight.shape[2 + a] - 1) + 1 for a in range(2)]
    windows = numpy.lib.stride_tricks.sliding_window_view(padded, span, axis=(2, 3))
    windows = windows[:, :, ::stride[0], ::stride[1], ::dilation[0], ::dilation[1]]  # (n, c, y, x, i, j)
    per_group = windows.reshape(3, groups, 4 // groups, *windows.shape[2:])
    w = weight.reshape(groups, 6 // groups, *weight.shape[1:])
    expected = numpy.einsum("ngcyxij,gocij->ngoyx", per_group, w).reshape(3, 6, *windows.shape[2:4])
    geometry = conv.Geometry(padding, stride, dilation, groups, weight.shape[2:], expected.shape[2:])
    numpy.testing.assert_allclose(conv.forward(x, weight, None, geometry), expected, rtol=1e-12, atol=1e-12)
    grad = rng.standard_normal(expected.shape)
    grad_x, grad_w = conv.both_grads(x, weight, grad, geometry)
    g = grad.reshape(3, groups, 6 // groups, *grad.shape[2:])
    expected_w = numpy.einsum("ngcyxij,ngoyx->gocij", per_group, g).reshape(weight.shape)
    numpy.testing.assert_allclose(grad_w, expected_w, rtol=1e-12, atol=1e-12)
    # dL/dx: the adjoint of forward, <conv(x), grad> == <x, dL/dx> for every x
    probe = rng.standard_normal(x.shape)
    assert numpy.isclose(numpy.sum(conv.forward(probe, weight, None, geometry) * grad), numpy.sum(probe * grad_x))
