"""``minigrad <subcommand>`` (also ``python -m experiments``): one module per subcommand."""
import importlib
import sys

SUBCOMMANDS = {
    "train": ("experiments.train", "train LeNet on RMB banknotes with the tutorial's recipe (the main job)"),
    "predict": ("experiments.predict", "classify banknote photos with a trained checkpoint"),
    "gd": ("experiments.gd", "the tutorial's gradient descent on y = 4x^2"),
    "lr-sweep": ("experiments.lr_sweep", "loss curves for a range of learning rates"),
    "momentum": ("experiments.momentum", "plain SGD against momentum and Nesterov"),
    "optimizers": ("experiments.optimizers", "every optimizer on a test function, paths and losses"),
    "schedules": ("experiments.schedules", "the learning-rate curve of every scheduler"),
    "synth-rmb": ("experiments.data_tools", "draw synthetic RMB banknote photos"),
    "split": ("experiments.data_tools", "split a folder of class folders into train/valid/test"),
    "samples": ("experiments.data_tools", "a PNG grid of synthetic notes next to real ones"),
    "curvature": ("experiments.curvature", "Hessian eigenvalues: the learning-rate limit 2/lambda, kappa, momentum"),
    "lr-find": ("experiments.lr_find", "LR range test: the loss while the learning rate grows"),
    "landscape": ("experiments.landscape", "the loss along the training line and around the trained weights"),
    "graph": ("experiments.graph", "the autograd graph drawn: the tutorial's y = (2x)^2 and LeNet's loss"),
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
        if name in ("synth-rmb", "split", "samples"):
            return module.main(rest, command=name)
        return module.main(rest)
    except KeyboardInterrupt:  # Ctrl-C outside a training loop (which saves first): no traceback
        sys.stderr.write(f"minigrad {name}: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
