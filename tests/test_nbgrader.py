"""The nbgrader course: release, then a round trip through `make autograde`'s code.

Fake students, on every stage that has landed:
- alice submits the solutions: full marks everywhere;
- bob submits the untouched release: 0 everywhere;
- carol submits one buggy variant per stage: partial, lost on the variant's checks;
- dave's stage-1 notebook hangs at top level: that cell's functions lose their
  checks, the rest is graded, the row says "timed out";
- erin deleted one test cell of stage 2 and duplicated another: graded as usual.
Hostile students, on stage 1 (HOSTILE: what each does, what it deserves):
- frank: the solutions, with `exit()` in a cell and `os._exit(0)` at the end;
- mallory: the untouched release, plus cells that replace the grading helper,
  zero alice's grades with SQL and append a fake grader to the kit;
- peggy: the untouched release with numpy's comparisons patched in a Part cell;
- victor: the solutions plus a Part cell that writes into the kit, the course,
  $HOME and /tmp, leaves a process behind and prints without end;
- walter: looks the release kit's recorded answers up;
- zed: hands in a file that is not a notebook.
"""
import ast
import contextlib
import csv
import html
import io
import json
import pickle
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.instructor import course_runner as runner
from autograder.instructor import nbgrader_plugins as nbs
from autograder.metadata import REPO_ROOT, hidden_checks, load_stages, visible_checks
from notebooks import build

from conftest import BUGGY, expected_failures

# One xdist worker runs this module (make test passes --dist loadgroup), so that its
# course is released and round-tripped once, not once per worker.
pytestmark = pytest.mark.xdist_group("nbgrader_course")
HANG_TIMEOUT_S = 20  # the limit on a cell's top-level code (make autograde TIMEOUT=)
SOLUTION_BODY_SKIP = {"", "### BEGIN SOLUTION", "### END SOLUTION"}


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


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh course built from the current sources, released with nbgrader, in a fresh git
    checkout laid out as the kit's: the kit's .gitignore on top, the course in course/."""
    checkout = tmp_path_factory.mktemp("checkout")
    root = checkout / "course"
    root.mkdir()
    shutil.copy(REPO_ROOT / ".gitignore", checkout)
    shutil.copy(REPO_ROOT / "course" / "nbgrader_config.py", root)
    for stage in stages():
        write_nb(build.assignment_notebook(stage), root / "source" / stage.slug / f"{stage.slug}.ipynb")
    git(checkout, "init", "--quiet")
    git(checkout, "add", "--all")
    git(checkout, "-c", "user.name=kit", "-c", "user.email=kit@example.invalid", "commit",
        "--quiet", "--message", "the course as the kit commits it")
    runner.course_command("release", root)
    return root


def git(checkout, *args):
    """Run git in `checkout`; its standard output."""
    import subprocess

    return subprocess.run(["git", *args], cwd=checkout, capture_output=True, text=True,
                          check=True).stdout


def uncommitted(checkout):
    """What `git status` lists in `checkout`: files an instructor would have to commit or ignore."""
    return git(checkout, "status", "--porcelain", "--untracked-files=all").splitlines()


def solution_body_lines(stage):
    """Code lines inside the solution regions, except lines also given outside them."""
    body, given, inside = [], set(), False
    for line in (REPO_ROOT / "solutions" / stage.file).read_text().splitlines():
        stripped = line.strip()
        if stripped == "### BEGIN SOLUTION":
            inside = True
        elif stripped == "### END SOLUTION":
            inside = False
        elif inside and stripped not in SOLUTION_BODY_SKIP and not stripped.startswith("#"):
            body.append(stripped)  # the TODO comment and its continuation are the stub's
        elif not inside:
            given.add(stripped)  # e.g. an @jax.jit that also decorates a given function
    # A line that computes nothing ("return params", "continue", "}") gives nothing away.
    return [line for line in body if line not in given and any(c in line for c in "(=[@")]


def released_lines(course):
    """Every line of every released file, notebook cells read line by line."""
    lines = set()
    for path in (course / "release").rglob("*"):
        if path.suffix == ".ipynb":
            for cell in read_nb(path)["cells"]:
                lines |= {line.strip() for line in source_of(cell).splitlines()}
        elif path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            lines |= {line.strip() for line in text.splitlines()}
    return lines


def test_release_holds_no_solution_line(course):
    released = released_lines(course)
    assert stages(), "no stage has notebooks yet"
    for stage in stages():
        body = solution_body_lines(stage)
        assert body
        leaked = [line for line in body if line in released]
        assert not leaked, f"stage {stage.number}: solution lines in the release: {leaked}"


def test_release_hides_hidden_checks_and_says_so(course):
    for stage in stages():
        nb = read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb")
        for check in hidden_checks(stage):
            cell = nb["cells"][cell_index(nb, f"check_{check.id}")]
            assert "grade_cell" not in source_of(cell)
        text = json.dumps(nb)
        assert "kit.summary" in text and "Hidden checks run only" in text


# ---------------------------------------------------------------- the student release

def kit_of(course, stage):
    """The release kit of `stage`: autograder/, stages.toml and recorded/ beside the notebook."""
    return course / "release" / stage.slug


def test_released_notebook_opens_with_two_lines_and_the_kit_beside_it(course):
    for stage in stages():
        nb = release_nb(stage, course)
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert source_of(first).splitlines() == [
            "from autograder.learner import course_notebook as kit", f"kit.start({stage.number})"]
        assert (kit_of(course, stage) / "autograder" / "learner" / "course_notebook.py").is_file()


def test_release_kit_holds_no_solution_and_no_hidden_check(course):
    for stage in stages():
        kit = kit_of(course, stage)
        assert (kit / "stages.toml").is_file() and (kit / "recorded" / f"{stage.slug}.pkl").is_file()
        solution_files = {s.file for s in stages()}
        assert not (kit / "solutions").exists()
        assert not [p for p in kit.rglob("*.py") if p.name in solution_files]
        for path in (kit / "autograder" / "checks").glob("*.py"):
            tree = ast.parse(path.read_text())
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("check_training"):
                    assert ast.unparse(node.body[0]).startswith("raise NotImplementedError"), path
                    assert len(node.body) == 1
            assert "load_mnist(" not in path.read_text(), path


def fill_in(released, source):
    """The released notebook with every Part cell as the source notebook has it."""
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in source["cells"]}
    for cell in released["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("part"):
            cell["source"] = by_id[grade_id]["source"]
    return released


def run_notebook(folder, name):
    """Execute folder/name as a student would, without the kit on any path; the run notebook."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("KIT_ROOT", "PYTHONPATH")}
    subprocess.run([str(Path(sys.executable).parent / "jupyter"), "nbconvert", "--to", "notebook",
                    "--execute", "--allow-errors", "--output", "run.ipynb", name],
                   cwd=folder, env=env, check=True, capture_output=True, timeout=600)
    return read_nb(folder / "run.ipynb")


