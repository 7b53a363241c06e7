"""The same grades on every supported Python: the parity sample against the recorded baseline.

tests/support/parity.py grades each stage's solution and exercise and one
buggy variant per stage and compares every verdict (status and points per
check, the focus) with tests/parity/baseline.json, recorded with Python 3.11.
The running Python's verdicts are compared with the baseline by the tests
that grade those files anyway (conftest.same_as_baseline), the whole set;
here `make parity` itself runs on one stage. Each other supported Python
found here (on the PATH or in pyenv's versions) builds a venv of its own,
`.cache/venvs/pyX.Y/`, with autograder/install.py (kept while the lock is
unchanged), and grades its share of the sample: the stages are dealt out in
turn among the Pythons found (with 3.12 and 3.13: the odd stages, NumPy to
ONNX export, and the even ones). Every stage is graded on one other Python,
and each Python grades JAX and Haiku stages, in half the time of the whole
sample. A supported Python not found here is a skip that says so. Each such
run is one xdist group on one core, started last (conftest), when the rest
of the suite has filled JAX's compile cache.
"""
import functools
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import install
from autograder.metadata import REPO_ROOT
from support import parity

VENVS = REPO_ROOT / ".cache" / "venvs"
RUNNING = sys.version_info[:2]
OTHERS = [v for v in install.SUPPORTED if v != RUNNING]


def pyenv_versions():
    """pyenv's versions folder ($PYENV_ROOT, else ~/.pyenv): pyenv keeps 3.12 and 3.13 there on CI."""
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


@functools.cache  # each lookup runs the candidates to read their versions
def interpreter(version):
    """A python3.X that runs, from the PATH or pyenv's versions (newest first), or None."""
    name = f"python{install.shown(version)}"
    in_pyenv = sorted(glob.glob(str(pyenv_versions() / "*" / "bin" / name)), reverse=True)
    candidates = [shutil.which(name)] + in_pyenv
    return next((c for c in candidates if c and install.version_of(c) == version), None)


def shares(versions, stages):
    """{version: the stages it grades}: `stages` dealt out in turn among `versions`."""
    return {v: stages[i::len(versions)] for i, v in enumerate(versions)}


def by_version(version):
    shown = install.shown(version)
    return pytest.param(version, id=f"python{shown}", marks=pytest.mark.xdist_group(f"python{shown}"))


def test_make_parity_compares_this_python_with_the_baseline():
    """`make parity SAMPLE=1` on one stage, as CI runs it on CPU; every other verdict of the
    full parity set is compared with the baseline by the tests that grade it anyway
    (conftest.same_as_baseline in test_solutions, test_exercises, test_alternatives, test_buggy)."""
    done = subprocess.run([sys.executable, str(Path(parity.__file__)), "--sample", "--stages", "1",
                           "--jobs", "1"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 same, 0 different" in done.stdout, done.stdout


@pytest.mark.parametrize("version", [by_version(v) for v in OTHERS])
def test_other_python_grades_the_sample_as_the_baseline(version):
    shown = install.shown(version)
    python = interpreter(version)
    if python is None:
        pytest.skip(f"Python {shown} not found (python{shown} on the PATH or in {pyenv_versions()})")
    found = [v for v in OTHERS if v == version or interpreter(v)]
    share = shares(found, sorted(s.number for s in parity.load_stages().values() if s.checks))
    venv = VENVS / f"py{shown}"
    install.build(venv, python, version, log=lambda line: None)
    done = subprocess.run([str(install.venv_python(venv)), str(Path(parity.__file__)),
                           "--sample", "--jobs", "1",
                           "--stages", ",".join(map(str, share[version]))],
                          cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_sample_has_each_stage_solution_exercise_and_one_buggy_variant():
    chosen = parity.submissions(sample=True)
    assert chosen == parity.submissions(sample=True), "the sample must not change between runs"
    stages = sorted({s.stage for s in chosen})
    for stage in stages:
        names = [s.name.split("/", 1)[1] for s in chosen if s.stage == stage]
        assert names[:2] == ["solution", "exercise"] and len(names) == 3, names
        assert names[2].startswith("buggy/"), names
    assert len(stages) == len([s for s in parity.load_stages().values() if s.checks])


def test_every_stage_has_one_other_python():
    assert shares([(3, 12), (3, 13)], [1, 2, 3, 4, 5]) == {(3, 12): [1, 3, 5], (3, 13): [2, 4]}
    assert shares([(3, 13)], [1, 2, 3]) == {(3, 13): [1, 2, 3]}


def test_a_changed_check_or_focus_is_a_difference():
    baseline = {"score": 3, "max_score": 4, "checks": {"a": "pass 3", "b": "fail 0"},
                "focus": ["softmax"]}
    assert parity.differences(baseline, baseline) == []
    moved = dict(baseline, checks={"a": "pass 3", "b": "blocked 0"}, focus=["relu"])
    assert parity.differences(moved, baseline) == [
        "b: blocked 0 here, fail 0 in the baseline", "focus ['relu'] here, ['softmax'] in the baseline"]
    assert parity.differences(baseline, None) == ["not in the baseline (record it with --record)"]
