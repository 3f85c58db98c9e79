"""Image transforms with torchvision's names, defaults and reprs, on PIL images (and on CHW
tensors where torchvision allows it). The operations themselves live in
``data.functional_transforms``.

Random transforms draw from minigrad's default generator exactly as torchvision draws from
PyTorch's (``torch.rand(1)``, ``torch.randint(..., size=(1,))``, ``torch.empty(1).uniform_``,
``torch.randperm(4)``, in torchvision's order), so after the same ``manual_seed`` a pipeline
makes torchvision's choices; DataLoader workers seed the generator per worker.
"""
import math
import numbers
import warnings

import numpy
from PIL import Image

from data import functional_transforms as F
import minigrad
from minigrad.engine import Tensor

__all__ = ["Compose", "Lambda", "Resize", "CenterCrop", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "RandomRotation", "Grayscale", "RandomGrayscale", "ColorJitter", "ToTensor",
           "Normalize", "transform_invert"]


def _chance(p):
    """``torch.rand(1) < p``: a float32 uniform compared in float32."""
    return bool(minigrad.rand(1, device="cpu").array[0] < numpy.float32(p))


def _uniform(low, high):
    """``torch.empty(1).uniform_(low, high).item()``: a float32 draw, as a Python float."""
    return float(minigrad.empty(1, device="cpu").uniform_(low, high).item())


def _randint(low, high):
    """``torch.randint(low, high, size=(1,)).item()``."""
    return int(minigrad.randint(low, high, (1,), device="cpu").item())


def _float32(value):
    return float(numpy.float32(value))


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


