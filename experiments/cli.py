"""What every subcommand shares: argument parsing with one-line errors, output folders, figures."""
import argparse
import sys
from pathlib import Path


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2, no usage dump."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def make_parser(name, description):
    """A parser for ``minigrad <name>`` with the common ``--out`` and ``--show`` options."""
    parser = OneLineParser(prog=f"minigrad {name}", description=description)
    parser.add_argument("--out", type=Path, default=Path("runs") / name,
                        help=f"folder for the outputs (default: runs/{name})")
    parser.add_argument("--show", action="store_true", help="open the figures in a window as well")
    return parser


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def pyplot(show):
    """matplotlib's pyplot, on the file-only Agg backend unless figures should be shown."""
    import matplotlib
    if not show:
        matplotlib.use("Agg", force=True)
    from matplotlib import pyplot as plt
    return plt


def save_figure(plt, figure, path, show):
    """Write ``figure`` as a PNG (creating the folder), show it if asked, and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    if show:
        plt.show()
    plt.close(figure)
    return path
