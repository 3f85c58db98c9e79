"""The image operations behind ``data.transforms``, as plain functions (torchvision's
``transforms.functional``): they work on PIL images and, where it makes sense, on CHW tensors.

A "tensor image" is a minigrad Tensor of shape (..., C, H, W); a PIL image is addressed as
(width, height) by Pillow, so sizes here are always spelled out as (height, width) pairs.
"""
import numbers

import numpy
from PIL import Image, ImageEnhance

import minigrad
from minigrad.engine import Tensor

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")
INTERPOLATIONS = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
    "lanczos": Image.Resampling.LANCZOS,
}


def resampling(interpolation):
    """(Pillow resampling filter, torchvision's name) for a name such as "bilinear" or a
    Pillow constant such as ``Image.BILINEAR``."""
    if isinstance(interpolation, str):
        name = interpolation.lower()
        if name not in INTERPOLATIONS:
            raise ValueError(f"interpolation should be one of {sorted(INTERPOLATIONS)}, got {interpolation!r}")
        return INTERPOLATIONS[name], name
    for name, constant in INTERPOLATIONS.items():
        if interpolation == constant:
            return constant, name
    raise ValueError(f"interpolation should be a name or a Pillow resampling filter, got {interpolation!r}")


def size_pair(size, name="size"):
    """An int or a 1- or 2-sequence as (height, width)."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) in (1, 2) and all(isinstance(s, numbers.Integral) for s in size):
        return (int(size[0]), int(size[0])) if len(size) == 1 else (int(size[0]), int(size[1]))
    raise ValueError(f"{name} should be an int or a sequence of one or two ints, got {size!r}")


def check_image(img, name, tensors=False):
    """Raise TypeError unless ``img`` is a PIL image (or, with ``tensors``, a tensor image)."""
    if isinstance(img, Image.Image):
        return
    if tensors and isinstance(img, Tensor):
        if img.ndim < 2:
            raise ValueError(f"{name} expects a tensor image of shape (..., C, H, W), got {tuple(img.shape)}")
        return
    expected = "a PIL image or a tensor image" if tensors else "a PIL image"
    raise TypeError(f"{name} expects {expected}, got {type(img).__name__}")


def image_size(img):
    """(height, width) of a PIL image or a tensor image."""
    if isinstance(img, Image.Image):
        return img.height, img.width
    return img.shape[-2], img.shape[-1]


def resized_size(height, width, size, max_size=None):
    """torchvision's output size: ``size`` (h, w) as it is, or an int that the shorter side
    becomes, the longer one scaled and truncated, then capped by ``max_size``."""
    if isinstance(size, (tuple, list)) and len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             f"i.e. size should be an int or a sequence of length 1; got size={size}")
        return int(size[0]), int(size[1])
    short_target = size if isinstance(size, numbers.Integral) else size[0]
    short, long = min(height, width), max(height, width)
    new_short, new_long = short_target, int(short_target * long / short)
    if max_size is not None:
        if max_size <= short_target:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_short, new_long) if height <= width else (new_long, new_short)


def resize(img, size, interpolation=Image.Resampling.BILINEAR, max_size=None):
    """Resize a PIL image (Pillow's filters antialias, as torchvision's antialias=True)."""
    check_image(img, "resize")
    height, width = resized_size(img.height, img.width, size, max_size)
    if (height, width) == (img.height, img.width):
        return img.copy()
    return img.resize((width, height), resampling(interpolation)[0])


def padding_ltrb(padding):
    """(left, top, right, bottom) from an int, a 1-, 2- (left/right, top/bottom) or 4-sequence."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return (int(padding),) * 4
    if isinstance(padding, (tuple, list)) and len(padding) in (1, 2, 4):
        if len(padding) == 1:
            return (int(padding[0]),) * 4
        if len(padding) == 2:
            return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
        return tuple(int(p) for p in padding)
    raise ValueError(f"padding must be an int or a 1, 2, or 4 element tuple, got {padding!r}")


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad by an int (all sides), (left/right, top/bottom) or (left, top, right, bottom);
    ``padding_mode`` is constant (with ``fill``), edge, reflect or symmetric, as numpy.pad."""
    check_image(img, "pad", tensors=True)
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode should be one of {', '.join(PADDING_MODES)}, got {padding_mode!r}")
    left, top, right, bottom = padding_ltrb(padding)
    if min(left, top, right, bottom) < 0:
        raise ValueError(f"padding must be non-negative, got {padding!r}")
    if isinstance(img, Tensor):
        array = img.detach().cpu().numpy()
        widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
        padded = _pad_array(array, widths, fill, padding_mode, channel_axis=-3 if array.ndim >= 3 else None)
        return minigrad.from_numpy(padded).to(img.device)
    array = numpy.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
    padded = _pad_array(array, widths, fill, padding_mode, channel_axis=-1 if array.ndim == 3 else None)
    result = Image.fromarray(padded)
    if img.mode == "P":  # the padded indices still refer to the original palette
        result.putpalette(img.getpalette())
    return result


def _pad_array(array, widths, fill, padding_mode, channel_axis):
    if padding_mode != "constant":
        return numpy.pad(array, widths, mode=padding_mode)
    fills = list(fill) if isinstance(fill, (tuple, list)) else [fill]
    if len(fills) == 1 or channel_axis is None:
        return numpy.pad(array, widths, constant_values=fills[0])
    channels = numpy.moveaxis(array, channel_axis, 0)
    if len(fills) != len(channels):
        raise ValueError(f"fill has {len(fills)} values for an image with {len(channels)} channels")
    plane_widths = [w for axis, w in enumerate(widths) if axis != channel_axis % array.ndim]
    planes = [numpy.pad(plane, plane_widths, constant_values=value) for plane, value in zip(channels, fills)]
    return numpy.moveaxis(numpy.stack(planes), 0, channel_axis)


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` window at (top, left) of a PIL or tensor image."""
    if isinstance(img, Tensor):
        return img[..., top:top + height, left:left + width]
    return img.crop((left, top, left + width, top + height))


