"""The benchmark runner still works: one tiny case end to end through fresh processes (seconds),
and the pieces that turn the processes' output into figures. No timing is asserted."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report, train_job
from bench.rows import ROWS, select
from bench.runner import Participant, alternating

ROOT = Path(__file__).resolve().parents[2]


def torch_installed():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def test_runner_measures_a_case_in_fresh_processes(tmp_path):
    libraries = ["minigrad", "torch"] if torch_installed() else ["minigrad"]
    command = [sys.executable, "-m", "bench", "--only", "autograd", "--rounds", "1", "--min-seconds", "0",
               "--min-repeats", "1", "--patience", "0", "--retries", "1", "--results", str(tmp_path),
               "--libraries", *libraries]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True, timeout=300)
    record = json.loads((tmp_path / "results.json").read_text())["rows"]["autograd"]
    assert sorted(record["participants"]) == sorted(libraries)
    for entry in record["participants"].values():
        assert entry["best"] > 0 and len(entry["medians"]) == 1
        assert entry["threads"]["numpy_openblas_threads"] is None or entry["threads"]["numpy_openblas_threads"] >= 1
    assert "autograd overhead per op" in (tmp_path / "RESULTS.md").read_text()


@pytest.mark.parametrize("rounds, expected", [
    (1, ["a", "b"]),
    (2, ["a", "b", "b", "a"]),
    (3, ["a", "b", "b", "a", "a", "b"]),
], ids=["one-round", "two-rounds", "three-rounds"])
def test_alternating_reverses_the_order_every_other_round(rounds, expected):
    calls = []
    players = (Participant("a", "minigrad"), Participant("b", "torch"))
    results = alternating(lambda player: calls.append(player.name) or len(calls), players, rounds)
    assert calls == expected
    assert sum(len(values) for values in results.values()) == len(expected)


@pytest.mark.parametrize("stamps, expected", [
    ([1.0, 3.0, 4.5], [2.0, 1.5]),
    ([2.0], []),
], ids=["three-epochs", "one-epoch"])
def test_epoch_times_are_gaps_between_validation_lines(stamps, expected):
    lines = [(stamp, f"Valid:\t Epoch[{i:0>3}/010]") for i, stamp in enumerate(stamps)]
    lines.insert(1, (1.5, "Training:Epoch[001/010] Iteration[010/010]"))
    later, found = train_job.epoch_times(lines)
    assert later == pytest.approx(expected) and found == stamps


@pytest.mark.parametrize("patterns, keys", [
    (["lenet"], ["lenet-16", "lenet-64", "lenet-256"]),
    (["optim-adam"], ["optim-adam", "optim-adamw"]),
], ids=["prefix", "two-by-prefix"])
def test_select_rows_by_key_prefix(patterns, keys):
    assert [row.key for row in select(patterns)] == keys


def test_select_names_an_unknown_row():
    with pytest.raises(ValueError, match="--only nosuch"):
        select(["nosuch"])


def test_markdown_shows_the_ratio_against_the_target():
    row = next(r for r in ROWS if r.key == "lenet-16")
    record = {"date": "2026-01-01", "method": "alone", "participants": {
        "minigrad": {"best": 0.003, "medians": [0.003, 0.0033], "other_load": 0.0},
        "torch": {"best": 0.002, "medians": [0.002], "other_load": 0.05}}}
    line = report.table_line(row, record)
    ratio = 0.003 / 0.002
    assert f"| {ratio:.2f} |" in line
    assert ("yes" if ratio <= row.target else "**no**") in line
    assert "10%/0%" in line
