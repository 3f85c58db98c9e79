"""Convolution, pooling, unpooling, padding, upsampling and reshaping layers against PyTorch:
initialisation from the seeded stream, outputs, gradients, repr and state_dict keys; their
functional forms to second order; PyTorch's errors."""
import numpy
import pytest

import minigrad
import nn
from layer_checks import (assert_gradcheck_and_gradgradcheck, assert_same_layer,
                          assert_second_derivatives_match_torch, described, layer, observe_layer)
from oracle import reference
from op_case import Arg, case
from torch_compare import assert_same_observations


def pool_then_unpool(nn, pool, unpool, sizes=False):
    """A module running ``pool`` (with indices) then ``unpool`` on its output, as lessons pair them."""
    class PoolUnpool(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool, self.unpool = pool, unpool

        def forward(self, x):
            out, indices = self.pool(x)
            return self.unpool(out, indices, output_size=x.shape if sizes else None)
    return PoolUnpool()


LAYERS = [
    layer("Conv1d", lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 7)),
    layer("Conv1d-options", lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2), (2, 4, 9)),
    layer("Conv1d-same-unbatched", lambda nn: nn.Conv1d(2, 3, 4, padding="same", bias=False), (2, 6)),
    layer("Conv1d-reflect", lambda nn: nn.Conv1d(2, 2, 3, padding=1, padding_mode="reflect"), (1, 2, 5)),
    layer("Conv1d-circular-same", lambda nn: nn.Conv1d(2, 2, 4, padding="same", padding_mode="circular"), (1, 2, 6)),
    layer("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(3, 2, 3), (2, 3, 4, 4)),
    layer("ConvTranspose2d-options", lambda nn: nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1,
                                                                     groups=2, dilation=(1, 2)), (1, 4, 3, 3)),
    layer("ConvTranspose2d-unbatched", lambda nn: nn.ConvTranspose2d(2, 3, 2, stride=2, bias=False), (2, 3, 3)),
    layer("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, 1), (2, 3, 8)),
    layer("MaxPool1d-ceil-dilation", lambda nn: nn.MaxPool1d(2, dilation=2, ceil_mode=True), (2, 9)),
    layer("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2, 1), (2, 3, 8)),
    layer("AvgPool1d-exclude-pad", lambda nn: nn.AvgPool1d(4, 3, 2, ceil_mode=True, count_include_pad=False),
          (1, 2, 9)),
    layer("MaxUnpool2d", lambda nn: pool_then_unpool(nn, nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)),
          (2, 3, 4, 6)),
    layer("MaxUnpool2d-output-size", lambda nn: pool_then_unpool(nn, nn.MaxPool2d(3, 2, 1, return_indices=True),
                                                                 nn.MaxUnpool2d(3, 2, 1), sizes=True), (1, 2, 6, 5)),
    layer("MaxUnpool1d", lambda nn: pool_then_unpool(nn, nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)),
          (2, 3, 6)),
    layer("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), (2, 2, 3, 3)),
    layer("ZeroPad2d-int", lambda nn: nn.ZeroPad2d(1), (2, 3, 3)),
    layer("ConstantPad2d", lambda nn: nn.ConstantPad2d((2, 0, 1, 1), 3.5), (1, 2, 3, 2)),
    layer("ConstantPad1d", lambda nn: nn.ConstantPad1d(2, -1.0), (2, 4)),
    layer("ReflectionPad2d", lambda nn: nn.ReflectionPad2d((1, 2, 2, 0)), (1, 2, 4, 3)),
    layer("ReflectionPad1d", lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
    layer("ReplicationPad2d", lambda nn: nn.ReplicationPad2d(2), (2, 1, 3, 3)),
    layer("ReplicationPad1d", lambda nn: nn.ReplicationPad1d((3, 1)), (2, 4)),
    layer("CircularPad2d", lambda nn: nn.CircularPad2d((1, 1, 2, 0)), (1, 2, 3, 3)),
    layer("Upsample-nearest", lambda nn: nn.Upsample(scale_factor=2), (2, 3, 3, 4)),
    layer("Upsample-nearest-size", lambda nn: nn.Upsample(size=(5, 7)), (1, 2, 3, 4)),
    layer("Upsample-bilinear", lambda nn: nn.Upsample(scale_factor=1.5, mode="bilinear"), (2, 2, 4, 3)),
    layer("Upsample-bilinear-corners", lambda nn: nn.Upsample(size=(7, 5), mode="bilinear", align_corners=True),
          (1, 2, 3, 3)),
    layer("Upsample-linear", lambda nn: nn.Upsample(scale_factor=2.5, mode="linear"), (2, 3, 4)),
    layer("Upsample-bicubic", lambda nn: nn.Upsample(size=(6, 5), mode="bicubic"), (1, 2, 4, 3)),
    layer("Upsample-trilinear", lambda nn: nn.Upsample(scale_factor=(2, 1, 1.5), mode="trilinear"), (1, 1, 2, 3, 2)),
    layer("Upsample-nearest-exact", lambda nn: nn.Upsample(size=(5, 3), mode="nearest-exact"), (1, 2, 3, 4)),
    layer("Upsample-area", lambda nn: nn.Upsample(size=(2, 3), mode="area"), (1, 2, 5, 7)),
    layer("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=3), (1, 2, 2, 3)),
    layer("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(size=(5, 6)), (2, 1, 3, 4)),
    layer("PixelShuffle", lambda nn: nn.PixelShuffle(2), (2, 8, 2, 3)),
    layer("PixelShuffle-extra-batch", lambda nn: nn.PixelShuffle(3), (2, 1, 9, 1, 2)),
    layer("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), (1, 2, 4, 6)),
    layer("Unflatten", lambda nn: nn.Unflatten(1, (2, 3)), (4, 6)),
    layer("Unflatten-negative", lambda nn: nn.Unflatten(-1, (2, -1)), (3, 2, 8)),
    layer("decoder", lambda nn: nn.Sequential(nn.ConvTranspose2d(4, 3, 2, stride=2), nn.ReLU(),
                                              nn.Upsample(scale_factor=2), nn.ReflectionPad2d(1), nn.Conv2d(3, 2, 3),
                                              nn.PixelShuffle(1)),
          (2, 4, 2, 2)),
]
DTYPES = ["float32", "float64"]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch notes its own zero-padded copy
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in LAYERS])
def test_layer_matches_torch(entry, dtype):
    theirs = reference(lambda torch: observe_layer(torch, entry, dtype))
    assert_same_layer(observe_layer(minigrad, entry, dtype), theirs, dtype)


REPRS = [
    ("Conv1d", lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2, bias=False,
                                    padding_mode="replicate")),
    ("Conv1d-same", lambda nn: nn.Conv1d(2, 3, (5,), padding="same")),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2,
                                                      dilation=(1, 2))),
    ("ConvTranspose2d-plain", lambda nn: nn.ConvTranspose2d(3, 2, 4, bias=False)),
    ("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, 1, 2, True, True)),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, padding=1)),
    ("MaxUnpool2d", lambda nn: nn.MaxUnpool2d(3, 2, 1)),
    ("MaxUnpool1d", lambda nn: nn.MaxUnpool1d(2)),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d(2)),
    ("ZeroPad2d-short", lambda nn: nn.ZeroPad2d((1, 2))),
    ("ConstantPad2d", lambda nn: nn.ConstantPad2d((1, 2, 3, 4), 2.5)),
    ("ConstantPad3d", lambda nn: nn.ConstantPad3d(1, 0)),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d(3)),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d((1, 0, 1, 0))),
    ("ReplicationPad3d", lambda nn: nn.ReplicationPad3d(1)),
    ("ZeroPad1d", lambda nn: nn.ZeroPad1d(2)),
    ("Upsample-scale", lambda nn: nn.Upsample(scale_factor=2)),
    ("Upsample-size", lambda nn: nn.Upsample(size=(4, 5), mode="bilinear", align_corners=True)),
    ("Upsample-tuple", lambda nn: nn.Upsample(scale_factor=(2, 3), mode="bicubic")),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(size=4)),
    ("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(scale_factor=2)),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(3)),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2)),
    ("Unflatten", lambda nn: nn.Unflatten(1, [2, 5])),
]


