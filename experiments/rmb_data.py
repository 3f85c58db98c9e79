"""The tutorial's RMB data: find or make the folders, then datasets and loaders with its transforms."""
import tempfile
from pathlib import Path

from data import DataLoader, RMBDataset, rmb, transforms

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


def prepare_folders(data_dir, split_seed, cache_dir, workspace):
    """Return a folder holding ``train/``, ``valid/`` and maybe ``test/``.

    ``data_dir`` may already be split, or hold the class folders ``1/`` and ``100/`` (then it is
    split 8:1:1 per class into ``workspace``). Without ``data_dir`` synthetic notes are drawn
    once into ``cache_dir`` and split the same way.
    """
    if data_dir is None:
        cache_dir = Path(cache_dir)
        source = cache_dir / "notes"
        if not (source / "1").is_dir() or not (source / "100").is_dir():
            print(f"drawing synthetic RMB notes into {source} (once; --cache-dir to change)")
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = Path(tempfile.mkdtemp(prefix="notes-", dir=cache_dir))
            rmb.synthesize(partial, n_per_class=100, seed=0)
            partial.rename(source)  # only a complete set ever appears under the final name
    else:
        source = Path(data_dir)
        if not source.is_dir():
            raise FileNotFoundError(f"--data folder not found: {source}")
        if _is_split(source):
            return source
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
