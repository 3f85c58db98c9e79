"""Registry entries for the tensor ops: element-wise, reductions, shapes and views, indexing,
in-place writes through views, and the matmul family. See tests/op_case.py for the format."""
from op_case import Arg, case

UNARY = [  # (function name, kind of input values)
    ("neg", "real"), ("exp", "real"), ("expm1", "real"), ("exp2", "real"), ("log", "pos"), ("log2", "pos"),
    ("log10", "pos"), ("log1p", "pos"), ("sqrt", "pos"), ("rsqrt", "pos"), ("reciprocal", "offgrid"),
    ("sin", "real"), ("cos", "real"), ("tan", "small"), ("tanh", "real"), ("sinh", "real"), ("cosh", "real"),
    ("asin", "small"), ("acos", "small"), ("atan", "real"), ("sigmoid", "real"), ("relu", "offgrid"),
    ("abs", "offgrid"), ("sign", "offgrid"), ("square", "real"), ("floor", "offgrid"), ("ceil", "offgrid"),
    ("trunc", "offgrid"), ("round", "offgrid"), ("frac", "offgrid"), ("nan_to_num", "real"), ("clone", "real"),
]


def _unary(name):
    return lambda T, x: getattr(T, name)(x)


ELEMENTWISE = [case(name, _unary(name), Arg(2, 3, kind=kind)) for name, kind in UNARY] + [
    case(f"{name}/0-d", _unary(name), Arg(kind=kind)) for name, kind in UNARY] + [
    case("exp/transposed-view", lambda T, x: T.exp(x.t()), Arg(2, 3)),
    case("log/strided-slice", lambda T, x: T.log(x[:, ::2]), Arg(2, 5, kind="pos")),
    case("add/broadcast-alpha", lambda T, x, y: T.add(x, y, alpha=2), Arg(2, 3), Arg(3)),
    case("sub/0-d-other", lambda T, x, y: T.sub(x, y, alpha=0.5), Arg(2, 3), Arg()),
    case("rsub", lambda T, x, y: T.rsub(x, y), Arg(2, 3), Arg(2, 1)),
    case("mul/broadcast", lambda T, x, y: x * y, Arg(2, 1, 3), Arg(2, 1)),
    case("mul/0-d-both", lambda T, x, y: x * y, Arg(), Arg()),
    case("mul/self", lambda T, x: x * x * x, Arg(2, 3)),
    case("mul/transposed-views", lambda T, x, y: x.t() * y, Arg(3, 2), Arg(2, 3)),
    case("div/broadcast", lambda T, x, y: x / y, Arg(2, 3), Arg(2, 1, kind="pos")),
    case("div/number-by-tensor", lambda T, x: 2.0 / x, Arg(2, 3, kind="pos")),
    case("true_divide", lambda T, x, y: T.true_divide(x, y), Arg(3), Arg(3, kind="pos")),
    case("pow/cube", lambda T, x: x ** 3, Arg(2, 3)),
    case("pow/fractional", lambda T, x: x ** 2.5, Arg(2, 3, kind="pos")),
    case("pow/negative", lambda T, x: x ** -1.5, Arg(2, 3, kind="pos")),
    case("pow/zero", lambda T, x: x ** 0, Arg(2, 3)),
    case("pow/one", lambda T, x: x ** 1, Arg(2, 3)),
    case("pow/square", lambda T, x: T.pow(x, 2), Arg(2, 3)),
    case("pow/tensor-tensor", lambda T, x, y: T.pow(x, y), Arg(2, 3, kind="pos"), Arg(3)),
    case("pow/number-base", lambda T, x: T.pow(2.0, x), Arg(2, 3)),
    case("float_power", lambda T, x, y: T.float_power(x, y), Arg(2, 3, kind="pos"), Arg(2, 3)),
    case("remainder", lambda T, x, y: T.remainder(x, y), Arg(2, 3, kind="offgrid"), Arg(2, 3, kind="offgrid")),
    case("fmod", lambda T, x, y: T.fmod(x, y), Arg(2, 3, kind="offgrid"), Arg(2, 3, kind="offgrid")),
    case("maximum", lambda T, x, y: T.maximum(x, y), Arg(2, 3), Arg(3)),
    case("minimum", lambda T, x, y: T.minimum(x, y), Arg(2, 3), Arg(2, 3)),
    case("clamp/both", lambda T, x: T.clamp(x, -0.5, 0.5), Arg(2, 3, kind="offgrid")),
    case("clamp/tensor-bounds", lambda T, x, lo, hi: T.clamp(x, lo, hi), Arg(2, 3), Arg(3, kind="small"),
         Arg(2, 1, kind="pos")),
    case("round/decimals", lambda T, x: T.round(x * 10, decimals=1), Arg(2, 3, kind="offgrid")),
    case("clamp_min", lambda T, x: T.clamp_min(x, 0.5), Arg(2, 3, kind="offgrid")),
    case("clamp_max", lambda T, x: T.clamp_max(x, -0.5), Arg(2, 3, kind="offgrid")),
    case("where", lambda T, x, y: T.where(T.tensor([[True, False, True], [False, False, True]]), x, y),
         Arg(2, 3), Arg(3)),
    case("where/number", lambda T, x: T.where(x > 0, x, 0.5), Arg(2, 3, kind="offgrid")),
    case("lerp/tensor-weight", lambda T, x, y, w: T.lerp(x, y, w), Arg(2, 3), Arg(2, 3), Arg(3)),
    case("lerp/number-weight", lambda T, x, y: T.lerp(x, y, 0.3), Arg(2, 3), Arg(2, 3)),
    case("addcmul", lambda T, x, y, z: T.addcmul(x, y, z, value=0.5), Arg(2, 3), Arg(3), Arg(2, 1)),
    case("addcdiv", lambda T, x, y, z: T.addcdiv(x, y, z, value=2), Arg(2, 3), Arg(2, 3), Arg(3, kind="pos")),
    case("composite/softplus-by-hand", lambda T, x: T.log1p(T.exp(x)) * T.sigmoid(x), Arg(2, 3)),
]

