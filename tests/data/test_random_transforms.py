"""Random transforms draw in torchvision's order: each test replays, with PyTorch's generator,
the draws torchvision documents for the transform (``torch.rand(1) < p``,
``torch.randint(0, n, size=(1,))``, ``torch.empty(1).uniform_(a, b)``, ``torch.randperm(4)``,
RandomResizedCrop's ten tries), builds the expected image from the replayed parameters and
compares it with minigrad's output. torchvision itself is not needed, and PyTorch only for the
replay: its parameters are asked through tests/oracle.py (live, or stored).
"""
import math

import numpy
import pytest
from PIL import Image

import minigrad
from data import functional_transforms as F, transforms as T
from oracle import assert_identical, reference


@pytest.fixture
def image():
    pixels = numpy.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=numpy.uint8)
    return Image.fromarray(pixels)


def replayed(seed, replay):
    """The parameters ``replay(torch)`` draws after ``torch.manual_seed(seed)``, and the next
    ``randn(9)`` (a digest) to check that the streams still agree afterwards."""
    def ask(torch):
        torch.manual_seed(seed)
        return {"parameters": replay(torch), "next": torch.randn(9)}
    return reference(ask, digest=True)


def _assert_same_images(ours, expected, replay):
    assert [numpy.asarray(img).tolist() for img in ours] == [numpy.asarray(img).tolist() for img in expected]
    assert_identical(minigrad.randn(9).numpy(), replay["next"], "the streams still agree")


def _replay_randint(torch, high):
    return torch.randint(0, high, size=(1,)).item()


def _replay_uniform(torch, low, high):
    return float(torch.empty(1).uniform_(low, high).item())


def _replay_chance(torch, p):
    return bool(torch.rand(1) < p)


def _replay_resized_crop(torch, height, width, scale, ratio):
    """Ten tries of (area fraction, log aspect ratio) in float32 tensors, then the centre crop."""
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        target_area = height * width * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w, h = round(math.sqrt(target_area * aspect)), round(math.sqrt(target_area / aspect))
        if 0 < w <= width and 0 < h <= height:
            return _replay_randint(torch, height - h + 1), _replay_randint(torch, width - w + 1), h, w
    if width / height < min(ratio):
        w, h = width, round(width / min(ratio))
    elif width / height > max(ratio):
        h, w = height, round(height * max(ratio))
    else:
        h, w = height, width
    return (height - h) // 2, (width - w) // 2, h, w


@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize("size, padding", [((20, 30), 4), ((40, 50), None), ((40, 50), 2)],
                         ids=["padded", "whole_image", "padded_whole"])
