"""The CuPy stand-in itself: it refuses what CuPy refuses and does what CuPy does, so code that
passes against it uses CuPy the way CuPy allows."""
import copy
import multiprocessing
import pickle

import numpy
import pytest

from cupy_standin import _state, cupy_api as cp, cupyx_api as cupyx

IMPLICIT = "Implicit conversion to a NumPy array is not allowed"
UNSUPPORTED = r"Unsupported type <class 'numpy.ndarray'>"


def device_array():
    return cp.arange(6, dtype=cp.float32).reshape(2, 3)


def set_basic(x):
    x[0] = numpy.ones(3)


def fill(x):
    x.fill(numpy.ones(2))


REFUSALS = [
    (lambda x: numpy.asarray(x), TypeError, IMPLICIT),
    (lambda x: numpy.array(x, dtype=numpy.float64), TypeError, IMPLICIT),
    (lambda x: numpy.ascontiguousarray(x), TypeError, IMPLICIT),
    (lambda x: x + numpy.ones(3), TypeError, UNSUPPORTED),
    (lambda x: x * numpy.array(2.0), TypeError, UNSUPPORTED),
    (lambda x: numpy.ones(3) - x, TypeError, UNSUPPORTED),
    (lambda x: x < numpy.zeros(3), TypeError, UNSUPPORTED),
    (lambda x: cp.add(x, numpy.ones(3)), TypeError, UNSUPPORTED),
    (lambda x: cp.exp(numpy.ones(3)), TypeError, UNSUPPORTED),
    (lambda x: cp.maximum(x, numpy.array(0.0)), TypeError, UNSUPPORTED),
    (lambda x: cp.add(x, [1.0, 2.0, 3.0]), TypeError, "Unsupported type <class 'list'>"),
    (lambda x: cp.concatenate([x, numpy.ones((1, 3))]), TypeError, UNSUPPORTED),
    (lambda x: cp.where(x > 1, x, numpy.zeros(3)), TypeError, UNSUPPORTED),
    (lambda x: x.dot(numpy.ones(3)), TypeError, UNSUPPORTED),
    (lambda x: cp.multiply(x, 2, out=numpy.empty((2, 3))), TypeError, "Output arguments must be cupy.ndarray"),
    (set_basic, ValueError, "non-scalar numpy.ndarray cannot be used for fill"),
    (fill, ValueError, "non-scalar numpy.ndarray cannot be used for fill"),
    (lambda x: x.set([1, 2]), TypeError, "Only numpy.ndarray can be set"),
    (lambda x: cp.add.at(x.astype(cp.int64), cp.array([0, 0]), 1), TypeError, "scatter_add only supports"),
    (lambda x: cp.maximum.reduce(x), NotImplementedError, "not supported"),
    (lambda x: cp.subtract.at(x, cp.array([0]), 1.0), NotImplementedError, "not supported"),
    (lambda x: x.flags.writeable, AttributeError, "writeable"),
    (lambda x: cp.errstate, AttributeError, "errstate"),
    (lambda x: cp.array(["a", "b"]), ValueError, "Unsupported dtype"),
    (lambda x: numpy.lib.stride_tricks.sliding_window_view(x, 2), TypeError, "no implementation found"),
    (lambda x: memoryview(x), TypeError, "bytes-like"),
    (lambda x: len(x.sum()), TypeError, "unsized"),
    (lambda x: iter(x.sum()), TypeError, "iteration over a 0-d array"),
    (lambda x: cp.cuda.Device(1).use(), _state.CUDARuntimeError, "invalid device ordinal"),
]
REFUSAL_IDS = ["numpy.asarray", "numpy.array", "numpy.ascontiguousarray", "operator-host", "operator-host-0d",
               "reflected-host", "comparison-host", "ufunc-host", "ufunc-host-only", "ufunc-host-0d", "ufunc-list",
               "concatenate-host", "where-host", "method-host", "out-host", "setitem-host", "fill-host",
               "set-list", "add.at-int64", "reduce-maximum", "at-subtract", "flags.writeable", "errstate",
               "strings", "numpy-only-function", "buffer", "len-0d", "iter-0d", "device-1"]


@pytest.mark.parametrize("call,error,words", REFUSALS, ids=REFUSAL_IDS)
def test_refuses_what_cupy_refuses(call, error, words):
    with pytest.raises(error, match=words):
        call(device_array())


ACCEPTED = [
    (lambda x: x + 1, numpy.arange(6.0).reshape(2, 3) + 1),
    (lambda x: x * numpy.float32(2), numpy.arange(6.0).reshape(2, 3) * 2),
    (lambda x: numpy.float64(2) ** x, 2.0 ** numpy.arange(6.0).reshape(2, 3)),
    (lambda x: numpy.exp(x), numpy.exp(numpy.arange(6.0).reshape(2, 3))),
    (lambda x: numpy.sum(x, axis=0), [3.0, 5.0, 7.0]),
    (lambda x: x.sum(), 15.0),
    (lambda x: x.max(axis=1, keepdims=True), [[2.0], [5.0]]),
    (lambda x: cp.linalg.norm(x), numpy.linalg.norm(numpy.arange(6.0))),
    (lambda x: x[numpy.array([1, 0])], [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]),
    (lambda x: x[[1], 1:], [[4.0, 5.0]]),
    (lambda x: x[x > 3], [4.0, 5.0]),
    (lambda x: cp.asarray(numpy.ones(2)) + x[0, :2], [1.0, 2.0]),
    (lambda x: cp.array([x[0, 0], x[1, 1]]), [0.0, 4.0]),
    (lambda x: cp.pad(x, ((0, 0), (1, 0)), constant_values=-1), [[-1, 0, 1, 2], [-1, 3, 4, 5]]),
    (lambda x: cp.random.rand(2, 3).shape == (2, 3) and x[0, 0], 0.0),
]


