"""``minigrad synthetic-to-real --photos DIR``: LeNet trained only on synthetic notes, scored on real photos.

An accuracy study, not a timing (the data issue's goal: at least 80% on the real photos)::

    minigrad synthetic-to-real --photos /path/to/RMB_data [--seeds 1 2 3]

For each seed: train with the tutorial's recipe on the synthetic notes (``minigrad train``
without ``--data``), then score the last checkpoint on every photo under ``--photos`` (class
folders 1/ and 100/). Prints one line per seed and writes ``accuracy.json`` into ``--out``.
"""
import json
import sys
import tempfile
from pathlib import Path

import minigrad
from data import DataLoader
from minigrad_app.cli import make_parser, positive_int
from minigrad_app.commands import train
from minigrad_app.commands.predict import load_model
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.rmb.dataset import RMBDataset


def build_parser():
    parser = make_parser("synthetic-to-real", __doc__.splitlines()[0])
    parser.add_argument("--photos", required=True, help="folder of real photos with class folders 1/ and 100/")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="training seeds (default 1 2 3)")
    parser.add_argument("--epochs", type=positive_int, default=10)
    parser.add_argument("--cache-dir", default=str(rmb_data.DEFAULT_CACHE),
                        help="where synthetic notes are drawn once (default ~/.cache/minigrad/rmb-synth)")
    return parser


@minigrad.no_grad()
def accuracy_on_photos(checkpoint, photos):
    net, correct, total = load_model(checkpoint), 0, 0
    for images, labels in DataLoader(RMBDataset(photos, transform=rmb_data.valid_transform()), batch_size=50):
        correct += int((net(images).argmax(1) == labels).sum().item())
        total += labels.shape[0]
    return correct / max(total, 1)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    photos = Path(args.photos)
    if not photos.is_dir():
        parser.error(f"--photos {photos}: folder not found")
    scores = {}
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            run_dir = Path(scratch) / f"seed{seed}"
            status = train.main(["--cache-dir", args.cache_dir, "--out", str(run_dir), "--seed", str(seed),
                                 "--epochs", str(args.epochs), "--no-progress"])
            if status:
                return status
            scores[seed] = accuracy_on_photos(run_dir / "last.ckpt", photos)
            print(f"synthetic-trained LeNet (seed {seed}) on {photos}: accuracy {scores[seed]:.1%}")
    (args.out / "accuracy.json").write_text(json.dumps({"photos": str(photos), "accuracy": scores}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
