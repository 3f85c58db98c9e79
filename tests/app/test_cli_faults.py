"""The ``minigrad`` command when things go wrong around it: a full disk, a diverged run, a corrupt
photo, Ctrl-C while drawing notes, two runs sharing a fresh cache (issue 17, items 7 and 8)."""
import errno
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from minigrad_app.rmb import tools as rmb
from minigrad_app import __main__ as cli
from minigrad_app.rmb import loaders as rmb_data
from minigrad import serialization

ROOT = Path(__file__).resolve().parents[2]


def _train(notes, out, *extra):
    return ["train", "--data", str(notes), "--epochs", "1", "--batch-size", "8", "--out", str(out), "--no-progress",
            *extra]


class _FullDisk(io.RawIOBase):
    def writable(self):
        return True

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_writing_last_ckpt_is_one_line_naming_it(notes, tmp_path, monkeypatch, capsys):
    real_fdopen = serialization.os.fdopen
    monkeypatch.setattr(serialization.os, "fdopen",
                        lambda handle, mode: (os.close(handle), io.BufferedWriter(_FullDisk()))[1])
    with pytest.raises(SystemExit) as stopped:
        cli.main(_train(notes, tmp_path))
    monkeypatch.setattr(serialization.os, "fdopen", real_fdopen)
    error = capsys.readouterr().err
    assert stopped.value.code == 2
    assert error.strip() == f"minigrad train: error: cannot write {tmp_path / 'last.ckpt'}: No space left on device"
    assert not [path.name for path in tmp_path.iterdir() if path.suffix in (".part", ".ckpt")]


def _strict_json(text):
    def refuse(token):
        raise ValueError(f"bare {token} in JSON")
    return json.loads(text, parse_constant=refuse)


def test_a_diverged_run_writes_strict_json_metrics(notes, tmp_path, capsys):
    with pytest.warns(RuntimeWarning):  # NumPy's overflow warnings as the weights blow up
        assert cli.main(_train(notes, tmp_path, "--lr", "1e30")) == 0
    metrics = _strict_json((tmp_path / "metrics.json").read_text())
    assert metrics["epochs"][0]["train_loss"] is None and metrics["epochs"][0]["valid_loss"] is None
    assert metrics["epochs"][0]["lr"] == 1e30


def test_predict_reports_a_corrupt_image_and_goes_on(notes, tmp_path, capsys):
    assert cli.main(_train(notes, tmp_path / "run")) == 0
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (photos / name).write_bytes((notes / "1" / "synth_1_0000.jpg").read_bytes())
    (photos / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    capsys.readouterr()
    status = cli.main(["predict", str(tmp_path / "run" / "last.ckpt"), str(photos), "--out", str(tmp_path / "out")])
    output = capsys.readouterr()
    assert status == 1
    assert output.out.count("LeNet got") == 2 and "broken.jpg" not in output.out
    assert output.err.count("\n") == 1 and f"cannot read image {photos / 'broken.jpg'}" in output.err


def test_ctrl_c_while_drawing_notes_exits_130_and_leaves_no_partial_folder(tmp_path, monkeypatch, capsys):
    real_synthesize = rmb.synthesize

    def interrupted(dst, n_per_class, seed, should_stop):
        real_synthesize(dst, n_per_class=2, seed=seed)  # some notes on disk, then the user presses Ctrl-C
        os.kill(os.getpid(), signal.SIGINT)  # caught by the flag, which the next photo's check reads
        assert should_stop()
        raise KeyboardInterrupt

    monkeypatch.setattr(rmb, "synthesize", interrupted)
    cache = tmp_path / "cache"
    assert cli.main(["train", "--cache-dir", str(cache), "--out", str(tmp_path / "out"), "--no-progress"]) == 130
    error = capsys.readouterr().err
    assert error == "minigrad train: interrupted\n"
    assert list(cache.iterdir()) == []


def test_two_runs_drawing_one_fresh_cache_both_succeed(tmp_path, monkeypatch):
    """The other run renames its complete set into place while this one is still drawing."""
    real_synthesize, cache = rmb.synthesize, tmp_path / "cache"
    draws, others = [], []

    def small(dst, n_per_class, seed, should_stop):
        written = real_synthesize(dst, n_per_class=3, seed=seed)
        draws.append(dst)
        if len(draws) == 1:  # the first draw: before it is renamed, a second run draws and finishes
            others.append(rmb_data.prepare_folders(None, 1, cache, tmp_path / "other"))
        return written

    monkeypatch.setattr(rmb, "synthesize", small)
    (tmp_path / "ours").mkdir()
    (tmp_path / "other").mkdir()
    ours = rmb_data.prepare_folders(None, 1, cache, tmp_path / "ours")
    assert len(draws) == 2 and [path.name for path in cache.iterdir()] == ["notes"]
    for split in (ours, others[0]):
        assert sorted(path.name for path in (split / "train").iterdir()) == ["1", "100"]
    assert sorted(path.name for path in (cache / "notes" / "1").iterdir()) == [f"synth_1_000{i}.jpg" for i in range(3)]


def test_a_real_sigint_while_drawing_notes_exits_130_without_a_traceback(tmp_path):
    """The same as a subprocess that gets SIGINT from outside, as a terminal sends it."""
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
    process = subprocess.Popen([sys.executable, "-m", "minigrad_app", "train", "--cache-dir", str(cache), "--out",
                                str(tmp_path / "out"), "--no-progress"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert process.stdout.readline().startswith("drawing synthetic RMB notes")
        process.send_signal(signal.SIGINT)
        output, error = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    assert (process.returncode, error) == (130, "minigrad train: interrupted\n"), f"stdout:\n{output}"
    assert not cache.exists() or [path.name for path in cache.iterdir()] == []  # not even the folder, if early