def center_crop(img, size):
    """The central (h, w) window, padding with zeros first where the image is smaller."""
    crop_height, crop_width = size_pair(size)
    height, width = image_size(img)
    if crop_width > width or crop_height > height:
        img = pad(img, [max(0, (crop_width - width) // 2), max(0, (crop_height - height) // 2),
                        max(0, (crop_width - width + 1) // 2), max(0, (crop_height - height + 1) // 2)])
        height, width = image_size(img)
    top = int(round((height - crop_height) / 2.0))
    left = int(round((width - crop_width) / 2.0))
    return crop(img, top, left, crop_height, crop_width)


def hflip(img):
    check_image(img, "hflip", tensors=True)
    return img.flip(-1) if isinstance(img, Tensor) else img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    check_image(img, "vflip", tensors=True)
    if isinstance(img, Tensor):
        return img.flip(-2)
    return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def num_channels(img):
    return len(img.getbands()) if isinstance(img, Image.Image) else (img.shape[-3] if img.ndim >= 3 else 1)


def to_grayscale(img, num_output_channels=1):
    """ITU-R 601-2 luma (Pillow's "L" conversion; 0.2989 R + 0.587 G + 0.114 B on tensors),
    repeated to 3 channels when asked."""
    check_image(img, "to_grayscale", tensors=True)
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels should be either 1 or 3, got {num_output_channels}")
    if isinstance(img, Image.Image):
        gray = img.convert("L")
        return gray if num_output_channels == 1 else Image.merge("RGB", (gray, gray, gray))
    if num_channels(img) == 1:
        gray = img
    elif num_channels(img) == 3:
        r, g, b = img[..., 0:1, :, :], img[..., 1:2, :, :], img[..., 2:3, :, :]
        gray = r * 0.2989 + g * 0.587 + b * 0.114
    else:
        raise ValueError(f"to_grayscale expects a tensor image with 1 or 3 channels, got shape {tuple(img.shape)}")
    return gray if num_output_channels == 1 else minigrad.cat([gray, gray, gray], dim=-3)


def adjust_brightness(img, factor):
    return ImageEnhance.Brightness(img).enhance(factor)


def adjust_contrast(img, factor):
    return ImageEnhance.Contrast(img).enhance(factor)


def adjust_saturation(img, factor):
    return ImageEnhance.Color(img).enhance(factor)


def adjust_hue(img, factor):
    """Shift the hue channel by ``factor`` of a full turn (in [-0.5, 0.5]), as torchvision on PIL."""
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    if img.mode in ("L", "1", "I", "F"):
        return img
    hue, saturation, value = img.convert("HSV").split()
    shifted = (numpy.asarray(hue, dtype=numpy.int16) + int(factor * 255)) % 256
    return Image.merge("HSV", (Image.fromarray(shifted.astype(numpy.uint8)), saturation, value)).convert(img.mode)


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data becomes float32 in [0, 1], other
    dtypes are kept as they are (a float array is not rescaled)."""
    if isinstance(pic, Image.Image):
        array = numpy.asarray(pic)
        if pic.mode == "1":
            array = array.astype(numpy.uint8) * numpy.uint8(255)
    elif isinstance(pic, numpy.ndarray):
        array = pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic).__name__}")
    if array.ndim not in (2, 3):
        raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
    if array.ndim == 2:
        array = array[:, :, None]
    chw = array.transpose(2, 0, 1)
    if chw.dtype == numpy.uint8:
        return minigrad.from_numpy(numpy.ascontiguousarray(chw, dtype=numpy.float32) / numpy.float32(255))
    return minigrad.from_numpy(numpy.ascontiguousarray(chw))


def normalize(tensor, mean, std, inplace=False):
    """(x - mean) / std per channel of a (..., C, H, W) float tensor, in its own dtype."""
    if not isinstance(tensor, Tensor) or tensor.dtype.kind != "f":
        got = tensor.dtype if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"Input tensor should be a float tensor. Got {got}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got {tuple(tensor.shape)}.")
    mean = minigrad.tensor(list(mean), dtype=tensor.dtype, device=tensor.device).reshape(-1, 1, 1)
    std = minigrad.tensor(list(std), dtype=tensor.dtype, device=tensor.device).reshape(-1, 1, 1)
    channels = tensor.shape[-3]
    if mean.shape[0] not in (1, channels) or std.shape[0] not in (1, channels):
        raise ValueError(f"Normalize has {mean.shape[0]} means and {std.shape[0]} stds for a tensor with "
                         f"{channels} channels (shape {tuple(tensor.shape)})")
    if bool((std == 0).any()):
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if inplace:
        with minigrad.no_grad():
            return tensor.sub_(mean).div_(std)
    return (tensor - mean) / std
