"""Higher-order gradients used as calculus (issue 12): third derivatives against closed forms,
mixed partials, a gradient-penalty training step, Rosenbrock's Hessian, autograd.functional's
return conventions, power iteration on LeNet's Hessian, once_differentiable, and gradgradcheck
catching a wrong double backward. Each result is compared with a formula or with PyTorch."""
import math

import numpy
import pytest

import minigrad
from minigrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck, once_differentiable
from nn_cases import SKETCH_ABOVE, as_numpy, load_arrays, state_arrays, torch_lenet
from oracle import Raised, assert_close_to, reference

CLOSE = dict(rtol=1e-9, atol=1e-11)


def derivative(value, x, order):
    """d^order value / dx^order, for an element-wise ``value`` of ``x`` (each step recorded)."""
    for _ in range(order):
        value, = minigrad.autograd.grad(value.sum(), x, create_graph=True)
    return value


def _sigmoid_third(x):
    s = 1 / (1 + numpy.exp(-x))
    return s * (1 - s) * (1 - 6 * s + 6 * s * s)


THIRD_DERIVATIVES = [  # (name, f on tensors, f''' on arrays, kind of inputs)
    ("x^4", lambda x: x ** 4, lambda x: 24 * x, "real"),
    ("sin", lambda x: x.sin(), lambda x: -numpy.cos(x), "real"),
    ("exp(2x)", lambda x: (2 * x).exp(), lambda x: 8 * numpy.exp(2 * x), "real"),
    ("log", lambda x: x.log(), lambda x: 2 / x ** 3, "pos"),
    ("sqrt", lambda x: x.sqrt(), lambda x: 0.375 * x ** -2.5, "pos"),
    ("reciprocal", lambda x: 1 / x, lambda x: -6 / x ** 4, "pos"),
    ("tanh", lambda x: x.tanh(), lambda x: (6 * numpy.tanh(x) ** 2 - 2) * (1 - numpy.tanh(x) ** 2), "real"),
    ("sigmoid", lambda x: x.sigmoid(), _sigmoid_third, "real"),
    ("x*exp(x)", lambda x: x * x.exp(), lambda x: (x + 3) * numpy.exp(x), "real"),
]


def _points(kind):
    return numpy.array([0.5, 1.25, 2.0]) if kind == "pos" else numpy.array([-1.5, -0.25, 0.7])


@pytest.mark.parametrize("name,f,third,kind", THIRD_DERIVATIVES, ids=[row[0] for row in THIRD_DERIVATIVES])
def test_third_derivative_matches_closed_form(name, f, third, kind):
    points = _points(kind)
    x = minigrad.tensor(points, requires_grad=True)
    numpy.testing.assert_allclose(derivative(f(x), x, 3).detach().numpy(), third(points), **CLOSE)


def test_fifth_derivative_of_a_polynomial():
    x = minigrad.tensor([-1.0, 0.5, 2.0], dtype=minigrad.float64, requires_grad=True)
    value = derivative(x ** 6 + x ** 5, x, 5)
    numpy.testing.assert_allclose(value.detach().numpy(), 720 * x.detach().numpy() + 120, **CLOSE)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")  # PyTorch's note on cycles
def test_backward_with_create_graph_leaves_a_differentiable_grad_as_torch_does():
    values = numpy.array([0.5, -1.5, 2.0])

    def grads(lib):
        x = lib.tensor(values, requires_grad=True)
        (x ** 3 * x.sin()).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        first = as_numpy(x.grad)
        x.grad.sum().backward()  # adds the second derivative to the first one already in .grad
        return first, as_numpy(x.grad)

    (ours_first, ours_total), (their_first, their_total) = grads(minigrad), reference(grads)
    numpy.testing.assert_allclose(ours_first, their_first, **CLOSE)
    numpy.testing.assert_allclose(ours_total, their_total, **CLOSE)
    second = 6 * values * numpy.sin(values) + 6 * values ** 2 * numpy.cos(values) - values ** 3 * numpy.sin(values)
    numpy.testing.assert_allclose(ours_total - ours_first, second, **CLOSE)


