"""``minigrad synth-rmb DST``: draw synthetic photos of 1-yuan and 100-yuan notes."""
from minigrad_app.cli import OneLineParser, non_negative_int, positive_int
from minigrad_app.rmb import tools as rmb


def main(argv=None):
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
