"""Image transforms against the PIL/NumPy computations they stand for (torchvision is not a
dependency: each case spells out what torchvision does, with Pillow or NumPy)."""
import numpy
import pytest
from PIL import Image, ImageEnhance

import minigrad
from data import functional_transforms as F
from data import transform_invert, transforms

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def photo(height=12, width=17, mode="RGB", seed=0):
    """A random image; odd sizes catch (h, w) mix-ups."""
    rng = numpy.random.default_rng(seed)
    channels = {"RGB": 3, "L": 1}[mode]
    pixels = rng.integers(0, 256, (height, width, channels), dtype=numpy.uint8)
    return Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels)


def pixels(img):
    return numpy.asarray(img)


# ---- ToTensor and Normalize ----------------------------------------------------------------

@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_to_tensor_of_pil_image(mode):
    img = photo(mode=mode)
    tensor = transforms.ToTensor()(img)
    expected = pixels(img).reshape(img.height, img.width, -1).transpose(2, 0, 1).astype(numpy.float32) / 255
    assert tensor.dtype == minigrad.float32 and tensor.shape == expected.shape
    numpy.testing.assert_array_equal(tensor.numpy(), expected)


ARRAYS = [(numpy.arange(24, dtype=numpy.uint8).reshape(2, 4, 3), "uint8-hwc"),
          (numpy.arange(8, dtype=numpy.uint8).reshape(2, 4), "uint8-hw"),
          (numpy.linspace(0, 3, 24).reshape(2, 4, 3), "float64-not-rescaled"),
          (numpy.linspace(-1, 1, 24, dtype=numpy.float32).reshape(2, 4, 3), "float32-not-rescaled")]


@pytest.mark.parametrize("array", [a for a, _ in ARRAYS], ids=[name for _, name in ARRAYS])
def test_to_tensor_of_ndarray(array):
    tensor = transforms.ToTensor()(array)
    hwc = array.reshape(array.shape[0], array.shape[1], -1)
    expected = hwc.transpose(2, 0, 1)
    if array.dtype == numpy.uint8:
        expected = expected.astype(numpy.float32) / numpy.float32(255)
    assert tensor.dtype == expected.dtype and tensor.shape == expected.shape
    numpy.testing.assert_array_equal(tensor.numpy(), expected)


def test_to_tensor_of_binary_image_and_errors():
    binary = Image.fromarray(numpy.array([[0, 255], [255, 0]], dtype=numpy.uint8)).convert("1")
    assert transforms.ToTensor()(binary).tolist() == [[[0.0, 1.0], [1.0, 0.0]]]
    with pytest.raises(ValueError, match="2/3 dimensional"):
        transforms.ToTensor()(numpy.zeros((1, 2, 3, 4), dtype=numpy.uint8))
    with pytest.raises(TypeError, match="PIL Image or ndarray"):
        transforms.ToTensor()([[1, 2]])


def test_normalize_is_float32_arithmetic_per_channel():
    tensor = transforms.ToTensor()(photo())
    result = transforms.Normalize(MEAN, STD)(tensor)
    mean = numpy.array(MEAN, dtype=numpy.float32).reshape(-1, 1, 1)
    std = numpy.array(STD, dtype=numpy.float32).reshape(-1, 1, 1)
    assert result.dtype == minigrad.float32
    numpy.testing.assert_array_equal(result.numpy(), (tensor.numpy() - mean) / std)
    assert result is not tensor and tensor.numpy().min() >= 0  # the input is left alone


def test_normalize_inplace_and_batches():
    batch = minigrad.stack([transforms.ToTensor()(photo(seed=s)) for s in range(2)])
    expected = transforms.Normalize(MEAN, STD)(batch).numpy()
    assert transforms.Normalize(MEAN, STD, inplace=True)(batch) is batch
    numpy.testing.assert_array_equal(batch.numpy(), expected)


@pytest.mark.parametrize("make, error", [
    (lambda: transforms.Normalize([0.5], [0.0]), ValueError),
    (lambda: transforms.Normalize([0.5], [0.5])(minigrad.zeros(1, 2, 2, dtype=minigrad.int64)), TypeError),
    (lambda: transforms.Normalize([0.5], [0.5])(minigrad.zeros(2, 2)), ValueError),
    (lambda: transforms.Normalize(MEAN, STD)(minigrad.zeros(2, 4, 4)), ValueError),
], ids=["zero-std", "integer-tensor", "not-an-image", "channel-count"])
def test_normalize_errors(make, error):
    with pytest.raises(error):
        make()