MIXED_PARTIALS = [  # (name, f(x, y), d2f/dxdy on arrays)
    ("x^2 y^3", lambda x, y: x * x * y ** 3, lambda x, y: 6 * x * y * y),
    ("sin(xy)", lambda x, y: (x * y).sin(), lambda x, y: numpy.cos(x * y) - x * y * numpy.sin(x * y)),
    ("exp(x) log(y)", lambda x, y: x.exp() * y.log(), lambda x, y: numpy.exp(x) / y),
    ("x / y", lambda x, y: x / y, lambda x, y: -1 / y ** 2),
    ("(x + y)^3", lambda x, y: (x + y) ** 3, lambda x, y: 6 * (x + y)),
]


@pytest.mark.parametrize("order", ["x-then-y", "y-then-x"])
@pytest.mark.parametrize("name,f,mixed", MIXED_PARTIALS, ids=[row[0] for row in MIXED_PARTIALS])
def test_mixed_partials_match_closed_form_in_either_order(name, f, mixed, order):
    xs, ys = numpy.array([0.3, -0.8]), numpy.array([1.5, 0.6])
    x, y = minigrad.tensor(xs, requires_grad=True), minigrad.tensor(ys, requires_grad=True)
    first, second = (x, y) if order == "x-then-y" else (y, x)
    partial, = minigrad.autograd.grad(f(x, y).sum(), first, create_graph=True)
    both, = minigrad.autograd.grad(partial.sum(), second)
    numpy.testing.assert_allclose(both.numpy(), mixed(xs, ys), **CLOSE)


# ---- a gradient-penalty training step against PyTorch -------------------------------------------

def _penalty_steps(lib, model, x, t, steps, penalty=0.5):
    """Minimise mse + penalty * |d mse / d x|^2 with SGD and momentum; the losses along the way."""
    optimizer = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        inputs = x.detach().requires_grad_(True)
        loss = lib.nn.functional.mse_loss(model(inputs), t)
        slope, = lib.autograd.grad(loss, inputs, create_graph=True)
        total = loss + penalty * (slope * slope).sum()
        total.backward()
        optimizer.step()
        losses.append(total.item())
    return losses


def _mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2)).double()


def test_gradient_penalty_training_matches_torch():
    ours = _mlp(minigrad)
    start = state_arrays(ours)
    x, t = minigrad.randn(4, 3, dtype=minigrad.float64), minigrad.randn(4, 2, dtype=minigrad.float64)

    def theirs(torch):
        model = load_arrays(_mlp(torch), start)
        losses = _penalty_steps(torch, model, torch.tensor(x.numpy()), torch.tensor(t.numpy()), steps=4)
        return {"losses": losses, "state": state_arrays(model)}

    expected = reference(theirs)
    mine = _penalty_steps(minigrad, ours, x, t, steps=4)
    numpy.testing.assert_allclose(mine, expected["losses"], **CLOSE)
    assert mine[-1] < mine[0]
    for name, param in expected["state"].items():
        numpy.testing.assert_allclose(as_numpy(ours.state_dict()[name]), param, err_msg=name, **CLOSE)


# ---- Rosenbrock -----------------------------------------------------------------------------

def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2


def rosenbrock_hessian(x, y):
    return numpy.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200]])


@pytest.mark.parametrize("point", [(1.0, 1.0), (-0.7, 0.4), (0.3, 2.0)], ids=["minimum", "valley", "wall"])
def test_rosenbrock_hessian_is_the_closed_form(point):
    p = minigrad.tensor(point, dtype=minigrad.float64)
    hessian = minigrad.autograd.functional.hessian(rosenbrock, p)
    numpy.testing.assert_allclose(hessian.numpy(), rosenbrock_hessian(*point), **CLOSE)


