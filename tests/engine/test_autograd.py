"""How the graph behaves: accumulation, freeing, retain_grad, in-place rules, grad modes."""
import numpy
import pytest

import minigrad
from minigrad.autograd import Function
from oracle import reference


def test_gradients_accumulate_across_backward_calls():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), [3 + 2, 3 + 4])


def test_grad_zero_resets_in_place():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    grad = x.grad
    grad.zero_()
    (x * 2).sum().backward()
    assert x.grad is grad
    numpy.testing.assert_array_equal(grad.numpy(), [2, 2])


def test_grad_is_none_until_backward_reaches_it():
    x, unused = minigrad.ones(2, requires_grad=True), minigrad.ones(2, requires_grad=True)
    assert x.grad is None
    (x * 2).sum().backward()
    assert unused.grad is None and x.grad is not None


def test_implicit_gradient_needs_one_element():
    x = minigrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(minigrad.ones(3))
    numpy.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])


def test_backward_gradient_of_wrong_shape_is_refused():
    x = minigrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of minigrad.Size\(\[2\]\)"):
        (x * 2).backward(minigrad.ones(2))


def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        minigrad.ones(2).sum().backward()


def test_second_backward_through_freed_graph_raises():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    numpy.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_a_chain_of_ten_thousand_ops_needs_no_recursion():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    numpy.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-3)


def test_diamond_and_reuse_accumulate():
    x = minigrad.tensor([3.0], requires_grad=True)
    h = x * 2
    y = h * h + h  # dy/dx = (2h + 1) * 2
    y.backward()
    assert x.grad.item() == (2 * 6 + 1) * 2


def test_only_leaves_keep_grad_unless_retained():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    kept = x * 3
    kept.retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    numpy.testing.assert_array_equal(kept.grad.numpy(), hidden.detach().numpy())
    assert kept.retains_grad and not hidden.retains_grad


def test_is_leaf_and_grad_fn():
    x = minigrad.ones(2, requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn is not None and "Mul" in repr(y.grad_fn)
    assert minigrad.ones(2).is_leaf


def test_inplace_on_leaf_that_requires_grad_raises():
    w = minigrad.ones(2, requires_grad=True)
    for op in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.fill_(1),
               lambda: w.copy_(minigrad.zeros(2)), lambda: w.clamp_(0, 1), lambda: w.normal_(),
               lambda: w.uniform_(), lambda: w.sub_(1), lambda: w.div_(2)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op()
    with minigrad.no_grad():
        w.add_(1)
    numpy.testing.assert_array_equal(w.detach().numpy(), [2, 2])


def test_inplace_edit_of_a_saved_tensor_is_detected():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y * 2).sum() + y.sum()
    with minigrad.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_inplace_through_data_bypasses_autograd_and_versions():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data.sub_(1)  # the tutorial's update: no error, no history
    y.backward()
    numpy.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0])  # saved x was edited in storage


def test_inplace_op_on_a_non_leaf_is_recorded():

    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(x * x)
        y.mul_(3)
        y.clamp_(-5, 20)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy()

    for ours, theirs in zip(run(minigrad), reference(run)):
        numpy.testing.assert_allclose(ours, theirs)


def test_setitem_records_on_tensors_with_history():

    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        v = lib.tensor([5.0, 6.0], requires_grad=True)
        y = x * 1
        y[0] = v * 2
        (y * y).sum().backward()
        return x.grad.numpy(), v.grad.numpy()

    for ours, theirs in zip(run(minigrad), reference(run)):
        numpy.testing.assert_allclose(ours, theirs)


def test_no_grad_enable_grad_and_set_grad_enabled():
    x = minigrad.ones(2, requires_grad=True)
    with minigrad.no_grad():
        assert not (x * 2).requires_grad
        with minigrad.enable_grad():
            assert (x * 2).requires_grad
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad and minigrad.is_grad_enabled()


