"""Shared helpers for the optimizer tests: the same model and data in minigrad and PyTorch."""
import numpy

import minigrad
import optim


class MLP:
    """A two-layer tanh network written with raw tensors, plus a frozen parameter and one that
    never receives a gradient (both must be skipped by every optimizer)."""

    def __init__(self, lib, dtype, seed=0):
        rng = numpy.random.default_rng(seed)
        make = lambda *shape: lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)  # noqa: E731
        self.w1, self.b1, self.w2 = make(6, 4), make(6), make(3, 6)
        self.frozen = make(3)
        self.frozen.requires_grad_(False)
        self.unused = make(2)
        self.x = lib.tensor(rng.standard_normal((10, 4)).astype(dtype))
        self.y = lib.tensor(rng.standard_normal((10, 3)).astype(dtype))

    def parameters(self):
        return [self.w1, self.b1, self.w2, self.frozen, self.unused]

    def loss(self):
        hidden = (self.x @ self.w1.T + self.b1).tanh()
        return ((hidden @ self.w2.T + self.frozen - self.y) ** 2).mean()


def trajectory(lib, optimizer_module, name, kwargs, steps, dtype="float64", groups=None):
    """Parameters after every step of ``name``(**kwargs) on the MLP, as NumPy arrays."""
    model = MLP(lib, dtype)
    params = groups(model) if groups else model.parameters()
    optimizer = getattr(optimizer_module, name)(params, **kwargs)

    def closure():
        optimizer.zero_grad()
        loss = model.loss()
        loss.backward()
        return loss

    history = []
    for _ in range(steps):
        if name == "LBFGS":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
        history.append([p.detach().numpy().copy() for p in model.parameters()])
    return history, optimizer, model


def synthetic_gradient_run(lib, optimizer_module, name, kwargs, steps, dtype="float32", seed=0):
    """Feed both libraries the same gradient sequence (independent of the parameters), so only
    the optimizer's arithmetic is compared."""
    rng = numpy.random.default_rng(seed)
    start = [rng.standard_normal(shape).astype(dtype) for shape in ((5, 4), (7,))]
    grads = [[rng.standard_normal(a.shape).astype(dtype) for a in start] for _ in range(steps)]
    params = [lib.tensor(a, requires_grad=True) for a in start]
    optimizer = getattr(optimizer_module, name)(params, **kwargs)
    history = []
    for step in range(steps):
        for p, g in zip(params, grads[step]):
            p.grad = lib.tensor(g)
        optimizer.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def max_relative_difference(ours, theirs):
    """The largest difference between matching tensors, relative to the tensor's largest
    magnitude (so values that cross zero do not inflate it), over all steps."""
    return max(float(numpy.max(numpy.abs(a - b)) / max(float(numpy.max(numpy.abs(b))), 1e-12)) if a.size else 0.0
               for step_a, step_b in zip(ours, theirs) for a, b in zip(step_a, step_b))


def minigrad_and_torch():
    import torch
    return (minigrad, optim), (torch, torch.optim)