def test_rosenbrock_at_its_minimum():
    p = minigrad.tensor([1.0, 1.0], dtype=minigrad.float64)
    functional = minigrad.autograd.functional
    numpy.testing.assert_array_equal(functional.jacobian(rosenbrock, p).numpy(), [0, 0])

    def gradient(q):
        return minigrad.autograd.grad(rosenbrock(q), q, create_graph=True)[0]

    expected = [[802, -400], [-400, 200]]
    numpy.testing.assert_array_equal(functional.jacobian(gradient, p).numpy(), expected)
    numpy.testing.assert_array_equal(functional.hessian(rosenbrock, p).numpy(), expected)
    pair = functional.hessian(lambda x, y: rosenbrock((x, y)), (p[0].detach(), p[1].detach()))
    numpy.testing.assert_array_equal([[h.item() for h in row] for row in pair], expected)


# ---- autograd.functional's return conventions against torch.autograd.functional --------------

FUNCTIONAL_CALLS = [  # (name, call(functional, x, y, u, w)) with x, y, u, w tensors of shape (2,)
    ("vjp/tensor", lambda AF, x, y, u, w: AF.vjp(lambda a: a.exp() * a, x, u)),
    ("vjp/tuple-inputs", lambda AF, x, y, u, w: AF.vjp(lambda a, b: a * b.sin(), (x, y), u)),
    ("vjp/tuple-outputs", lambda AF, x, y, u, w: AF.vjp(lambda a: (a * 2, a.exp()), x, (u, w))),
    ("vjp/scalar-without-v", lambda AF, x, y, u, w: AF.vjp(lambda a: (a ** 3).sum(), x)),
    ("jvp/tensor", lambda AF, x, y, u, w: AF.jvp(lambda a: a.exp() * a, x, u)),
    ("jvp/tuples", lambda AF, x, y, u, w: AF.jvp(lambda a, b: (a * b, a.sin() + b), (x, y), (u, w))),
    ("vhp/tensor", lambda AF, x, y, u, w: AF.vhp(lambda a: (a ** 3).sum(), x, u)),
    ("vhp/tuple", lambda AF, x, y, u, w: AF.vhp(lambda a, b: (a * a * b.exp()).sum(), (x, y), (u, w))),
    ("hvp/tensor", lambda AF, x, y, u, w: AF.hvp(lambda a: (a.sin() * a).sum(), x, u)),
    ("hvp/tuple", lambda AF, x, y, u, w: AF.hvp(lambda a, b: (a * a * b).sum(), (x, y), (u, w))),
    ("jacobian/tensor", lambda AF, x, y, u, w: AF.jacobian(lambda a: a.exp() * a, x)),
    ("jacobian/tuple-inputs", lambda AF, x, y, u, w: AF.jacobian(lambda a, b: a * b, (x, y))),
    ("jacobian/tuple-outputs", lambda AF, x, y, u, w: AF.jacobian(lambda a: (a * 2, a.sin()), x)),
    ("jacobian/tuples", lambda AF, x, y, u, w: AF.jacobian(lambda a, b: (a * b, a.exp()), (x, y))),
    ("jacobian/unused-input", lambda AF, x, y, u, w: AF.jacobian(lambda a, b: a * 2, (x, y))),
    ("hessian/tensor", lambda AF, x, y, u, w: AF.hessian(lambda a: (a ** 3).sum(), x)),
    ("hessian/tuple", lambda AF, x, y, u, w: AF.hessian(lambda a, b: (a * a * b).sum(), (x, y))),
    # outputs or derivatives that depend on no input: zeros, outside strict mode
    ("vjp/constant-output", lambda AF, x, y, u, w: AF.vjp(lambda a: a.detach() * 2, x, u)),
    ("jvp/constant-output", lambda AF, x, y, u, w: AF.jvp(lambda a: a.detach() * 2, x, u)),
    ("vhp/linear", lambda AF, x, y, u, w: AF.vhp(lambda a: (a * 3).sum(), x, u)),
    ("hvp/linear", lambda AF, x, y, u, w: AF.hvp(lambda a: (a * 3).sum(), x, u)),
    ("hessian/constant", lambda AF, x, y, u, w: AF.hessian(lambda a: a.detach().sum(), x)),
]


