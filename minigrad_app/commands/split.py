"""``minigrad split SRC DST``: split a folder of class folders into train/valid/test, per class."""
from minigrad_app.cli import OneLineParser, non_negative_int
from minigrad_app.rmb import tools as rmb


def main(argv=None):
    parser = OneLineParser(prog="minigrad split",
                           description="Split SRC/<class>/ images into DST/train|valid|test/<class>/, per class.")
    parser.add_argument("src", help="folder of class folders (e.g. 1/ and 100/)")
    parser.add_argument("dst", help="destination folder (must be empty unless --overwrite)")
    parser.add_argument("--ratios", type=float, nargs=3, default=(0.8, 0.1, 0.1), metavar=("TRAIN", "VALID", "TEST"))
    parser.add_argument("--seed", type=non_negative_int, default=1)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    try:
        counts = rmb.split_dataset(args.src, args.dst, ratios=tuple(args.ratios), seed=args.seed,
                                   overwrite=args.overwrite)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    for split, per_class in counts.items():
        print(f"{split}: " + ", ".join(f"{name}: {count}" for name, count in per_class.items()))
    return 0
