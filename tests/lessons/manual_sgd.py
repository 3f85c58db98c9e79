"""Fit y = 3x - 1 by hand: the gradient step is an in-place update under no_grad."""
import minigrad as torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 20).unsqueeze(1)
y = 3 * x - 1 + 0.1 * torch.randn(20, 1)

w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
learning_rate = 0.5
for step in range(30):
    prediction = x @ w + b
    loss = ((prediction - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= learning_rate * w.grad
        b -= learning_rate * b.grad
    w.grad.zero_()
    b.grad.zero_()
    if step % 5 == 0:
        print(f"step {step:2d}  loss {loss.item():.4f}")

print("w:", w)
print("b:", b)
print("still leaves:", w.is_leaf, b.is_leaf, w.requires_grad)
print("versions:", w._version, b._version)
