"""What every subcommand shares: argument parsing with one-line errors, output folders, figures."""
import argparse
import math
import sys
import tempfile
from pathlib import Path


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2, no usage dump."""

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


def make_parser(name, description):
    """A parser for ``minigrad <name>`` with the common ``--out`` and ``--show`` options."""
    parser = OneLineParser(prog=f"minigrad {name}", description=description)
    parser.add_argument("--out", type=output_folder, default=str(Path("runs") / name),
                        help=f"folder for the outputs (default: runs/{name})")
    parser.add_argument("--show", action="store_true", help="open the figures in a window as well")
    return parser


def positive_int(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def non_negative_int(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text}")
    return value


def positive_float(text):
    """A finite number > 0 (inf and nan are refused: a learning rate of inf is no rate)."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text}")
    return value


def non_negative_float(text):
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"expected a non-negative finite number, got {text}")
    return value


def output_folder(text):
    """A folder that exists or can be made, and can be written to: checked (and made) when the
    arguments are parsed, so a bad --out is a one-line error, not a traceback after the work."""
    path = Path(text).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except FileExistsError:
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder") from None
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot write to {text}: {error.strerror or error}") from None
    return path


def one_line(error):
    """An exception's message on one line (load_state_dict's, say, spans several)."""
    return " ".join(str(error).split())


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
