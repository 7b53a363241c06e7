"""`make gradescope`: the zip's layout, and its run_autograder end to end in a folder laid out like /autograder."""
import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest

from autograder.grading import engine
from autograder.instructor import gradescope
from autograder.metadata import REPO_ROOT, load_stages

from conftest import BUGGY, buggy_submission, expected_failures

# `archive` builds the zip once per process: one xdist worker runs the module's tests.
pytestmark = pytest.mark.xdist_group("gradescope")

STAGE1 = load_stages()[1]
VARIANT = BUGGY / "stage1" / "descent_ignores_alpha.py"
# Gradescope's published results.json format (gradescope-autograders.readthedocs.io, "specs").
RESULT_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format",
               "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
               "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output",
             "output_format", "tags", "visibility", "extra_data"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    (path,) = gradescope.build([1], tmp_path_factory.mktemp("zips"))
    return path


@pytest.fixture(scope="module")
def autograder_root(archive, tmp_path_factory):
    """A folder laid out as Gradescope lays out /autograder, with the zip in source/."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):
        (root / "source" / name).chmod(0o755)  # zipfile does not restore modes
    return root


def run_autograder(root, files, metadata=None):
    """Gradescope's run: a fresh submission/ folder, run_autograder, then results.json."""
    submission = root / "submission"
    subprocess.run(["rm", "-rf", str(submission), str(root / "results")], check=True)
    submission.mkdir()
    for name, text in files.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(text)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), KIT_PYTHON=sys.executable)
    env.pop("PYTHONPATH", None)
    run = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, check=False,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads((root / "results" / "results.json").read_text())


def assert_published_format(results):
    assert set(results) <= RESULT_KEYS and isinstance(results["score"], (int, float))
    for test in results["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test) <= TEST_KEYS
        assert test["visibility"] in VISIBILITIES and test["status"] in ("passed", "failed")
        assert 0 <= test["score"] <= test["max_score"]
    assert results["score"] == sum(t["score"] for t in results["tests"])


def test_the_zip_has_both_scripts_at_its_root_and_the_kit(archive):
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in z.infolist()}
        lock = z.read("requirements.lock")
        setup = z.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder"} <= names
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & stat.S_IXUSR, f"{script} is not executable"
    assert {"autograder/grading/engine.py", f"solutions/{STAGE1.file}", "stages.toml",
            "data/mnist_5k.npz", "autograder/checks/stage1.py"} <= names
    assert not any("__pycache__" in n or n.startswith((".cache", "tests/", "course/")) for n in names)
    assert lock == (REPO_ROOT / "requirements.lock").read_bytes()
    assert "--no-deps -r /autograder/source/requirements.lock" in setup and "bubblewrap" in setup


def test_the_scripts_are_valid_bash(autograder_root):
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(autograder_root / "source" / script)], check=True)


def test_a_correct_submission_gets_full_marks(autograder_root):
    solution = (REPO_ROOT / "solutions" / STAGE1.file).read_text()
    results = run_autograder(autograder_root, {STAGE1.file: solution},
                             metadata={"users": [{"email": "ann@example.org"}]})
    assert_published_format(results)
    assert results["score"] == STAGE1.max_points
    assert all(t["status"] == "passed" for t in results["tests"])
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert hidden, "the training checks are not held back until grades are published"


def test_a_buggy_submission_gets_what_make_check_gives(autograder_root, tmp_path):
    buggy_submission(VARIANT, tmp_path)
    source = (tmp_path / STAGE1.file).read_text()
    results = run_autograder(autograder_root, {f"my upload/{STAGE1.file}": source})
    assert_published_format(results)
    assert results["score"] == engine.grade(1, tmp_path).earned < STAGE1.max_points
    failed = {t["name"] for t in results["tests"] if t["status"] == "failed"}
    titles = {c.id: c.title for c in STAGE1.checks}
    assert {titles[i] for i in expected_failures(VARIANT)} <= failed
    assert f"my upload/{STAGE1.file}" in results["output"]


def test_a_submission_without_the_stage_file_says_what_to_upload(autograder_root):
    results = run_autograder(autograder_root, {"answers.py": "x = 1\n"})
    assert_published_format(results)
    assert results["score"] == 0 and STAGE1.file in results["output"]
