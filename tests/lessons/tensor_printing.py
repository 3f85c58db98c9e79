"""Make tensors of many kinds and print them, as the first lesson of a course does."""
import math

import minigrad as torch

print(torch.tensor(3.5), torch.tensor(7), torch.tensor(True))
print(torch.zeros(2, 3))
print(torch.ones(2, 2, dtype=torch.int32))
print(torch.arange(10))
print(torch.arange(0, 1, 0.125))
print(torch.linspace(-1, 1, 5, dtype=torch.float64))
print(torch.eye(3, dtype=torch.bool))
print(torch.tensor([1e-8, 1.0, 1e8]))
print(torch.tensor([0.001, 123.456, -7.0]))
print(torch.tensor([[math.nan, math.inf], [-math.inf, 2.0]]))
print(torch.tensor([123456789, -5]), torch.tensor([1.5], dtype=torch.float16))
print(torch.empty(0), torch.zeros(2, 0), torch.ones(0, 3, dtype=torch.int64))
print(torch.arange(2000.0))
print(torch.arange(1200).reshape(30, 40))
print(torch.arange(24).reshape(2, 3, 4))

x = torch.ones(2, 3, requires_grad=True)
y = x * 2 + 1
print(x)
print(y)
print(y.mean())
print(y.shape, y.size(), y.size(1), y.dtype, x.dtype is torch.float32)
print(torch.Size([6, 1, 5, 5]), torch.float64, torch.int64, torch.bool)
print(y.grad_fn.name(), y.ndim, y.numel(), y.dim(), len(y))
print(torch.tensor([[1, 2], [3, 4]]).float().t().contiguous().view(-1).tolist())
print(torch.randn(3, 3).type(), torch.tensor([1, 2]).type(), x.double().type())
print(repr(torch.nn.Parameter(torch.zeros(2))))
torch.set_printoptions(precision=2)
print(torch.tensor([1.23456, 2.0]))
torch.set_printoptions(profile="default")
