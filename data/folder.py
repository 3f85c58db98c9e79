"""Datasets of image files: ImageFolder (one sub-folder per class).

Decoding JPEGs is the slow part of the tutorial's pipeline. When the transform starts with a
Resize, each JPEG is decoded at a reduced scale (Pillow's draft mode: the decoder scales the
DCT by 1/2, 1/4 or 1/8, skipping detail the resize would throw away) while staying at least
``DRAFT_MARGIN`` times the Resize target, so the resized result stays close to a full decode.
``cache=True`` keeps the decoded (drafted) images in memory so that later epochs skip decoding.

Other formats (PNG) can only be decoded whole, so an image of more than ``MAX_IMAGE_PIXELS``
pixels (after any JPEG draft) is refused before decoding: a 10000x10000 PNG of a few hundred
KiB would otherwise take close to a gigabyte. 16-bit grayscale PNGs (Pillow's modes ``I;16``
and ``I``) are scaled to 8 bits before the RGB conversion, which would clip them to white.
"""
import warnings
from pathlib import Path

import numpy
from PIL import Image, UnidentifiedImageError

from data.dataset import Dataset
from data.transforms import Compose, Resize

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
DRAFT_MARGIN = 2  # decode at >= 2x the Resize target: the antialiased resize then matches a full decode
DECODE_ERRORS = (OSError, UnidentifiedImageError, SyntaxError, ValueError, Image.DecompressionBombError)
MAX_IMAGE_PIXELS = 40_000_000  # decoded size limit: 40 megapixels take 120 MB as RGB
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")  # grayscale PNGs of 16 bits per pixel


def load_image(path, resize=None):
    """Open ``path`` as an RGB PIL image. With ``resize`` (a ``transforms.Resize``) a JPEG is
    decoded at reduced scale, still at least DRAFT_MARGIN times that Resize's output size.
    An image of more than MAX_IMAGE_PIXELS pixels (after that reduction) is refused before it
    is decoded. Any decoding problem raises OSError naming the file."""
    try:
        with warnings.catch_warnings():  # Pillow warns from 89 megapixels on; our limit is lower
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
        with img:
            if resize is not None and img.format == "JPEG":
                width, height = resize.output_size(*img.size)
                img.draft("RGB", (DRAFT_MARGIN * width, DRAFT_MARGIN * height))
            _check_pixels(img)
            return to_rgb(img)
    except DECODE_ERRORS as error:
        raise OSError(f"cannot read image {path}: {error}") from error


def _check_pixels(img):
    width, height = img.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ValueError(f"{width}x{height} pixels is more than the {MAX_IMAGE_PIXELS:,} that minigrad decodes "
                         f"(data.folder.MAX_IMAGE_PIXELS); scale the image down first")


def to_rgb(img):
    """``img`` as RGB; 16-bit grayscale is scaled to 8 bits (rounding v / 257) instead of clipped."""
    if img.mode in SIXTEEN_BIT_MODES:
        values = numpy.clip(numpy.asarray(img, dtype=numpy.int64), 0, 65535)
        img = Image.fromarray(((values + 128) // 257).astype(numpy.uint8), "L")
    return img.convert("RGB")


def first_resize(transform):
    """The Resize that ``transform`` starts with (itself, or a Compose's first step), or None."""
    while isinstance(transform, Compose) and transform.transforms:
        transform = transform.transforms[0]
    return transform if isinstance(transform, Resize) else None


def _decode_error(path):
    """Why ``path`` cannot be decoded, or None. JPEGs are checked at 1/8 scale, which still
    reads every byte of the compressed data but costs a fraction of a full decode."""
    try:
        with Image.open(path) as img:
            if img.format == "JPEG":
                img.draft(img.mode, (1, 1))
            _check_pixels(img)
            img.load()
        return None
    except DECODE_ERRORS as error:
        return error


def _image_files(folder):
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


class ImageFolder(Dataset):
    """Images in ``root/<class>/``: the sorted class folder names get the labels 0, 1, ...
    (or pass ``class_to_idx``). Reads .jpg, .jpeg and .png in any letter case; items are
    ``(transform(image), target_transform(label))`` with the image as an RGB PIL image.

    Attributes as torchvision's: ``classes``, ``class_to_idx``, ``samples`` (and ``imgs``):
    a list of (path, label), and ``targets``.

    * ``draft=True``: when ``transform`` starts with a Resize, JPEGs are decoded at reduced
      scale (see ``load_image``); ``draft=False`` always decodes at full size.
    * ``cache=True``: decoded images are kept in memory (per process: with DataLoader workers,
      each worker fills its own copy for one epoch, so the cache pays off in the main process).
    * ``skip_bad=True``: every image is test-decoded at construction (at 1/8 scale for JPEGs);
      unreadable ones are left out with a warning naming them. Otherwise files are only read
      when indexed, and a broken one raises OSError naming it then.

    A missing ``root`` or class folder raises FileNotFoundError; a root without class folders
    or a class folder without images raises ValueError.
    """

    def __init__(self, root, transform=None, target_transform=None, draft=True, cache=False, skip_bad=False,
                 class_to_idx=None):
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"image folder not found: {self.root}")
        if class_to_idx is None:
            names = sorted(entry.name for entry in self.root.iterdir() if entry.is_dir())
            if not names:
                raise ValueError(f"no class folders (holding images) in {self.root}")
            class_to_idx = {name: index for index, name in enumerate(names)}
        self.class_to_idx = dict(class_to_idx)
        self.classes = sorted(self.class_to_idx, key=self.class_to_idx.get)
        self.samples = self._find_samples()
        if skip_bad:
            self.samples = self._readable_samples()
        self.imgs = self.samples
        self.targets = [label for _, label in self.samples]
        self.transform, self.target_transform = transform, target_transform
        self.resize = first_resize(transform) if draft else None
        self.cache = {} if cache else None

    def _find_samples(self):
        samples = []
        for name in self.classes:
            folder = self.root / name
            if not folder.is_dir():
                raise FileNotFoundError(f"class folder not found: {folder}")
            files = _image_files(folder)
            if not files:
                raise ValueError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) found in {folder}")
            samples += [(str(path), self.class_to_idx[name]) for path in files]
        return samples

    def _readable_samples(self):
        kept = []
        for path, label in self.samples:
            error = _decode_error(path)
            if error is None:
                kept.append((path, label))
            else:
                warnings.warn(f"skipping unreadable image {path}: {error}", stacklevel=4)
        if not kept:
            raise ValueError(f"no readable images in {self.root}")
        return kept

    def load(self, index):
        """The decoded image at ``index`` (from the cache when it is on and filled)."""
        if self.cache is not None and index in self.cache:
            return self.cache[index].copy()  # a transform may change it in place
        img = load_image(self.samples[index][0], self.resize)
        if self.cache is not None:
            self.cache[index] = img.copy()
        return img

    def __getitem__(self, index):
        img, label = self.load(index), self.samples[index][1]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return img, label

    def __len__(self):
        return len(self.samples)
