"""minigrad's random streams against PyTorch's CPU generator: after the same seed, every
sampling function gives PyTorch's numbers bit for bit (two calls in a row, default and explicit
generators) and leaves the generator in the same state (PyTorch's state bytes).

Each case is one lambda ``(lib, n, dtype, generator)`` run with ``lib`` = minigrad and torch:
the two APIs are the same, so the same line draws from both. PyTorch's draws come from
tests/oracle.py: live, or stored as sha256 digests (bit-for-bit equality is all that is asked).
"""
import numpy
import pytest

import minigrad
from oracle import Raised, assert_identical, error_of, reference

SEEDS = [0, 1, 42, 2 ** 32 + 7]
SIZES = [1, 2, 7, 15, 16, 17, 100, 1001]


def _dtype(lib, name):
    return getattr(lib, name)


def _stds(lib, n, dt):
    return lib.arange(n, dtype=dt) * 0.125 + 0.5


def _probabilities(lib, n, dt):
    return lib.arange(n, dtype=dt) / n


FLOAT_CASES = {
    "rand": lambda lib, n, dt, g: lib.rand(n, dtype=dt, generator=g),
    "randn": lambda lib, n, dt, g: lib.randn(n, dtype=dt, generator=g),
    "randn_2d": lambda lib, n, dt, g: lib.randn(2, n, dtype=dt, generator=g),
    "rand_like": lambda lib, n, dt, g: lib.rand_like(lib.zeros(n, dtype=dt), generator=g),
    "randn_like": lambda lib, n, dt, g: lib.randn_like(lib.zeros(n, dtype=dt), generator=g),
    "uniform_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).uniform_(-0.3, 1.7, generator=g),
    "uniform_kaiming": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).uniform_(-5 ** -0.5, 5 ** -0.5, generator=g),
    "normal_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).normal_(0.7, 2.3, generator=g),
    "normal_float_float": lambda lib, n, dt, g: lib.normal(-1.5, 0.3, size=(n,), dtype=dt, generator=g),
    "normal_tensor_tensor": lambda lib, n, dt, g: lib.normal(lib.arange(n, dtype=dt), _stds(lib, n, dt), generator=g),
    "normal_tensor_float": lambda lib, n, dt, g: lib.normal(lib.arange(n, dtype=dt), 0.25, generator=g),
    "normal_float_tensor": lambda lib, n, dt, g: lib.normal(0.25, _stds(lib, n, dt), generator=g),
    "bernoulli_scalar": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).bernoulli_(0.3, generator=g),
    "bernoulli_tensor": lambda lib, n, dt, g: lib.bernoulli(_probabilities(lib, n, dt), generator=g),
    "bernoulli_broadcast": lambda lib, n, dt, g: lib.zeros(3, n, dtype=dt).bernoulli_(
        _probabilities(lib, n, dt), generator=g),
    "exponential_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).exponential_(1.7, generator=g),
    "cauchy_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).cauchy_(0.3, 1.3, generator=g),
    "log_normal_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).log_normal_(0.3, 0.7, generator=g),
    "geometric_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).geometric_(0.3, generator=g),
    "random_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).random_(generator=g),
    "random_to": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).random_(100, generator=g),
    "multinomial": lambda lib, n, dt, g: lib.multinomial(lib.linspace(0.1, 1, n + 1, dtype=dt), min(n, 3),
                                                         generator=g),
    "multinomial_2d": lambda lib, n, dt, g: lib.multinomial(lib.rand(3, n + 1, dtype=dt, generator=g), 1,
                                                            generator=g),
    "multinomial_replacement": lambda lib, n, dt, g: lib.multinomial(lib.linspace(0.1, 1, n + 1, dtype=dt), 2 * n,
                                                                     replacement=True, generator=g),
}

INTEGER_CASES = {
    "randint": lambda lib, n, dt, g: lib.randint(3, 13, (n,), dtype=dt, generator=g),
    "randint_high_only": lambda lib, n, dt, g: lib.randint(7, (n,), dtype=dt, generator=g),
    "randint_like": lambda lib, n, dt, g: lib.randint_like(lib.zeros(n, dtype=dt), 2, 9, generator=g),
    "random_": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).random_(generator=g),
    "random_from_none": lambda lib, n, dt, g: lib.zeros(n, dtype=dt).random_(5, None, generator=g),
    "randperm": lambda lib, n, dt, g: lib.randperm(min(n, 250), dtype=dt, generator=g),  # 250 fits uint8
}