@pytest.mark.parametrize("build", [pytest.param(b, id=name) for name, b in REPRS])
def test_repr_and_state_dict_keys(build):
    assert described(build(nn)) == reference(lambda torch: described(build(torch.nn)))


def test_conv_transpose_output_size_picks_the_output_padding():
    def scenario(lib):
        down, up = lib.nn.Conv2d(2, 2, 3, stride=2, padding=1), lib.nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
        x = lib.randn(1, 2, 12, 11)
        h = down(x)
        return {"default": up(h), "sized": up(h, output_size=x.size()), "spatial": up(h, output_size=[12, 11])}
    assert_same_observations(scenario)


def F(T):  # noqa: N802 - the usual alias of nn.functional
    return T.nn.functional


def _unpooled(T, x):
    out, indices = F(T).max_pool2d(x, 2, return_indices=True)
    return F(T).max_unpool2d(out * 2, indices, 2)


FUNCTIONAL = [
    case("conv1d", lambda T, x, w, b: F(T).conv1d(x, w, b, stride=2, padding=1, groups=2), Arg(2, 4, 7), Arg(4, 2, 3),
         Arg(4)),
    case("conv1d/same-dilated", lambda T, x, w: F(T).conv1d(x, w, padding="same", dilation=2), Arg(1, 2, 6),
         Arg(3, 2, 3)),
    case("max_pool1d", lambda T, x: F(T).max_pool1d(x, 3, 2, 1), Arg(2, 2, 7)),
    case("avg_pool1d", lambda T, x: F(T).avg_pool1d(x, 3, 2, 1, count_include_pad=False), Arg(2, 2, 7)),
    case("max_unpool2d", _unpooled, Arg(1, 2, 4, 4)),
    case("interpolate/nearest", lambda T, x: F(T).interpolate(x, scale_factor=1.5), Arg(1, 2, 3, 2)),
    case("interpolate/bilinear", lambda T, x: F(T).interpolate(x, size=(4, 5), mode="bilinear"), Arg(1, 2, 3, 2)),
    case("interpolate/bilinear-corners", lambda T, x: F(T).interpolate(x, scale_factor=2, mode="bilinear",
                                                                      align_corners=True), Arg(1, 1, 2, 3)),
    case("interpolate/bicubic", lambda T, x: F(T).interpolate(x, size=(4, 3), mode="bicubic"), Arg(1, 1, 3, 3)),
    case("interpolate/linear", lambda T, x: F(T).interpolate(x, size=5, mode="linear"), Arg(2, 1, 3)),
    case("pixel_shuffle", lambda T, x: F(T).pixel_shuffle(x, 2), Arg(1, 4, 2, 3)),
    case("pixel_unshuffle", lambda T, x: F(T).pixel_unshuffle(x, 2), Arg(1, 1, 4, 2)),
    case("pad/reflect-3d", lambda T, x: F(T).pad(x, (1, 1, 2, 0, 1, 1), mode="reflect"), Arg(1, 1, 3, 3, 2)),
]


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_gradcheck_and_gradgradcheck(entry):
    assert_gradcheck_and_gradgradcheck(entry)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e.name) for e in FUNCTIONAL])
