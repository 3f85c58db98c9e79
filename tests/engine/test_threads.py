"""The kernel threads (minigrad.kernels.parallel): cutting work into parts changes no number.

Max pooling cuts the batch and optimizer updates cut their flattened arrays; with one thread or
two, and with or without the chunked walk, every result must be the same to the last bit."""
import threading

import numpy
import pytest

import minigrad
import optim
from minigrad.kernels import parallel
from nn import functional as F
from oracle import Raised, error_of, reference


@pytest.fixture(autouse=True)
def restore_threads():
    threads = minigrad.get_num_threads()
    yield
    minigrad.set_num_threads(threads)


@pytest.mark.parametrize("value", [0, -1, 1.5, True])
def test_set_num_threads_refuses_what_torch_refuses(value):
    expected = reference(lambda torch: error_of(lambda: torch.set_num_threads(value)))
    assert Raised.of(lambda: minigrad.set_num_threads(value)) == expected
    assert minigrad.get_num_threads() >= 1


def test_set_num_threads_is_read_back():
    minigrad.set_num_threads(3)
    assert minigrad.get_num_threads() == 3


def test_parts_cover_the_batch_and_small_work_stays_whole():
    team = parallel.Team(threads=2)
    big = team.parts(10, work=10 * parallel.MIN_WORK_PER_PART)
    assert big == [(0, 5), (5, 10)]
    assert team.parts(10, work=parallel.MIN_WORK_PER_PART) == [(0, 10)]
    assert team.parts(0, work=0) == [(0, 0)]
    assert team.parts(1, work=10 ** 9) == [(0, 1)]


def test_a_failing_part_raises_in_the_caller_after_every_part_ended():
    team, finished = parallel.Team(threads=2), []

    def part(start, stop):
        if start == 0:
            raise ValueError("part 0 failed")
        finished.append((start, stop))

    with pytest.raises(ValueError, match="part 0 failed"):
        team.run(part, 4, work=10 ** 9)
    assert finished == [(2, 4)]


def test_a_kernel_inside_a_part_runs_serially():
    team, seen = parallel.Team(threads=2), []

    def part(start, stop):
        seen.append(team.parts(8, work=10 ** 9))
        return threading.current_thread().name

    names = team.run(part, 8, work=10 ** 9)
    assert seen == [[(0, 8)], [(0, 8)]]
    assert len(set(names)) == 2


def pooled(x_array, threads, **options):
    minigrad.set_num_threads(threads)
    x = minigrad.tensor(x_array, requires_grad=True)
    out, indices = F.max_pool2d(x, return_indices=True, **options)
    (out * minigrad.tensor(numpy.linspace(-1, 1, out.numel(), dtype=x_array.dtype).reshape(out.shape))).sum().backward()
    return out.detach().numpy(), indices.numpy(), x.grad.numpy()


@pytest.mark.parametrize("options", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1)],
                         ids=["2x2", "3x3-stride2-pad1"])
def test_max_pool_is_the_same_on_one_thread_and_two(options):
    rng = numpy.random.default_rng(0)
    x = rng.integers(0, 4, (8, 4, 32, 64)).astype(numpy.float32)  # many ties: the first maximum must win
    x[3, 1, 5, 7] = numpy.nan
    assert len(parallel.Team(threads=2).parts(8, x.size * 4)) == 2  # big enough to be cut
    for one, two in zip(pooled(x, 1, **options), pooled(x, 2, **options)):
        numpy.testing.assert_array_equal(one, two)


OPTIMIZERS = {
    "SGD-momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "Adam": lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
    "AdamW": lambda p: optim.AdamW(p, lr=0.01),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.01),
}


def trained(make, threads, chunk):
    minigrad.set_num_threads(threads)
    rng = numpy.random.default_rng(1)
    # one step gathers the updates of all three; the smallest is below a chunk and runs at once
    params = [minigrad.tensor(rng.standard_normal(shape).astype(numpy.float32), requires_grad=True)
              for shape in ((3, 100_001), (70_003,), (5,))]
    optimizer = make(params)
    saved, parallel.CHUNK_ELEMENTS = parallel.CHUNK_ELEMENTS, chunk
    try:
        for _ in range(3):
            for param in params:
                param.grad = minigrad.tensor(rng.standard_normal(param.shape).astype(numpy.float32))
            optimizer.step()
    finally:
        parallel.CHUNK_ELEMENTS = saved
    return numpy.concatenate([param.detach().numpy().reshape(-1) for param in params])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_update_is_the_same_chunked_on_two_threads(name):
    whole = trained(OPTIMIZERS[name], 1, chunk=10 ** 9)  # one plain call per step
    numpy.testing.assert_array_equal(trained(OPTIMIZERS[name], 2, chunk=2 ** 12), whole)
    numpy.testing.assert_array_equal(trained(OPTIMIZERS[name], 1, chunk=2 ** 15), whole)


