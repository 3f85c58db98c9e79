"""Modules and containers: how parameters are found, named, counted and saved."""
from collections import OrderedDict

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class LeNet(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc = nn.Sequential(OrderedDict([("fc1", nn.Linear(16 * 4 * 4, 120)), ("act", nn.ReLU()),
                                             ("fc2", nn.Linear(120, classes))]))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


torch.manual_seed(0)
net = LeNet()
print(net)
for name, parameter in net.named_parameters():
    print(name, parameter.shape, parameter.requires_grad)
print("parameters:", sum(p.numel() for p in net.parameters()))
print(list(net.state_dict().keys()))
print(net.conv1.weight.shape, net.fc.fc1.bias[:3])
print(net(torch.randn(2, 1, 28, 28)).shape)

blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
heads = nn.ModuleDict({"left": nn.Linear(4, 1), "right": nn.Linear(4, 2)})
print(len(blocks), len(list(blocks.parameters())), list(heads.keys()))
print(heads)
net.eval()
print(net.training, net.fc.training)
net.fc.fc2.weight.requires_grad_(False)
print([name for name, p in net.named_parameters() if not p.requires_grad])
print([type(m).__name__ for m in net.modules()])
print([name for name, _ in net.named_children()])