def _structure(value):
    """Tuples as tuples, each tensor as a dict of its shape, requires_grad and values."""
    if isinstance(value, (tuple, list)):
        return tuple(_structure(v) for v in value)
    return {"shape": tuple(value.shape), "requires_grad": value.requires_grad, "values": as_numpy(value)}


def _assert_same(ours, theirs, where="result"):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), where
        for k, (a, b) in enumerate(zip(ours, theirs)):
            _assert_same(a, b, f"{where}[{k}]")
        return
    assert not isinstance(ours, tuple), where
    assert (ours["shape"], ours["requires_grad"]) == (theirs["shape"], theirs["requires_grad"]), where
    numpy.testing.assert_allclose(ours["values"], theirs["values"], err_msg=where, **CLOSE)


def _functional_arguments(lib, arrays):
    return [lib.tensor(a.copy()) for a in arrays]


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("name,call", FUNCTIONAL_CALLS, ids=[row[0] for row in FUNCTIONAL_CALLS])
def test_functional_results_and_conventions_match_torch(name, call, create_graph):
    arrays = [minigrad.randn(2, dtype=minigrad.float64).numpy() for _ in range(4)]

    def result(lib):
        functional = lib.autograd.functional
        fixed = type("Fixed", (), {n: staticmethod(_with_flag(getattr(functional, n), create_graph))
                                   for n in ("vjp", "jvp", "vhp", "hvp", "jacobian", "hessian")})
        return _structure(call(fixed, *_functional_arguments(lib, arrays)))

    _assert_same(result(minigrad), reference(result))


def _with_flag(function, create_graph):
    def call(*args):
        return function(*args, create_graph=create_graph)
    return call


STRICT_CALLS = [  # each has an output or a derivative that does not depend on an input
    ("vjp", lambda AF, x, u: AF.vjp(lambda a, b: a * 2, (x, u), x, strict=True)),
    ("jvp", lambda AF, x, u: AF.jvp(lambda a, b: a * 2, (x, u), (u, x), strict=True)),
    ("jacobian", lambda AF, x, u: AF.jacobian(lambda a, b: a.exp(), (x, u), strict=True)),
    ("hessian/linear", lambda AF, x, u: AF.hessian(lambda a: a.sum(), x, strict=True)),
    ("hvp/linear", lambda AF, x, u: AF.hvp(lambda a: (a * 3).sum(), x, u, strict=True)),
]


@pytest.mark.parametrize("name,call", STRICT_CALLS, ids=[row[0] for row in STRICT_CALLS])
def test_strict_mode_refuses_an_independent_input_as_torch_does(name, call):
    arrays = [minigrad.randn(2, dtype=minigrad.float64).numpy() for _ in range(2)]

    def raised(lib):
        return Raised.of(lambda: call(lib.autograd.functional, *_functional_arguments(lib, arrays)))

    for seen in (raised(minigrad), reference(raised)):
        assert seen is not None and seen.kind == "RuntimeError" and "not allowed in strict mode" in seen.message


# ---- power iteration on the Hessian of LeNet's loss ------------------------------------------