def _pool_in_child(x_array, queue):
    queue.put(pooled(x_array, 2, kernel_size=2))


def test_a_forked_child_gets_threads_of_its_own():
    """DataLoader workers are forked: the parent's kernel threads do not exist there."""
    import multiprocessing
    x = numpy.random.default_rng(3).standard_normal((8, 4, 32, 64)).astype(numpy.float32)
    expected = pooled(x, 2, kernel_size=2)  # the parent's team has started its threads
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_pool_in_child, args=(x, queue))
    child.start()
    got = queue.get(timeout=60)
    child.join(timeout=60)
    assert child.exitcode == 0
    for one, two in zip(expected, got):
        numpy.testing.assert_array_equal(one, two)


def test_elementwise_walks_chunks_only_of_contiguous_numpy_arrays(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_ELEMENTS", 1000)
    calls = []

    def double(a, b):
        calls.append(a.size)
        a *= 2
        b += 1

    a, b = numpy.ones(4500), numpy.zeros(4500)
    parallel.elementwise(double, a, b)
    assert sorted(calls) == [500, 1000, 1000, 1000, 1000] and (a == 2).all() and (b == 1).all()
    calls.clear()
    strided = numpy.ones((4500, 2))[:, 0]  # not contiguous: one plain call on the whole array
    parallel.elementwise(double, strided, numpy.zeros(4500))
    assert calls == [4500] and (strided == 2).all()


def triple(array):
    array *= 3


def test_gathered_calls_run_together_at_the_end_of_the_block(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_ELEMENTS", 1000)
    arrays = [numpy.ones(2500), numpy.ones(3001)]
    with parallel.gathered_elementwise():
        for array in arrays:
            parallel.elementwise(triple, array)
        assert all((array == 1).all() for array in arrays)  # only recorded so far
    assert all((array == 3).all() for array in arrays)


def test_gathered_calls_run_even_when_the_block_raises(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_ELEMENTS", 1000)
    array = numpy.ones(2500)
    with pytest.raises(ZeroDivisionError):
        with parallel.gathered_elementwise():
            parallel.elementwise(triple, array)
            1 / 0
    assert (array == 3).all()


def test_a_second_call_on_the_same_array_runs_what_was_gathered_first(monkeypatch):
    monkeypatch.setattr(parallel, "CHUNK_ELEMENTS", 1000)
    array, other = numpy.ones(2500), numpy.ones(2500)
    with parallel.gathered_elementwise():
        parallel.elementwise(triple, array)
        parallel.elementwise(triple, other)
        parallel.elementwise(triple, array[:2000].reshape(2, 1000))  # a view of it: it overlaps
        assert (array == 3).all() and (other == 3).all()  # the first two ran before it was recorded
    assert (array[:2000] == 9).all() and (array[2000:] == 3).all()


def test_a_parameter_listed_twice_is_updated_twice_in_order(monkeypatch):
    """PyTorch warns about a duplicated parameter and then updates it twice; the second update
    must see the first, so gathering runs what it holds before recording the same array again."""
    def twice_updated(chunk):
        monkeypatch.setattr(parallel, "CHUNK_ELEMENTS", chunk)
        param = minigrad.tensor(numpy.linspace(-1, 1, 5000, dtype=numpy.float32), requires_grad=True)
        param.grad = minigrad.tensor(numpy.linspace(2, -3, 5000, dtype=numpy.float32))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            optimizer = optim.SGD([param, param], lr=0.1, momentum=0.9)
        for _ in range(3):
            optimizer.step()
        return param.detach().numpy()

    numpy.testing.assert_array_equal(twice_updated(1000), twice_updated(10 ** 9))  # gathered, plain
