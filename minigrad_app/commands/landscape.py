"""``minigrad landscape CKPT``: what the loss looks like around the weights a training run found.

Two views, after Goodfellow et al. (2015) and Li et al., "Visualizing the Loss Landscape of Neural
Nets" (2018), on the main job's training images (without augmentation):

- the line from the initial weights (re-created from the run's seed) to the trained ones:
  w(a) = w0 + a (w1 - w0); a = 0 is the start, a = 1 the end of training;
- a contour map over two random directions around the trained weights, w1 + a d1 + b d2, each
  direction filter-normalized: every filter (output channel or row) of d gets the norm of the
  same filter in w1, so that distances mean the same for every layer whatever its scale
  (biases get no direction, as in the paper).
"""
import json
import tempfile

import numpy

import minigrad
from data import DataLoader
from minigrad_app.rmb.dataset import RMBDataset
from minigrad_app import job, training
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.cli import make_parser, positive_float, positive_int, pyplot, save_figure

RECIPE_DEFAULTS = {"data": None, "split_seed": 1, "seed": 1}


def load_trained(path):
    """The model state and the training recipe (empty for a bare state_dict) saved in ``path``."""
    saved = minigrad.load(path)
    if isinstance(saved, dict) and saved.get("kind") == training.CHECKPOINT_KIND:
        return saved["model"], saved.get("args") or {}
    if isinstance(saved, dict) and all(hasattr(value, "shape") for value in saved.values()):
        return saved, {}
    raise ValueError(f"{path} holds neither a minigrad train checkpoint nor a model state_dict")


def evaluation_batches(setup, device, batch_size=64):
    """The training images with the validation transform, loaded once and kept in memory."""
    images = RMBDataset(setup.train_loader.dataset.root, transform=rmb_data.valid_transform())
    return [(inputs.to(device), labels.to(device)) for inputs, labels in DataLoader(images, batch_size=batch_size)]


@minigrad.no_grad()
def loss_and_accuracy(net, criterion, batches):
    total, correct, count = 0.0, 0, 0
    for inputs, labels in batches:
        outputs = net(inputs)
        total += criterion(outputs, labels).item() * labels.size(0)
        correct += training.count_correct(outputs, labels)
        count += labels.size(0)
    return total / count, correct / count


@minigrad.no_grad()
def set_weights(params, base, steps):
    """params <- base + sum of coefficient * direction, for ``steps`` = [(coefficient, direction)]."""
    for index, param in enumerate(params):
        value = base[index].clone()
        for coefficient, direction in steps:
            value += coefficient * direction[index]
        param.copy_(value)


def filter_normalized_direction(weights):
    """A Gaussian direction with each filter's norm set to that filter's norm in ``weights``."""
    direction = []
    for weight in weights:
        if weight.dim() <= 1:
            direction.append(minigrad.zeros_like(weight))  # biases stay put
            continue
        random = minigrad.randn(*weight.shape).to(weight.device)
        axes = tuple(range(1, weight.dim()))
        scale = weight.norm(dim=axes, keepdim=True) / (random.norm(dim=axes, keepdim=True) + 1e-10)
        direction.append(random * scale)
    return direction


def scan(net, criterion, batches, initial, trained, alphas, grid):
    """Losses (and accuracies) along the line and over the grid of the two directions."""
    params = list(net.parameters())
    difference = [end - start for start, end in zip(initial, trained)]
    line = []
    for alpha in alphas:
        set_weights(params, initial, [(alpha, difference)])
        line.append(loss_and_accuracy(net, criterion, batches))
    first, second = filter_normalized_direction(trained), filter_normalized_direction(trained)
    surface = numpy.zeros((len(grid), len(grid)))
    for row, beta in enumerate(grid):
        for column, alpha in enumerate(grid):
            set_weights(params, trained, [(alpha, first), (beta, second)])
            surface[row, column] = loss_and_accuracy(net, criterion, batches)[0]
    set_weights(params, trained, [])
    return line, surface


