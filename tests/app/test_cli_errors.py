"""Every user mistake on the ``minigrad`` command line is one line on stderr naming the flag or
the file, with exit status 2, never a traceback (issue 17, item 7)."""
import os
import re
import shutil

import pytest

import minigrad
from minigrad_app import __main__ as cli
from nn.models import LeNet


@pytest.fixture(scope="module")
def trained(notes, tmp_path_factory):
    """The last.ckpt of a one-epoch SGD run."""
    out = tmp_path_factory.mktemp("run")
    assert cli.main(["train", "--data", str(notes), "--epochs", "1", "--batch-size", "8", "--out", str(out),
                     "--no-progress"]) == 0
    return out / "last.ckpt"


def usage_error(argv, capsys):
    """stderr of a command that must stop with status 2 and a single line."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    error = capsys.readouterr().err
    assert stopped.value.code == 2
    assert len(error.strip().splitlines()) == 1, error
    return error


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a folder")
    return path


PARSE_ERRORS = [
    (["train", "--lr", "inf"], "argument --lr: expected a positive finite number, got inf", "train-lr-inf"),
    (["train", "--lr", "nan"], "argument --lr: expected a positive finite number, got nan", "train-lr-nan"),
    (["train", "--momentum", "nan"], "argument --momentum: expected a non-negative finite number", "momentum-nan"),
    (["train", "--num-workers", "-2"], "argument --num-workers: expected a non-negative integer, got -2",
     "num-workers-negative"),
    (["train", "--split-seed", "-1"], "argument --split-seed: expected a non-negative integer, got -1",
     "split-seed-negative"),
    (["optimizers", "--lr", "Adam=abc"], "--lr Adam=abc: expected a positive finite number", "optimizers-lr-abc"),
    (["optimizers", "--lr", "Adam=-1"], "--lr Adam=-1: expected a positive finite number", "optimizers-lr-negative"),
    (["optimizers", "--lr", "Adam=nan"], "--lr Adam=nan: expected a positive finite number", "optimizers-lr-nan"),
    (["synth-rmb", "somewhere", "--seed", "-1"], "argument --seed: expected a non-negative integer", "synth-seed"),
]


@pytest.mark.parametrize("argv, words", [case[:2] for case in PARSE_ERRORS], ids=[case[2] for case in PARSE_ERRORS])
def test_bad_values_are_named_when_parsed(argv, words, tmp_path, capsys):
    out = [] if argv[0] == "synth-rmb" else ["--out", str(tmp_path)]
    assert words in usage_error(argv + out, capsys)


@pytest.mark.parametrize("command", ["train", "predict", "gd", "lr-sweep", "momentum", "optimizers", "schedules"])
@pytest.mark.parametrize("where, words", [("{file}", "is a file, not a folder"),
                                          ("{file}/below", "cannot write to .*: Not a directory")],
                         ids=["a-file", "below-a-file"])
def test_out_naming_a_file_or_an_unwritable_place(command, where, words, a_file, capsys):
    error = usage_error([command, "--out", where.format(file=a_file)] + (["x.ckpt", "x.jpg"] if command == "predict"
                                                                         else []), capsys)
    assert "argument --out: " in error
    assert re.search(words, error)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_naming_a_read_only_folder(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        error = usage_error(["gd", "--out", str(locked / "run")], capsys)
    finally:
        locked.chmod(0o700)
    assert f"argument --out: cannot write to {locked / 'run'}: Permission denied" in error


TRAIN_ERRORS = [
    (["--optimizer", "lbfgs"], "--optimizer/--opt: LBFGS needs a closure", "lbfgs"),
    (["--optimizer", "sparseadam"], "--optimizer/--opt: SparseAdam only updates sparse gradients", "sparseadam"),
    (["--opt", "lr=abc"], "--optimizer/--opt: Invalid learning rate: 'abc' (lr must be a number", "opt-lr-abc"),
    (["--optimizer", "adam", "--opt", "betas=0.9"],
     "--optimizer/--opt: betas must be a pair of numbers (beta1, beta2), got 0.9", "opt-betas-a-number"),
    (["--opt", "params=[]"], "--optimizer/--opt: params cannot be given as an option", "opt-params"),
    (["--opt", "foreach=True"], "--optimizer/--opt: SGD: foreach=True is not supported", "opt-foreach"),
    (["--opt", "momentum=abc"], "--optimizer/--opt: Invalid momentum value: 'abc'", "opt-momentum-abc"),
    (["--sched", "gamma=abc"], "--scheduler/--sched: ", "sched-gamma-abc"),
]


@pytest.mark.parametrize("extra, words", [case[:2] for case in TRAIN_ERRORS], ids=[case[2] for case in TRAIN_ERRORS])
def test_optimizer_mistakes_name_the_flag(extra, words, notes, tmp_path, capsys):
    error = usage_error(["train", "--data", str(notes), "--out", str(tmp_path), "--no-progress"] + extra, capsys)
    assert words in error


CACHE_ERRORS = [("{file}", "--cache-dir: {file} is a file, not a folder"),
                ("{file}/below", "--cache-dir: cannot write to {file}/below: Not a directory")]


@pytest.mark.parametrize("where, words", CACHE_ERRORS, ids=["a-file", "below-a-file"])
def test_cache_dir_naming_a_file_or_an_unwritable_place(where, words, a_file, tmp_path, capsys):
    error = usage_error(["train", "--cache-dir", where.format(file=a_file), "--out", str(tmp_path)], capsys)
    assert words.format(file=a_file) in error


@pytest.mark.parametrize("layout", ["flat", "split"])
def test_a_class_folder_other_than_1_and_100_is_reported(layout, notes, tmp_path, capsys):
    data = tmp_path / "data"
    base = data / "train" if layout == "split" else data
    shutil.copytree(notes, base)
    if layout == "split":
        shutil.copytree(notes, data / "valid")
    shutil.copytree(notes / "1", base / "5")
    (base / "cats").mkdir()
    error = usage_error(["train", "--data", str(data), "--out", str(tmp_path / "out")], capsys)
    assert f"--data: {base} has class folders 5, cats; the RMB classes are only 1/ and 100/" in error


def _forged(trained, tmp_path, change):
    saved = minigrad.load(trained)
    saved = change(saved)
    path = tmp_path / "forged.ckpt"
    minigrad.save(saved, path)
    return path


def _drop(key):
    def change(saved):
        del saved[key]
        return saved
    return change


def _other_model(saved):
    saved["model"] = LeNet(classes=3).state_dict()
    return saved


RESUME_ERRORS = [
    (None, [], "is a directory, not a file", "a-directory"),
    (_other_model, [], "size mismatch for fc3.weight: copying a param with shape (3, 84)", "another-model-shape"),
    (_drop("optimizer"), [], "the checkpoint has no optimizer state", "no-optimizer"),
    (lambda saved: dict(saved, run=[1, 2]), [], "the checkpoint has no run state", "run-a-list"),
    (lambda saved: saved, ["--optimizer", "adam"], "holds the state of --optimizer sgd, not of Adam",
     "another-optimizer"),
    (lambda saved: [saved], [], "is not a minigrad train checkpoint", "a-list"),
]


@pytest.mark.parametrize("change, extra, words", [case[:3] for case in RESUME_ERRORS],
                         ids=[case[3] for case in RESUME_ERRORS])
def test_resume_mistakes_name_the_checkpoint(change, extra, words, trained, notes, tmp_path, capsys):
    checkpoint = tmp_path if change is None else _forged(trained, tmp_path, change)
    error = usage_error(["train", "--data", str(notes), "--out", str(tmp_path / "out"), "--no-progress",
                         "--resume", str(checkpoint)] + extra, capsys)
    assert f"--resume {checkpoint}: " in error and words in error


PREDICT_ERRORS = [
    (None, "is a directory, not a file", "a-directory"),
    (lambda saved: [saved["model"]], "holds a list, not a train checkpoint or a LeNet state_dict", "a-list"),
    (_other_model, "does not fit minigrad's LeNet(classes=2): Error(s) in loading state_dict for LeNet: size "
                   "mismatch", "another-model-shape"),
]


@pytest.mark.parametrize("change, words", [case[:2] for case in PREDICT_ERRORS],
                         ids=[case[2] for case in PREDICT_ERRORS])
def test_predict_mistakes_name_the_checkpoint(change, words, trained, notes, tmp_path, capsys):
    checkpoint = tmp_path if change is None else _forged(trained, tmp_path, change)
    error = usage_error(["predict", str(checkpoint), str(notes / "1"), "--out", str(tmp_path / "out")], capsys)
    assert str(checkpoint) in error and words in error


@pytest.mark.parametrize("epochs", [1, 2])
def test_schedules_work_for_a_few_epochs(epochs, tmp_path, capsys):
    assert cli.main(["schedules", "--epochs", str(epochs), "--out", str(tmp_path)]) == 0
    assert "MultiStepLR(milestones)" in capsys.readouterr().out
    assert (tmp_path / "schedules.png").exists()
