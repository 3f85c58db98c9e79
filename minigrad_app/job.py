"""The main job's data, LeNet, loss and optimizer, for the instruments that study it.

Each instrument takes the data options of ``minigrad train`` and gets everything set up by
``train.prepare``, so it looks at exactly the run the tutorial trains; options it does not
offer keep the main job's defaults.
"""
import copy

import minigrad
from minigrad_app.commands import train
from minigrad_app.rmb import loaders as rmb_data
from minigrad_app.cli import positive_int


def add_job_options(parser, batch_size=16):
    """``--data``, ``--split-seed``, ``--cache-dir``, ``--batch-size``, ``--seed`` and ``--device``."""
    parser.add_argument("--data", help="folder with class folders 1/ and 100/, or already split into "
                                       "train/ valid/ [test/]; default: synthetic notes")
    parser.add_argument("--split-seed", type=int, default=1, help="seed of the 8:1:1 split (default 1)")
    parser.add_argument("--cache-dir", default=str(rmb_data.DEFAULT_CACHE),
                        help="where synthetic notes are drawn once (default ~/.cache/minigrad/rmb-synth)")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])


def prepare(parser, args, workspace, **overrides):
    """``train.prepare`` for ``args`` (a mistake in them ends with ``parser.error``); ``overrides``
    set main-job options that the instrument has no flag for, e.g. ``epochs=20``."""
    if args.device == "cuda" and not minigrad.cuda.is_available():
        parser.error("--device cuda: no usable GPU; CUDA needs an NVIDIA GPU and CuPy: pip install -e \".[gpu]\"")
    settings = train.build_parser().parse_args([])
    for key, value in vars(args).items():
        if hasattr(settings, key):
            setattr(settings, key, value)
    settings.no_progress = True
    vars(settings).update(overrides)
    try:
        return train.prepare(settings, workspace)
    except (ValueError, FileNotFoundError, minigrad.CheckpointError) as error:
        parser.error(str(error))


def snapshot(net, optimizer):
    """Copies of the model's and optimizer's states and of the random generator's state."""
    return ({key: value.clone() for key, value in net.state_dict().items()},
            copy.deepcopy(optimizer.state_dict()), minigrad.get_rng_state())


def restore(net, optimizer, saved):
    model_state, optimizer_state, rng_state = saved
    net.load_state_dict(model_state)
    optimizer.load_state_dict(optimizer_state)
    minigrad.set_rng_state(rng_state)


def endless(loader):
    """The loader's batches over and over (a fresh shuffle each pass)."""
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise ValueError("the training set is empty")
