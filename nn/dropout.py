"""Dropout layers: they zero activations at random while training and are the identity in
evaluation. Masks are drawn from the seeded generator (``minigrad.manual_seed``) as PyTorch draws them."""
from nn import functional as F
from nn.module import Module


class _DropoutNd(Module):
    function = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):  # noqa: A002 - PyTorch's name
        return type(self).function(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` while training and scale the rest by 1 / (1 - p),
    so the expected activation is unchanged; in ``eval()`` mode the input passes through."""
    function = F.dropout


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    function = F.dropout1d


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) inputs."""
    function = F.dropout2d


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    function = F.dropout3d


class AlphaDropout(_DropoutNd):
    """Dropout that keeps the self-normalizing property of SELU networks (``inplace`` is ignored, as in PyTorch)."""

    def forward(self, input):  # noqa: A002
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels."""

    def forward(self, input):  # noqa: A002
        return F.feature_alpha_dropout(input, self.p, self.training)
