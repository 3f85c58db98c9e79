"""LeNet as the tutorial defines it, for 3x32x32 images."""
from nn import functional as F, init
from nn.conv import Conv2d
from nn.linear import Linear
from nn.module import Module
from nn.normalization import BatchNorm2d


class LeNet(Module):
    """conv 3->6 (5x5), max-pool 2, conv 6->16 (5x5), max-pool 2, fc 400->120->84->classes, ReLU."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = Conv2d(3, 6, 5)
        self.conv2 = Conv2d(6, 16, 5)
        self.fc1 = Linear(16 * 5 * 5, 120)
        self.fc2 = Linear(120, 84)
        self.fc3 = Linear(84, classes)

    def forward(self, x):
        out = F.relu(self.conv1(x))
        out = F.max_pool2d(out, 2)
        out = F.relu(self.conv2(out))
        out = F.max_pool2d(out, 2)
        out = out.view(out.size(0), -1)
        out = F.relu(self.fc1(out))
        out = F.relu(self.fc2(out))
        out = self.fc3(out)
        return out

    def initialize_weights(self):
        """The tutorial's initialisation: Xavier-normal convolutions, N(0, 0.1) linear weights,
        BatchNorm weight 1, every bias 0."""
        for m in self.modules():
            if isinstance(m, Conv2d):
                init.xavier_normal_(m.weight)
                if m.bias is not None:
                    m.bias.data.zero_()
            elif isinstance(m, BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, Linear):
                init.normal_(m.weight.data, 0, 0.1)
                m.bias.data.zero_()
