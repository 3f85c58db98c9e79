"""Registry entries for nn.functional: linear, convolutions, pooling, normalization, dropout,
embedding, padding, activations, the softmax family and every loss. See tests/op_case.py."""
from op_case import Arg, case


def F(T):  # noqa: N802 - the usual alias of nn.functional
    return T.nn.functional


def _dropout(T, x):
    T.manual_seed(0)  # the same mask on every call, so finite differences see one function
    return F(T).dropout(x, 0.5)


def _batch_norm_eval(T, x, w, b):
    mean, var = T.tensor([0.1, -0.2, 0.3], dtype=T.float64), T.tensor([0.5, 1.5, 2.0], dtype=T.float64)
    return F(T).batch_norm(x, mean, var, w, b, training=False, eps=1e-3)


def _batch_norm_train_with_stats(T, x, w, b):
    mean, var = T.zeros(3, dtype=T.float64), T.ones(3, dtype=T.float64)  # updated in place, as buffers are
    return F(T).batch_norm(x, mean, var, w, b, training=True, momentum=0.3)


def _class_targets(T):
    return T.tensor([2, 0, 1])


ACTIVATIONS = [
    case("F.relu", lambda T, x: F(T).relu(x), Arg(2, 3, kind="offgrid")),
    case("relu/in-place-on-result", lambda T, x: F(T).relu(x * 1, inplace=True), Arg(2, 3, kind="offgrid")),
    case("leaky_relu", lambda T, x: F(T).leaky_relu(x, 0.2), Arg(2, 3, kind="offgrid")),
    case("relu6", lambda T, x: F(T).relu6(x * 4), Arg(2, 3, kind="offgrid")),
    case("hardtanh", lambda T, x: F(T).hardtanh(x, -0.5, 1.5), Arg(2, 3, kind="offgrid")),
    case("elu", lambda T, x: F(T).elu(x, 0.7), Arg(2, 3, kind="offgrid")),
    case("selu", lambda T, x: F(T).selu(x), Arg(2, 3, kind="offgrid")),
    case("softplus", lambda T, x: F(T).softplus(x, beta=2.0, threshold=3.0), Arg(2, 3, kind="offgrid")),
    case("F.tanh", lambda T, x: F(T).tanh(x), Arg(2, 3)),
    case("F.sigmoid", lambda T, x: F(T).sigmoid(x), Arg(2, 3)),
    case("silu", lambda T, x: F(T).silu(x), Arg(2, 3)),
    case("softsign", lambda T, x: F(T).softsign(x), Arg(2, 3, kind="offgrid")),
    case("logsigmoid", lambda T, x: F(T).logsigmoid(x), Arg(2, 3)),
    case("softmax/dim1", lambda T, x: F(T).softmax(x, 1), Arg(2, 3)),
    case("softmax/dim0-transposed", lambda T, x: T.softmax(x.t(), 0), Arg(2, 3)),
    case("log_softmax", lambda T, x: F(T).log_softmax(x, -1), Arg(2, 3)),
    case("normalize", lambda T, x: F(T).normalize(x, dim=1), Arg(2, 3)),
    case("cosine_similarity", lambda T, x, y: F(T).cosine_similarity(x, y), Arg(2, 3), Arg(2, 3)),
    case("pairwise_distance", lambda T, x, y: F(T).pairwise_distance(x, y), Arg(2, 3), Arg(2, 3)),
]

