"""Curvature from Hessian-vector products: H v without ever forming H.

Pearlmutter's trick: build the gradient g = dL/dw as a differentiable graph (``create_graph=True``);
the gradient of the scalar g . v is then H v, at the cost of about two backward passes. Power
iteration on that product finds the Hessian's eigenvalue of largest magnitude (what PyHessian
reports as "sharpness"); on a handful of parameters the columns H e_k give the whole matrix.

Vectors are lists of tensors shaped like the parameters. Only PyTorch's tensor API is used and
the gradient function can be passed in, so the same code runs on torch tensors as well.
"""
import numpy

import minigrad


def hessian_vector_product(loss, params, grad=None):
    """A function ``v -> H v`` for the Hessian of the scalar ``loss`` with respect to ``params``.

    ``grad`` is ``minigrad.autograd.grad`` unless given (pass ``torch.autograd.grad`` for torch
    tensors). The first gradient is built once, with its graph; each product is one more
    backward pass through it, so the function may be called many times.
    """
    grad = grad if grad is not None else minigrad.autograd.grad
    params = list(params)
    grads = grad(loss, params, create_graph=True)

    def product(vectors):
        dot = sum((g * v).sum() for g, v in zip(grads, vectors))
        if not dot.requires_grad:  # the gradient does not depend on the parameters: H = 0
            return [p.new_zeros(p.shape) for p in params]
        columns = grad(dot, params, retain_graph=True, allow_unused=True)
        return [c.detach() if c is not None else p.new_zeros(p.shape) for c, p in zip(columns, params)]

    return product


def dot(first, second):
    """The inner product of two vectors given as lists of tensors, as a float."""
    return sum(float((a * b).sum().item()) for a, b in zip(first, second))


def normalized(vectors):
    norm = dot(vectors, vectors) ** 0.5
    return [v / norm for v in vectors]


def top_eigenvalue(hvp, params, iters=20, tol=1e-4):
    """Power iteration: the Hessian's eigenvalue of largest magnitude (signed) and its eigenvector.

    Starts from a random direction (drawn from the global generator: seed it for repeatable
    numbers) and stops after ``iters`` products or when the Rayleigh quotient v . Hv changes by
    less than ``tol`` relative. Returns ``(eigenvalue, vector, products_used)``.
    """
    vector = normalized([p.new_zeros(p.shape).normal_() for p in params])
    eigenvalue = None
    for used in range(1, iters + 1):
        product = hvp(vector)
        estimate = dot(vector, product)
        if dot(product, product) == 0.0:
            return 0.0, vector, used
        vector = normalized(product)
        if eigenvalue is not None and abs(estimate - eigenvalue) <= tol * abs(eigenvalue):
            return estimate, vector, used
        eigenvalue = estimate
    return eigenvalue, vector, iters


def largest_eigenvalue(hvp, params, iters=20, tol=1e-4):
    """The Hessian's largest (most positive) eigenvalue, what limits the learning rate.

    Power iteration finds the eigenvalue of largest magnitude; when that one is negative, a second
    run on H + |lambda| I (all of whose eigenvalues are >= 0) finds the top one, shifted back."""
    eigenvalue, _, used = top_eigenvalue(hvp, params, iters, tol)
    if eigenvalue >= 0 or used >= iters:
        return eigenvalue
    shift = -eigenvalue

    def shifted(vectors):
        return [h + shift * v for h, v in zip(hvp(vectors), vectors)]

    value, _, _ = top_eigenvalue(shifted, params, iters - used, tol)
    return value - shift


def dense_hessian(hvp, params):
    """The whole Hessian as a symmetric NumPy matrix, one product per parameter entry."""
    params = list(params)
    sizes = [p.numel() for p in params]
    columns = []
    for index in range(sum(sizes)):
        basis = [p.new_zeros(p.shape) for p in params]
        which = numpy.searchsorted(numpy.cumsum(sizes), index, side="right")
        basis[which].view(-1)[index - sum(sizes[:which])] = 1.0
        columns.append(numpy.concatenate([c.detach().cpu().numpy().reshape(-1) for c in hvp(basis)]))
    matrix = numpy.stack(columns, axis=1).astype(numpy.float64)
    return (matrix + matrix.T) / 2  # products are exact up to rounding; this removes the rounding


def eigenvalues(matrix):
    """Eigenvalues of a symmetric matrix, largest first."""
    return numpy.linalg.eigvalsh(matrix)[::-1]