REDUCTIONS = [
    case("sum/all", lambda T, x: x.sum(), Arg(2, 3)),
    case("sum/dim", lambda T, x: x.sum(1), Arg(2, 3)),
    case("sum/dims-keepdim", lambda T, x: x.sum((0, 2), keepdim=True), Arg(2, 3, 2)),
    case("sum/0-d", lambda T, x: x.sum(), Arg()),
    case("mean/all", lambda T, x: x.mean(), Arg(2, 3)),
    case("mean/dim-keepdim", lambda T, x: x.mean(-1, keepdim=True), Arg(2, 3)),
    case("var/all", lambda T, x: x.var(), Arg(2, 3)),
    case("var/dim-biased", lambda T, x: T.var(x, 1, unbiased=False), Arg(2, 3)),
    case("std/all", lambda T, x: x.std(), Arg(2, 3)),
    case("std/dim-keepdim", lambda T, x: T.std(x, 0, keepdim=True), Arg(3, 2)),
    case("amax/dim", lambda T, x: T.amax(x, 1), Arg(2, 3)),
    case("amin/dims", lambda T, x: T.amin(x, (0, 2)), Arg(2, 3, 2)),
    case("max/all", lambda T, x: x.max(), Arg(2, 3)),
    case("min/all", lambda T, x: x.min(), Arg(2, 3)),
    case("max/dim", lambda T, x: T.max(x, 1).values, Arg(2, 3)),
    case("min/dim-keepdim", lambda T, x: T.min(x, 0, keepdim=True).values, Arg(3, 2)),
    case("max/other", lambda T, x, y: T.max(x, y), Arg(2, 3), Arg(2, 3)),
    case("aminmax", lambda T, x: T.aminmax(x, dim=1), Arg(2, 3)),
    case("logsumexp/dim", lambda T, x: T.logsumexp(x, 1), Arg(2, 3)),
    case("logsumexp/dims-keepdim", lambda T, x: T.logsumexp(x, (0, 1), keepdim=True), Arg(2, 3)),
    case("norm/all", lambda T, x: T.norm(x), Arg(2, 3)),
    case("norm/dim", lambda T, x: x.norm(dim=1), Arg(2, 3)),
    case("norm/p1", lambda T, x: T.norm(x, p=1), Arg(2, 3, kind="offgrid")),
    case("norm/p3-dim", lambda T, x: T.norm(x, p=3, dim=0), Arg(2, 3, kind="offgrid")),
    case("norm/inf", lambda T, x: T.norm(x, p=float("inf")), Arg(2, 3)),
    case("cumsum", lambda T, x: T.cumsum(x, 1), Arg(2, 3)),
    case("cumsum/transposed", lambda T, x: T.cumsum(x.t(), 0), Arg(2, 3)),
    case("cumprod", lambda T, x: T.cumprod(x, 1), Arg(2, 3)),
    case("prod/all", lambda T, x: T.prod(x), Arg(2, 3)),
    case("prod/with-a-zero", lambda T, x: T.prod(x * T.tensor([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]], dtype=T.float64)),
         Arg(2, 3)),
    case("cumprod/with-a-zero", lambda T, x: T.cumprod(x * T.tensor([1.0, 0.0, 1.0, 1.0], dtype=T.float64), 0),
         Arg(4)),
    case("prod/dim-keepdim", lambda T, x: T.prod(x, 0, keepdim=True), Arg(3, 2)),
    case("median/all", lambda T, x: T.median(x), Arg(2, 3)),
    case("median/dim", lambda T, x: T.median(x, 1).values, Arg(2, 3)),
    case("kthvalue", lambda T, x: T.kthvalue(x, 2, 1).values, Arg(2, 3)),
    case("trace", lambda T, x: T.trace(x), Arg(3, 3)),
]

