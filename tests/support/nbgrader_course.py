"""The nbgrader course of the kit's tests: built and released once per test run.

Two xdist groups use it: tests/test_nbgrader.py (the release) and
tests/test_nbgrader_round_trip.py (make autograde's round trip). Each takes a
copy of one release, made by whichever worker asks first while the other
waits, so that the two run side by side and nbgrader releases the course once.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

from filelock import FileLock

from autograder.instructor import course_runner as runner
from autograder.metadata import REPO_ROOT
from notebooks import build


def released_course(tmp_path_factory):
    """A fresh copy of the released course (a git checkout laid out as the kit's); its course/."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        shared = tmp_path_factory.mktemp("released")
        _release(shared)
    else:  # each worker's base folder sits in one folder per test run
        run_folder = tmp_path_factory.getbasetemp().parent
        shared = run_folder / "released-course"
        with FileLock(str(run_folder / "released-course.lock")):
            if not (shared / "done").exists():
                shutil.rmtree(shared, ignore_errors=True)
                _release(shared)
                (shared / "done").touch()
    copy = tmp_path_factory.mktemp("checkout")
    shutil.copytree(shared / "checkout", copy, symlinks=True, dirs_exist_ok=True)
    return copy / "course"


def _release(folder):
    """A course built from the current sources, released with nbgrader, in a fresh git
    checkout laid out as the kit's: the kit's .gitignore on top, the course in course/."""
    checkout = folder / "checkout"
    root = checkout / "course"
    root.mkdir(parents=True)
    shutil.copy(REPO_ROOT / ".gitignore", checkout)
    shutil.copy(REPO_ROOT / "course" / "nbgrader_config.py", root)
    for stage in stages():
        write_nb(build.assignment_notebook(stage), root / "source" / stage.slug / f"{stage.slug}.ipynb")
    git(checkout, "init", "--quiet")
    git(checkout, "add", "--all")
    git(checkout, "-c", "user.name=kit", "-c", "user.email=kit@example.invalid", "commit",
        "--quiet", "--message", "the course as the kit commits it")
    runner.course_command("release", root)


def stages():
    return build.buildable_stages()


def read_nb(path):
    return json.loads(Path(path).read_text())


def write_nb(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb["cells"])
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def source_of(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def git(checkout, *args):
    """Run git in `checkout`; its standard output."""
    return subprocess.run(["git", *args], cwd=checkout, capture_output=True, text=True,
                          check=True).stdout


def uncommitted(checkout):
    """What `git status` lists in `checkout`: files an instructor would have to commit or ignore."""
    return git(checkout, "status", "--porcelain", "--untracked-files=all").splitlines()


def kit_of(course, stage):
    """The release kit of `stage`: autograder/, stages.toml and recorded/ beside the notebook."""
    return course / "release" / stage.slug


def source_nb(stage, course):
    return read_nb(course / "source" / stage.slug / f"{stage.slug}.ipynb")


def release_nb(stage, course):
    return read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb")


def last_solution_cell(nb):
    return max(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("solution"))


def with_variant(nb, variant):
    """The solution notebook with a buggy variant's definitions appended to its last code cell."""
    index = last_solution_cell(nb)
    nb["cells"][index]["source"] = source_of(nb["cells"][index]) + "\n\n" + variant.read_text()
    return nb


def code_cell(source):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": source}


LOOKUP = r"""
# Part 99 of stage1_numpy.py
import base64, hashlib, pickle
import numpy as np
RECORDED = pickle.loads(base64.b64decode("{data}"))["values"]
{feed}
def _looked_up(name):
    def answer(*args, **kwargs):
        digest = hashlib.sha256(name.encode())
        _feed(digest, (args, kwargs))
        return RECORDED[digest.hexdigest()]
    return answer
for _name in ("relu", "relu_deriv", "softmax", "forward_prop", "one_hot", "backward_prop",
              "update_params", "get_predictions", "get_accuracy", "init_params",
              "gradient_descent"):
    globals()[_name] = _looked_up(_name)
"""


def lookup_notebook(course, stage):
    """The release with one Part cell that answers every call from the recorded values."""
    import base64
    import inspect

    from autograder.grading import reference

    nb = read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb")
    data = base64.b64encode((kit_of(course, stage) / "recorded" / f"{stage.slug}.pkl").read_bytes())
    feed = inspect.getsource(reference._feed)  # the kit's own way to name an input
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                        "source": LOOKUP.format(data=data.decode(), feed=feed)})
    return nb
