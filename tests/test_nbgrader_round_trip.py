"""The nbgrader course's round trip through `make autograde`'s code.

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
import contextlib
import csv
import html
import io
import json
import re
import time
from pathlib import Path

import pytest

from autograder.instructor import course_runner as runner
from autograder.instructor import nbgrader_plugins as nbs
from autograder.metadata import REPO_ROOT, hidden_checks, load_stages, visible_checks

from conftest import BUGGY, expected_failures
from support.nbgrader_course import (
    cell_index,
    code_cell,
    lookup_notebook,
    read_nb,
    release_nb,
    released_course,
    source_nb,
    source_of,
    stages,
    uncommitted,
    with_variant,
    write_nb,
)

# One xdist worker runs this module (make test passes --dist loadgroup), so that its
# round trip runs once, not once per worker.
pytestmark = pytest.mark.xdist_group("nbgrader_round_trip")
HANG_TIMEOUT_S = 20  # the limit on a cell's top-level code (make autograde TIMEOUT=)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return released_course(tmp_path_factory)


def submit(course, student, stage, nb):
    write_nb(nb, course / "submitted" / student / stage.slug / f"{stage.slug}.ipynb")


def buggy_variant(stage):
    variants = sorted((BUGGY / f"stage{stage.number}").glob("*.py"))
    return variants[0] if variants else None


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