def test_grad_modes_as_decorators():
    @minigrad.no_grad()
    def doubled(t):
        return t * 2

    @minigrad.set_grad_enabled(False)
    def tripled(t):
        return t * 3

    x = minigrad.ones(2, requires_grad=True)
    assert not doubled(x).requires_grad and not tripled(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_detach_shares_storage_and_version():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    with minigrad.no_grad():
        d.add_(1)
    numpy.testing.assert_array_equal(x.detach().numpy(), [2, 3])
    assert x._version == 1


def test_numpy_item_tolist_and_their_errors():
    x = minigrad.tensor([[1.5, 2.0]], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\)"):
        x.numpy()
    assert x.detach().numpy().tolist() == [[1.5, 2.0]] == x.tolist()
    assert x[0, 0].item() == 1.5
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        x.item()


def test_requires_grad_only_for_floats_and_leaves():
    with pytest.raises(RuntimeError, match="floating point"):
        minigrad.tensor([1, 2], requires_grad=True)
    y = minigrad.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad = False


@pytest.mark.parametrize("make,expected", [
    (lambda: minigrad.tensor([2.], requires_grad=True), "tensor([2.], requires_grad=True)"),
    (lambda: minigrad.tensor([1.5, 2.0]), "tensor([1.5000, 2.0000])"),
    (lambda: minigrad.tensor([1, 2]), "tensor([1, 2])"),
    (lambda: minigrad.tensor([1.0], dtype=minigrad.float64), "tensor([1.], dtype=minigrad.float64)"),
    (lambda: minigrad.tensor([True]), "tensor([True])"),
], ids=["leaf", "fixed", "int", "double", "bool"])
def test_repr_looks_like_pytorch(make, expected):
    assert repr(make()) == expected


def test_repr_shows_grad_fn():
    assert repr(minigrad.tensor([2.], requires_grad=True) * 2) == "tensor([4.], grad_fn=<MulBackward0>)"


def test_float32_default_and_scalars_never_upcast():
    x = minigrad.tensor([1.0, 2.0])
    assert x.dtype == minigrad.float32
    assert (x * 2.0).dtype == (2.0 * x).dtype == (x / 3).dtype == (x ** 2.5).dtype == minigrad.float32
    assert minigrad.tensor([1, 2]).dtype == minigrad.int64
    assert (minigrad.tensor([1, 2]) * 0.5).dtype == minigrad.float32
    assert minigrad.tensor(numpy.zeros(2)).dtype == minigrad.float64


def test_conversions():
    x = minigrad.tensor([1.7, -2.2])
    assert x.long().dtype == minigrad.int64 and x.long().tolist() == [1, -2]
    assert x.double().dtype == minigrad.float64 and x.float().dtype == minigrad.float32
    assert x.to(minigrad.float64).dtype == minigrad.float64
    assert x.type() == "minigrad.FloatTensor" and x.type(minigrad.int64).dtype == minigrad.int64
    assert x.to("cpu").device == "cpu" and x.cpu() is x


def test_cast_is_differentiable():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == minigrad.float32
    numpy.testing.assert_array_equal(x.grad.numpy(), [3, 3])


def test_attributes():
    x = minigrad.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) == x.size() and x.size(1) == 3 and x.size(-1) == 4
    assert x.ndim == 3 == x.dim() and x.numel() == 24 and len(x) == 2
    assert x.T.shape == (4, 3, 2) and x.device == minigrad.device("cpu")
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(3)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 3 * x ** 2 * grad


class WrongCube(Cube):
    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 2 * x ** 2 * grad


def test_custom_function_passes_gradcheck():
    x = minigrad.randn(5, dtype=minigrad.float64, requires_grad=True)
    assert minigrad.gradcheck(Cube.apply, (x,))
    y = Cube.apply(x)
    assert "CubeBackward" in repr(y.grad_fn)


def test_gradcheck_catches_a_wrong_backward():
    x = minigrad.randn(5, dtype=minigrad.float64, requires_grad=True)
    with pytest.raises(minigrad.GradcheckError, match=r"Jacobian mismatch for output 0 with respect to input 0"):
        minigrad.gradcheck(WrongCube.apply, (x,))
    assert minigrad.gradcheck(WrongCube.apply, (x,), raise_exception=False) is False


def test_custom_function_saved_tensors_are_freed():
    x = minigrad.randn(3, requires_grad=True)
    y = Cube.apply(x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="at least one input"):
        minigrad.gradcheck(lambda x: x * 2, (minigrad.ones(2, dtype=minigrad.float64),))
