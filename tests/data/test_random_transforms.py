"""Random transforms draw in torchvision's order: each test replays, with PyTorch's generator,
the draws torchvision documents for the transform (``torch.rand(1) < p``,
``torch.randint(0, n, size=(1,))``, ``torch.empty(1).uniform_(a, b)``, ``torch.randperm(4)``,
RandomResizedCrop's ten tries), builds the expected image from the replayed parameters and
compares it with minigrad's output. torchvision itself is not needed.
"""
import math

import numpy
import pytest
from PIL import Image

import minigrad
from data import functional_transforms as F, transforms as T

torch = pytest.importorskip("torch")


@pytest.fixture
def image():
    pixels = numpy.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=numpy.uint8)
    return Image.fromarray(pixels)


def _seed(seed):
    minigrad.manual_seed(seed)
    torch.manual_seed(seed)


def _assert_same_images(ours, expected):
    assert [numpy.asarray(img).tolist() for img in ours] == [numpy.asarray(img).tolist() for img in expected]
    assert numpy.array_equal(minigrad.randn(9).numpy(), torch.randn(9).numpy())  # the streams still agree


def _replay_randint(high):
    return torch.randint(0, high, size=(1,)).item()


def _replay_uniform(low, high):
    return float(torch.empty(1).uniform_(low, high).item())


def _replay_chance(p):
    return bool(torch.rand(1) < p)


def _replay_resized_crop(height, width, scale, ratio):
    """Ten tries of (area fraction, log aspect ratio) in float32 tensors, then the centre crop."""
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        target_area = height * width * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w, h = round(math.sqrt(target_area * aspect)), round(math.sqrt(target_area / aspect))
        if 0 < w <= width and 0 < h <= height:
            return _replay_randint(height - h + 1), _replay_randint(width - w + 1), h, w
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
    _seed(seed)
    ours = [T.RandomCrop(size, padding=padding)(image) for _ in range(8)]
    padded = F.pad(image, padding) if padding is not None else image
    height, width = padded.height, padded.width
    expected = []
    for _ in range(8):
        top, left = (0, 0) if (height, width) == size else (_replay_randint(height - size[0] + 1),
                                                            _replay_randint(width - size[1] + 1))
        expected.append(F.crop(padded, top, left, *size))
    _assert_same_images(ours, expected)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("size, scale, ratio", [(24, (0.08, 1.0), (3 / 4, 4 / 3)), ((20, 16), (0.5, 1.0), (0.5, 2.0)),
                                                (12, (2.0, 3.0), (3 / 4, 4 / 3))],
                         ids=["defaults", "custom", "fallback_after_ten_tries"])
def test_random_resized_crop(image, size, scale, ratio, seed):
    _seed(seed)
    transform = T.RandomResizedCrop(size, scale=scale, ratio=ratio)
    ours = [transform(image) for _ in range(8)]
    target = F.size_pair(size)
    expected = [F.crop(image, *_replay_resized_crop(40, 50, scale, ratio)).resize((target[1], target[0]),
                                                                                  Image.Resampling.BILINEAR)
                for _ in range(8)]
    _assert_same_images(ours, expected)


@pytest.mark.parametrize("p", [0.5, 0.1, 0.9])
@pytest.mark.parametrize("transform, flip", [(T.RandomHorizontalFlip, F.hflip), (T.RandomVerticalFlip, F.vflip)],
                         ids=["horizontal", "vertical"])
def test_random_flips(image, transform, flip, p):
    _seed(2)
    ours = [transform(p)(image) for _ in range(20)]
    expected = [flip(image) if _replay_chance(p) else image for _ in range(20)]
    _assert_same_images(ours, expected)


@pytest.mark.parametrize("degrees", [30, (-10, 45)], ids=["symmetric", "range"])
def test_random_rotation(image, degrees):
    _seed(7)
    ours = [T.RandomRotation(degrees)(image) for _ in range(6)]
    low, high = (-degrees, degrees) if isinstance(degrees, int) else degrees
    expected = [image.rotate(_replay_uniform(float(low), float(high)), Image.Resampling.NEAREST, False, None,
                             fillcolor=(0, 0, 0)) for _ in range(6)]
    _assert_same_images(ours, expected)


@pytest.mark.parametrize("p", [0.1, 0.4])
def test_random_grayscale(image, p):
    _seed(4)
    ours = [T.RandomGrayscale(p)(image) for _ in range(20)]
    expected = [F.to_grayscale(image, 3) if _replay_chance(p) else image for _ in range(20)]
    _assert_same_images(ours, expected)


def _replay_jitter(image, ranges):
    """torch.randperm(4), then one uniform per enabled factor (brightness, contrast, saturation, hue)."""
    order = torch.randperm(4).tolist()
    factors = [None if r is None else _replay_uniform(*r) for r in ranges]
    adjust = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
    for index in order:
        if factors[index] is not None:
            image = adjust[index](image, factors[index])
    return image


@pytest.mark.parametrize("options", [dict(brightness=0.4, contrast=0.3, saturation=0.2, hue=0.1),
                                     dict(brightness=0.5), dict(contrast=(0.2, 0.9), hue=0.3)],
                         ids=["all", "brightness_only", "contrast_and_hue"])
def test_color_jitter(image, options):
    _seed(11)
    transform = T.ColorJitter(**options)
    ours = [transform(image) for _ in range(5)]
    ranges = (transform.brightness, transform.contrast, transform.saturation, transform.hue)
    expected = [_replay_jitter(image, ranges) for _ in range(5)]
    _assert_same_images(ours, expected)


def test_pipeline_of_random_transforms(image):
    _seed(21)
    pipeline = T.Compose([T.RandomResizedCrop(24), T.RandomHorizontalFlip(), T.RandomGrayscale(0.3),
                          T.ColorJitter(0.3, 0.3)])
    ours = [pipeline(image) for _ in range(6)]
    expected = []
    for _ in range(6):
        out = F.crop(image, *_replay_resized_crop(40, 50, (0.08, 1.0), (3 / 4, 4 / 3)))
        out = out.resize((24, 24), Image.Resampling.BILINEAR)
        out = F.hflip(out) if _replay_chance(0.5) else out
        out = F.to_grayscale(out, 3) if _replay_chance(0.3) else out
        expected.append(_replay_jitter(out, ([0.7, 1.3], [0.7, 1.3], None, None)))
    _assert_same_images(ours, expected)
