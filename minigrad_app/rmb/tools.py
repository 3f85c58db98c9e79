"""The RMB banknote tools: split a folder of class folders into train/valid/test like the
tutorial's split script, draw synthetic photos of the two notes, and a picture comparing
synthetic notes with real ones."""
import operator
import shutil
import tempfile
from pathlib import Path

import numpy
from PIL import Image, ImageDraw, ImageFont

from minigrad_app.rmb.synthesize import synthesize_image

SPLITS = ("train", "valid", "test")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
KINDS = ("1", "100")
# Cut points are products like 10 * (0.7 + 0.2) = 8.999999999999998; the tolerance keeps them whole.
CUT_TOLERANCE = 1e-9


def list_images(folder):
    """The image files (.jpg, .jpeg, .png in any letter case) directly in ``folder``, sorted by name."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _check_ratios(ratios):
    try:
        ratios = tuple(float(r) for r in ratios)
    except (TypeError, ValueError):
        raise ValueError(f"ratios must be three numbers (train, valid, test), got {ratios!r}") from None
    if len(ratios) != 3 or min(ratios) < 0 or abs(sum(ratios) - 1) > 1e-6:
        raise ValueError(f"ratios must be three non-negative numbers summing to 1, got {ratios}")
    return ratios


def _check_destination(src, dst, overwrite):
    source, destination = src.resolve(), dst.resolve()
    if source == destination or source in destination.parents or destination in source.parents:
        raise ValueError(f"dst {dst} and src {src} must not contain one another")
    if dst.exists() and not dst.is_dir():
        raise NotADirectoryError(f"dst is not a folder: {dst}")
    if dst.is_dir() and any(dst.iterdir()):
        if not overwrite:
            raise FileExistsError(f"destination folder is not empty: {dst} (pass overwrite=True to replace its splits)")
        for split in SPLITS:  # only what a split writes, so nothing else of the user's is deleted
            if (dst / split).is_dir():
                shutil.rmtree(dst / split)


def split_dataset(src, dst, ratios=(0.8, 0.1, 0.1), seed=1, overwrite=False):
    """Copy ``src/<class>/<image>`` into ``dst/train|valid|test/<class>/``, class by class, like
    the tutorial's split script: a class's images (sorted by name) are shuffled with a local
    generator seeded by ``seed`` (the global random state is neither used nor changed), then
    cut at ``int(n * train)`` and ``int(n * (train + valid))``.

    A non-empty ``dst`` raises FileExistsError unless ``overwrite`` is true, in which case its
    old ``train``/``valid``/``test`` folders are replaced. Returns ``{split: {class: count}}``.
    """
    src, dst = Path(src), Path(dst)
    ratios = _check_ratios(ratios)
    if not src.is_dir():
        raise FileNotFoundError(f"source folder not found: {src}")
    classes = sorted(p.name for p in src.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise ValueError(f"no class folders in {src}")
    _check_destination(src, dst, overwrite)
    train_cut, valid_cut = ratios[0], ratios[0] + ratios[1]
    counts = {split: {} for split in SPLITS}
    for name in classes:
        files = list_images(src / name)
        order = numpy.random.Generator(numpy.random.PCG64(seed)).permutation(len(files))
        train_end = int(len(files) * train_cut + CUT_TOLERANCE)
        valid_end = int(len(files) * valid_cut + CUT_TOLERANCE)
        parts = (order[:train_end], order[train_end:valid_end], order[valid_end:])
        for split, picks in zip(SPLITS, parts):
            target = dst / split / name
            target.mkdir(parents=True, exist_ok=True)
            for index in picks:
                shutil.copy2(files[index], target / files[index].name)
            counts[split][name] = len(picks)
    return counts


def _count(value, name):
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {value!r}") from None


def synthesize(dst, n_per_class=100, seed=0, should_stop=None):
    """Draw ``n_per_class`` synthetic photos of each note into ``dst/1/`` and ``dst/100/`` as
    ``synth_<class>_<index>.jpg`` and return their paths (the 1-yuan ones first). When
    ``should_stop()`` turns true between two photos, KeyboardInterrupt is raised there.

    Photo ``i`` of a class depends only on ``seed``, the class and ``i`` (not on
    ``n_per_class``), so the same seed writes the same bytes. See ``data.synthesize``.
    """
    n_per_class, seed = _count(n_per_class, "n_per_class"), _count(seed, "seed")
    if n_per_class < 1:
        raise ValueError(f"n_per_class must be at least 1, got {n_per_class}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    written = []
    for kind in KINDS:
        folder = Path(dst) / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            path = folder / f"synth_{kind}_{i:04d}.jpg"
            path.write_bytes(synthesize_image(kind, numpy.random.SeedSequence([seed, int(kind), i])))
            written.append(path)
            if should_stop is not None and should_stop():
                raise KeyboardInterrupt
    return written


def _rows(real_dir, synth_dir, n, rng):
    """(title, image paths) for each row of the sample grid."""
    rows = []
    for kind in KINDS:
        if real_dir is not None and (Path(real_dir) / kind).is_dir():
            real = list_images(Path(real_dir) / kind)
            picks = sorted(rng.choice(len(real), size=min(n, len(real)), replace=False).tolist())
            rows.append((f"real {kind} yuan", [real[i] for i in picks]))
        rows.append((f"synthetic {kind} yuan", list_images(Path(synth_dir) / kind)[:n]))
    return rows


def make_sample_grid(out_png, real_dir=None, synth_dir=None, n=4, seed=0):
    """Write a small PNG comparing ``n`` synthetic photos of each note with ``n`` real ones.

    Real photos come from ``real_dir/1`` and ``real_dir/100`` (a seeded pick; the rows are
    left out when the folder does not exist). Synthetic ones come from ``synth_dir``, or are
    drawn with ``seed`` into a temporary folder when it is None or has none. Returns the path.
    """
    n = _count(n, "n")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    cell_w, cell_h, label_w, pad = 176, 88, 150, 4
    font = ImageFont.load_default(size=15)
    with tempfile.TemporaryDirectory() as scratch:
        if synth_dir is None or not all((Path(synth_dir) / k).is_dir() and list_images(Path(synth_dir) / k)
                                        for k in KINDS):
            synth_dir = scratch
            synthesize(synth_dir, n_per_class=n, seed=seed)
        rows = _rows(real_dir, synth_dir, n, numpy.random.Generator(numpy.random.PCG64(seed)))
        grid = Image.new("RGB", (label_w + n * cell_w, len(rows) * cell_h), "white")
        draw = ImageDraw.Draw(grid)
        for r, (title, paths) in enumerate(rows):
            draw.text((8, r * cell_h + cell_h // 2), title, fill="black", font=font, anchor="lm")
            for c, path in enumerate(paths):
                with Image.open(path) as image:
                    thumb = image.convert("RGB").resize((cell_w - pad, cell_h - pad), Image.BILINEAR)
                grid.paste(thumb, (label_w + c * cell_w, r * cell_h + pad // 2))
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    grid.quantize(colors=256).save(out_png, optimize=True)  # a palette keeps the PNG small
    return out_png
