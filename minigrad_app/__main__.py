"""``minigrad <subcommand>`` (also ``python -m minigrad_app``): one module per subcommand, in
``minigrad_app/commands/``."""
import importlib
import sys

SUBCOMMANDS = {
    "train": ("minigrad_app.commands.train", "train LeNet on RMB banknotes with the tutorial's recipe (the main job)"),
    "predict": ("minigrad_app.commands.predict", "classify banknote photos with a trained checkpoint"),
    "gd": ("minigrad_app.commands.gd", "the tutorial's gradient descent on y = 4x^2"),
    "lr-sweep": ("minigrad_app.commands.lr_sweep", "loss curves for a range of learning rates"),
    "momentum": ("minigrad_app.commands.momentum", "plain SGD against momentum and Nesterov"),
    "optimizers": ("minigrad_app.commands.optimizers", "every optimizer on a test function, paths and losses"),
    "schedules": ("minigrad_app.commands.schedules", "the learning-rate curve of every scheduler"),
    "synth-rmb": ("minigrad_app.commands.synth_rmb", "draw synthetic RMB banknote photos"),
    "split": ("minigrad_app.commands.split", "split a folder of class folders into train/valid/test"),
    "synthetic-to-real": ("minigrad_app.commands.synthetic_to_real",
                          "a LeNet trained on synthetic notes, scored on real photos"),
    "samples": ("minigrad_app.commands.samples", "a PNG grid of synthetic notes next to real ones"),
    "curvature": ("minigrad_app.commands.curvature", "Hessian eigenvalues: the learning-rate limit 2/lambda, kappa, momentum"),
    "lr-find": ("minigrad_app.commands.lr_find", "LR range test: the loss while the learning rate grows"),
    "landscape": ("minigrad_app.commands.landscape", "the loss along the training line and around the trained weights"),
    "graph": ("minigrad_app.commands.graph", "the autograd graph drawn: the tutorial's y = (2x)^2 and LeNet's loss"),
}


def usage():
    lines = ["usage: minigrad <subcommand> [options]   (minigrad <subcommand> --help for its options)", "",
             "subcommands:"]
    lines += [f"  {name:<12} {summary}" for name, (_, summary) in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        sys.stderr.write(f"minigrad: error: unknown subcommand {name!r}; choose from {', '.join(SUBCOMMANDS)}\n")
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    try:
        return module.main(rest)
    except KeyboardInterrupt:  # Ctrl-C outside a training loop (which saves first): no traceback
        sys.stderr.write(f"minigrad {name}: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