def test_random_crop(image, size, padding, seed):
    padded = F.pad(image, padding) if padding is not None else image
    height, width = padded.height, padded.width
    replay = replayed(seed, lambda torch: [(0, 0) if (height, width) == size else (
        _replay_randint(torch, height - size[0] + 1), _replay_randint(torch, width - size[1] + 1)) for _ in range(8)])
    minigrad.manual_seed(seed)
    ours = [T.RandomCrop(size, padding=padding)(image) for _ in range(8)]
    expected = [F.crop(padded, top, left, *size) for top, left in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("size, scale, ratio", [(24, (0.08, 1.0), (3 / 4, 4 / 3)), ((20, 16), (0.5, 1.0), (0.5, 2.0)),
                                                (12, (2.0, 3.0), (3 / 4, 4 / 3))],
                         ids=["defaults", "custom", "fallback_after_ten_tries"])
def test_random_resized_crop(image, size, scale, ratio, seed):
    replay = replayed(seed, lambda torch: [_replay_resized_crop(torch, 40, 50, scale, ratio) for _ in range(8)])
    minigrad.manual_seed(seed)
    transform = T.RandomResizedCrop(size, scale=scale, ratio=ratio)
    ours = [transform(image) for _ in range(8)]
    target = F.size_pair(size)
    expected = [F.crop(image, *box).resize((target[1], target[0]), Image.Resampling.BILINEAR)
                for box in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


@pytest.mark.parametrize("p", [0.5, 0.1, 0.9])
@pytest.mark.parametrize("transform, flip", [(T.RandomHorizontalFlip, F.hflip), (T.RandomVerticalFlip, F.vflip)],
                         ids=["horizontal", "vertical"])
def test_random_flips(image, transform, flip, p):
    replay = replayed(2, lambda torch: [_replay_chance(torch, p) for _ in range(20)])
    minigrad.manual_seed(2)
    ours = [transform(p)(image) for _ in range(20)]
    expected = [flip(image) if flipped else image for flipped in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


@pytest.mark.parametrize("degrees", [30, (-10, 45)], ids=["symmetric", "range"])
def test_random_rotation(image, degrees):
    low, high = (-degrees, degrees) if isinstance(degrees, int) else degrees
    replay = replayed(7, lambda torch: [_replay_uniform(torch, float(low), float(high)) for _ in range(6)])
    minigrad.manual_seed(7)
    ours = [T.RandomRotation(degrees)(image) for _ in range(6)]
    expected = [image.rotate(angle, Image.Resampling.NEAREST, False, None, fillcolor=(0, 0, 0))
                for angle in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


@pytest.mark.parametrize("p", [0.1, 0.4])
def test_random_grayscale(image, p):
    replay = replayed(4, lambda torch: [_replay_chance(torch, p) for _ in range(20)])
    minigrad.manual_seed(4)
    ours = [T.RandomGrayscale(p)(image) for _ in range(20)]
    expected = [F.to_grayscale(image, 3) if gray else image for gray in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


def _replay_jitter(torch, ranges):
    """torch.randperm(4), then one uniform per enabled factor (brightness, contrast, saturation, hue)."""
    order = torch.randperm(4).tolist()
    return order, [None if r is None else _replay_uniform(torch, *r) for r in ranges]


def _jitter(image, order, factors):
    adjust = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
    for index in order:
        if factors[index] is not None:
            image = adjust[index](image, factors[index])
    return image


@pytest.mark.parametrize("options", [dict(brightness=0.4, contrast=0.3, saturation=0.2, hue=0.1),
                                     dict(brightness=0.5), dict(contrast=(0.2, 0.9), hue=0.3)],
                         ids=["all", "brightness_only", "contrast_and_hue"])
def test_color_jitter(image, options):
    transform = T.ColorJitter(**options)
    ranges = (transform.brightness, transform.contrast, transform.saturation, transform.hue)
    replay = replayed(11, lambda torch: [_replay_jitter(torch, ranges) for _ in range(5)])
    minigrad.manual_seed(11)
    ours = [transform(image) for _ in range(5)]
    expected = [_jitter(image, order, factors) for order, factors in replay["parameters"]]
    _assert_same_images(ours, expected, replay)


def test_pipeline_of_random_transforms(image):
    def draws(torch):
        return [(_replay_resized_crop(torch, 40, 50, (0.08, 1.0), (3 / 4, 4 / 3)), _replay_chance(torch, 0.5),
                 _replay_chance(torch, 0.3), _replay_jitter(torch, ([0.7, 1.3], [0.7, 1.3], None, None)))
                for _ in range(6)]

    replay = replayed(21, draws)
    minigrad.manual_seed(21)
    pipeline = T.Compose([T.RandomResizedCrop(24), T.RandomHorizontalFlip(), T.RandomGrayscale(0.3),
                          T.ColorJitter(0.3, 0.3)])
    ours = [pipeline(image) for _ in range(6)]
    expected = []
    for box, flipped, gray, (order, factors) in replay["parameters"]:
        out = F.crop(image, *box).resize((24, 24), Image.Resampling.BILINEAR)
        out = F.hflip(out) if flipped else out
        out = F.to_grayscale(out, 3) if gray else out
        expected.append(_jitter(out, order, factors))
    _assert_same_images(ours, expected, replay)
