"""minigrad.nn: modules, layers, losses, ``nn.functional``, ``nn.init`` and ``nn.models``."""
from nn import functional, init
from nn.activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                           LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU, Sigmoid, SiLU, Softmax, Softmax2d,
                           Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from nn.containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from nn.conv import Conv1d, Conv2d, ConvTranspose2d
from nn.pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, MaxUnpool1d,
                        MaxUnpool2d)
from nn.dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout
from nn.linear import Flatten, Identity, Linear, Unflatten
from nn.distance import CosineSimilarity, PairwiseDistance
from nn.loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CTCLoss, CrossEntropyLoss, GaussianNLLLoss,
                     HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss, MultiLabelMarginLoss,
                     MultiLabelSoftMarginLoss, MultiMarginLoss, NLLLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss,
                     TripletMarginLoss, TripletMarginWithDistanceLoss)
from nn.module import Module
from nn.normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                              InstanceNorm3d, LayerNorm, LocalResponseNorm)
from nn.padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,
                        ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                        ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from nn.parameter import Parameter
from nn.sparse import Embedding
from nn.summary import summary
from nn.upsampling import PixelShuffle, PixelUnshuffle, Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from nn import utils  # noqa: E402 - after the layers, as the models
from nn import models  # noqa: E402 - models are built from the layers above

__all__ = ["functional", "init", "models", "utils", "summary", "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
           "Linear", "Identity", "Flatten", "Unflatten", "Embedding", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d",
           "AvgPool1d", "MaxUnpool1d", "MaxUnpool2d", "AvgPool2d", "AdaptiveAvgPool2d",
           "AdaptiveMaxPool2d", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "ReLU6", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "GLU", "SiLU", "Mish", "Softplus", "Softsign",
           "Hardtanh", "Hardswish", "Hardsigmoid", "Threshold", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink", "Softmax2d", "Softmin", "BatchNorm1d",
           "BatchNorm2d", "BatchNorm3d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LocalResponseNorm", "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss",
           "BCEWithLogitsLoss", "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "PixelShuffle", "PixelUnshuffle", "Upsample",
           "UpsamplingBilinear2d", "UpsamplingNearest2d", "CosineSimilarity", "PairwiseDistance", "CosineEmbeddingLoss",
           "GaussianNLLLoss", "HingeEmbeddingLoss", "HuberLoss", "KLDivLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
           "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "SoftMarginLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "CTCLoss"]