def _power_iteration(lib, net, images, labels, start, iterations):
    """The Rayleigh quotients v^T H v along the iteration v <- H v / |H v| (H: the Hessian of the
    loss with respect to every parameter, applied through a second backward pass)."""
    params = list(net.parameters())
    loss = lib.nn.functional.cross_entropy(net(images), labels)
    gradients = lib.autograd.grad(loss, params, create_graph=True)
    v = [lib.tensor(s) for s in start]
    quotients = []
    for _ in range(iterations):
        hv = lib.autograd.grad(gradients, params, v, retain_graph=True)
        quotients.append(sum(float((a * b).sum()) for a, b in zip(v, hv)))
        norm = math.sqrt(sum(float((h * h).sum()) for h in hv))
        v = [h / norm for h in hv]
    return quotients, [as_numpy(x) for x in v]


def test_power_iteration_on_lenet_matches_torch():
    ours = minigrad.nn.models.LeNet(2).double()
    weights = state_arrays(ours)
    images = minigrad.randn(2, 3, 32, 32, dtype=minigrad.float64)
    start = [minigrad.randn(p.shape, dtype=minigrad.float64).numpy() for p in ours.parameters()]
    scale = math.sqrt(sum(float((s * s).sum()) for s in start))
    start = [s / scale for s in start]
    expected_quotients, expected_v = reference(
        lambda torch: _power_iteration(torch, load_arrays(torch_lenet(torch, 2).double(), weights),
                                       torch.tensor(images.numpy()), torch.tensor([0, 1]), start, 8),
        sketch_above=SKETCH_ABOVE)
    mine, v_mine = _power_iteration(minigrad, ours, images, minigrad.tensor([0, 1]), start, 8)
    numpy.testing.assert_allclose(mine, expected_quotients, rtol=1e-8)
    for a, b in zip(v_mine, expected_v):
        assert_close_to(a, b, rtol=1e-6, atol=1e-10)
    assert mine[-1] > 0


# ---- once_differentiable and a deliberately wrong double backward --------------------------------

class ExpOnce(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        return grad * y


def test_once_differentiable_gives_the_first_derivative_and_refuses_the_second():
    x = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    # squared, so that the gradient reaching ExpOnce's backward is itself differentiable
    slope, = minigrad.autograd.grad((ExpOnce.apply(x) ** 2).sum(), x, create_graph=True)
    numpy.testing.assert_allclose(slope.detach().numpy(), 2 * numpy.exp([1.0, -2.0]), **CLOSE)
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with "
                                           "@once_differentiable"):
        slope.sum().backward()
    assert gradcheck(ExpOnce.apply, (x,))


class IdentityWithGradient(Function):
    """The identity whose backward multiplies by ``factor`` (1 is right; anything else is wrong)."""

    factor = 1.0

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.factor


class WrongIdentity(IdentityWithGradient):
    factor = 2.0


def _square_with(identity):
    class Square(Function):
        """x^2: backward returns the right value 2 g x, computed through ``identity``, so the
        derivative of backward is right only if ``identity``'s gradient is."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 2 * grad * identity.apply(x)
    return Square


@pytest.mark.parametrize("identity,right", [(IdentityWithGradient, True), (WrongIdentity, False)],
                         ids=["right-double-backward", "wrong-double-backward"])
def test_gradgradcheck_catches_a_wrong_double_backward(identity, right):
    square = _square_with(identity)
    x = minigrad.tensor([0.3, -1.2, 2.0], dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(square.apply, (x,))
    assert gradgradcheck(square.apply, (x,), raise_exception=False) is right
    assert gradgradcheck(square.apply, (x,), raise_exception=False, fast_mode=True) is right
    if not right:
        with pytest.raises(GradcheckError, match="Jacobian mismatch"):
            gradgradcheck(square.apply, (x,))


def test_sparse_embedding_gradient_refuses_to_be_differentiated_again():
    weight = minigrad.randn(4, 2, dtype=minigrad.float64, requires_grad=True)
    out = minigrad.nn.functional.embedding(minigrad.tensor([1, 3]), weight, sparse=True)
    with pytest.raises(RuntimeError, match="sparse gradient of embedding cannot be differentiated again"):
        minigrad.autograd.grad(out.sum(), weight, create_graph=True)