INT64_CASES = {
    "randint_2_28": lambda lib, n, g: lib.randint(0, 2 ** 28, (n,), generator=g),
    "randint_below_2_28": lambda lib, n, g: lib.randint(0, 2 ** 28 - 1, (n,), generator=g),
    "randint_2_40": lambda lib, n, g: lib.randint(-5, 2 ** 40, (n,), generator=g),
    "randint_2_63": lambda lib, n, g: lib.randint(-2 ** 62, 2 ** 62, (n,), generator=g),
    "random_full_range": lambda lib, n, g: lib.zeros(n, dtype=lib.int64).random_(-2 ** 63, None, generator=g),
    "random_to_keyword": lambda lib, n, g: lib.zeros(n, dtype=lib.int64).random_(-4, to=2 ** 33, generator=g),
}


def _values(tensor):
    return tensor.detach().cpu().numpy() if hasattr(tensor, "detach") else numpy.asarray(tensor)


def _assert_same_draws(draw, seed, explicit):
    """Two calls in a row on both libraries; same values and same generator state after."""
    def run(lib):
        lib.manual_seed(seed)
        generator = lib.Generator().manual_seed(seed) if explicit else None
        calls = [_values(draw(lib, generator)) for _ in range(2)]
        state = generator.get_state() if explicit else lib.get_rng_state()
        return {"calls": calls, "state": _values(state)}

    expected = reference(run, digest=True)
    ours = run(minigrad)
    for call, (mine, theirs) in enumerate(zip(ours["calls"], expected["calls"])):
        assert_identical(mine, theirs, f"call {call}")
    assert_identical(ours["state"], expected["state"], "generator state")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(FLOAT_CASES), ids=list(FLOAT_CASES))
def test_float_samplers_match_torch(case, dtype, n, seed):
    draw = FLOAT_CASES[case]
    _assert_same_draws(lambda lib, g: draw(lib, n, _dtype(lib, dtype), g), seed, explicit=False)


@pytest.mark.parametrize("n", [7, 17, 1001])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", list(FLOAT_CASES), ids=list(FLOAT_CASES))
def test_float_samplers_with_an_explicit_generator(case, dtype, n):
    draw = FLOAT_CASES[case]
    _assert_same_draws(lambda lib, g: draw(lib, n, _dtype(lib, dtype), g), 2 ** 40 + 3, explicit=True)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32", "float64"])
@pytest.mark.parametrize("case", list(INTEGER_CASES), ids=list(INTEGER_CASES))
def test_integer_samplers_match_torch(case, dtype, n, seed):
    draw = INTEGER_CASES[case]
    _assert_same_draws(lambda lib, g: draw(lib, n, _dtype(lib, dtype), g), seed, explicit=seed == 42)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("case", list(INT64_CASES), ids=list(INT64_CASES))
def test_wide_integer_ranges_match_torch(case, n, seed):
    draw = INT64_CASES[case]
    _assert_same_draws(lambda lib, g: draw(lib, n, g), seed, explicit=seed == 1)


@pytest.mark.parametrize("n", [1, 7, 16, 17, 100])
@pytest.mark.parametrize("case", ["rand", "randn", "uniform_", "normal_", "bernoulli_scalar"])
def test_half_precision_goes_through_float32(case, n):
    draw = FLOAT_CASES[case]
    _assert_same_draws(lambda lib, g: draw(lib, n, lib.float16, g), 23, explicit=False)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int16", "int32", "int64", "float32", "float64"])
def test_random_without_bounds_uses_the_dtype_range(dtype):
    _assert_same_draws(lambda lib, g: lib.zeros(40, dtype=_dtype(lib, dtype)).random_(generator=g), 3, False)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 1000, 60000])
def test_randperm_sizes(n):
    _assert_same_draws(lambda lib, g: lib.randperm(n, generator=g), 5, explicit=False)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("method", ["normal_", "uniform_", "bernoulli_", "exponential_"])
@pytest.mark.parametrize("shape", [(40, 3), (3, 5), (8, 6)], ids=["tall", "small", "square"])
def test_fills_of_transposed_tensors_follow_memory_order(shape, method, dtype):
    """PyTorch visits a strided tensor in memory order; for normal_ a non-contiguous tensor
    also takes the serial (cached pair) path whatever its size."""
    def draw(lib, g):
        tensor = lib.zeros(*shape, dtype=_dtype(lib, dtype)).t()
        return getattr(tensor, method)(generator=g) if method != "bernoulli_" else tensor.bernoulli_(0.4, generator=g)
    _assert_same_draws(draw, 11, explicit=False)


def test_cached_normal_crosses_calls_and_dtypes():
    """An odd small randn leaves a spare normal that the next small randn (any dtype) uses first."""
    def draw(lib, g):
        first = lib.randn(3, generator=g)
        second = lib.randn(1, dtype=lib.float64, generator=g)
        third = lib.zeros(4).log_normal_(generator=g)
        return lib.cat([first.double(), second, third.double()])
    _assert_same_draws(draw, 9, explicit=False)


