"""Benchmark 6: images per second through the tutorial's train transform on the real RMB photos
(decode, resize, crop, grayscale, to-tensor, normalize): full decoding, draft decoding, the
in-memory cache, and worker processes. Skipped when the photos are not next to the checkout."""
import time

from common import ROOT, print_rows

from data import DataLoader
from minigrad_app.rmb.dataset import RMBDataset
from minigrad_app.rmb.loaders import train_transform

PHOTOS = ROOT.parent / "shared" / "datasets" / "rmb" / "RMB_data"


def images_per_second(dataset, epochs=2, num_workers=0):
    """Throughput of the last epoch (so a cache filled in the first one counts)."""
    loader = DataLoader(dataset, batch_size=16, shuffle=True, num_workers=num_workers)
    rate = 0.0
    for _ in range(epochs):
        started, count = time.perf_counter(), 0
        for images, _ in loader:
            count += images.shape[0]
        rate = count / (time.perf_counter() - started)
    return rate


def run(quick=False):
    if not PHOTOS.is_dir():
        return [{"benchmark": "data pipeline", "minigrad_ms": float("nan"), "torch_ms": float("nan"),
                 "ratio": float("nan"), "note": f"skipped: no photos at {PHOTOS}"}]
    variants = [("full decode", {"draft": False}, 0), ("draft decode", {"draft": True}, 0),
                ("draft decode + cache", {"draft": True, "cache": True}, 0),
                ("draft decode, 2 workers", {"draft": True}, 2)]
    rows = []
    for name, options, workers in variants:
        rate = images_per_second(RMBDataset(PHOTOS, transform=train_transform(), **options), num_workers=workers)
        rows.append({"benchmark": f"tutorial train transform: {name}", "minigrad_ms": 1e3 / rate,
                     "torch_ms": float("nan"), "ratio": float("nan"), "note": f"{rate:.0f} images/s"})
    return rows


if __name__ == "__main__":
    print_rows(run())
