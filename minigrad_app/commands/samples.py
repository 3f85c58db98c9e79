"""``minigrad samples PNG``: a grid of synthetic notes next to real ones (the README's picture)."""
from minigrad_app.cli import OneLineParser, non_negative_int, positive_int
from minigrad_app.rmb import tools as rmb


def main(argv=None):
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
