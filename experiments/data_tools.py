"""``minigrad synth-rmb DST``, ``minigrad split SRC DST`` and ``minigrad samples PNG``: the data
tools from the command line."""
from data import rmb
from experiments.cli import OneLineParser, non_negative_int, positive_int


def synth_main(argv):
    parser = OneLineParser(prog="minigrad synth-rmb",
                           description="Draw synthetic photos of 1-yuan and 100-yuan notes into DST/1 and DST/100.")
    parser.add_argument("dst", help="destination folder")
    parser.add_argument("--n-per-class", type=positive_int, default=100)
    parser.add_argument("--seed", type=non_negative_int, default=0)
    args = parser.parse_args(argv)
    try:
        written = rmb.synthesize(args.dst, n_per_class=args.n_per_class, seed=args.seed)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    print(f"wrote {len(written) if hasattr(written, '__len__') else written} images into {args.dst}")
    return 0


def split_main(argv):
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


def samples_main(argv):
    parser = OneLineParser(prog="minigrad samples",
                           description="A PNG grid of synthetic notes next to real ones (the README's picture).")
    parser.add_argument("out", help="the PNG to write, e.g. docs/rmb-samples.png")
    parser.add_argument("--real", help="folder with the real photos' class folders 1/ and 100/")
    parser.add_argument("--n", type=positive_int, default=4, help="notes per row (default 4)")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    args = parser.parse_args(argv)
    try:
        path = rmb.make_sample_grid(args.out, real_dir=args.real, n=args.n, seed=args.seed)
    except (ValueError, OSError) as error:
        parser.error(str(error))
    print(f"wrote {path}")
    return 0


COMMANDS = {"synth-rmb": synth_main, "split": split_main, "samples": samples_main}


def main(argv=None, command="synth-rmb"):
    return COMMANDS[command](argv)