def test_second_derivatives_match_torch(entry):
    assert_second_derivatives_match_torch(entry)


@pytest.mark.parametrize("size", [(3, 4), (5, 5), (7, 13), (2, 9)], ids=str)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
def test_interpolate_picks_torchs_positions(size, mode):
    def scenario(lib):
        x = lib.arange(60.0).reshape(1, 3, 4, 5)
        factor = lib.nn.functional.interpolate(x, scale_factor=(size[0] / 4, size[1] / 5), mode=mode)
        return {"size": lib.nn.functional.interpolate(x, size=size, mode=mode), "factor": factor}
    assert_same_observations(scenario, rtol=1e-5, atol=1e-4)


def test_deprecated_upsample_functions_warn_and_interpolate():
    x = minigrad.randn(1, 1, 2, 3)
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        out = nn.functional.upsample_bilinear(x, scale_factor=2)
    numpy.testing.assert_allclose(out.numpy(), nn.functional.interpolate(x, scale_factor=2, mode="bilinear",
                                                                         align_corners=True).numpy())
    with pytest.warns(UserWarning, match="upsample_nearest` is deprecated"):
        nn.functional.upsample_nearest(x, size=(4, 4))
    with pytest.warns(UserWarning, match="upsample` is deprecated"):
        nn.functional.upsample(x, size=3)