SHAPES = [
    case("view", lambda T, x: x.view(3, 2) * x.view(3, 2), Arg(2, 3)),
    case("reshape/non-contiguous", lambda T, x: x.t().reshape(6), Arg(2, 3)),
    case("contiguous/of-transpose", lambda T, x: x.t().contiguous(), Arg(2, 3)),
    case("transpose", lambda T, x: x.transpose(0, 2), Arg(2, 3, 2)),
    case("permute", lambda T, x: x.permute(2, 0, 1), Arg(2, 3, 2)),
    case("t", lambda T, x: x.t(), Arg(2, 3)),
    case("expand", lambda T, x: x.expand(2, 3, 4), Arg(3, 1)),
    case("broadcast_to", lambda T, x: T.broadcast_to(x, (2, 3)), Arg(3)),
    case("broadcast_tensors", lambda T, x, y: T.broadcast_tensors(x, y), Arg(2, 1), Arg(3)),
    case("swapaxes", lambda T, x: T.swapaxes(x, 0, 1), Arg(2, 3)),
    case("atleast_2d", lambda T, x: T.atleast_2d(x), Arg(3)),
    case("fliplr", lambda T, x: T.fliplr(x), Arg(2, 3)),
    case("squeeze/all", lambda T, x: x.squeeze(), Arg(1, 3, 1)),
    case("squeeze/dim", lambda T, x: x.squeeze(0), Arg(1, 3)),
    case("unsqueeze", lambda T, x: x.unsqueeze(1), Arg(2, 3)),
    case("flatten", lambda T, x: T.flatten(x, 1), Arg(2, 3, 2)),
    case("unflatten", lambda T, x: x.unflatten(1, (2, 2)), Arg(3, 4)),
    case("movedim", lambda T, x: T.movedim(x, 0, 2), Arg(2, 3, 2)),
    case("narrow", lambda T, x: x.narrow(1, 1, 2), Arg(2, 4)),
    case("select", lambda T, x: x.select(1, -1), Arg(2, 3)),
    case("slice/step", lambda T, x: x[:, 1::2], Arg(2, 5)),
    case("index/int-and-none", lambda T, x: x[1, None, :2], Arg(2, 3)),
    case("index/ellipsis", lambda T, x: x[..., 0], Arg(2, 3, 2)),
    case("diagonal/offset", lambda T, x: x.diagonal(1), Arg(3, 4)),
    case("diagonal/dims", lambda T, x: T.diagonal(x, 0, 0, 2), Arg(2, 3, 2)),
    case("split/sizes", lambda T, x: T.split(x, [1, 2], 1), Arg(2, 3)),
    case("chunk", lambda T, x: T.chunk(x, 2, 0), Arg(3, 2)),
    case("unbind", lambda T, x: T.unbind(x, 1), Arg(2, 3)),
    case("tensor_split", lambda T, x: T.tensor_split(x, 3, 1), Arg(2, 4)),
    case("cat", lambda T, x, y, z: T.cat([x, y, z], 1), Arg(2, 1), Arg(2, 3), Arg(2, 2)),
    case("stack", lambda T, x, y: T.stack([x, y], 1), Arg(2, 3), Arg(2, 3)),
    case("hstack", lambda T, x, y: T.hstack([x, y]), Arg(3), Arg(2)),
    case("vstack", lambda T, x, y: T.vstack([x, y]), Arg(3), Arg(2, 3)),
    case("flip", lambda T, x: T.flip(x, (0, 1)), Arg(2, 3)),
    case("roll", lambda T, x: T.roll(x, (1, -1), (0, 1)), Arg(2, 3)),
    case("repeat", lambda T, x: x.repeat(2, 1, 2), Arg(2, 3)),
    case("tile", lambda T, x: T.tile(x, (2,)), Arg(2, 3)),
    case("tril", lambda T, x: T.tril(x), Arg(3, 3)),
    case("triu/offset", lambda T, x: T.triu(x, -1), Arg(3, 4)),
    case("repeat_interleave", lambda T, x: T.repeat_interleave(x, 2, 1), Arg(2, 3)),
]

