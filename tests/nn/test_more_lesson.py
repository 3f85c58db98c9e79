"""A lesson-style training run written once with ``import minigrad as torch`` in mind: a small
convolutional autoencoder and classifier built from the layers added for the lessons, trained
with gradient clipping and a backward hook, must print PyTorch's numbers step by step."""
from torch_compare import assert_same_observations


def lesson(torch):
    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encode = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.GroupNorm(2, 4), nn.GELU(),
                                        nn.MaxPool2d(2), nn.Dropout2d(0.2))
            self.decode = nn.Sequential(nn.ConvTranspose2d(4, 2, 2, stride=2), nn.InstanceNorm2d(2, affine=True),
                                        nn.Hardswish(), nn.ReflectionPad2d(1), nn.Conv2d(2, 1, 3))
            self.head = nn.Sequential(nn.Upsample(scale_factor=0.5, mode="bilinear"), nn.Flatten(), nn.LayerNorm(4),
                                      nn.Linear(4, 3), nn.PReLU(), nn.AlphaDropout(0.1))
            self.gains = nn.ParameterList([nn.Parameter(torch.ones(1)) for _ in range(2)])

        def forward(self, x):
            code = self.encode(x)
            return self.decode(code) * self.gains[0], self.head(code.mean(1, keepdim=True)) * self.gains[1]

    net = Net()
    grad_norms = []
    net.head[3].register_full_backward_hook(lambda m, gi, go: grad_norms.append(go[0].norm()))
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
    images, labels = torch.rand(8, 1, 8, 8), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    seen = {}
    for step in range(4):
        optimizer.zero_grad()
        reconstruction, logits = net(images)
        loss = F.huber_loss(reconstruction, images) + nn.CrossEntropyLoss(label_smoothing=0.1)(logits, labels)
        loss.backward()
        seen[f"step {step} norm"] = nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        optimizer.step()
        seen[f"step {step} loss"] = loss
    net.eval()
    seen["eval logits"] = net(images)[1]
    seen["hook norms"] = tuple(grad_norms)
    seen["state keys"] = tuple(net.state_dict())
    seen["repr"] = repr(net)
    return seen


def test_lesson_prints_torchs_numbers():
    assert_same_observations(lesson, rtol=1e-4, atol=1e-5)
