"""optim: every optimizer of torch.optim, one file each, and ``optim.lr_scheduler``.

Each optimizer file holds the class (validation, defaults, the algorithm in its docstring) and
one update function on raw arrays that reads like the paper; ``optim.optimizer.Optimizer`` is
the base class that manages parameter groups, state and state_dict.
"""
from optim.optimizer import Optimizer

from optim.sgd import SGD
from optim.adam import Adam
from optim.adamw import AdamW
from optim.adamax import Adamax
from optim.nadam import NAdam
from optim.radam import RAdam
from optim.sparse_adam import SparseAdam

# ---- the other optimizers (Adagrad, RMSprop, Adadelta, ASGD, Rprop, LBFGS): one line each ----
from optim.adagrad import Adagrad
from optim.rmsprop import RMSprop
from optim.adadelta import Adadelta
from optim.asgd import ASGD
from optim.rprop import Rprop
from optim.lbfgs import LBFGS
# ---- end of the other optimizers ----

from optim import lr_scheduler  # noqa: E402 - schedulers build on the optimizers

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "SparseAdam", "Adagrad", "RMSprop",
           "Adadelta", "ASGD", "Rprop", "LBFGS", "lr_scheduler"]