LAYERS = [
    case("linear", lambda T, x, w, b: F(T).linear(x, w, b), Arg(2, 3), Arg(4, 3), Arg(4)),
    case("linear/1d-input", lambda T, x, w, b: F(T).linear(x, w, b), Arg(3), Arg(2, 3), Arg(2)),
    case("linear/no-bias-3d", lambda T, x, w: F(T).linear(x, w), Arg(2, 2, 3), Arg(2, 3)),
    case("bilinear", lambda T, x, y, w, b: F(T).bilinear(x, y, w, b), Arg(2, 2), Arg(2, 3), Arg(2, 2, 3), Arg(2)),
    case("embedding", lambda T, w: F(T).embedding(T.tensor([[0, 2], [2, 3]]), w), Arg(4, 3)),
    case("embedding/padding-idx", lambda T, w: F(T).embedding(T.tensor([0, 2, 1, 2]), w, padding_idx=2), Arg(3, 2),
         derivative=False),
    # PyTorch's double backward of scale_grad_by_freq forgets the scaling (embedding_dense_backward's
    # derivative is a plain embedding lookup), so gradgradcheck alone is the reference
    case("embedding/scale-by-freq", lambda T, w: F(T).embedding(T.tensor([0, 2, 2]), w, scale_grad_by_freq=True),
         Arg(3, 2), derivative=False, torch=False),
    case("dropout", _dropout, Arg(3, 4)),
    case("dropout/eval", lambda T, x: F(T).dropout(x, 0.5, training=False), Arg(2, 3)),
    case("batch_norm/train", lambda T, x, w, b: F(T).batch_norm(x, None, None, w, b, training=True),
         Arg(3, 2, 2, 2), Arg(2), Arg(2)),
    case("batch_norm/train-2d-no-affine", lambda T, x: F(T).batch_norm(x, None, None, training=True), Arg(4, 3)),
    case("batch_norm/train-running-stats", _batch_norm_train_with_stats, Arg(4, 3), Arg(3), Arg(3)),
    case("batch_norm/eval", _batch_norm_eval, Arg(2, 3, 2), Arg(3), Arg(3)),
    case("layer_norm", lambda T, x, w, b: F(T).layer_norm(x, (3,), w, b), Arg(2, 3), Arg(3), Arg(3)),
    case("layer_norm/two-dims-no-affine", lambda T, x: F(T).layer_norm(x, (2, 3)), Arg(2, 2, 3)),
    case("group_norm", lambda T, x, w, b: F(T).group_norm(x, 2, w, b), Arg(2, 4, 2), Arg(4), Arg(4)),
    case("instance_norm", lambda T, x: F(T).instance_norm(x), Arg(2, 2, 3)),
    case("pad/constant", lambda T, x: F(T).pad(x, (1, 2, 0, 1), value=0.5), Arg(1, 2, 3)),
    case("pad/reflect", lambda T, x: F(T).pad(x, (2, 1), mode="reflect"), Arg(1, 2, 4)),
    case("pad/replicate", lambda T, x: F(T).pad(x, (1, 2, 2, 0), mode="replicate"), Arg(1, 1, 2, 3)),
    case("pad/circular", lambda T, x: F(T).pad(x, (1, 2, 1, 0), mode="circular"), Arg(1, 1, 2, 3)),
]

CONV = [
    case("conv2d", lambda T, x, w, b: F(T).conv2d(x, w, b), Arg(1, 2, 4, 4), Arg(2, 2, 2, 2), Arg(2)),
    case("conv2d/stride-padding", lambda T, x, w: F(T).conv2d(x, w, stride=2, padding=1),
         Arg(2, 1, 5, 4), Arg(2, 1, 3, 3), fast=True),
    case("conv2d/dilation", lambda T, x, w: F(T).conv2d(x, w, dilation=2), Arg(1, 1, 5, 5), Arg(1, 1, 2, 2)),
    case("conv2d/groups", lambda T, x, w, b: F(T).conv2d(x, w, b, groups=2, padding=(1, 0)),
         Arg(1, 4, 3, 3), Arg(2, 2, 2, 2), Arg(2), fast=True),
    case("conv2d/same", lambda T, x, w: F(T).conv2d(x, w, padding="same"), Arg(1, 1, 4, 3), Arg(2, 1, 2, 3)),
    case("conv_transpose2d", lambda T, x, w, b: F(T).conv_transpose2d(x, w, b), Arg(1, 2, 3, 3),
         Arg(2, 1, 2, 2), Arg(1)),
    case("conv_transpose2d/stride-padding-output-padding",
         lambda T, x, w: F(T).conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
         Arg(1, 1, 3, 2), Arg(1, 2, 3, 3), fast=True),
    case("conv_transpose2d/groups-dilation", lambda T, x, w: F(T).conv_transpose2d(x, w, groups=2, dilation=2),
         Arg(1, 2, 2, 2), Arg(2, 1, 2, 2)),
]

