"""How a LeNet trained only on synthetic notes (``minigrad train`` without ``--data``) scores on
the real photos (the data issue's goal: at least 80%). Skipped without the photos."""
import tempfile
from pathlib import Path

from common import ROOT, print_rows

import minigrad
from data import DataLoader
from minigrad_app.rmb.dataset import RMBDataset
from minigrad_app.commands import train
from minigrad_app.rmb.loaders import valid_transform

PHOTOS = ROOT.parent / "shared" / "datasets" / "rmb" / "RMB_data"


@minigrad.no_grad()
def accuracy_on_photos(checkpoint):
    from minigrad_app.commands.predict import load_model
    net, correct, total = load_model(checkpoint), 0, 0
    for images, labels in DataLoader(RMBDataset(PHOTOS, transform=valid_transform()), batch_size=50):
        correct += int((net(images).argmax(1) == labels).sum().item())
        total += labels.shape[0]
    return correct / total


def run(quick=False, seeds=(1, 2, 3)):
    if not PHOTOS.is_dir():
        return [{"benchmark": "synthetic-trained LeNet on real photos", "minigrad_ms": float("nan"),
                 "torch_ms": float("nan"), "ratio": float("nan"), "note": f"skipped: no photos at {PHOTOS}"}]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in seeds[:1] if quick else seeds:
            out = Path(scratch) / f"seed{seed}"
            train.main(["--cache-dir", str(Path(scratch) / "cache"), "--out", str(out), "--seed", str(seed),
                        "--no-progress"])
            accuracy = accuracy_on_photos(out / "last.ckpt")
            rows.append({"benchmark": f"synthetic-trained LeNet (seed {seed}) on the 200 real photos",
                         "minigrad_ms": float("nan"), "torch_ms": float("nan"), "ratio": float("nan"),
                         "note": f"accuracy {accuracy:.1%}"})
    return rows


if __name__ == "__main__":
    print_rows(run())
