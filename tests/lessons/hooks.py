"""Hooks: see and change a gradient as it flows, and see a module's output as it is made."""
import minigrad as torch
import minigrad.nn as nn

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
seen = []
handle = y.register_hook(lambda grad: seen.append(grad.clone()))
x.register_hook(lambda grad: grad * 10)
y.sum().backward()
print("gradient seen at y:", seen[0])
print("x.grad after the leaf hook:", x.grad)
handle.remove()

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
activations = {}


def remember(name):
    def hook(module, inputs, output):
        activations[name] = output.detach()
    return hook


handles = [model[i].register_forward_hook(remember(f"layer{i}")) for i in range(3)]
model[0].register_forward_pre_hook(lambda module, inputs: print("about to run", type(module).__name__,
                                                                   tuple(inputs[0].shape)))
out = model(torch.ones(1, 4))
for name, value in activations.items():
    print(name, value)
for h in handles:
    h.remove()
activations.clear()
model(torch.ones(1, 4))
print("after removing:", activations)

y = model[2].weight.sum() * 2
model[2].weight.register_hook(lambda grad: print("weight grad shape:", grad.shape))
y.backward()
