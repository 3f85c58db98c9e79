"""Image transforms with torchvision's names and semantics, on PIL images (and tensors where noted).

Random transforms draw from minigrad's default generator, so ``minigrad.manual_seed`` makes a
pipeline reproducible (and each DataLoader worker is seeded on its own).
"""
import math
import numbers

import numpy
from PIL import Image, ImageEnhance

import minigrad
from minigrad.random import numpy_generator
from minigrad.tensor import Tensor

PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def _size_pair(size, name="size"):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{name} should be an int or a sequence of one or two ints, got {size}")
    return int(size[0]), int(size[1])


def _random():
    return float(numpy_generator().random())


def _uniform(low, high):
    return float(numpy_generator().uniform(low, high))


def _check_image(img, name):
    if not isinstance(img, Image.Image):
        raise TypeError(f"{name} expects a PIL image, got {type(img).__name__}")


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class Lambda:
    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


class Resize:
    """Resize to (h, w), or an int: the shorter side becomes ``size``, keeping the aspect ratio.
    Bilinear by default, as torchvision does on PIL images."""

    def __init__(self, size, interpolation=Image.BILINEAR, max_size=None, antialias=True):
        if not isinstance(size, (int, tuple, list)) or (not isinstance(size, int) and len(size) not in (1, 2)):
            raise TypeError(f"Size should be int or sequence of one or two ints. Got {size}")
        self.size, self.interpolation, self.max_size = size, interpolation, max_size

    def target(self, width, height):
        """(width, height) of the result for an input of ``width`` x ``height``."""
        if isinstance(self.size, int) or len(self.size) == 1:
            short = self.size if isinstance(self.size, int) else self.size[0]
            if width <= height:
                new_w, new_h = short, int(short * height / width)
            else:
                new_w, new_h = int(short * width / height), short
            if self.max_size is not None and max(new_w, new_h) > self.max_size:
                scale = self.max_size / max(new_w, new_h)
                new_w, new_h = int(new_w * scale), int(new_h * scale)
            return new_w, new_h
        return self.size[1], self.size[0]

    def __call__(self, img):
        _check_image(img, "Resize")
        size = self.target(*img.size)
        return img if size == img.size else img.resize(size, self.interpolation)

    def __repr__(self):
        return f"Resize(size={self.size}, interpolation=bilinear, max_size={self.max_size}, antialias=True)"


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad a PIL image by (left, top, right, bottom) (an int or a pair also work)."""
    if isinstance(padding, int):
        left = top = right = bottom = padding
    elif len(padding) == 2:
        (left, top), (right, bottom) = padding, padding
    elif len(padding) == 4:
        left, top, right, bottom = padding
    else:
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if padding_mode not in PAD_MODES:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    array = numpy.asarray(img)
    widths = ((top, bottom), (left, right)) + (((0, 0),) if array.ndim == 3 else ())
    if padding_mode == "constant":
        fills = fill if isinstance(fill, (tuple, list)) else [fill] * (array.shape[2] if array.ndim == 3 else 1)
        if array.ndim == 3:
            padded = numpy.stack([numpy.pad(array[..., c], widths[:2], constant_values=fills[c])
                                  for c in range(array.shape[2])], axis=-1)
        else:
            padded = numpy.pad(array, widths, constant_values=fills[0])
    else:
        padded = numpy.pad(array, widths, mode=PAD_MODES[padding_mode])
    return Image.fromarray(padded.astype(array.dtype))


class CenterCrop:
    def __init__(self, size):
        self.size = _size_pair(size)

    def __call__(self, img):
        _check_image(img, "CenterCrop")
        height, width = self.size
        if width > img.width or height > img.height:
            img = pad(img, [max(0, (width - img.width) // 2), max(0, (height - img.height) // 2),
                            max(0, (width - img.width + 1) // 2), max(0, (height - img.height + 1) // 2)])
        top = int(round((img.height - height) / 2.0))
        left = int(round((img.width - width) / 2.0))
        return img.crop((left, top, left + width, top + height))

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomCrop:
    """Pad (optionally), then cut a random ``size`` window. RandomCrop(size, padding=None,
    pad_if_needed=False, fill=0, padding_mode='constant')."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = _size_pair(size)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    def __call__(self, img):
        _check_image(img, "RandomCrop")
        if self.padding is not None:
            img = pad(img, self.padding, self.fill, self.padding_mode)
        height, width = self.size
        if self.pad_if_needed and img.width < width:
            img = pad(img, [width - img.width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and img.height < height:
            img = pad(img, [0, height - img.height], self.fill, self.padding_mode)
        if img.width < width or img.height < height:
            raise ValueError(f"Required crop size {(height, width)} is larger than input image size "
                             f"{(img.height, img.width)}")
        top = int(numpy_generator().integers(0, img.height - height + 1))
        left = int(numpy_generator().integers(0, img.width - width + 1))
        return img.crop((left, top, left + width, top + height))

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomResizedCrop:
    """A random area (scale) and aspect ratio (ratio) cut, resized to ``size`` (Inception-style)."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=Image.BILINEAR):
        self.size, self.scale, self.ratio, self.interpolation = _size_pair(size), scale, ratio, interpolation

    def get_params(self, img):
        width, height = img.size
        area = width * height
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target_area = area * _uniform(*self.scale)
            aspect = math.exp(_uniform(*log_ratio))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                top = int(numpy_generator().integers(0, height - h + 1))
                left = int(numpy_generator().integers(0, width - w + 1))
                return top, left, h, w
        in_ratio = width / height  # fall back to a central crop
        if in_ratio < min(self.ratio):
            w, h = width, int(round(width / min(self.ratio)))
        elif in_ratio > max(self.ratio):
            h, w = height, int(round(height * max(self.ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        _check_image(img, "RandomResizedCrop")
        top, left, h, w = self.get_params(img)
        return img.crop((left, top, left + w, top + h)).resize((self.size[1], self.size[0]), self.interpolation)

    def __repr__(self):
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class RandomHorizontalFlip:
    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        if _random() < self.p:
            if isinstance(img, Tensor):
                return Tensor._wrap(img.array[..., ::-1].copy(), None, False)
            return img.transpose(Image.FLIP_LEFT_RIGHT)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    def __call__(self, img):
        if _random() < self.p:
            if isinstance(img, Tensor):
                return Tensor._wrap(img.array[..., ::-1, :].copy(), None, False)
            return img.transpose(Image.FLIP_TOP_BOTTOM)
        return img


class RandomRotation:
    """Rotate by a random angle in [-degrees, degrees] (or the given range)."""

    def __init__(self, degrees, interpolation=Image.NEAREST, expand=False, center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        self.degrees, self.interpolation, self.expand, self.center, self.fill = degrees, interpolation, expand, \
            center, fill

    def __call__(self, img):
        _check_image(img, "RandomRotation")
        angle = _uniform(*self.degrees)
        fill = tuple(self.fill) if isinstance(self.fill, (list, tuple)) else self.fill
        return img.rotate(angle, self.interpolation, self.expand, self.center, fillcolor=fill)

    def __repr__(self):
        return f"RandomRotation(degrees={self.degrees})"


class Grayscale:
    """To gray (ITU-R 601-2 luma, PIL's "L"), with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        if num_output_channels not in (1, 3):
            raise ValueError("num_output_channels should be either 1 or 3")
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        _check_image(img, "Grayscale")
        gray = img.convert("L")
        return gray if self.num_output_channels == 1 else Image.merge("RGB", (gray, gray, gray))

    def __repr__(self):
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """With probability p, to gray with the same number of channels as the input."""

    def __init__(self, p=0.1):
        self.p = p

    def __call__(self, img):
        _check_image(img, "RandomGrayscale")
        if _random() < self.p:
            return Grayscale(3 if img.mode == "RGB" else 1)(img)
        return img

    def __repr__(self):
        return f"RandomGrayscale(p={self.p})"


class ColorJitter:
    """Random brightness, contrast, saturation and hue changes, applied in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = self._range(brightness, "brightness")
        self.contrast = self._range(contrast, "contrast")
        self.saturation = self._range(saturation, "saturation")
        self.hue = self._range(hue, "hue", center=0, bound=(-0.5, 0.5))

    @staticmethod
    def _range(value, name, center=1.0, bound=(0, float("inf"))):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = (center - value, center + value)
            if center == 1.0:
                value = (max(value[0], 0.0), value[1])
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, got {value}")
        return None if value[0] == value[1] == center else tuple(value)

    def __call__(self, img):
        _check_image(img, "ColorJitter")
        for index in numpy_generator().permutation(4).tolist():
            if index == 0 and self.brightness:
                img = ImageEnhance.Brightness(img).enhance(_uniform(*self.brightness))
            elif index == 1 and self.contrast:
                img = ImageEnhance.Contrast(img).enhance(_uniform(*self.contrast))
            elif index == 2 and self.saturation:
                img = ImageEnhance.Color(img).enhance(_uniform(*self.saturation))
            elif index == 3 and self.hue:
                img = _shift_hue(img, _uniform(*self.hue))
        return img

    def __repr__(self):
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, "
                f"hue={self.hue})")


def _shift_hue(img, factor):
    if img.mode in ("L", "1", "I", "F"):
        return img
    h, s, v = img.convert("HSV").split()
    shifted = (numpy.asarray(h, dtype=numpy.int16) + int(factor * 255)) % 256
    return Image.merge("HSV", (Image.fromarray(shifted.astype(numpy.uint8)), s, v)).convert(img.mode)


class ToTensor:
    """PIL image or uint8 HWC array -> float32 CHW tensor in [0, 1]; float arrays are not rescaled."""

    def __call__(self, pic):
        if isinstance(pic, Image.Image):
            array = numpy.asarray(pic)
        elif isinstance(pic, numpy.ndarray):
            array = pic
        else:
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic).__name__}")
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3:
            raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
        chw = array.transpose(2, 0, 1)
        if chw.dtype == numpy.uint8:
            return Tensor._wrap(chw.astype(numpy.float32) / numpy.float32(255), None, False)
        return Tensor._wrap(numpy.ascontiguousarray(chw), None, False)

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """(x - mean) / std per channel of a CHW (or NCHW) float tensor."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = list(mean), list(std), inplace
        if any(s == 0 for s in self.std):
            raise ValueError(f"std evaluated to zero after conversion to float32, leading to division by zero: {std}")

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor) or tensor.dtype.kind != "f":
            raise TypeError(f"Normalize expects a float tensor, got {type(tensor).__name__}")
        if tensor.ndim < 3:
            raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got {tuple(tensor.shape)}.")
        xp = minigrad.backend.array_module(tensor.array)
        mean = xp.asarray(self.mean, dtype=tensor.dtype).reshape(-1, 1, 1)
        std = xp.asarray(self.std, dtype=tensor.dtype).reshape(-1, 1, 1)
        if self.inplace:
            tensor.array -= mean
            tensor.array /= std
            return tensor
        return Tensor._wrap((tensor.array - mean) / std, None, False)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


def transform_invert(img_tensor, transform):
    """Undo the Normalize and ToTensor of ``transform`` (a Compose or one transform): a CHW
    tensor back to a PIL image (RGB, or L for one channel), for display."""
    steps = transform.transforms if isinstance(transform, Compose) else [transform]
    array = img_tensor.detach().cpu().numpy().astype(numpy.float64)
    for step in steps:
        if isinstance(step, Normalize):
            array = array * numpy.array(step.std).reshape(-1, 1, 1) + numpy.array(step.mean).reshape(-1, 1, 1)
    if any(isinstance(step, ToTensor) for step in steps):
        array = array * 255
    array = numpy.clip(numpy.round(array), 0, 255).astype(numpy.uint8).transpose(1, 2, 0)
    if array.shape[2] == 1:
        return Image.fromarray(array[:, :, 0])
    return Image.fromarray(array)