def test_torch_state_loads_into_minigrad_and_back():
    def seeded(torch):
        torch.manual_seed(21)
        torch.randn(5)  # leaves a cached normal
        return {"state": torch.get_rng_state(), "next": torch.randn(7)}

    expected = reference(seeded, "seeded")
    minigrad.set_rng_state(expected["state"])
    assert_identical(minigrad.randn(7).numpy(), expected["next"])
    minigrad.rand(3)
    state = minigrad.get_rng_state()
    assert isinstance(state, minigrad.Tensor) and state.dtype == minigrad.uint8  # a ByteTensor, as PyTorch's
    assert tuple(state.shape) == tuple(expected["state"].shape)
    state_bytes = state.numpy().copy()
    loaded = reference(lambda torch: (torch.set_rng_state(torch.from_numpy(state_bytes)), torch.randn(2))[1],
                       "loaded")
    assert_identical(minigrad.randn(2).numpy(), loaded)


@pytest.mark.parametrize("warmup", [lambda: None, lambda: minigrad.randn(1), lambda: minigrad.rand(624),
                                    lambda: minigrad.randn(5, dtype=minigrad.float64)],
                         ids=["fresh", "cached_normal", "block_boundary", "double_cache"])
def test_rng_state_round_trip_restores_the_exact_stream(warmup):
    minigrad.manual_seed(13)
    warmup()
    state = minigrad.get_rng_state()
    first = [minigrad.randn(3).numpy(), minigrad.rand(700).numpy(), minigrad.randn(20, dtype=minigrad.float64).numpy()]
    minigrad.set_rng_state(state)
    again = [minigrad.randn(3).numpy(), minigrad.rand(700).numpy(), minigrad.randn(20, dtype=minigrad.float64).numpy()]
    assert all(numpy.array_equal(a, b) for a, b in zip(first, again))
    assert numpy.array_equal(minigrad.get_rng_state(), state) is False


def test_generator_state_is_independent_of_the_default():
    gen = minigrad.Generator().manual_seed(4)
    state = gen.get_state()
    values = minigrad.rand(5, generator=gen).numpy()
    minigrad.rand(9)
    assert numpy.array_equal(minigrad.rand(5, generator=minigrad.Generator().set_state(state)).numpy(), values)


@pytest.mark.parametrize("seed", [0, 7, -1, -2 ** 63, 2 ** 64 - 1, 2 ** 32, 2 ** 32 + 1, numpy.int64(99)],
                         ids=["0", "7", "minus_1", "int64_min", "uint64_max", "2_32", "2_32_plus_1", "numpy_int"])
def test_seeds_and_initial_seed_match_torch(seed):
    def seeded(lib):
        lib.manual_seed(seed if lib is minigrad else int(seed))
        return {"initial": lib.initial_seed(), "state": _values(lib.get_rng_state()),
                "generator": lib.Generator().manual_seed(seed if lib is minigrad else int(seed)).initial_seed()}

    expected = reference(seeded, digest=True)
    ours = seeded(minigrad)
    assert (ours["initial"], ours["generator"]) == (expected["initial"], expected["generator"])
    assert_identical(ours["state"], expected["state"], "state")


def test_fresh_generator_uses_pytorchs_default_seed():
    def fresh(lib):
        return lib.Generator().initial_seed(), _values(lib.randn(20, generator=lib.Generator()))

    (seed, values), (expected_seed, expected) = fresh(minigrad), reference(fresh)
    assert seed == expected_seed == 67280421310721
    assert_identical(values, expected)


def test_seed_reseeds_from_entropy():
    value = minigrad.seed()
    assert isinstance(value, int) and minigrad.initial_seed() == value
    gen = minigrad.Generator()
    assert gen.seed() == gen.initial_seed()


@pytest.mark.parametrize("call, error, message", [
    (lambda: minigrad.manual_seed(2 ** 64), ValueError, "Overflow"),
    (lambda: minigrad.Generator().manual_seed(1.5), RuntimeError, "expected a long, but got float"),
    (lambda: minigrad.set_rng_state(numpy.zeros(4, dtype=numpy.uint8)), RuntimeError, "size 5056"),
    (lambda: minigrad.set_rng_state(numpy.zeros(5056, dtype=numpy.uint8)), RuntimeError, "Invalid mt19937 state"),
    (lambda: minigrad.set_rng_state(numpy.zeros(5056)), TypeError, "ByteTensor"),
    (lambda: minigrad.rand(3, generator=numpy.random.default_rng()), TypeError, "minigrad.Generator"),
], ids=["overflow", "float_seed", "short_state", "invalid_state", "float_state", "numpy_generator"])
def test_generator_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