# ---- geometry ------------------------------------------------------------------------------

RESIZES = [((8, 9), (9, 8)), (6, (8, 6)), ([6], (8, 6)), (20, (28, 20))]  # size -> expected (w, h) of a 17x12 image


@pytest.mark.parametrize("size, expected_wh", RESIZES, ids=["pair", "int-shorter-side", "one-element", "upscale"])
def test_resize_is_pil_bilinear(size, expected_wh):
    img = photo()
    result = transforms.Resize(size)(img)
    # torchvision: the shorter side becomes `size`, the longer one int(size * long / short)
    assert result.size == expected_wh
    numpy.testing.assert_array_equal(pixels(result), pixels(img.resize(expected_wh, Image.BILINEAR)))


def test_resize_max_size_and_errors():
    assert transforms.Resize(6, max_size=7)(photo()).size == (7, int(7 * 6 / 8))
    with pytest.raises(ValueError, match="max_size"):
        transforms.Resize((6, 6), max_size=7)
    with pytest.raises(TypeError):
        transforms.Resize("big")
    with pytest.raises(TypeError, match="PIL image"):
        transforms.Resize(4)(numpy.zeros((4, 4, 3)))


@pytest.mark.parametrize("size", [(5, 7), 4, (12, 17), (14, 20)], ids=["inside", "square", "whole", "padded"])
def test_center_crop(size):
    img = photo()
    h, w = (size, size) if isinstance(size, int) else size
    padded = numpy.pad(pixels(img), ((max(0, (h - 12) // 2), max(0, (h - 11) // 2)),
                                     (max(0, (w - 17) // 2), max(0, (w - 16) // 2)), (0, 0)))
    top, left = int(round((padded.shape[0] - h) / 2)), int(round((padded.shape[1] - w) / 2))
    numpy.testing.assert_array_equal(pixels(transforms.CenterCrop(size)(img)), padded[top:top + h, left:left + w])


PAD_CASES = [(3, "constant", 0), (2, "constant", 7), ((1, 2), "constant", (10, 20, 30)), ((1, 2, 3, 4), "edge", 0),
             (3, "reflect", 0), ((2, 1), "symmetric", 0)]


@pytest.mark.parametrize("padding, mode, fill", PAD_CASES,
                         ids=["constant", "constant-fill", "per-channel-fill", "edge-ltrb", "reflect", "symmetric"])
def test_random_crop_padding_matches_numpy_pad(padding, mode, fill):
    img = photo()
    left, top, right, bottom = ((padding,) * 4 if isinstance(padding, int) else
                                padding * 2 if len(padding) == 2 else padding)
    channels = [numpy.pad(pixels(img)[:, :, c], ((top, bottom), (left, right)), mode=mode,
                          **({"constant_values": fill[c] if isinstance(fill, tuple) else fill}
                             if mode == "constant" else {})) for c in range(3)]
    expected = numpy.stack(channels, axis=-1)
    whole = transforms.RandomCrop(expected.shape[:2], padding=padding, fill=fill, padding_mode=mode)(img)
    numpy.testing.assert_array_equal(pixels(whole), expected)
    window = pixels(transforms.RandomCrop((12, 17), padding=padding, fill=fill, padding_mode=mode)(img))
    windows = [expected[t:t + 12, l:l + 17] for t in range(top + bottom + 1) for l in range(left + right + 1)]
    assert any(numpy.array_equal(window, w) for w in windows)


def test_random_crop_pad_if_needed_and_errors():
    assert transforms.RandomCrop((15, 20), pad_if_needed=True)(photo()).size == (20, 15)
    with pytest.raises(ValueError, match="larger than input image size"):
        transforms.RandomCrop(20)(photo())
    with pytest.raises(ValueError, match="padding_mode"):
        transforms.RandomCrop(4, padding=1, padding_mode="wrap")


def test_random_crop_on_tensors_matches_pil():
    img = photo()
    minigrad.manual_seed(4)
    from_pil = transforms.ToTensor()(transforms.RandomCrop(10, padding=3, padding_mode="reflect")(img))
    minigrad.manual_seed(4)
    from_tensor = transforms.RandomCrop(10, padding=3, padding_mode="reflect")(transforms.ToTensor()(img))
    numpy.testing.assert_array_equal(from_tensor.numpy(), from_pil.numpy())


def test_random_resized_crop_of_the_whole_image_is_a_resize():
    img = photo()
    ratio = img.width / img.height
    result = transforms.RandomResizedCrop((6, 8), scale=(1.0, 1.0), ratio=(ratio, ratio))(img)
    numpy.testing.assert_array_equal(pixels(result), pixels(img.resize((8, 6), Image.BILINEAR)))
    assert transforms.RandomResizedCrop(5)(img).size == (5, 5)


FLIPS = [(transforms.RandomHorizontalFlip, lambda a: a[:, ::-1]), (transforms.RandomVerticalFlip, lambda a: a[::-1])]


@pytest.mark.parametrize("flip, expected", FLIPS, ids=["horizontal", "vertical"])
def test_flips(flip, expected):
    img = photo()
    numpy.testing.assert_array_equal(pixels(flip(p=1.0)(img)), expected(pixels(img)))
    assert flip(p=0.0)(img) is img
    tensor = transforms.ToTensor()(img)
    numpy.testing.assert_array_equal(flip(p=1.0)(tensor).numpy(), transforms.ToTensor()(flip(p=1.0)(img)).numpy())


def test_rotation_by_a_quarter_turn_is_rot90():
    img = photo(11, 11)
    numpy.testing.assert_array_equal(pixels(transforms.RandomRotation((90, 90))(img)), numpy.rot90(pixels(img)))
    with pytest.raises(ValueError, match="positive"):
        transforms.RandomRotation(-5)


# ---- colour --------------------------------------------------------------------------------

@pytest.mark.parametrize("channels", [1, 3])
def test_grayscale_is_pil_luma(channels):
    img = photo()
    gray = pixels(img.convert("L"))
    result = pixels(transforms.Grayscale(channels)(img))
    expected = gray if channels == 1 else numpy.stack([gray] * 3, axis=-1)
    numpy.testing.assert_array_equal(result, expected)


def test_grayscale_of_tensors_uses_torchvision_weights():
    tensor = transforms.ToTensor()(photo())
    r, g, b = tensor.numpy()
    expected = (r * numpy.float32(0.2989) + g * numpy.float32(0.587) + b * numpy.float32(0.114))[None]
    numpy.testing.assert_allclose(transforms.Grayscale()(tensor).numpy(), expected, rtol=1e-6)
    assert transforms.Grayscale(3)(tensor).shape == (3, 12, 17)


def test_random_grayscale_keeps_the_channel_count():
    rgb, gray = photo(), photo(mode="L")
    result = transforms.RandomGrayscale(p=1.0)(rgb)
    assert result.mode == "RGB"
    numpy.testing.assert_array_equal(pixels(result)[:, :, 1], pixels(rgb.convert("L")))
    assert transforms.RandomGrayscale(p=1.0)(gray).mode == "L"
    assert transforms.RandomGrayscale(p=0.0)(rgb) is rgb
    assert transforms.RandomGrayscale(p=1.0)(transforms.ToTensor()(rgb)).shape == (3, 12, 17)


@pytest.mark.parametrize("option, enhancer", [("brightness", ImageEnhance.Brightness),
                                              ("contrast", ImageEnhance.Contrast),
                                              ("saturation", ImageEnhance.Color)])
def test_color_jitter_with_a_fixed_factor_is_pil_enhance(option, enhancer):
    img = photo()
    result = transforms.ColorJitter(**{option: (0.6, 0.6)})(img)
    numpy.testing.assert_array_equal(pixels(result), pixels(enhancer(img).enhance(0.6)))


def test_color_jitter_hue_shifts_the_hsv_hue():
    img = photo()
    h, s, v = (numpy.asarray(c) for c in img.convert("HSV").split())
    shifted = numpy.stack([(h.astype(int) + int(0.2 * 255)) % 256, s, v], axis=-1).astype(numpy.uint8)
    expected = Image.merge("HSV", [Image.fromarray(c) for c in numpy.moveaxis(shifted, -1, 0)]).convert("RGB")
    numpy.testing.assert_array_equal(pixels(transforms.ColorJitter(hue=(0.2, 0.2))(img)), pixels(expected))


@pytest.mark.parametrize("options", [dict(brightness=-1), dict(hue=0.7), dict(contrast=(2, 1)), dict(saturation="x")],
                         ids=["negative", "hue-too-big", "reversed-range", "not-a-number"])
def test_color_jitter_errors(options):
    with pytest.raises((ValueError, TypeError)):
        transforms.ColorJitter(**options)


# ---- pipelines -----------------------------------------------------------------------------

def tutorial_train():
    return transforms.Compose([transforms.Resize((32, 32)), transforms.RandomCrop(32, padding=4),
                               transforms.RandomGrayscale(p=0.8), transforms.ToTensor(),
                               transforms.Normalize(MEAN, STD)])


def test_random_pipelines_are_seeded():
    img = photo(40, 60)
    augment = transforms.Compose([transforms.RandomResizedCrop(24), transforms.ColorJitter(0.4, 0.4, 0.4, 0.1),
                                  transforms.RandomRotation(15), tutorial_train()])

    def run(seed):
        minigrad.manual_seed(seed)
        return [augment(img).numpy() for _ in range(4)]

    first = run(1)
    assert all(numpy.array_equal(a, b) for a, b in zip(first, run(1)))
    assert not all(numpy.array_equal(a, b) for a, b in zip(first, run(2)))
    assert first[0].shape == (3, 32, 32) and first[0].dtype == numpy.float32


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_transform_invert_round_trip(mode):
    img = photo(mode=mode)
    channels = 3 if mode == "RGB" else 1
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN[:channels], STD[:channels])])
    back = transform_invert(pipeline(img), pipeline)
    assert back.mode == mode and back.size == img.size
    assert numpy.abs(pixels(back).astype(int) - pixels(img).astype(int)).max() <= 1
    assert numpy.array_equal(pixels(transform_invert(transforms.ToTensor()(img), transforms.ToTensor())), pixels(img))


REPRS = [
    (transforms.Resize((32, 32)), "Resize(size=(32, 32), interpolation=bilinear, max_size=None, antialias=True)"),
    (transforms.CenterCrop(8), "CenterCrop(size=(8, 8))"),
    (transforms.RandomCrop(32, padding=4), "RandomCrop(size=(32, 32), padding=4)"),
    (transforms.RandomResizedCrop(24), "RandomResizedCrop(size=(24, 24), scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
                                       "interpolation=bilinear, antialias=True)"),
    (transforms.RandomHorizontalFlip(), "RandomHorizontalFlip(p=0.5)"),
    (transforms.RandomVerticalFlip(0.2), "RandomVerticalFlip(p=0.2)"),
    (transforms.RandomRotation(10), "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, "
                                    "fill=0)"),
    (transforms.Grayscale(), "Grayscale(num_output_channels=1)"),
    (transforms.RandomGrayscale(p=0.8), "RandomGrayscale(p=0.8)"),
    (transforms.ColorJitter(brightness=0.5), "ColorJitter(brightness=[0.5, 1.5], contrast=None, saturation=None, "
                                             "hue=None)"),
    (transforms.ToTensor(), "ToTensor()"),
    (transforms.Normalize(MEAN, STD), f"Normalize(mean={MEAN}, std={STD})"),
    (transforms.Lambda(abs), "Lambda()"),
    (transforms.Compose([transforms.ToTensor()]), "Compose(\n    ToTensor()\n)"),
]


@pytest.mark.parametrize("transform, text", REPRS, ids=[text.split("(")[0] for _, text in REPRS])
def test_reprs_are_torchvision_style(transform, text):
    assert repr(transform) == text


def test_lambda_needs_a_callable():
    with pytest.raises(TypeError, match="callable"):
        transforms.Lambda(3)


def test_pad_function_errors():
    with pytest.raises(ValueError, match="padding"):
        F.pad(photo(), (1, 2, 3))
    with pytest.raises(ValueError, match="non-negative"):
        F.pad(photo(), -1)
