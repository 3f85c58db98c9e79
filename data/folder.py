"""Datasets of image files: ImageFolder (class sub-folders) and the tutorial's RMBDataset.

Decoding JPEGs is the slow part of the tutorial's pipeline. When the transform starts with a
Resize, each JPEG is decoded at a reduced scale (PIL's draft mode: the decoder skips detail
the resize would discard anyway, still at least twice the target size); ``cache=True`` keeps
decoded images in memory so later epochs skip decoding altogether.
"""
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from data.dataset import Dataset
from data.transforms import Compose, Resize

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
RMB_LABELS = {"1": 0, "100": 1}


def load_image(path, resize=None):
    """An RGB PIL image; with ``resize`` (a Resize) JPEGs are decoded at reduced scale."""
    try:
        with Image.open(path) as img:
            if resize is not None and img.format == "JPEG":
                width, height = resize.target(*img.size)
                img.draft("RGB", (2 * width, 2 * height))
            return img.convert("RGB")
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as error:
        raise OSError(f"cannot read image {path}: {error}") from None


def _first_resize(transform):
    first = transform.transforms[0] if isinstance(transform, Compose) and transform.transforms else transform
    return first if isinstance(first, Resize) else None


def _readable(path):
    try:
        with Image.open(path) as img:
            img.load()
        return True
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return False


class ImageFolder(Dataset):
    """``root/<class>/<image>``: sorted class folders give the labels 0, 1, ...

    Attributes ``classes``, ``class_to_idx``, ``samples`` (path, label) and ``targets``.
    ``skip_bad=True`` checks every image at construction and leaves out (with a warning naming
    it) those that cannot be decoded; otherwise a broken image raises OSError when it is read.
    """

    def __init__(self, root, transform=None, target_transform=None, draft=True, cache=False, skip_bad=False,
                 class_to_idx=None):
        self.root = Path(root)
        if not self.root.is_dir():
            raise FileNotFoundError(f"image folder not found: {self.root}")
        if class_to_idx is None:
            names = sorted(entry.name for entry in self.root.iterdir() if entry.is_dir())
            class_to_idx = {name: index for index, name in enumerate(names)}
        self.class_to_idx = dict(class_to_idx)
        self.classes = sorted(self.class_to_idx, key=self.class_to_idx.get)
        self.samples = []
        for name in self.classes:
            folder = self.root / name
            if not folder.is_dir():
                raise FileNotFoundError(f"class folder not found: {folder}")
            files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)
            self.samples += [(str(p), self.class_to_idx[name]) for p in files]
        if not self.samples:
            raise ValueError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) found in {self.root}")
        if skip_bad:
            self._drop_unreadable()
        self.targets = [label for _, label in self.samples]
        self.transform, self.target_transform = transform, target_transform
        self.resize = _first_resize(transform) if draft else None
        self.cache = {} if cache else None

    def _drop_unreadable(self):
        kept = []
        for path, label in self.samples:
            if _readable(path):
                kept.append((path, label))
            else:
                warnings.warn(f"skipping unreadable image {path}", stacklevel=3)
        if not kept:
            raise ValueError(f"no readable images in {self.root}")
        self.samples = kept

    def load(self, index):
        path = self.samples[index][0]
        if self.cache is not None and path in self.cache:
            return self.cache[path].copy()
        img = load_image(path, self.resize)
        if self.cache is not None:
            self.cache[path] = img
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


class RMBDataset(ImageFolder):
    """The tutorial's dataset: ``data_dir/1/*`` (label 0) and ``data_dir/100/*`` (label 1)."""

    def __init__(self, data_dir, transform=None, **options):
        super().__init__(data_dir, transform, class_to_idx=RMB_LABELS, **options)
        self.label_name = dict(RMB_LABELS)
        self.data_info = self.samples  # the tutorial's attribute name