ERROR_CASES = {
    "uniform_bounds": lambda lib: lib.zeros(3).uniform_(1, 0),
    "normal_std": lambda lib: lib.zeros(3).normal_(0, -1),
    "normal_int": lambda lib: lib.zeros(3, dtype=lib.int64).normal_(),
    "rand_int": lambda lib: lib.rand(3, dtype=lib.int64),
    "bernoulli_p": lambda lib: lib.zeros(3).bernoulli_(1.5),
    "bernoulli_int_p": lambda lib: lib.bernoulli(lib.tensor([1, 0])),
    "exponential_lambda": lambda lib: lib.zeros(3).exponential_(0),
    "exponential_int": lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
    "cauchy_sigma": lambda lib: lib.zeros(3).cauchy_(0, 0),
    "cauchy_int": lambda lib: lib.zeros(3, dtype=lib.int64).cauchy_(),
    "log_normal_std": lambda lib: lib.zeros(3).log_normal_(0, 0),
    "geometric_p": lambda lib: lib.zeros(3).geometric_(1),
    "randint_bounds": lambda lib: lib.randint(5, 3, (2,)),
    "random_out_of_dtype": lambda lib: lib.zeros(2, dtype=lib.int8).random_(0, 300),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "randperm_overflow": lambda lib: lib.randperm(300, dtype=lib.uint8),
    "normal_tensor_std": lambda lib: lib.normal(lib.zeros(2), lib.tensor([-1.0, 1.0])),
    "multinomial_dim": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_int": lambda lib: lib.multinomial(lib.ones(3, dtype=lib.int64), 1),
    "multinomial_zero_samples": lambda lib: lib.multinomial(lib.ones(3), 0),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.ones(3), 4),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([1.0, -1.0]), 1),
    "multinomial_zero_sum": lambda lib: lib.multinomial(lib.zeros(2), 2, True),
    "multinomial_negative_replacement": lambda lib: lib.multinomial(lib.tensor([1.0, -1.0]), 2, True),
}


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_errors_match_torch(case):
    theirs = reference(lambda torch: error_of(lambda: ERROR_CASES[case](torch)))
    ours = Raised.of(lambda: ERROR_CASES[case](minigrad))
    assert theirs is not None and ours is not None, f"PyTorch raised {theirs}, minigrad {ours}"
    assert (ours.kind, ours.first_line) == (theirs.kind, theirs.first_line)


def test_in_place_fill_bumps_the_version_and_refuses_leaves_that_need_grad():
    tensor = minigrad.zeros(4)
    version = tensor._version
    tensor.normal_()
    assert tensor._version == version + 1
    leaf = minigrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.uniform_()
    with minigrad.no_grad():
        leaf.uniform_()
    assert leaf.requires_grad and bool((leaf != 0).any())


def test_factories_keep_dtype_device_and_requires_grad():
    x = minigrad.randn(2, 3, dtype=minigrad.float64, requires_grad=True)
    assert x.dtype == minigrad.float64 and x.requires_grad and x.is_leaf and x.device.type == "cpu"
    assert minigrad.randint(0, 4, (5,)).dtype == minigrad.int64
    assert minigrad.randperm(4).dtype == minigrad.int64
    assert minigrad.rand((2, 3)).shape == (2, 3)


DEVICE_DRAWS = {
    "rand": lambda dev: minigrad.rand(3, 4, device=dev),
    "randn": lambda dev: minigrad.randn(40, dtype=minigrad.float64, device=dev),
    "randint": lambda dev: minigrad.randint(2, 9, (6,), device=dev),
    "randperm": lambda dev: minigrad.randperm(12, device=dev),
    "normal_tensors": lambda dev: minigrad.normal(minigrad.zeros(5, device=dev), minigrad.ones(5, device=dev)),
    "bernoulli": lambda dev: minigrad.bernoulli(minigrad.full((2, 5), 0.5, device=dev)),
    "bernoulli_": lambda dev: minigrad.zeros(7, device=dev).bernoulli_(0.3),
    "exponential_": lambda dev: minigrad.zeros(7, device=dev).exponential_(),
    "random_": lambda dev: minigrad.zeros(7, dtype=minigrad.int64, device=dev).random_(-3, 5),
    "multinomial": lambda dev: minigrad.multinomial(minigrad.ones(2, 6, device=dev), 3),
    "multinomial_replacement": lambda dev: minigrad.multinomial(minigrad.ones(6, device=dev), 9, replacement=True),
}


@pytest.mark.parametrize("name", list(DEVICE_DRAWS), ids=list(DEVICE_DRAWS))
def test_draws_on_each_device_are_seeded(device, name):
    """On CUDA the stream is CuPy's, not PyTorch's: only reproducibility is promised there."""
    minigrad.manual_seed(5)
    first = DEVICE_DRAWS[name](device)
    minigrad.manual_seed(5)
    again = DEVICE_DRAWS[name](device)
    assert first.device.type == device
    assert numpy.array_equal(first.cpu().numpy(), again.cpu().numpy())
