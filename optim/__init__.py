"""minigrad.optim: every optimizer of torch.optim, one file each, and ``optim.lr_scheduler``."""
from optim.adadelta import Adadelta
from optim.adagrad import Adagrad
from optim.adam import Adam
from optim.adamax import Adamax
from optim.adamw import AdamW
from optim.asgd import ASGD
from optim.lbfgs import LBFGS
from optim.nadam import NAdam
from optim.optimizer import Optimizer
from optim.radam import RAdam
from optim.rmsprop import RMSprop
from optim.rprop import Rprop
from optim.sgd import SGD
from optim.sparse_adam import SparseAdam
from optim import lr_scheduler  # noqa: E402 - schedulers build on the optimizers

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "Adagrad", "RMSprop",
           "Adadelta", "ASGD", "Rprop", "LBFGS", "lr_scheduler"]
