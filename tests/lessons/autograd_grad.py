"""torch.autograd.grad: first derivatives without touching .grad, then a second derivative."""
import minigrad as torch

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = (x ** 3).sum()
(first,) = torch.autograd.grad(y, x)
print("dy/dx:", first)
print("x.grad untouched:", x.grad)

y = (x ** 3).sum()
(first,) = torch.autograd.grad(y, x, create_graph=True)
print("first keeps a graph:", first.requires_grad)
(second,) = torch.autograd.grad(first.sum(), x)
print("d2y/dx2:", second)

w = torch.tensor([[1.0, -1.0], [2.0, 0.5]], requires_grad=True)
v = torch.tensor([1.0, 3.0], requires_grad=True)
out = torch.tanh(w @ v)
grads = torch.autograd.grad(out, (w, v), grad_outputs=torch.ones(2))
for g in grads:
    print(g)

unused = torch.tensor([1.0], requires_grad=True)
print(torch.autograd.grad((v * 2).sum(), (v, unused), allow_unused=True))