def test_student_runs_the_release_alone_and_sees_the_visible_verdicts(course, tmp_path):
    """Only release/<stage>/, outside the kit: the visible checks pass or fail, with hints."""
    first = stages()[0]
    variant = BUGGY / "stage1" / "descent_ignores_alpha.py"
    for name, notebook in (("honest", source_nb(first, course)),
                           ("buggy", with_variant(source_nb(first, course), variant))):
        folder = tmp_path / name / first.slug
        shutil.copytree(course / "release" / first.slug, folder)
        released = fill_in(read_nb(folder / f"{first.slug}.ipynb"), notebook)
        released["cells"].append(code_cell("import autograder\nprint('kit:', autograder.__file__)"))
        write_nb(released, folder / f"{first.slug}.ipynb")
        run = run_notebook(folder, f"{first.slug}.ipynb")
        # The release's own kit graded it, not one installed in the kernel's Python.
        assert f"kit: {folder.resolve() / 'autograder' / '__init__.py'}" in json.dumps(run), name
        errors = {}
        for cell in run["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
            for output in cell.get("outputs", []):
                if output["output_type"] == "error":
                    errors[grade_id] = output["evalue"]
        assert "Visible checks:" in json.dumps(run)
        if name == "honest":
            assert not errors, errors
        else:
            named = {f"check_{i}" for i in expected_failures(variant)}
            assert named <= set(errors), errors
            assert all("blocked by" in errors[cell] for cell in set(errors) - named), errors
            assert "idea:" in errors["check_gradient_descent_steps"]


REPLAY = """
import json, shutil, sys, tempfile
from pathlib import Path
kit, stage_number, source = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]).read_text()
sys.path.insert(0, kit)
from autograder.grading import engine
from autograder.metadata import load_stages
stage = load_stages()[stage_number]
folder = tempfile.mkdtemp()
Path(folder, stage.file).write_text(source)
only = [c.id for c in stage.checks if not c.id.startswith("training_")]
report = engine.grade(stage_number, folder, only=only)
print(json.dumps({o.check.id: o.status for o in report.outcomes}))
"""


def replayed(kit, stage, source, tmp_path):
    """{check id: status} of `source` graded by the release kit alone, in its own process."""
    import subprocess
    import sys

    script, path = tmp_path / "replay.py", tmp_path / f"{stage.slug}-submitted.py"
    script.write_text(REPLAY)
    path.write_text(source)
    run = subprocess.run([sys.executable, str(script), str(kit), str(stage.number), str(path)],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("stage_number", [s.number for s in build.buildable_stages()])
def test_release_kit_replays_every_visible_check_of_the_solution(course, tmp_path, stage_number):
    stage = load_stages()[stage_number]
    statuses = replayed(kit_of(course, stage), stage,
                        (REPO_ROOT / "solutions" / stage.file).read_text(), tmp_path)
    assert set(statuses) == {c.id for c in visible_checks(stage)}
    assert set(statuses.values()) == {"pass"}, statuses


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


def test_the_lookup_really_finds_the_shipped_answers(course):
    """walter's cell answers the release's recorded inputs with the recorded values
    (grading, in the round trip, gives it nothing)."""
    first = stages()[0]
    namespace = {}
    cell = lookup_notebook(course, first)["cells"][-1]
    exec(compile(source_of(cell), "walter", "exec"), namespace)
    recording = pickle.loads((kit_of(course, first) / "recorded" / f"{first.slug}.pkl").read_bytes())
    for function in ("relu", "softmax"):
        found = 0
        for case in recording["cases"][(f"{function}_reference" if function == "softmax"
                                         else function, 0)]:
            try:
                answer = namespace[function](case["Z"])
            except KeyError:  # left out of the release: grading uses it
                continue
            assert np.array_equal(answer, namespace["RECORDED"][_key(function, case["Z"])])
            found += 1
        assert found >= 5, (function, found)


def _key(function, Z):
    from autograder.grading import reference

    return reference.key(function, ((Z,), {}))


# ---------------------------------------------------------------- the round trip

def submit(course, student, stage, nb):
    write_nb(nb, course / "submitted" / student / stage.slug / f"{stage.slug}.ipynb")


def source_nb(stage, course):
    return read_nb(course / "source" / stage.slug / f"{stage.slug}.ipynb")


def release_nb(stage, course):
    return read_nb(course / "release" / stage.slug / f"{stage.slug}.ipynb")


def last_solution_cell(nb):
    return max(i for i, c in enumerate(nb["cells"]) if c["metadata"].get("nbgrader", {}).get("solution"))


def buggy_variant(stage):
    variants = sorted((BUGGY / f"stage{stage.number}").glob("*.py"))
    return variants[0] if variants else None


def with_variant(nb, variant):
    """The solution notebook with a buggy variant's definitions appended to its last code cell."""
    index = last_solution_cell(nb)
    nb["cells"][index]["source"] = source_of(nb["cells"][index]) + "\n\n" + variant.read_text()
    return nb


def hanging(nb):
    """A stuck loop left at the top level of the cell that defines gradient_descent."""
    index = next(i for i, c in enumerate(nb["cells"]) if "def gradient_descent" in source_of(c))
    nb["cells"][index]["source"] = (source_of(nb["cells"][index])
                                    + "\n\n\nconverged = False\nwhile not converged:\n    pass\n")
    return nb


def edited_cells(nb, stage):
    """One test cell deleted, another duplicated."""
    ids = [f"check_{c.id}" for c in visible_checks(stage)]
    nb["cells"].pop(cell_index(nb, ids[0]))
    duplicate = json.loads(json.dumps(nb["cells"][cell_index(nb, ids[1])]))
    duplicate["id"] = "duplicated-by-student"
    nb["cells"].insert(cell_index(nb, ids[1]) + 1, duplicate)
    return nb


def code_cell(source):
    return {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": source}


def with_cells(nb, *sources, at=None):
    """`nb` with code cells of `sources` inserted at index `at` (default: appended)."""
    position = len(nb["cells"]) if at is None else at
    nb["cells"][position:position] = [code_cell(s) for s in sources]
    return nb


def exits(nb):
    return with_cells(with_cells(nb, "exit()", at=5), "import os\nos._exit(0)")


def forges(nb, course):
    """Replace the grading helper, zero alice's grades, plant a fake grader in the kit."""
    fake = "\n\ndef grade_cell(*args, **kwargs):\n    print('passed')\n"
    return with_cells(
        nb,
        "kit.grade_cell = lambda *args, **kwargs: print('passed')",
        "import sqlite3\n"
        f"db = sqlite3.connect({str(course / 'gradebook.db')!r})\n"
        "db.execute(\"UPDATE grade SET manual_score = 0 WHERE notebook_id IN (SELECT n.id FROM "
        "submitted_notebook n JOIN submitted_assignment a ON n.assignment_id = a.id "
        "WHERE a.student_id = 'alice')\")\ndb.commit()",
        f"open({str(REPO_ROOT / 'autograder' / 'instructor' / 'nbgrader_plugins.py')!r}, 'a').write({fake!r})",
        at=3)


def patches_numpy(nb):
    """np.isclose and friends always say yes, from the top of the first Part cell."""
    index = next(i for i, c in enumerate(nb["cells"]) if "# Part 1 of" in source_of(c))
    patch = ("\nimport numpy as np\nnp.isclose = lambda *a, **k: np.True_\n"
             "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
             "np.testing.assert_allclose = lambda *a, **k: None\n")
    nb["cells"][index]["source"] = source_of(nb["cells"][index]) + patch
    return nb


VANDAL_TARGETS = [REPO_ROOT / "solutions" / "stage1_numpy.py", REPO_ROOT / "stages.toml",
                  Path.home() / "victor-was-here", Path("/tmp/victor-was-here")]


def vandalizes(nb, course):
    """A Part cell that writes everywhere it can, forks a straggler and prints 100 MB."""
    targets = [str(p) for p in VANDAL_TARGETS] + [str(course / "gradebook.db"),
                                                  str(course / "victor-was-here")]
    source = ("# Part 13 of stage1_numpy.py\nimport os\n"
              f"for _target in {targets!r}:\n"
              "    try:\n        with open(_target, 'a') as _out:\n            _out.write('victor')\n"
              "    except OSError:\n        pass\n"
              "if os.fork() == 0:\n    while True:\n        pass\n"
              "try:\n    for _ in range(100):\n        print('x' * 2**20)\n"
              "except OSError:\n    pass\n")
    return with_cells(nb, source)


AUTOGRADE_OUTPUT = {}  # what `make autograde` printed, for the checksum-warning test


def hostile_class(course, first):
    """(student -> notebook) for the hostile students of stage 1."""
    return {
        "frank": exits(source_nb(first, course)),
        "mallory": forges(release_nb(first, course), course),
        "peggy": patches_numpy(release_nb(first, course)),
        "victor": vandalizes(source_nb(first, course), course),
        "walter": lookup_notebook(course, first),
    }


def deserved(first):
    """(student, stage 1) -> (score, status): what each hostile student's honest code earns."""
    full = first.max_points
    return {"frank": (full, "graded"), "mallory": (0, "graded"), "peggy": (0, "graded"),
            "victor": (full, "graded"), "walter": (0, "graded"), "zed": (0, "failed to grade"),
            "alice": (full, "graded")}


@pytest.fixture(scope="module")
def round_trip(course):

    started = time.perf_counter()
    first, second = stages()[0], stages()[min(1, len(stages()) - 1)]
    kit_before = {p: p.read_bytes() if p.exists() else None for p in VANDAL_TARGETS}
    variants = {}
    for stage in stages():
        submit(course, "alice", stage, source_nb(stage, course))
        submit(course, "bob", stage, release_nb(stage, course))
        variants[stage.number] = buggy_variant(stage)
        if variants[stage.number]:
            submit(course, "carol", stage, with_variant(source_nb(stage, course), variants[stage.number]))
    submit(course, "dave", first, hanging(source_nb(first, course)))
    submit(course, "erin", second, edited_cells(source_nb(second, course), second))
    for student, nb in hostile_class(course, first).items():
        submit(course, student, first, nb)
    zed = course / "submitted" / "zed" / first.slug / f"{first.slug}.ipynb"
    zed.parent.mkdir(parents=True)
    zed.write_text("{this is not a notebook")
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        assert runner.course_command("autograde", course, timeout=HANG_TIMEOUT_S, jobs=2) == 0
    AUTOGRADE_OUTPUT["all"] = output.getvalue()
    runner.course_command("grades", course)
    runner.course_command("feedback", course)
    seconds = time.perf_counter() - started
    rows = list(csv.DictReader((course / "grades.csv").open()))
    print(f"\nround trip: {seconds:.0f} s\n" + (course / "grades.csv").read_text())
    scores = {(r["student"], int(r["stage"])): (float(r["score"]), float(r["max_score"]))
              for r in rows}
    statuses = {(r["student"], int(r["stage"])): r["status"] for r in rows}
    kit_after = {p: p.read_bytes() if p.exists() else None for p in VANDAL_TARGETS}
    AUTOGRADE_OUTPUT["again"] = autograde_output(course)
    bob = course / "submitted" / "bob" / first.slug / f"{first.slug}.ipynb"
    nb = read_nb(bob)
    nb["metadata"]["resubmitted"] = True  # a new file, graded as before
    write_nb(nb, bob)
    AUTOGRADE_OUTPUT["changed"] = autograde_output(course)
    return scores, variants, statuses, kit_before == kit_after


def autograde_output(course):
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        assert runner.course_command("autograde", course, timeout=HANG_TIMEOUT_S, jobs=2) == 0
    return output.getvalue()


def graded_lines(output):
    return sorted(line for line in output.splitlines() if line.split(":")[0].isalpha())


def test_autograde_grades_only_what_changed(round_trip):
    """A second run regrades only the notebook nbgrader could not read; a resubmission is regraded."""
    first = stages()[0]
    assert [line.split(":")[0] for line in graded_lines(AUTOGRADE_OUTPUT["again"])] == ["zed"]
    changed = graded_lines(AUTOGRADE_OUTPUT["changed"])
    assert [line.split(":")[0] for line in changed] == ["bob", "zed"]
    assert changed[0].startswith(f"bob: {first.slug} 0") and "graded" in changed[0]


def test_untouched_notebooks_raise_no_checksum_warning(round_trip, course):
    """Hidden test cells used to warn "checksum has changed" in every notebook."""
    log = (course / nbs.STATUS_DIR / "alice" / "autograde.log").read_text()
    assert "Graded" in log and "has changed" not in log


def cell_scores(course, student, stage):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(stage.slug, stage.slug, student)
        return {g.name: g.score for g in notebook.grades}


def test_csv_has_every_student_and_stage(round_trip):
    scores, _, statuses, _ = round_trip
    students = {"alice", "bob", "carol", "dave", "erin"} | set(deserved(stages()[0]))
    assert {(s, st.number) for s in students for st in stages()} <= set(scores)
    for stage in stages():
        assert scores[("alice", stage.number)][1] == stage.max_points
    assert statuses[("erin", stages()[0].number)] == "not submitted"


def test_solutions_get_full_marks(round_trip):
    scores, _, statuses, _ = round_trip
    for stage in stages():
        assert scores[("alice", stage.number)] == (stage.max_points, stage.max_points)
        assert statuses[("alice", stage.number)] == "graded"


def test_untouched_release_gets_zero(round_trip):
    scores, _, _, _ = round_trip
    for stage in stages():
        assert scores[("bob", stage.number)][0] == 0


def test_buggy_variants_lose_points_on_their_checks(round_trip, course):
    scores, variants, _, _ = round_trip
    for stage in stages():
        if not variants[stage.number]:
            continue
        score = scores[("carol", stage.number)][0]
        assert 0 < score < stage.max_points, (stage.number, score)
        cells = cell_scores(course, "carol", stage)
        for check_id in expected_failures(variants[stage.number]):
            assert cells[f"check_{check_id}"] == 0, (stage.number, check_id)


def test_hanging_notebook_loses_that_cells_points_and_says_timed_out(round_trip, course):
    scores, _, statuses, _ = round_trip
    first = stages()[0]
    assert 0 < scores[("dave", first.number)][0] < first.max_points
    assert statuses[("dave", first.number)] == "timed out"
    cells = cell_scores(course, "dave", first)
    assert cells["check_gradient_descent_steps"] == 0
    assert cells["check_relu"] > 0
    graded = (course / "autograded" / "dave" / first.slug / f"{first.slug}.ipynb").read_text()
    assert "Not in your graded file" in graded and "did not finish within" in graded
    for stage in stages()[1:]:
        assert statuses[("dave", stage.number)] == "not submitted"


def test_deleted_and_duplicated_test_cells_are_graded_correctly(round_trip):
    scores, _, _, _ = round_trip
    second = stages()[min(1, len(stages()) - 1)]
    assert scores[("erin", second.number)] == (second.max_points, second.max_points)


def test_hostile_notebooks_get_what_their_honest_code_earns(round_trip):
    scores, _, statuses, _ = round_trip
    first = stages()[0]
    got = {s: (scores[(s, first.number)][0], statuses[(s, first.number)]) for s in deserved(first)}
    assert got == deserved(first)


def test_hostile_notebooks_change_no_file_outside_their_sandbox(round_trip, course):
    _, _, _, kit_unchanged = round_trip
    assert kit_unchanged
    assert not (course / "victor-was-here").exists()
    assert "grade_cell" not in (REPO_ROOT / "autograder" / "instructor" / "nbgrader_plugins.py").read_text()[-200:]


def test_round_trip_leaves_git_status_clean(round_trip, course):
    """make release, autograde, grades and feedback write only what the kit's .gitignore ignores
    (course/grading/ was left untracked: one log and one status file per student)."""
    assert (course / nbs.STATUS_DIR / "alice" / "autograde.log").is_file()
    assert (course / "grades.csv").is_file() and (course / "feedback").is_dir()
    assert uncommitted(course.parent) == []


def test_every_graded_notebook_has_feedback(round_trip, course):
    _, _, statuses, _ = round_trip
    for (student, stage_number), status in statuses.items():
        stage = load_stages()[stage_number]
        page = course / "feedback" / student / stage.slug / f"{stage.slug}.html"
        assert page.is_file() == (status in ("graded", "timed out")), (student, stage_number)


def test_feedback_shows_no_hidden_check(round_trip, course):
    pages = list((course / "feedback").rglob("*.html"))
    assert len(pages) >= 2 * len(stages())
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
        assert "BEGIN HIDDEN TESTS" not in text
        for stage in stages():
            for check in hidden_checks(stage):
                assert f'grade_cell({stage.number}, "{check.id}")' not in text
                assert not re.search(re.escape(check.title) + r"\s+\d+/\d+", text), page


class _SourceCell:
    def __init__(self, source):
        self.source = source


class _Gradebook:
    def __init__(self, source):
        self.cell = _SourceCell(source)

    def find_source_cell(self, name, notebook, assignment):
        return self.cell


@pytest.mark.parametrize("submitted, warned", [
    ("# Hidden check (2 points): runs only when your work is graded.", False),
    ("# Hidden check (2 points): runs only when your work is graded.\nprint('passed')", True),
])
def test_checksum_warning_only_for_a_really_changed_hidden_cell(submitted, warned, caplog):
    """The released hidden cell differs from its source by design: no warning for that."""
    import logging

    stage = load_stages()[1]
    check = hidden_checks(stage)[0]
    source = nbs.test_cell_source(stage, check)
    overwrite = nbs.QuietOverwriteCells()
    overwrite.gradebook, overwrite.notebook_id, overwrite.assignment_id = (
        _Gradebook(source), "nb", "a")
    overwrite._submitted_source = submitted.replace("2 points", f"{check.points} points")
    overwrite.log = logging.getLogger("nbgrader-test")
    with caplog.at_level(logging.WARNING, logger="nbgrader-test"):
        overwrite.report_change(f"check_{check.id}", "checksum", "old", "new")
    assert ("has changed" in caplog.text) is warned