@pytest.mark.parametrize("call,expected", ACCEPTED, ids=["scalar", "numpy-scalar", "reflected-numpy-scalar",
                                                         "numpy-ufunc", "numpy-function", "reduction", "keepdims",
                                                         "linalg", "index-host-array", "index-list", "mask",
                                                         "from-host", "from-device-scalars", "pad", "random"])
def test_does_what_cupy_does_and_answers_on_the_device(call, expected):
    result = call(device_array())
    assert isinstance(result, cp.ndarray) and result.device.id == 0
    numpy.testing.assert_allclose(result.get(), expected, rtol=1e-6)


def test_reductions_and_elements_are_0d_device_arrays():
    x = device_array()
    for value in (x.sum(), x.mean(), cp.amax(x), x.argmax(), x[1, 2], cp.allclose(x, x), cp.exp(1.0)):
        assert isinstance(value, cp.ndarray) and value.shape == ()
    assert x[1, 2].item() == 5.0 and type(x.sum().item()) is float and float(x[1, 1]) == 4.0
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_views_share_memory_and_copies_do_not():
    x = device_array()
    views = [x[1:], x.reshape(3, 2), x.T, x.ravel(), cp.broadcast_to(x[1], (4, 3)), cp.expand_dims(x, 0)]
    x[1, 2] = 50
    assert [float(v.max()) for v in views] == [50.0] * 6
    assert x[1:].data.ptr == x.data.ptr + x.strides[0] and not x[1:].flags.owndata
    assert x.T.flags.f_contiguous and not x.T.flags.c_contiguous and x.T.flags["F_CONTIGUOUS"]
    host, copied = x.get(), x.copy()
    x[0, 0], host[0, 1] = -1, -2
    assert copied[0, 0].item() == 0 and x[0, 1].item() == 1 and cp.asnumpy(x)[0, 0] == -1


def test_in_place_ops_and_out_write_into_the_array():
    x = device_array()
    y = x[:, 1:]
    y += 1
    out = cp.empty_like(x)
    assert cp.multiply(x, 2, out=out) is out and x.get().tolist() == [[0, 2, 3], [3, 5, 6]]
    assert numpy.array_equal(out.get(), 2 * x.get())
    x[x > 4] = 0
    x.shape = (3, 2)
    assert x.get().tolist() == [[0, 2], [3, 3], [0, 0]] and x.astype(cp.int32).dtype == numpy.int32


def test_add_at_accumulates_and_scatter_add_is_deprecated():
    x = cp.zeros(4, dtype=cp.float32)
    cp.add.at(x, cp.array([1, 1, 3]), cp.ones(3, dtype=cp.float32))
    with pytest.warns(DeprecationWarning, match="cupy.add.at"):
        cupyx.scatter_add(x, numpy.array([0, 1]), 1.0)
    assert x.get().tolist() == [1.0, 3.0, 0.0, 1.0]


def test_pickle_copy_and_device_context():
    x = device_array()
    for clone in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x), copy.copy(x)):
        assert isinstance(clone, cp.ndarray) and clone.data.ptr != x.data.ptr
        assert numpy.array_equal(clone.get(), x.get())
    with cp.cuda.Device(0) as device:
        device.synchronize()
        assert cp.cuda.runtime.getDeviceCount() == 1 and cp.cuda.runtime.getDevice() == 0
    assert cp.get_array_module(x) is not numpy and cp.get_array_module(x.get()) is numpy


def touch_in_child(array, results):
    try:
        (array + 1).get()
        results.put("no error")
    except Exception as error:  # reported to the parent, which asserts on it
        results.put(f"{type(error).__name__}: {error}")


def test_a_forked_child_cannot_touch_the_device_its_parent_used():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=touch_in_child, args=(device_array(), results))
    child.start()
    child.join()
    assert results.get(timeout=60) == "CUDARuntimeError: cudaErrorInitializationError: initialization error"


def test_a_machine_without_a_gpu(monkeypatch):
    monkeypatch.setattr(_state, "DEVICE_COUNT", 0)
    assert not cp.cuda.is_available()
    with pytest.raises(_state.CUDARuntimeError, match="cudaErrorNoDevice"):
        cp.cuda.runtime.getDeviceCount()


def test_the_session_runs_the_cuda_device_with_or_without_a_gpu():
    import sys

    import cupy_standin
    import minigrad
    real_cupy = not cupy_standin.installed()
    assert sys.modules["cupy"] is not cp if real_cupy else minigrad.cuda.is_available()
    if not real_cupy:
        assert type(minigrad.ones(1, device="cuda").array) is cp.ndarray
