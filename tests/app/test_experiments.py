"""The ``minigrad`` command: every subcommand with small settings, and the training run's
checkpoints surviving SIGINT, SIGKILL and a crash in the middle of a save."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy
import pytest

import minigrad
from minigrad_app import __main__ as cli
from minigrad_app.commands import train
from test_tutorial_table import TUTORIAL_TABLE

ROOT = Path(__file__).resolve().parents[2]


def run_cli(argv, capsys):
    status = cli.main(argv)
    return status, capsys.readouterr()


def test_gd_prints_the_tutorial_table(tmp_path, capsys):
    status, out = run_cli(["gd", "--out", str(tmp_path)], capsys)
    assert status == 0 and out.out.splitlines()[:20] == TUTORIAL_TABLE.splitlines()
    assert (tmp_path / "gd.png").stat().st_size > 1000


@pytest.mark.parametrize("argv,outputs", [
    (["lr-sweep", "--num", "3", "--iters", "15"], ["lr_sweep.png"]),
    (["momentum", "--iters", "15"], ["momentum.png"]),
    (["optimizers", "--function", "quadratic", "--steps", "15"], ["optimizers_quadratic.png"]),
    (["optimizers", "--function", "saddle", "--steps", "10", "--lr", "Adam=0.2"], ["optimizers_saddle.png"]),
    (["schedules", "--epochs", "20"], ["schedules.png"]),
], ids=["lr-sweep", "momentum", "optimizers", "optimizers-lr", "schedules"])
def test_experiments_write_their_figures(argv, outputs, tmp_path, capsys):
    status, out = run_cli(argv + ["--out", str(tmp_path)], capsys)
    assert status == 0 and "figure:" in out.out
    for name in outputs:
        assert (tmp_path / name).stat().st_size > 1000


def test_lr_sweep_names_the_optimum(tmp_path, capsys):
    _, out = run_cli(["lr-sweep", "--num", "4", "--lr-min", "0.1", "--lr-max", "0.125", "--iters", "10",
                      "--out", str(tmp_path)], capsys)
    assert "best lr in the sweep: 0.1250" in out.out and "lr = 1/(2*4) = 0.125" in out.out


def test_data_tools(tmp_path, capsys):
    status, out = run_cli(["synth-rmb", str(tmp_path / "synth"), "--n-per-class", "5"], capsys)
    assert status == 0 and len(list((tmp_path / "synth" / "100").iterdir())) == 5
    status, out = run_cli(["split", str(tmp_path / "synth"), str(tmp_path / "split")], capsys)
    assert status == 0 and "train: 1: 4, 100: 4" in out.out
    status, out = run_cli(["samples", str(tmp_path / "grid.png"), "--n", "2"], capsys)
    assert status == 0 and (tmp_path / "grid.png").stat().st_size > 1000


@pytest.mark.parametrize("argv,words", [
    (["gd", "--iters", "0"], "expected a positive integer"),
    (["lr-sweep", "--lr-min", "0.3", "--lr-max", "0.1"], "larger than --lr-max"),
    (["optimizers", "--function", "banana"], "invalid choice"),
    (["train", "--data", "/nowhere/at/all"], "/nowhere/at/all"),
    (["train", "--optimizer", "adamx"], "unknown optimizer 'adamx'"),
    (["train", "--opt", "nesterov"], "key=value"),
    (["predict", "/nowhere/model.ckpt", "x.jpg"], "checkpoint not found"),
    (["split", "/nowhere/src", "/tmp/dst-never"], "source folder not found"),
], ids=["gd", "lr-sweep", "optimizers", "train-data", "train-optimizer", "train-opt", "predict", "split"])
def test_bad_arguments_exit_2_with_one_line(argv, words, tmp_path):
    result = subprocess.run([sys.executable, "-m", "minigrad_app", *argv, "--out", str(tmp_path)] if argv[0] not in (
        "split",) else [sys.executable, "-m", "minigrad_app", *argv], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr


def test_unknown_subcommand_and_help(capsys):
    assert cli.main(["nope"]) == 2
    assert cli.main([]) == 0 and "train" in capsys.readouterr().out


def _train_args(notes, out, epochs=3, extra=()):
    return ["--data", str(notes), "--epochs", str(epochs), "--batch-size", "4", "--out", str(out), "--no-progress",
            "--step-size", "2", *extra]


def _final_parameters(out):
    return minigrad.load(Path(out) / "last.ckpt")["model"]


def _assert_identical(first, second):
    assert first.keys() == second.keys()
    for key in first:
        assert numpy.array_equal(first[key].numpy(), second[key].numpy()), key


def test_train_writes_logs_metrics_plots_and_checkpoints(notes, tmp_path, capsys):
    assert train.main(_train_args(notes, tmp_path, extra=["--log-interval", "2"])) == 0
    out = capsys.readouterr().out
    assert "Training:Epoch[000/003] Iteration[002/004] Loss: " in out and "Valid:\t Epoch[002/003]" in out
    assert "Test:\t Acc:" in out
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [row["epoch"] for row in metrics["epochs"]] == [0, 1, 2]
    assert set(metrics["epochs"][0]) == {"epoch", "train_loss", "train_acc", "valid_loss", "valid_acc", "lr", "seconds"}
    assert [row["lr"] for row in metrics["epochs"]] == pytest.approx([0.0125, 0.0125, 0.00125])
    assert 0 <= metrics["test_acc"] <= 1 and metrics["best_valid_acc"] == max(r["valid_acc"] for r in metrics["epochs"])
    for name in ("loss.png", "accuracy.png", "predictions.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert set(minigrad.load(tmp_path / "best.ckpt")) >= {"model", "optimizer", "scheduler", "rng", "run"}
    status, predicted = run_cli(["predict", str(tmp_path / "best.ckpt"), str(notes / "100"), "--out", str(tmp_path)],
                                capsys)
    assert status == 0 and predicted.out.count("LeNet got") == 10


def test_train_with_another_optimizer_and_scheduler(notes, tmp_path):
    args = _train_args(notes, tmp_path, epochs=2, extra=["--optimizer", "adam", "--lr", "0.001", "--opt",
                                                          "amsgrad=True", "--scheduler", "cosine"])
    assert train.main(args) == 0
    saved = minigrad.load(tmp_path / "last.ckpt")
    assert saved["optimizer"]["param_groups"][0]["amsgrad"] is True and "T_max" in saved["scheduler"]


def test_resume_from_a_crash_during_a_save_is_bit_identical(notes, tmp_path, monkeypatch):
    assert train.main(_train_args(notes, tmp_path / "whole")) == 0
    from minigrad import serialization
    real_write, calls = serialization._atomic_write, []

    def crash_on_second_save(path, data):
        calls.append(path)
        if len(calls) == 3:  # epoch 0 wrote last and best; die half-way through epoch 1's save
            Path(path).with_suffix(".part-crash").write_bytes(data[: len(data) // 2])
            raise SystemExit("killed while writing")
        real_write(path, data)

    monkeypatch.setattr(serialization, "_atomic_write", crash_on_second_save)
    with pytest.raises(SystemExit):
        train.main(_train_args(notes, tmp_path / "cut"))
    monkeypatch.setattr(serialization, "_atomic_write", real_write)
    assert minigrad.load(tmp_path / "cut" / "last.ckpt")["run"]["epoch"] == 1
    assert train.main(_train_args(notes, tmp_path / "cut", extra=["--resume", str(tmp_path / "cut" / "last.ckpt")])) == 0
    _assert_identical(_final_parameters(tmp_path / "whole"), _final_parameters(tmp_path / "cut"))


def _start(notes, out, epochs):
    return subprocess.Popen([sys.executable, "-m", "minigrad_app", "train", *_train_args(notes, out, epochs)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(path, process, seconds=60):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no checkpoint appeared"
        time.sleep(0.02)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_or_interrupted_runs_resume_bit_identically(notes, tmp_path, stop):
    epochs = 12
    assert train.main(_train_args(notes, tmp_path / "whole", epochs)) == 0
    process = _start(notes, tmp_path / "cut", epochs)
    _wait_for(tmp_path / "cut" / "last.ckpt", process)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    if stop == signal.SIGINT:
        assert process.returncode == 130 and "--resume" in stderr
    else:
        assert process.returncode == -signal.SIGKILL
    saved = minigrad.load(tmp_path / "cut" / "last.ckpt")  # never a half-written file
    assert saved["run"]["epoch"] < epochs
    assert train.main(_train_args(notes, tmp_path / "cut", epochs,
                                  extra=["--resume", str(tmp_path / "cut" / "last.ckpt")])) == 0
    _assert_identical(_final_parameters(tmp_path / "whole"), _final_parameters(tmp_path / "cut"))


def test_main_job_on_the_real_photos(rmb_data, tmp_path):
    """The tutorial's recipe on the real photos (fewer epochs in CI): LeNet learns the notes."""
    assert train.main(["--data", str(rmb_data), "--epochs", "4", "--out", str(tmp_path), "--no-progress"]) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["best_valid_acc"] >= 0.95 and metrics["test_acc"] >= 0.9


def test_python_dash_m_experiments_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "minigrad_app", "gd", "--iters", "3", "--out", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0 and result.stdout.startswith("Iter:0, X:     2.0")
