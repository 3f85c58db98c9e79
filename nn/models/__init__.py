"""Ready-made models."""
from nn.models.lenet import LeNet

__all__ = ["LeNet"]
