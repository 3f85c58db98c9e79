"""A seeded training loop: a small classifier, a DataLoader that shuffles, SGD with momentum."""
import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
points = torch.randn(64, 2)
labels = (points[:, 0] * points[:, 1] > 0).long()
loader = DataLoader(TensorDataset(points, labels), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.3, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(4):
    total = 0.0
    for batch, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(batch), target)
        loss.backward()
        optimizer.step()
        total += loss.item()
    print(f"epoch {epoch}  mean loss {total / len(loader):.4f}")

with torch.no_grad():
    logits = model(points)
    accuracy = (logits.argmax(dim=1) == labels).float().mean()
print(f"accuracy {accuracy.item():.3f}")
print(F.softmax(logits[:3], dim=1))
print(loss)