INDEXING = [
    case("gather", lambda T, x: T.gather(x, 1, T.tensor([[0, 2, 2], [1, 0, 1]])), Arg(2, 3)),
    case("take_along_dim", lambda T, x: T.take_along_dim(x, T.tensor([[2], [0]]), 1), Arg(2, 3)),
    case("scatter/src", lambda T, x, s: T.scatter(x, 1, T.tensor([[2, 0], [1, 2]]), s), Arg(2, 3), Arg(2, 2)),
    case("scatter/value", lambda T, x: T.scatter(x, 0, T.tensor([[1, 0, 1]]), value=0.5), Arg(2, 3)),
    case("scatter_add", lambda T, x, s: T.scatter_add(x, 1, T.tensor([[2, 2], [0, 1]]), s), Arg(2, 3), Arg(2, 2)),
    case("index_select", lambda T, x: T.index_select(x, 1, T.tensor([2, 0, 2])), Arg(2, 3)),
    case("index_add", lambda T, x, s: T.index_add(x, 0, T.tensor([1, 1, 0]), s, alpha=2), Arg(2, 3), Arg(3, 3)),
    case("index_fill", lambda T, x: T.index_fill(x, 1, T.tensor([0, 2]), -1.0), Arg(2, 3)),
    case("index_put/accumulate", lambda T, x, v: T.index_put(x, (T.tensor([0, 0, 1]),), v, accumulate=True),
         Arg(2, 3), Arg(3, 3)),
    case("masked_fill", lambda T, x: T.masked_fill(x, T.tensor([[True, False, True], [False, True, False]]), 2.0),
         Arg(2, 3)),
    case("masked_fill/broadcast-mask", lambda T, x: x.masked_fill(T.tensor([False, True, False]), 0.0), Arg(2, 3)),
    case("masked_select", lambda T, x: T.masked_select(x, T.tensor([[True, False, True], [False, True, True]])),
         Arg(2, 3)),
    case("take", lambda T, x: T.take(x, T.tensor([[5, 0], [2, 5]])), Arg(2, 3)),
    case("index/advanced", lambda T, x: x[T.tensor([0, 1, 1]), T.tensor([2, 0, 2])], Arg(2, 3)),
    case("index/repeated-rows", lambda T, x: x[T.tensor([1, 0, 1])], Arg(2, 3)),
    case("index/bool-mask", lambda T, x: x[x > -0.5], Arg(2, 3, kind="offgrid")),
    case("index/mixed-slice", lambda T, x: x[:, T.tensor([0, 0, 2])], Arg(2, 3)),
    case("sort/values", lambda T, x: T.sort(x, 1, descending=True).values, Arg(2, 3)),
    case("topk/values", lambda T, x: T.topk(x, 2).values, Arg(2, 4)),
    case("msort", lambda T, x: T.msort(x), Arg(3, 2)),
]


def _mul_slice(T, a, x):
    b = a * 2
    b[1:].mul_(x)
    return b


def _setitem_column(T, a, x):
    b = a * 1
    b[:, 1] = x
    return b


def _add_through_transpose(T, a, x):
    b = a.sin()  # sin saves its input, not b: exp's saved output would be overwritten (an error in PyTorch too)
    b.t().add_(x)
    return b


def _diagonal_exp(T, a):
    b = a * 1
    b.diagonal().exp_()
    return b


def _two_views(T, a, x):
    b = a.sin()
    row = b[0]
    b[:, 1].mul_(x)
    return row * 2, b


def _chain_in_place(T, a, x):
    b = a.sin()
    b.mul_(x)
    b.exp_()
    return b


def _pow_then_use_old_view(T, a):
    b = a * 1
    view = b[1]
    b.pow_(2)
    return view + b.sum()


def _setitem_advanced(T, a, x):
    b = a * 1
    b[T.tensor([0, 1]), T.tensor([2, 0])] = x
    return b


