"""``minigrad graph``: the autograd graph that ``backward()`` walks, drawn (micrograd's draw_dot,
without Graphviz).

The tutorial's y = (2x)^2 shows the whole mechanism in three boxes: x, the multiplication, the
power; after backward x carries dy/dx = 16. LeNet's loss on one batch of the main job's data shows
the same pattern at scale: every parameter is a leaf feeding one op, and backward visits the ops
from the loss down to the first convolution (the numbers give that order).
"""
import json
import sys
import tempfile

import minigrad
from minigrad_app import job
from minigrad_app.cli import make_parser
from minigrad.viz import draw_graph, graph_summary


def tutorial_graph(grads):
    x = minigrad.tensor([2.0], requires_grad=True)
    y = (2 * x) ** 2
    if grads:
        y.backward(retain_graph=True)
    return y, {"x": x}


def lenet_graph(parser, args):
    with tempfile.TemporaryDirectory() as workspace:
        setup = job.prepare(parser, args, workspace)
        inputs, labels = next(iter(setup.train_loader))
    loss = setup.criterion(setup.net(inputs.to(args.device)), labels.to(args.device))
    if args.grads:
        loss.backward(retain_graph=True)
    return loss, dict(setup.net.named_parameters())


def build_parser():
    parser = make_parser("graph", "Draw the autograd graph of the tutorial's y = (2x)^2 and of LeNet's loss.")
    parser.add_argument("--model", choices=["tutorial", "lenet", "both"], default="both",
                        help="which graph to draw (default both)")
    parser.add_argument("--grads", action="store_true", help="run backward and write each leaf's gradient")
    job.add_job_options(parser, batch_size=4)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    builders = {"tutorial": lambda: tutorial_graph(args.grads), "lenet": lambda: lenet_graph(parser, args)}
    names = list(builders) if args.model == "both" else [args.model]
    metrics, paths = {}, []
    for name in names:
        tensor, params = builders[name]()
        path = args.out / f"graph-{name}.png"
        try:
            draw_graph(tensor, path, params=params, grads=args.grads)
        except TypeError as error:
            sys.stderr.write(f"minigrad graph: error: {error}\n")
            return 1
        metrics[name] = graph_summary(tensor)
        paths.append(path)
        print(f"{name}: {len(metrics[name]['backward_order'])} ops, {len(metrics[name]['leaves'])} leaves, backward "
              f"order: {' -> '.join(metrics[name]['backward_order'])}")
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    if args.show:
        show(paths)
    print(f"figures: {' '.join(str(path) for path in paths)}")
    return 0


def show(paths):
    from matplotlib import pyplot as plt

    for path in paths:
        figure, axis = plt.subplots()
        axis.imshow(plt.imread(path))
        axis.axis("off")
    plt.show()
