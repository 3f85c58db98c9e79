"""The RMB banknote data tools: split a folder of class folders, draw synthetic notes, and a
picture comparing the two."""
import shutil
from pathlib import Path

import numpy

from data.folder import IMAGE_EXTENSIONS
from data.synthesize import synthesize_image

SPLITS = ("train", "valid", "test")


def _images(folder):
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def split_dataset(src, dst, ratios=(0.8, 0.1, 0.1), seed=1, overwrite=False):
    """Copy ``src/<class>/*`` into ``dst/train|valid|test/<class>/``, shuffling each class with
    ``seed`` and cutting at the cumulative ratios, like the tutorial's split script.
    Returns {split: {class: count}}."""
    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise FileNotFoundError(f"source folder not found: {src}")
    if len(ratios) != 3 or min(ratios) < 0 or abs(sum(ratios) - 1) > 1e-6:
        raise ValueError(f"ratios must be three non-negative numbers summing to 1, got {tuple(ratios)}")
    classes = sorted(entry.name for entry in src.iterdir() if entry.is_dir() and entry.name not in SPLITS)
    if not classes:
        raise ValueError(f"no class folders in {src}")
    if dst.exists() and any(dst.iterdir()):
        if not overwrite:
            raise FileExistsError(f"destination folder is not empty: {dst} (pass overwrite=True to replace it)")
        shutil.rmtree(dst)
    counts = {split: {} for split in SPLITS}
    for name in classes:
        files = _images(src / name)
        order = numpy.random.Generator(numpy.random.PCG64(seed)).permutation(len(files))
        train_end, valid_end = int(len(files) * ratios[0]), int(len(files) * (ratios[0] + ratios[1]))
        for split, picks in zip(SPLITS, (order[:train_end], order[train_end:valid_end], order[valid_end:])):
            target = dst / split / name
            target.mkdir(parents=True, exist_ok=True)
            for index in picks:
                shutil.copy2(files[index], target / files[index].name)
            counts[split][name] = len(picks)
    return counts


def synthesize(dst, n_per_class=100, seed=0):
    """Draw ``n_per_class`` photos of each note into ``dst/1`` and ``dst/100``; the same seed
    gives the same bytes, and image i does not depend on n_per_class. Returns the paths."""
    if not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}")
    written = []
    for class_index, kind in enumerate(("1", "100")):
        folder = Path(dst) / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            path = folder / f"synth_{kind}_{i:04d}.jpg"
            path.write_bytes(synthesize_image(kind, _image_seed(seed, class_index, i)))
            written.append(path)
    return written


def _image_seed(seed, class_index, i):
    return int(numpy.random.SeedSequence([seed, class_index, i]).generate_state(1)[0])


def make_sample_grid(out_png, real_dir=None, synth_dir=None, n=4, seed=0):
    """A PNG with ``n`` synthetic notes of each class, next to ``n`` real ones when ``real_dir`` exists."""
    import tempfile

    from PIL import Image, ImageDraw
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        synth_dir = Path(synth_dir) if synth_dir else Path(scratch)
        if not (synth_dir / "1").is_dir():
            synthesize(synth_dir, n_per_class=n, seed=seed)
        for kind in ("1", "100"):
            if real_dir and (Path(real_dir) / kind).is_dir():
                rows.append((f"real {kind} yuan", _images(Path(real_dir) / kind)[:n]))
            rows.append((f"synthetic {kind} yuan", _images(synth_dir / kind)[:n]))
        cell_w, cell_h, label_w = 180, 90, 130
        grid = Image.new("RGB", (label_w + n * cell_w, len(rows) * cell_h), "white")
        draw = ImageDraw.Draw(grid)
        for r, (title, paths) in enumerate(rows):
            draw.text((8, r * cell_h + cell_h // 2 - 6), title, fill="black")
            for c, path in enumerate(paths):
                with Image.open(path) as img:
                    grid.paste(img.convert("RGB").resize((cell_w - 6, cell_h - 6)), (label_w + c * cell_w, r * cell_h + 3))
    Path(out_png).parent.mkdir(parents=True, exist_ok=True)
    grid.quantize(colors=256).save(out_png, optimize=True)  # a palette keeps the PNG small
    return Path(out_png)
