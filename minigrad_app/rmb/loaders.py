"""The tutorial's RMB data: find or make the folders, then datasets and loaders with its transforms."""
import os
import shutil
import uuid
from pathlib import Path

from data import DataLoader, transforms
from minigrad_app import training
from minigrad_app.rmb.dataset import RMBDataset
from minigrad_app.rmb import tools as rmb

NORM_MEAN = [0.485, 0.456, 0.406]
NORM_STD = [0.229, 0.224, 0.225]
CLASS_NAMES = {0: "1", 1: "100"}  # the tutorial's labels {"1": 0, "100": 1}
DEFAULT_CACHE = Path("~/.cache/minigrad/rmb-synth").expanduser()


def train_transform():
    """Resize, random crop with padding, random grayscale, to tensor, normalize (the tutorial's)."""
    return transforms.Compose([
        transforms.Resize((32, 32)),
        transforms.RandomCrop(32, padding=4),
        transforms.RandomGrayscale(p=0.8),
        transforms.ToTensor(),
        transforms.Normalize(NORM_MEAN, NORM_STD),
    ])


def valid_transform():
    return transforms.Compose([
        transforms.Resize((32, 32)),
        transforms.ToTensor(),
        transforms.Normalize(NORM_MEAN, NORM_STD),
    ])


def _is_split(folder):
    return (folder / "train").is_dir() and (folder / "valid").is_dir()


def _check_classes(folder):
    """Refuse class folders other than 1/ and 100/: RMBDataset would skip them without a word."""
    others = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
                    and p.name not in rmb_classes())
    if others:
        raise ValueError(f"{folder} has class folders {', '.join(others)}; the RMB classes are only "
                         f"{' and '.join(f'{name}/' for name in rmb_classes())}")


def rmb_classes():
    return list(CLASS_NAMES.values())


def _draw_notes(cache_dir, source):
    """Draw the synthetic notes into a private temporary folder, then rename it to ``source``:
    only a complete set ever appears under that name. Interrupted (Ctrl-C), the partial folder
    is removed; when another run renamed its own copy first, that one is used (same seed, same
    bytes) and ours removed, so two runs drawing into one fresh --cache-dir both succeed."""
    print(f"drawing synthetic RMB notes into {source} (once; --cache-dir to change)")
    # the name is chosen before the folder exists, so a Ctrl-C at any moment can clean it up
    partial = cache_dir / f"notes-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial.mkdir()
        except FileExistsError:
            raise ValueError(f"{cache_dir} is a file, not a folder") from None
        except OSError as error:
            raise ValueError(f"cannot write to {cache_dir}: {error.strerror or error}") from None
        # Ctrl-C sets a flag read between photos: a KeyboardInterrupt raised wherever the signal
        # lands can be lost inside a C library (seen under load: the run went on to train)
        with training.StopRequest() as stop:
            rmb.synthesize(partial, n_per_class=100, seed=0, should_stop=lambda: stop.received is not None)
        partial.rename(source)
    except OSError:
        if not source.is_dir():  # not the other run's rename: a real failure
            shutil.rmtree(partial, ignore_errors=True)
            raise
        shutil.rmtree(partial, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def prepare_folders(data_dir, split_seed, cache_dir, workspace):
    """Return a folder holding ``train/``, ``valid/`` and maybe ``test/``.

    ``data_dir`` may already be split, or hold the class folders ``1/`` and ``100/`` (then it is
    split 8:1:1 per class into ``workspace``). Without ``data_dir`` synthetic notes are drawn
    once into ``cache_dir`` and split the same way.
    """
    if data_dir is None:
        cache_dir = Path(cache_dir).expanduser()
        source = cache_dir / "notes"
        if not (source / "1").is_dir() or not (source / "100").is_dir():
            _draw_notes(cache_dir, source)
    else:
        source = Path(data_dir)
        if not source.is_dir():
            raise FileNotFoundError(f"folder not found: {source}")
        if _is_split(source):
            for split in ("train", "valid", "test"):
                if (source / split).is_dir():
                    _check_classes(source / split)
            return source
        _check_classes(source)
    destination = Path(workspace) / "rmb_split"
    rmb.split_dataset(source, destination, ratios=(0.8, 0.1, 0.1), seed=split_seed, overwrite=True)
    return destination


def make_loaders(split_dir, batch_size, num_workers):
    """Train loader (shuffled, augmented), valid loader, and test dataset (or None)."""
    split_dir = Path(split_dir)
    train_data = RMBDataset(data_dir=split_dir / "train", transform=train_transform())
    valid_data = RMBDataset(data_dir=split_dir / "valid", transform=valid_transform())
    test_data = RMBDataset(data_dir=split_dir / "test", transform=valid_transform()) \
        if (split_dir / "test").is_dir() else None
    train_loader = DataLoader(dataset=train_data, batch_size=batch_size, shuffle=True, num_workers=num_workers)
    valid_loader = DataLoader(dataset=valid_data, batch_size=batch_size, num_workers=num_workers)
    return train_loader, valid_loader, test_data