ERRORS = [
    ("conv1d-4d-input", lambda lib: lib.nn.functional.conv1d(lib.ones(2, 3, 4, 5), lib.ones(2, 3, 1))),
    ("conv1d-stride-pair", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 3, 5), lib.ones(2, 3, 1), stride=(1, 2))),
    ("conv1d-channels", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 4, 5), lib.ones(2, 3, 1))),
    ("conv1d-kernel-too-big", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 3, 2), lib.ones(2, 3, 4))),
    ("conv1d-padding-string", lambda lib: lib.nn.functional.conv1d(lib.ones(1, 3, 5), lib.ones(2, 3, 1), padding="x")),
    ("ConvTranspose2d-mode", lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")),
    ("ConvTranspose2d-output-size", lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, stride=2)(lib.ones(1, 2, 3, 3),
                                                                                         output_size=(9, 9))),
    ("conv_transpose2d-channels", lambda lib: lib.nn.functional.conv_transpose2d(lib.ones(1, 2, 3, 3),
                                                                                lib.ones(3, 2, 1, 1))),
    ("max_pool1d-1d", lambda lib: lib.nn.functional.max_pool1d(lib.ones(5), 2)),
    ("max_pool1d-padding", lambda lib: lib.nn.functional.max_pool1d(lib.ones(1, 1, 5), 2, padding=2)),
    ("max_pool1d-kernel-pair", lambda lib: lib.nn.functional.max_pool1d(lib.ones(1, 1, 5), (2, 2))),
    ("max_pool1d-too-small", lambda lib: lib.nn.functional.max_pool1d(lib.ones(1, 1, 1), 2)),
    ("avg_pool1d-1d", lambda lib: lib.nn.functional.avg_pool1d(lib.ones(5), 2)),
    ("max_unpool2d-float-indices", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                             lib.zeros(1, 1, 2, 2), 2)),
    ("max_unpool2d-index-shape", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                           lib.zeros(1, 1, 2, 3).long(), 2)),
    ("max_unpool2d-output-size", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                           lib.zeros(1, 1, 2, 2).long(), 2,
                                                                           output_size=(7, 7))),
    ("max_unpool2d-bad-index", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                         lib.full((1, 1, 2, 2), 16).long(), 2)),
    ("max_unpool2d-2d", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(2, 2), lib.zeros(2, 2).long(), 2)),
    ("ReflectionPad2d-too-wide", lambda lib: lib.nn.ReflectionPad2d(3)(lib.ones(1, 1, 3, 3))),
    ("ReflectionPad2d-2d", lambda lib: lib.nn.ReflectionPad2d(1)(lib.ones(3, 3))),
    ("ZeroPad2d-1d", lambda lib: lib.nn.ZeroPad2d(1)(lib.ones(3))),
    ("CircularPad2d-2d", lambda lib: lib.nn.CircularPad2d(1)(lib.ones(3, 3))),
    ("interpolate-both", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2), size=3, scale_factor=2)),
    ("interpolate-neither", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2))),
    ("interpolate-corners-nearest", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2), size=3,
                                                                             align_corners=True)),
    ("interpolate-size-length", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 2, 2), size=(3,))),
    ("interpolate-2d-input", lambda lib: lib.nn.functional.interpolate(lib.ones(3, 3), scale_factor=2)),
    ("interpolate-bilinear-3d", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 3, 3), scale_factor=2,
                                                                         mode="bilinear")),
    ("interpolate-empty-output", lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 3, 3), scale_factor=0.2)),
    ("pixel_shuffle-2d", lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(2, 3), 2)),
    ("pixel_shuffle-channels", lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(5, 2, 3), 2)),
    ("pixel_shuffle-zero", lambda lib: lib.nn.functional.pixel_shuffle(lib.ones(1, 4, 2, 3), 0)),
    ("pixel_unshuffle-height", lambda lib: lib.nn.functional.pixel_unshuffle(lib.ones(1, 5, 3), 2)),
    ("Unflatten-size-type", lambda lib: lib.nn.Unflatten(1, 6)),
    ("Unflatten-element-type", lambda lib: lib.nn.Unflatten(1, (2, 3.0))),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=name) for name, c in ERRORS])
def test_errors_are_torchs(call):
    assert_same_observations(lambda lib: {"result": call(lib)})
