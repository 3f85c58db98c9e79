"""Learning-rate schedulers: plain objects that set each group's ``lr`` once per ``step()``.

The tutorial's loop, one scheduler step per epoch after the optimizer's steps::

    scheduler = lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.1)
    for epoch in range(10):
        for inputs, labels in train_loader:
            optimizer.zero_grad(); loss.backward(); optimizer.step()
        scheduler.step()

Every scheduler of ``torch.optim.lr_scheduler`` is here, with PyTorch's numbers: the decays
(``decay``) (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
CosineAnnealingLR, LambdaLR, MultiplicativeLR); the cycles (CosineAnnealingWarmRestarts,
CyclicLR, OneCycleLR, in ``cyclic``); ReduceLROnPlateau (``plateau``);
SequentialLR and ChainedScheduler (``chain``). Each ``get_lr()`` is PyTorch's
recursive form, so that schedulers compose; the closed form, where one exists, is
``_get_closed_form_lr()`` (used by the deprecated ``step(epoch)``).
"""
from optim.lr_scheduler.base import LRScheduler, _LRScheduler
from optim.lr_scheduler.chain import ChainedScheduler, SequentialLR
from optim.lr_scheduler.cyclic import CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR
from optim.lr_scheduler.decay import (ConstantLR, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR,
                                      MultiplicativeLR, MultiStepLR, PolynomialLR, StepLR)
from optim.lr_scheduler.plateau import ReduceLROnPlateau

__all__ = ["LRScheduler", "_LRScheduler", "ChainedScheduler", "SequentialLR", "CosineAnnealingWarmRestarts",
           "CyclicLR", "OneCycleLR", "ConstantLR", "CosineAnnealingLR", "ExponentialLR", "LambdaLR", "LinearLR",
           "MultiplicativeLR", "MultiStepLR", "PolynomialLR", "StepLR", "ReduceLROnPlateau"]

for _name in __all__:  # PyTorch's names when printed: optim.lr_scheduler.StepLR, not ...decay.StepLR
    globals()[_name].__module__ = __name__
del _name
