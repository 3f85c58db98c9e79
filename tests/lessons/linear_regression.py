"""Linear regression with nn.Linear, MSELoss and SGD: the fit finds the weights that made the data."""
import minigrad as torch
import minigrad.nn as nn

torch.manual_seed(3)
features = torch.randn(100, 3)
true_weight = torch.tensor([[2.0, -3.5, 0.5]])
targets = features @ true_weight.t() + 4.0 + 0.01 * torch.randn(100, 1)

model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
for epoch in range(60):
    optimizer.zero_grad()
    loss = loss_fn(model(features), targets)
    loss.backward()
    optimizer.step()
    if epoch % 15 == 0:
        print(f"epoch {epoch:2d}  loss {loss.item():.4f}")

print(model.weight)
print(model.bias)
print("found the true weights:", torch.allclose(model.weight.detach(), true_weight, atol=0.05))
print("residual:", f"{(model(features) - targets).abs().max().item():.3f}")
