"""``minigrad predict CHECKPOINT PATH...``: LeNet's answer for each banknote photo.

An image that cannot be read is reported on stderr and skipped; the others are classified,
and the exit status is then 1."""
import sys
from pathlib import Path

import minigrad
from data.folder import IMAGE_EXTENSIONS, first_resize, load_image
from minigrad_app import plots
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.cli import make_parser, one_line
from nn import functional as F
from nn.models import LeNet


def image_paths(paths):
    """The images named, and those found (recursively, sorted) in the folders named."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such image or folder: {path}")
    if not found:
        raise ValueError(f"no images (.jpg, .jpeg, .png) in {', '.join(map(str, paths))}")
    return found


def load_model(checkpoint_path):
    """LeNet with the weights of a train checkpoint or of a bare state_dict; ValueError naming
    the file for anything else."""
    saved = minigrad.load(checkpoint_path, map_location="cpu")  # predict runs on the CPU, wherever it trained
    state = saved.get("model") if isinstance(saved, dict) and "model" in saved else saved
    if not isinstance(state, dict):
        raise ValueError(f"{checkpoint_path} holds a {type(state).__name__}, not a train checkpoint or a "
                         f"LeNet state_dict")
    net = LeNet(classes=2)
    try:
        net.load_state_dict(state)
    except (RuntimeError, TypeError, ValueError) as error:
        raise ValueError(f"{checkpoint_path} does not fit minigrad's LeNet(classes=2): {one_line(error)}") from None
    net.eval()
    return net


@minigrad.no_grad()
def predict(net, paths, failures=None):
    """(path, image, guess, probability) per readable image; unreadable ones are appended to
    ``failures`` as (path, error) and skipped."""
    transform = rmb_data.valid_transform()
    for path in paths:
        try:  # decoded at reduced scale for the Resize, as the training pipeline does
            image = transform(load_image(path, first_resize(transform)))
        except OSError as error:
            if failures is None:
                raise
            failures.append((path, error))
            continue
        probabilities = F.softmax(net(image.unsqueeze(0)), dim=1)[0]
        guess = int(probabilities.argmax().item())
        yield path, image, guess, float(probabilities[guess].item())


def main(argv=None):
    parser = make_parser("predict", "Classify banknote photos with a checkpoint written by minigrad train.")
    parser.add_argument("checkpoint", help="e.g. runs/train/best.ckpt")
    parser.add_argument("paths", nargs="+", help="images or folders of images")
    args = parser.parse_args(argv)
    try:
        net, paths = load_model(args.checkpoint), image_paths(args.paths)
    except (ValueError, OSError, minigrad.CheckpointError) as error:
        parser.error(str(error))
    samples, failures = [], []
    for path, image, guess, probability in predict(net, paths, failures):
        print(f"LeNet got {rmb_data.CLASS_NAMES[guess]} yuan (p={probability:.2f})  {path}")
        samples.append((image, None, guess, probability))
    for path, error in failures:
        print(f"minigrad predict: {error}; skipped it", file=sys.stderr)
    if samples:
        figure = plots.plot_predictions(samples[:40], rmb_data.valid_transform(), args.out / "predictions.png",
                                        args.show)
        print(f"gallery: {figure}")
    return 1 if failures else 0
