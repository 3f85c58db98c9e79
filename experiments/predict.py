"""``minigrad predict CHECKPOINT PATH...``: LeNet's answer for each banknote photo."""
from pathlib import Path

import minigrad
from data.folder import IMAGE_EXTENSIONS, load_image
from experiments import plots, rmb_data
from experiments.cli import make_parser
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
    saved = minigrad.load(checkpoint_path, map_location="cpu")  # predict runs on the CPU, wherever it trained
    state = saved.get("model") if isinstance(saved, dict) and "model" in saved else saved
    net = LeNet(classes=2)
    net.load_state_dict(state)
    net.eval()
    return net


@minigrad.no_grad()
def predict(net, paths):
    transform = rmb_data.valid_transform()
    for path in paths:
        image = transform(load_image(path))
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
    except (ValueError, FileNotFoundError, minigrad.CheckpointError) as error:
        parser.error(str(error))
    samples = []
    for path, image, guess, probability in predict(net, paths):
        print(f"LeNet got {rmb_data.CLASS_NAMES[guess]} yuan (p={probability:.2f})  {path}")
        samples.append((image, None, guess, probability))
    figure = plots.plot_predictions(samples[:40], rmb_data.valid_transform(), args.out / "predictions.png", args.show)
    print(f"gallery: {figure}")
    return 0