class Resize:
    """Resize a PIL image to ``size`` (h, w), or make its shorter side ``size`` (an int) keeping
    the aspect ratio. Bilinear by default; Pillow's filters antialias, as torchvision's
    ``antialias=True`` does on PIL images."""

    def __init__(self, size, interpolation=Image.Resampling.BILINEAR, max_size=None, antialias=True):
        if not (isinstance(size, numbers.Integral) or (isinstance(size, (tuple, list)) and len(size) in (1, 2))):
            raise TypeError(f"Size should be int or sequence. Got {type(size).__name__}")
        if isinstance(size, (tuple, list)) and len(size) == 2 and max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge")
        sides = list(size) if isinstance(size, (tuple, list)) else [size]
        if not all(isinstance(side, numbers.Integral) and not isinstance(side, bool) and side > 0 for side in sides):
            # Pillow would only fail later, on the first image, with "height and width must be > 0"
            raise ValueError(f"Resize: size should be a positive int or a sequence of positive ints, got {size!r}")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = F.resampling(interpolation)[0]

    def output_size(self, width, height):
        """(width, height) of the result for a ``width`` x ``height`` input (Pillow's order)."""
        new_height, new_width = F.resized_size(height, width, self.size, self.max_size)
        return new_width, new_height

    def __call__(self, img):
        F.check_image(img, "Resize")
        return F.resize(img, self.size, self.interpolation, self.max_size)

    def __repr__(self):
        return (f"Resize(size={self.size}, interpolation={F.resampling(self.interpolation)[1]}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop:
    """The central ``size`` window (zero padding where the image is smaller)."""

    def __init__(self, size):
        self.size = F.size_pair(size)

    def __call__(self, img):
        F.check_image(img, "CenterCrop", tensors=True)
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class RandomCrop:
    """Pad (``padding``; or up to ``size`` with ``pad_if_needed``), then cut a random ``size``
    window. ``padding_mode``: constant (with ``fill``), edge, reflect or symmetric."""

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant"):
        self.size = F.size_pair(size)
        if padding is not None:
            F.padding_ltrb(padding)  # raises on a malformed padding now rather than at the first image
        if padding_mode not in F.PADDING_MODES:
            raise ValueError(f"padding_mode should be one of {', '.join(F.PADDING_MODES)}, got {padding_mode!r}")
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img, output_size):
        """(top, left, height, width) of a random crop of ``output_size`` (h, w)."""
        height, width = F.image_size(img)
        crop_height, crop_width = output_size
        if height < crop_height or width < crop_width:
            raise ValueError(f"Required crop size {(crop_height, crop_width)} is larger than input image size "
                             f"{(height, width)}")
        if (height, width) == (crop_height, crop_width):
            return 0, 0, height, width
        return _randint(0, height - crop_height + 1), _randint(0, width - crop_width + 1), crop_height, crop_width

    def __call__(self, img):
        F.check_image(img, "RandomCrop", tensors=True)
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        height, width = F.image_size(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        return F.crop(img, *self.get_params(img, self.size))

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomResizedCrop:
    """A random window (area fraction in ``scale``, aspect ratio in ``ratio``) resized to
    ``size``: the Inception-style crop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=Image.Resampling.BILINEAR, antialias=True):
        self.size = F.size_pair(size)
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.scale, self.ratio, self.antialias = tuple(scale), tuple(ratio), antialias
        self.interpolation = F.resampling(interpolation)[0]

    @staticmethod
    def get_params(img, scale, ratio):
        """(top, left, height, width): ten random tries, then a central crop of the nearest ratio."""
        height, width = F.image_size(img)
        area = height * width
        # torchvision takes the log and the exp of float32 tensors: round as they do
        log_ratio = [_float32(math.log(_float32(r))) for r in ratio]
        for _ in range(10):
            target_area = area * _uniform(*scale)
            aspect = _float32(math.exp(_uniform(*log_ratio)))
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = width / height
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img):
        F.check_image(img, "RandomResizedCrop")
        top, left, h, w = self.get_params(img, self.scale, self.ratio)
        return F.crop(img, top, left, h, w).resize((self.size[1], self.size[0]), self.interpolation)

    def __repr__(self):
        scale = tuple(round(s, 4) for s in self.scale)
        ratio = tuple(round(r, 4) for r in self.ratio)
        return (f"RandomResizedCrop(size={self.size}, scale={scale}, ratio={ratio}, "
                f"interpolation={F.resampling(self.interpolation)[1]}, antialias={self.antialias})")


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``."""

    flip = staticmethod(F.hflip)

    def __init__(self, p=0.5):
        self.p = p

    def __call__(self, img):
        F.check_image(img, type(self).__name__, tensors=True)
        return self.flip(img) if _chance(self.p) else img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Flip upside down with probability ``p``."""

    flip = staticmethod(F.vflip)


class RandomRotation:
    """Rotate a PIL image by an angle drawn from [-degrees, degrees] (or the given (min, max))."""

    def __init__(self, degrees, interpolation=Image.Resampling.NEAREST, expand=False, center=None, fill=0):
        if isinstance(degrees, numbers.Number):
            if degrees < 0:
                raise ValueError("If degrees is a single number, it must be positive.")
            degrees = (-degrees, degrees)
        elif not isinstance(degrees, (tuple, list)) or len(degrees) != 2:
            raise ValueError("If degrees is a sequence, it must be of len 2.")
        if center is not None and len(center) != 2:
            raise ValueError("If center is a sequence, it must be of len 2.")
        self.degrees = [float(d) for d in degrees]
        self.interpolation = F.resampling(interpolation)[0]
        self.expand, self.center, self.fill = expand, center, fill

    def __call__(self, img):
        F.check_image(img, "RandomRotation")
        angle = _uniform(*self.degrees)
        bands = len(img.getbands())
        fill = list(self.fill) if isinstance(self.fill, (tuple, list)) else [self.fill] * bands
        fill = tuple(fill) if img.mode == "F" else tuple(int(v) for v in fill)
        return img.rotate(angle, self.interpolation, self.expand, self.center,
                          fillcolor=fill[0] if bands == 1 else fill)

    def __repr__(self):
        text = (f"RandomRotation(degrees={self.degrees}, interpolation={F.resampling(self.interpolation)[1]}, "
                f"expand={self.expand}")
        text += f", center={self.center}" if self.center is not None else ""
        text += f", fill={self.fill}" if self.fill is not None else ""
        return text + ")"


class Grayscale:
    """To gray (ITU-R 601-2 luma, Pillow's "L"), with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        if num_output_channels not in (1, 3):
            raise ValueError(f"num_output_channels should be either 1 or 3, got {num_output_channels}")
        self.num_output_channels = num_output_channels

    def __call__(self, img):
        return F.to_grayscale(img, self.num_output_channels)

    def __repr__(self):
        return f"Grayscale(num_output_channels={self.num_output_channels})"


class RandomGrayscale:
    """With probability ``p``, to gray with as many channels as the input (3 stays 3)."""

    def __init__(self, p=0.1):
        self.p = p

    def __call__(self, img):
        F.check_image(img, "RandomGrayscale", tensors=True)
        channels = F.num_channels(img)
        if _chance(self.p):
            return F.to_grayscale(img, 3 if channels == 3 else 1)
        return img

    def __repr__(self):
        return f"RandomGrayscale(p={self.p})"


def _jitter_range(value, name, center=1.0, bound=(0.0, float("inf")), clip_first_on_zero=True):
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"{name} values should be between {list(bound)}, but got {value}.")
    return None if value[0] == value[1] == center else value


class ColorJitter:
    """Random brightness, contrast, saturation and hue changes, in a random order, on PIL images.
    A number x means the factor range [max(0, 1 - x), 1 + x] (for hue: [-x, x], x <= 0.5)."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """The order of the four adjustments and each factor (None where disabled)."""
        order = minigrad.randperm(4, device="cpu").tolist()
        factors = [None if r is None else _uniform(*r) for r in (brightness, contrast, saturation, hue)]
        return order, *factors

    def __call__(self, img):
        F.check_image(img, "ColorJitter")
        order, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        adjust = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for index in order:
            if factors[index] is not None:
                img = adjust[index](img, factors[index])
        return img

    def __repr__(self):
        return (f"ColorJitter(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class ToTensor:
    """PIL image or HWC ndarray -> CHW tensor: uint8 becomes float32 in [0, 1]; other dtypes
    (a float array, say) keep their values."""

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """``(x - mean) / std`` per channel of a float (..., C, H, W) tensor."""

    def __init__(self, mean, std, inplace=False):
        if any(float(s) == 0 for s in std):
            raise ValueError(f"std evaluated to zero, leading to division by zero: std={std}")
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


def transform_invert(img_tensor, transform):
    """Undo the Normalize and ToTensor steps of ``transform`` (a Compose or one transform):
    a CHW tensor back to a PIL image (RGB for 3 channels, L for 1), for display, like the
    tutorial's helper (which truncates; this rounds)."""
    steps = transform.transforms if isinstance(transform, Compose) else [transform]
    array = img_tensor.detach().cpu().numpy() if isinstance(img_tensor, Tensor) else numpy.asarray(img_tensor)
    if array.ndim != 3 or array.shape[0] not in (1, 3):
        raise ValueError(f"transform_invert expects a CHW image with 1 or 3 channels, got shape {array.shape}")
    array = array.astype(numpy.float64)
    for step in reversed(steps):
        if isinstance(step, Normalize):
            std = numpy.asarray(step.std, dtype=numpy.float64).reshape(-1, 1, 1)
            array = array * std + numpy.asarray(step.mean, dtype=numpy.float64).reshape(-1, 1, 1)
    if any(isinstance(step, ToTensor) for step in steps):
        array = array * 255
    pixels = numpy.clip(numpy.round(array), 0, 255).astype(numpy.uint8).transpose(1, 2, 0)
    return Image.fromarray(pixels[:, :, 0]) if pixels.shape[2] == 1 else Image.fromarray(pixels).convert("RGB")
