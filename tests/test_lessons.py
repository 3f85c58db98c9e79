"""The lesson scripts of tests/lessons run with ``import minigrad as torch`` and print what PyTorch prints.

Each script runs as a user would run it, as ``__main__`` in a fresh process: once as written
(minigrad), and, where PyTorch is installed, once with its import lines pointed at ``torch``
(without PyTorch, its printouts come from the stored references: tests/oracle.py). The two
printouts must be the same once library names (``minigrad.float32`` / ``torch.float32``) and
object addresses are unified. To keep this fast, one process per library runs every script in
turn (each with its own globals and its own captured output), so PyTorch is imported once.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from oracle import reference, torch_available

LESSONS = Path(__file__).resolve().parent / "lessons"
ROOT = LESSONS.parents[1]
SCRIPTS = sorted(LESSONS.glob("*.py"))
# runs each script given on the command line as __main__; prints {path: [output, error or null]} as JSON
DRIVER = """
import contextlib, io, json, runpy, sys, traceback
results = {}
for path in sys.argv[1:]:
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            runpy.run_path(path, run_name="__main__")
        results[path] = [buffer.getvalue(), None]
    except BaseException:
        results[path] = [buffer.getvalue(), traceback.format_exc()]
print(json.dumps(results))
"""


def as_torch_script(source):
    """The same lesson with ``import minigrad...`` / ``from minigrad...`` lines importing torch."""
    return re.sub(r"^(import|from) minigrad\b", r"\1 torch", source, flags=re.MULTILINE)


def normalized(output):
    output = re.sub(r"\bminigrad\b", "torch", output)
    return re.sub(r" at 0x[0-9a-f]+", " at 0x?", output)


def run_all(paths, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.Popen([sys.executable, "-c", DRIVER, *map(str, paths)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def collect(process):
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr[-3000:]
    return {Path(path).stem: outcome for path, outcome in json.loads(stdout).items()}


@pytest.fixture(scope="module")
def printouts(tmp_path_factory):
    """{library: {lesson: (printout, traceback or None)}} for minigrad and, when live, PyTorch."""
    folder = tmp_path_factory.mktemp("lessons")
    processes = {"minigrad": run_all(SCRIPTS, folder)}
    if torch_available():
        twins = [folder / script.name for script in SCRIPTS]
        for script, twin in zip(SCRIPTS, twins):
            twin.write_text(as_torch_script(script.read_text()))
        processes["torch"] = run_all(twins, folder)
    return {library: collect(process) for library, process in processes.items()}


def test_every_lesson_imports_minigrad_as_torch():
    assert len(SCRIPTS) >= 6
    for script in SCRIPTS:
        source = script.read_text()
        assert "import minigrad as torch" in source, script.name
        assert not re.search(r"^(import|from) torch\b", source, flags=re.MULTILINE), script.name


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_lesson_prints_what_pytorch_prints(script, printouts):
    ours, error = printouts["minigrad"][script.stem]
    assert error is None, f"{script.name} failed under minigrad:\n{error}"
    assert ours.strip(), f"{script.name} printed nothing"
    theirs, error = reference(lambda torch: printouts["torch"][script.stem])
    assert error is None, f"{script.name} failed under PyTorch:\n{error}"
    assert normalized(ours).splitlines() == normalized(theirs).splitlines()


def test_import_rewrite_touches_only_import_lines():
    source = "import minigrad as torch\nfrom minigrad.utils.data import DataLoader\nprint('minigrad')\n"
    expected = "import torch as torch\nfrom torch.utils.data import DataLoader\nprint('minigrad')\n"
    assert as_torch_script(source) == expected
