"""Views share memory with their base; in-place ops change every view and keep gradients exact."""
import minigrad as torch

base = torch.arange(6.0).reshape(2, 3)
row = base[1]
column = base[:, 0]
print(row._base is base, base.view(3, 2)._base is base, base.t().is_contiguous())
row.mul_(10)
print(base)
base.add_(1)
print(column, base._version, column._version)

a = torch.ones(3, requires_grad=True)
b = a * 2
b[0:2].zero_()
b.sum().backward()
print(b)
print(a.grad)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1
first = h[:2]
h.mul_(x)
print(first.detach(), first.requires_grad)
(first.sum() + h[2]).backward()
print(x.grad)

p = torch.ones(2, 2, requires_grad=True)
q = p * 3
q.t()[0].add_(torch.tensor([1.0, 5.0]))
q.relu_()
print(q)
try:
    s = q * q
    q.add_(1)
    s.sum().backward()
except RuntimeError as error:
    print("RuntimeError:", str(error).split(":")[0])