def _setitem_mask(T, a, x):
    b = a.sin()
    b[T.tensor([[True, False, True], [False, True, False]])] = x
    return b


def _div_by_tensor_on_slice(T, a, x):
    b = a.cos()
    b[:, :2].div_(x)
    return b


IN_PLACE = [
    case("in-place/mul-slice", _mul_slice, Arg(3, 2), Arg(2)),
    case("in-place/setitem-column", _setitem_column, Arg(2, 3), Arg(2)),
    case("in-place/add-through-transpose", _add_through_transpose, Arg(2, 3), Arg(3, 2)),
    case("in-place/diagonal-exp", _diagonal_exp, Arg(3, 3)),
    case("in-place/two-views", _two_views, Arg(2, 3), Arg(2)),
    case("in-place/chain-without-view", _chain_in_place, Arg(2, 3), Arg(3)),
    case("in-place/pow-seen-by-old-view", _pow_then_use_old_view, Arg(2, 3)),
    case("in-place/setitem-advanced", _setitem_advanced, Arg(2, 3), Arg(2)),
    case("in-place/setitem-bool-mask", _setitem_mask, Arg(2, 3), Arg(3)),
    case("in-place/div-on-slice", _div_by_tensor_on_slice, Arg(2, 3), Arg(2, 2, kind="pos")),
]

MATMUL = [
    case("mm", lambda T, a, b: T.mm(a, b), Arg(2, 3), Arg(3, 4)),
    case("mm/transposed", lambda T, a, b: T.mm(a.t(), b), Arg(3, 2), Arg(3, 2)),
    case("bmm", lambda T, a, b: T.bmm(a, b), Arg(2, 2, 3), Arg(2, 3, 2)),
    case("mv", lambda T, a, v: T.mv(a, v), Arg(2, 3), Arg(3)),
    case("dot", lambda T, u, v: T.dot(u, v), Arg(3), Arg(3)),
    case("matmul/broadcast-batch", lambda T, a, b: a @ b, Arg(2, 1, 2, 3), Arg(3, 3, 2)),
    case("matmul/vector-by-matrix", lambda T, v, b: v @ b, Arg(2), Arg(2, 3)),
    case("matmul/vector-by-batch", lambda T, v, b: T.matmul(v, b), Arg(3), Arg(2, 3, 2)),
    case("matmul/batch-by-vector", lambda T, a, v: T.matmul(a, v), Arg(2, 2, 3), Arg(3)),
    case("addmm", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), Arg(4), Arg(2, 3), Arg(3, 4)),
    case("addmv", lambda T, c, a, v: T.addmv(c, a, v), Arg(2), Arg(2, 3), Arg(3)),
    case("addbmm", lambda T, c, a, b: T.addbmm(c, a, b), Arg(2, 2), Arg(2, 2, 3), Arg(2, 3, 2)),
    case("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, alpha=0.5), Arg(2, 1, 2), Arg(2, 2, 3), Arg(2, 3, 2)),
    case("einsum/matmul", lambda T, a, b: T.einsum("ij,jk->ik", a, b), Arg(2, 3), Arg(3, 2)),
    case("einsum/batch", lambda T, a, b: T.einsum("bij,bjk->bik", a, b), Arg(2, 2, 3), Arg(2, 3, 2)),
    case("einsum/inner", lambda T, u, v: T.einsum("i,i->", u, v), Arg(3), Arg(3)),
    case("einsum/column-sums", lambda T, a: T.einsum("ij->j", a), Arg(2, 3)),
    case("einsum/three-operands", lambda T, a, b, c: T.einsum("ij,jk,k->i", a, b, c), Arg(2, 3), Arg(3, 2), Arg(2)),
    case("einsum/same-operand-twice", lambda T, a: T.einsum("ij,ij->", a, a), Arg(2, 3)),
    case("einsum/ellipsis", lambda T, a, b: T.einsum("...ij,...jk", a, b), Arg(2, 2, 3), Arg(3, 2)),
    case("outer", lambda T, u, v: T.outer(u, v), Arg(2), Arg(3)),
    case("ger", lambda T, u, v: T.ger(u, v), Arg(3), Arg(2)),
    case("inner", lambda T, a, b: T.inner(a, b), Arg(3), Arg(3)),
]

TENSOR_CASES = ELEMENTWISE + REDUCTIONS + SHAPES + INDEXING + IN_PLACE + MATMUL