POOLING = [
    case("max_pool2d", lambda T, x: F(T).max_pool2d(x, 2), Arg(1, 2, 4, 4)),
    case("max_pool2d/overlapping-padding", lambda T, x: F(T).max_pool2d(x, 3, 1, 1), Arg(1, 1, 4, 4)),
    case("max_pool2d/ceil-mode", lambda T, x: F(T).max_pool2d(x, 2, ceil_mode=True), Arg(1, 1, 5, 3)),
    case("max_pool2d/dilation", lambda T, x: F(T).max_pool2d(x, 2, 1, dilation=2), Arg(1, 1, 4, 4)),
    case("max_pool2d/indices", lambda T, x: F(T).max_pool2d(x, 2, return_indices=True), Arg(1, 1, 4, 4)),
    case("max_pool2d/3d-input", lambda T, x: F(T).max_pool2d(x, (2, 1)), Arg(1, 4, 3)),
    case("avg_pool2d", lambda T, x: F(T).avg_pool2d(x, 2), Arg(1, 2, 4, 4)),
    case("avg_pool2d/overlapping-padding", lambda T, x: F(T).avg_pool2d(x, 3, 2, 1), Arg(1, 1, 5, 5)),
    case("avg_pool2d/exclude-pad-ceil", lambda T, x: F(T).avg_pool2d(x, 2, 2, 1, ceil_mode=True,
                                                                      count_include_pad=False), Arg(1, 1, 4, 5)),
    case("avg_pool2d/divisor", lambda T, x: F(T).avg_pool2d(x, 2, 1, divisor_override=3), Arg(1, 1, 3, 3)),
    case("adaptive_avg_pool2d", lambda T, x: F(T).adaptive_avg_pool2d(x, (3, 2)), Arg(1, 2, 5, 5)),
    case("adaptive_max_pool2d", lambda T, x: F(T).adaptive_max_pool2d(x, (2, 3)), Arg(1, 1, 5, 5)),
]

LOSSES = [
    case("mse_loss/mean", lambda T, x, t: F(T).mse_loss(x, t), Arg(2, 3), Arg(2, 3)),
    case("mse_loss/none", lambda T, x, t: F(T).mse_loss(x, t, reduction="none"), Arg(2, 3), Arg(2, 3)),
    case("l1_loss/sum", lambda T, x, t: F(T).l1_loss(x, t, reduction="sum"), Arg(2, 3, kind="offgrid"),
         Arg(2, 3, grad=False)),
    case("smooth_l1_loss", lambda T, x: F(T).smooth_l1_loss(x, T.zeros(2, 3, dtype=T.float64), beta=0.5),
         Arg(2, 3, kind="offgrid")),
    case("nll_loss", lambda T, x: F(T).nll_loss(x, _class_targets(T)), Arg(3, 4)),
    case("nll_loss/weight-ignore-sum", lambda T, x: F(T).nll_loss(
        x, T.tensor([2, -1, 1]), weight=T.tensor([0.5, 1.0, 2.0, 1.5], dtype=T.float64), ignore_index=-1,
        reduction="sum"), Arg(3, 4)),
    case("nll_loss/none", lambda T, x: F(T).nll_loss(x, _class_targets(T), reduction="none"), Arg(3, 4)),
    case("cross_entropy", lambda T, x: F(T).cross_entropy(x, _class_targets(T)), Arg(3, 4)),
    case("cross_entropy/weight-smoothing", lambda T, x: F(T).cross_entropy(
        x, _class_targets(T), weight=T.tensor([1.0, 2.0, 0.5, 1.0], dtype=T.float64), label_smoothing=0.1),
        Arg(3, 4)),
    case("cross_entropy/ignore-index-sum", lambda T, x: F(T).cross_entropy(x, T.tensor([2, 1, 1]), ignore_index=1,
                                                                            reduction="sum"), Arg(3, 4)),
    case("cross_entropy/probabilities", lambda T, x, p: F(T).cross_entropy(x, T.softmax(p, 1)), Arg(2, 3),
         Arg(2, 3)),
    case("cross_entropy/images", lambda T, x: F(T).cross_entropy(x, T.tensor([[[0, 1], [1, 0]]])),
         Arg(1, 2, 2, 2)),
    case("binary_cross_entropy", lambda T, x, t: F(T).binary_cross_entropy(x, t), Arg(2, 3, kind="prob"),
         Arg(2, 3, kind="prob")),
    case("binary_cross_entropy/weight-sum", lambda T, x, w: F(T).binary_cross_entropy(
        x, T.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=T.float64), weight=w, reduction="sum"),
        Arg(2, 3, kind="prob"), Arg(3, kind="pos", grad=False)),
    case("bce_with_logits", lambda T, x, t: F(T).binary_cross_entropy_with_logits(x, t), Arg(2, 3),
         Arg(2, 3, kind="prob")),
    case("bce_with_logits/pos-weight", lambda T, x, p: F(T).binary_cross_entropy_with_logits(
        x, T.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]], dtype=T.float64), pos_weight=p), Arg(2, 3),
        Arg(3, kind="pos", grad=False)),
    case("kl_div", lambda T, x, t: F(T).kl_div(x, t, reduction="batchmean"), Arg(2, 3), Arg(2, 3, kind="prob")),
    case("kl_div/log-target", lambda T, x, t: F(T).kl_div(x, t, reduction="sum", log_target=True), Arg(2, 3),
         Arg(2, 3)),
]

NN_CASES = ACTIVATIONS + LAYERS + CONV + POOLING + LOSSES