def plot(alphas, line, grid, surface, path, show):
    plt = pyplot(show)
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"wspace": 0.4})
    losses, accuracies = [row[0] for row in line], [row[1] for row in line]
    left.plot(alphas, losses, "-o", ms=3, color="C0", label="training loss")
    left.set_yscale("log")
    left.axvline(0, color="gray", ls=":")
    left.axvline(1, color="gray", ls=":")
    left.set_xlabel("a in w0 + a (w1 - w0)   (0: initial weights, 1: trained)")
    left.set_ylabel("loss (log scale)", color="C0")
    twin = left.twinx()
    twin.plot(alphas, accuracies, "-", color="C1", label="accuracy")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("accuracy", color="C1")
    left.set_title("From the initial to the trained weights")
    levels = numpy.geomspace(max(surface.min(), 1e-6), surface.max(), 20) if surface.max() > surface.min() else 10
    contour = right.contourf(grid, grid, surface, levels=levels, cmap="viridis",
                             norm=_log_norm() if not isinstance(levels, int) else None)
    right.contour(grid, grid, surface, levels=levels, colors="white", linewidths=0.4)
    right.plot([0], [0], "r*", ms=12, label="trained weights")
    bar = figure.colorbar(contour, ax=right, label="training loss (log scale)")
    bar.set_ticks(levels[::4] if not isinstance(levels, int) else bar.get_ticks())
    bar.set_ticklabels([f"{value:.3g}" for value in bar.get_ticks()])
    right.set_xlabel("direction 1 (filter-normalized)")
    right.set_ylabel("direction 2 (filter-normalized)")
    right.set_title("Around the trained weights (Li et al. 2018)")
    right.legend(loc="upper right", fontsize=8)
    return save_figure(plt, figure, path, show)


def _log_norm():
    from matplotlib.colors import LogNorm
    return LogNorm()


def build_parser():
    parser = make_parser("landscape", "The loss along the training line and around the trained weights.")
    parser.add_argument("checkpoint", metavar="CKPT", help="a checkpoint of minigrad train (last.ckpt, best.ckpt)")
    job.add_job_options(parser)
    parser.set_defaults(data=None, split_seed=None, seed=None)  # then taken from the checkpoint's recipe
    parser.add_argument("--line-points", type=positive_int, default=25, help="points on the line (default 25)")
    parser.add_argument("--grid", type=positive_int, default=17, help="grid points per direction (default 17)")
    parser.add_argument("--span", type=positive_float, default=1.0, help="grid from -SPAN to SPAN (default 1)")
    parser.add_argument("--direction-seed", type=int, default=0, help="seed of the random directions")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        trained_state, recipe = load_trained(args.checkpoint)
    except (ValueError, FileNotFoundError, minigrad.CheckpointError) as error:
        parser.error(str(error))
    for key, default in RECIPE_DEFAULTS.items():
        if getattr(args, key) is None:
            setattr(args, key, recipe.get(key, default))
    with tempfile.TemporaryDirectory() as workspace:
        setup = job.prepare(parser, args, workspace)  # LeNet initialised as the run started
        batches = evaluation_batches(setup, args.device)
    net = setup.net
    initial = [param.detach().clone() for param in net.parameters()]
    try:
        net.load_state_dict(trained_state)
    except RuntimeError as error:
        parser.error(f"{args.checkpoint}: not a LeNet for 2 classes: {error}")
    trained = [param.detach().clone() for param in net.parameters()]
    alphas = sorted(set(numpy.linspace(-0.25, 1.25, args.line_points).tolist()) | {0.0, 1.0})
    grid = numpy.linspace(-args.span, args.span, args.grid).tolist()
    minigrad.manual_seed(args.direction_seed)
    line, surface = scan(net, setup.criterion, batches, initial, trained, alphas, grid)
    path = plot(alphas, line, grid, surface, args.out / "landscape.png", args.show)
    at_start, at_end = loss_and_accuracy_at(alphas, line, 0.0), loss_and_accuracy_at(alphas, line, 1.0)
    metrics = {"checkpoint": str(args.checkpoint), "images": sum(int(labels.size(0)) for _, labels in batches),
               "line": {"alpha": alphas, "loss": [row[0] for row in line], "accuracy": [row[1] for row in line]},
               "initial_loss": at_start, "trained_loss": at_end,
               "grid": {"coordinates": grid, "loss": surface.tolist(), "min": float(surface.min()),
                        "max": float(surface.max())}}
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"loss on {metrics['images']} training images: {at_start:.4g} at the initial weights, {at_end:.4g} trained; "
          f"around the trained weights (|a|, |b| <= {args.span:g}) from {surface.min():.4g} to {surface.max():.4g}")
    print(f"figure: {path}")
    return 0


def loss_and_accuracy_at(alphas, line, alpha):
    """The loss at the point ``alpha`` of the line."""
    return next(row[0] for a, row in zip(alphas, line) if a == alpha)
