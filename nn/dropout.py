"""Dropout: zeroes activations at random while training, the identity in evaluation."""
from nn import functional as F
from nn.module import Module


class Dropout(Module):
    """Zero each element with probability ``p`` while training and scale the rest by 1 / (1 - p),
    so the expected activation is unchanged; in ``eval()`` mode the input passes through.
    The mask is drawn from the seeded generator (``minigrad.manual_seed``)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
